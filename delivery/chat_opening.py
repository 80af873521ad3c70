"""Opens a personal chat with each member of a team, paced and retried like messages."""

from __future__ import annotations

import asyncio
import logging
import random
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

from delivery.limits import DeliveryLimits
from delivery.transport import OutcomeKind, SendOutcome
from ground.messages import ConversationType, Incoming, IncomingKind, Person
from storage.conversation_store import Store
from storage.team_rosters import InstalledTeam, TeamMember

logger = logging.getLogger(__name__)

DEFAULT_CONCURRENCY = 8
DEFAULT_MAX_ATTEMPTS = 6
MAX_BACKOFF_SECONDS = 60.0
PROGRESS_EVERY = 500


@dataclass(frozen=True)
class OpenedChat:
    """One attempt to open a chat: the outcome and, when opened, how to reach it again."""

    outcome: SendOutcome
    conversation_id: str | None = None
    reference: dict[str, Any] = field(default_factory=dict)


class ChatOpener(Protocol):
    """A channel's way of opening a personal chat with a member of a team it is in."""

    async def open_chat(self, team: InstalledTeam, member: TeamMember) -> OpenedChat:
        """Try once; never raises for channel or network failures."""
        ...


@dataclass
class OpeningResult:
    """What one run did: chats opened, members skipped (guests, already reached), failures."""

    opened: int = 0
    already_reached: int = 0
    not_messaged: int = 0
    blocked: int = 0  # the member blocked the bot or left the tenant (403/404)
    failed: int = 0  # refused, or still failing after every attempt
    attempts: int = 0
    # opened: the member, the chat and their users.id
    chats: list[tuple[TeamMember, str, int]] = field(default_factory=list)


Sleep = Callable[[float], Awaitable[None]]
Progress = Callable[[OpeningResult, int], None]


class ChatOpening:
    """Opens personal chats for a team's members and stores each as a conversation reference.

    Every open counts against the channel's overall rate in `limits` (shared with the
    outbox sender, so chats being opened and messages being sent never exceed it together);
    a throttled or failed open is retried after Retry-After or an exponential backoff with
    jitter, up to `max_attempts`. Guests and people already reached personally are skipped.
    """

    def __init__(
        self,
        channel: str,
        opener: ChatOpener,
        limits: DeliveryLimits,
        store: Store,
        *,
        concurrency: int = DEFAULT_CONCURRENCY,
        max_attempts: int = DEFAULT_MAX_ATTEMPTS,
        sleep: Sleep = asyncio.sleep,
    ) -> None:
        self._channel = channel
        self._opener = opener
        self._limits = limits
        self._store = store
        self._concurrency = max(1, concurrency)
        self._max_attempts = max(1, max_attempts)
        self._sleep = sleep

    async def open_for(
        self,
        team: InstalledTeam,
        members: Sequence[TeamMember],
        *,
        progress: Progress | None = None,
    ) -> OpeningResult:
        """Open a chat with every member of `team` who has none yet."""
        result = OpeningResult()
        reached = await self._store.personal_user_ids(self._channel)
        queue: asyncio.Queue[TeamMember] = asyncio.Queue()
        listed = {member.user_id: member for member in members}  # listed twice: counted once
        for member in listed.values():
            if not member.messaged:
                result.not_messaged += 1
            elif member.user_id in reached:
                result.already_reached += 1
            else:
                queue.put_nowait(member)
        total = queue.qsize()
        logger.info("opening personal chats for %d members of a team", total)

        async def worker() -> None:
            while True:
                try:
                    member = queue.get_nowait()
                except asyncio.QueueEmpty:
                    return
                await self._open_one(team, member, result)
                done = result.opened + result.blocked + result.failed
                if progress is not None:
                    progress(result, total)
                if done % PROGRESS_EVERY == 0:
                    logger.info("opened %d of %d personal chats", result.opened, total)

        await asyncio.gather(*(worker() for _ in range(self._concurrency)))
        logger.info(
            "personal chats: %d opened, %d blocked, %d failed, %d already reached, %d guests",
            result.opened, result.blocked, result.failed, result.already_reached,
            result.not_messaged,
        )  # fmt: skip
        return result

    async def _open_one(
        self, team: InstalledTeam, member: TeamMember, result: OpeningResult
    ) -> None:
        for attempt in range(1, self._max_attempts + 1):
            await self._wait_for_slot(member.user_id)
            result.attempts += 1
            opened = await self._opener.open_chat(team, member)
            kind = opened.outcome.kind
            if kind is OutcomeKind.DELIVERED and opened.conversation_id:
                user_row_id = await self._remember(team, member, opened)
                result.opened += 1
                result.chats.append((member, opened.conversation_id, user_row_id))
                return
            if kind is OutcomeKind.GONE:
                result.blocked += 1
                return
            if kind is OutcomeKind.REJECTED or attempt == self._max_attempts:
                logger.warning("could not open a personal chat: %s", opened.outcome.reason)
                result.failed += 1
                return
            after = opened.outcome.retry_after
            wait = after if after is not None else min(MAX_BACKOFF_SECONDS, 2.0 ** (attempt - 1))
            await self._sleep(wait + random.uniform(0, 0.1 * wait))

    async def _wait_for_slot(self, user_id: str) -> None:
        key = ("open", user_id)
        while True:
            wait = max(self._limits.overall_wait(), self._limits.conversation_wait(key))
            if wait <= 0:
                self._limits.record(key)
                return
            await self._sleep(wait)

    async def _remember(self, team: InstalledTeam, member: TeamMember, opened: OpenedChat) -> int:
        person = Person(
            channel=self._channel,
            user_id=member.user_id,
            directory_id=member.directory_id,
            tenant_id=team.tenant_id,
        )
        return await self._store.save_reference(
            Incoming(
                kind=IncomingKind.REFERENCE,
                person=person,
                conversation_id=opened.conversation_id or "",
                conversation_type=ConversationType.PERSONAL,
                reference=opened.reference,
                endpoint=team.endpoint,
            )
        )
