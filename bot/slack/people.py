"""Who wrote, by Slack's profile: their name, and the e-mail that finds them in the organisation."""

from __future__ import annotations

import asyncio
import logging
import time
from collections import OrderedDict
from collections.abc import Mapping
from dataclasses import replace
from typing import Any

import aiohttp
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from ground.messages import MAX_DIRECTORY_ID_CHARS, MAX_NAME_CHARS, Person

logger = logging.getLogger(__name__)

PROFILE_SECONDS = 3600.0  # a profile is looked up again after an hour (names, moves)
MAX_PROFILES = 10_000  # people remembered per process


def name_and_email(user: Mapping[str, Any]) -> tuple[str, str]:
    """A Slack user object's real name (at most MAX_NAME_CHARS) and (lower-case) e-mail
    address, "" where missing or longer than a directory id can be."""
    profile = user.get("profile") or {}
    name = str(profile.get("real_name") or user.get("real_name") or "").strip()
    email = str(profile.get("email") or "").strip().lower()
    return name[:MAX_NAME_CHARS], email if len(email) <= MAX_DIRECTORY_ID_CHARS else ""


class SlackPeople:
    """users.info (scopes users:read and users:read.email), cached per process.

    The e-mail goes in Person.directory_id: it is how a Slack person is found in the
    organisation tree (ground/channel_descriptions.py). When Slack will not say (a missing
    scope, a rate limit, a guest without an e-mail), the person stays as the event named
    them, and roles come from KOMPAS_AMBASSADORS only.
    """

    def __init__(self, client: AsyncWebClient) -> None:
        self._client = client
        self._known: OrderedDict[tuple[str, str], tuple[float, str, str]] = OrderedDict()
        self._asking: dict[tuple[str, str], asyncio.Task[tuple[float, str, str] | None]] = {}
        self._warned: set[str] = set()

    async def resolve(self, person: Person) -> Person:
        """`person` with their real name and e-mail address from Slack, where known. Turns
        that need the same person at once (the Home tab and its welcome) share one lookup."""
        key = (person.tenant_id or "", person.user_id)
        found = self._known.get(key)
        if found is None or time.monotonic() - found[0] > PROFILE_SECONDS:
            found = await self._shared_look_up(key, person)
            if found is None:
                return person
            self._known[key] = found
            while len(self._known) > MAX_PROFILES:
                self._known.popitem(last=False)
        self._known.move_to_end(key)
        _, name, email = found
        return replace(person, name=person.name or name, directory_id=email or person.directory_id)

    async def _shared_look_up(
        self, key: tuple[str, str], person: Person
    ) -> tuple[float, str, str] | None:
        asking = self._asking.get(key)
        if asking is None:
            asking = asyncio.create_task(self._look_up(person))
            self._asking[key] = asking
            asking.add_done_callback(lambda _: self._asking.pop(key, None))
        # shielded: a turn that is cancelled does not cancel the others' lookup
        return await asyncio.shield(asking)

    async def _look_up(self, person: Person) -> tuple[float, str, str] | None:
        try:
            answer = await self._client.users_info(user=person.user_id)
        except (SlackApiError, aiohttp.ClientError, TimeoutError) as error:
            reason = _reason(error)
            if reason not in self._warned:
                self._warned.add(reason)
                logger.warning(
                    "Slack users.info failed (%s): people are not matched to the organisation "
                    "tree by e-mail until it works (the app needs users:read and "
                    "users:read.email)",
                    reason,
                )
            return None
        name, email = name_and_email(answer.get("user") or {})
        return time.monotonic(), name, email


def _reason(error: Exception) -> str:
    """Slack's error code, the HTTP status, or the kind of failure."""
    if isinstance(error, SlackApiError):
        data = error.response.data if isinstance(error.response.data, dict) else {}
        return str(data.get("error") or f"HTTP {error.response.status_code}")
    return type(error).__name__
