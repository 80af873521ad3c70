""" "Det vil jeg prøve": a colleague's interest in an idea, told to its author at a calm pace."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from zoneinfo import ZoneInfo

from delivery.api import OutgoingMessage
from delivery.outbox import Outbox
from digests.digest_store import DigestStore
from ground.messages import Reply
from ground.texts import Texts
from scheduling.calendar import WorkingHours
from storage.experience_store import ExperienceStore
from storage.idea_store import IdeaRef, IdeaStore

logger = logging.getLogger(__name__)

MAX_IDEA_CHARS = 120  # how much of the idea the author's notice repeats


class Interest(StrEnum):
    """What pressing "Det vil jeg prøve" did."""

    NOTED = "noted"  # counted; the author hears about it
    ALREADY = "already"  # the person had said so before
    OWN = "own"  # the person's own idea
    GONE = "gone"  # the idea is no longer shown (consent withdrawn, deleted)


@dataclass(frozen=True)
class Marked:
    """The result, and how many want to try the idea now."""

    interest: Interest
    count: int = 0


def notice_key(idea: IdeaRef, day: str) -> str:
    """The outbox key of the day's one notice to an idea's author."""
    return f"idea:{idea.kind}:{idea.id}:interest:{day}"


def shortened(text: str, limit: int = MAX_IDEA_CHARS) -> str:
    """`text` on one line, cut at a word with an ellipsis when longer than `limit`."""
    line = " ".join(text.split())
    if len(line) <= limit:
        return line
    return line[:limit].rsplit(" ", 1)[0].rstrip(",.;:") + " …"


class IdeaInterest:
    """Counts interest in ideas and tells each author once a working day at most."""

    def __init__(
        self,
        store: IdeaStore,
        chats: DigestStore,
        opt_outs: ExperienceStore,
        outbox: Outbox,
        texts: Texts,
        working_hours: WorkingHours,
        timezone: str,
        clock: Callable[[], datetime],
    ) -> None:
        self._store = store
        self._chats = chats
        self._opt_outs = opt_outs
        self._outbox = outbox
        self._texts = texts
        self._hours = working_hours
        self._tz = ZoneInfo(timezone)
        self._clock = clock

    async def mark(self, idea: IdeaRef, user_id: int) -> Marked:
        """Count `user_id`'s interest in the idea and queue the author's notice."""
        found = await self._store.author(idea)
        if found is None:
            return Marked(Interest.GONE)
        author_id, text = found
        if author_id == user_id:
            return Marked(Interest.OWN)
        now = self._clock()
        new, count = await self._store.mark_interest(idea, user_id, now)
        if not new:
            return Marked(Interest.ALREADY, count)
        await self._notify(idea, author_id, text, count, now)
        return Marked(Interest.NOTED, count)

    async def _notify(
        self, idea: IdeaRef, author_id: int, text: str, count: int, now: datetime
    ) -> None:
        """One notice a working day per idea, inside working hours; none to people who said
        `stop påmindelser` (they see nothing they did not ask for)."""
        if await self._opt_outs.is_opted_out(author_id):
            return
        chat = (await self._chats.reachable([author_id])).get(author_id)
        if chat is None:
            return
        not_before = self._hours.next_opening(now)
        day = f"{not_before.astimezone(self._tz):%Y-%m-%d}"
        reply = Reply(
            text=self._texts.render(
                "idea_interest_notice", count=count, idea=shortened(text), kind=idea.kind
            )
        )
        queued = await self._outbox.enqueue(
            [
                OutgoingMessage(
                    key=notice_key(idea, day),
                    channel=chat.channel,
                    conversation_id=chat.conversation_id,
                    reply=reply,
                    user_id=author_id,
                    not_before=not_before,
                )
            ]
        )
        logger.info("idea %s %d: interest %d, notice %s", idea.kind, idea.id, count, queued)
