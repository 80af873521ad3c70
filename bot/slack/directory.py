"""Whom the Slack campaign may ask: the workspace's full members, or those of named channels."""

from __future__ import annotations

import logging
import time
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from typing import Any

import aiohttp
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from bot.slack.client import web_client
from bot.slack.payloads import CHANNEL, reference
from bot.slack.people import name_and_email
from ground.messages import ConversationType, Incoming, IncomingKind, Person
from ground.settings import Settings
from storage.conversation_store import Store

logger = logging.getLogger(__name__)

REFRESH_SECONDS = 24 * 3600.0  # the directory is read once a day (and at the first run)
PAGE_SIZE = 200  # users.list and conversations.members, as Slack recommends
SLACKBOT = "USLACKBOT"


@dataclass(frozen=True)
class DirectoryReport:
    """One reading: who may be asked, and who was left out (guests, bots, deactivated)."""

    reachable: int = 0
    left_out: int = 0


def full_member(user: dict[str, Any]) -> bool:
    """A person the campaign may ask: not a guest (restricted), bot, app or deactivated user."""
    return not (
        user.get("deleted")
        or user.get("is_bot")
        or user.get("is_app_user")
        or user.get("is_restricted")
        or user.get("is_ultra_restricted")
        or user.get("id") == SLACKBOT
    )


class SlackDirectory:
    """Reads users.list (and conversations.members for KOMPAS_SLACK_CAMPAIGN_CHANNELS) once a
    day from the scheduler's roster job, and stores a personal chat for each full member, so
    the monthly campaign reaches people who never wrote to Kompas. Slack delivers a message to
    a user id in the person's DM with the app, so no chat needs opening. People no longer
    reached this way (left, deactivated, became a guest) are not asked through it again."""

    def __init__(
        self,
        settings: Settings,
        store: Store,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._settings = settings
        self._store = store
        self._clock = clock
        self._session = aiohttp.ClientSession()
        self._client: AsyncWebClient = web_client(settings, self._session)
        self._read_at: float | None = None
        self._known: set[str] = set()

    async def refresh_due(self) -> DirectoryReport | None:
        """Read the directory when a day has passed since the last reading (None: not due)."""
        now = self._clock()
        if self._read_at is not None and now - self._read_at < REFRESH_SECONDS:
            return None
        self._read_at = now
        try:
            return await self.read()
        except (SlackApiError, aiohttp.ClientError, TimeoutError) as error:
            logger.warning("Slack directory not read (%s); tried again tomorrow", error)
            return None

    async def read(self) -> DirectoryReport:
        """Store a personal chat for every full member now in the directory."""
        team = str((await self._client.auth_test()).get("team_id") or "")
        wanted = await self._channel_members() if self._settings.slack.campaign_channels else None
        reachable: set[str] = set()
        left_out = 0
        async for user in self._users():
            user_id = str(user.get("id") or "")
            if wanted is not None and user_id not in wanted:
                continue
            if not user_id or not full_member(user):
                left_out += 1
                continue
            reachable.add(user_id)
            await self._store.save_reference(_reachable(user, team or user.get("team_id", "")))
        for gone in self._known - reachable:
            await self._store.deactivate_reference(CHANNEL, gone)
        self._known = reachable
        report = DirectoryReport(len(reachable), left_out)
        logger.info(
            "Slack directory: %d people the campaign may ask, %d left out (guests, bots, "
            "deactivated)",
            report.reachable,
            report.left_out,
        )
        return report

    async def _users(self) -> AsyncIterator[dict[str, Any]]:
        cursor = ""
        while True:
            page = await self._client.users_list(limit=PAGE_SIZE, cursor=cursor or None)
            for user in page.get("members") or []:
                if isinstance(user, dict):
                    yield user
            cursor = str((page.get("response_metadata") or {}).get("next_cursor") or "")
            if not cursor:
                return

    async def _channel_members(self) -> set[str]:
        members: set[str] = set()
        for channel in sorted(self._settings.slack.campaign_channels):
            cursor = ""
            while True:
                page = await self._client.conversations_members(
                    channel=channel, limit=PAGE_SIZE, cursor=cursor or None
                )
                members.update(str(member) for member in page.get("members") or [])
                cursor = str((page.get("response_metadata") or {}).get("next_cursor") or "")
                if not cursor:
                    break
        return members

    async def close(self) -> None:
        await self._session.close()


def _reachable(user: dict[str, Any], team: str) -> Incoming:
    """The person as a personal chat Kompas may write to (their user id is the address)."""
    user_id = str(user["id"])
    name, email = name_and_email(user)
    person = Person(CHANNEL, user_id, name, directory_id=email or None, tenant_id=team or None)
    return Incoming(
        IncomingKind.INSTALLED,
        person,
        user_id,
        ConversationType.PERSONAL,
        reference=reference(team, "", user_id, user_id),
    )
