"""The monthly post's life: drafted for the ambassadors, edited, then sent to all or skipped.

Nothing reaches employees before an ambassador presses "Send til alle"; that press (or
"Spring over denne måned") is recorded with who and when, and of two presses exactly one
counts. The draft card is posted in the ambassadors' conversation (or to each AI-ambassador
personally when none is configured) through the outbox and updated there in place. The post
goes through the outbox to everyone with a personal chat who did not say `stop påmindelser`,
inside working hours; anyone can read the newest one with `det har vi lært`.
"""

from __future__ import annotations

import hashlib
import logging
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from zoneinfo import ZoneInfo

from delivery.api import OutgoingMessage
from delivery.outbox import Outbox
from digests.digest_store import Audience, DigestStore
from digests.serial import SerialError
from digests.sources import month_bounds
from experiences.prompt_card import month_name
from ground.channels import Channels
from ground.clock import format_date
from ground.messages import Person
from ground.settings import Settings
from ground.texts import Texts
from knowledge.api import Topic
from learning.post import draft_payload, draft_reply, edited, post_reply
from organisation.roles import RoleBook
from privacy.redaction import redact_text
from scheduling.calendar import WorkingHours
from storage.learning_post_store import DRAFT, SENT, SKIPPED, LearningPost, LearningPostStore

logger = logging.getLogger(__name__)

BATCH_SIZE = 500
SLACK_CHANNEL = re.compile(r"[CG][A-Z0-9]{6,}")
AMBASSADORS = "ambassadors"


class Decided(StrEnum):
    """What pressing a draft's button did."""

    SENT = "sent"
    SKIPPED = "skipped"
    SAVED = "saved"
    DECIDED = "decided"  # someone already sent or skipped it
    UNKNOWN = "unknown"


@dataclass(frozen=True)
class Outcome:
    """The result, the post as it stands, and how many were queued the post."""

    result: Decided
    post: LearningPost | None = None
    count: int = 0


def draft_key(month: str, suffix: str) -> str:
    """The outbox key of the draft card in one conversation."""
    return f"learning:{month}:draft:{suffix}"


def channel_key(month: str, conversation_id: str) -> str:
    """The outbox key of the month's post in one of KOMPAS_LEARNING_CHANNELS."""
    digest = hashlib.sha256(conversation_id.encode()).hexdigest()[:20]
    return f"learning:{month}:channel:{digest}"


def channel_of(conversation_id: str) -> str:
    """Which channel a conversation of KOMPAS_LEARNING_CHANNELS is on: a Slack channel id
    (C…, G…), the terminal (cli:…), or else Teams."""
    if SLACK_CHANNEL.fullmatch(conversation_id):
        return "slack"
    return "cli" if conversation_id.startswith("cli:") else "teams"


def reader_key(month: str, user_id: int) -> str:
    """The outbox key of one person's copy of the month's post."""
    return f"learning:{month}:user:{user_id}"


class LearningPosts:
    """Drafts, edits and sends the monthly post; built once per process."""

    def __init__(
        self,
        store: LearningPostStore,
        digests: DigestStore,
        roles: RoleBook,
        outbox: Outbox,
        texts: Texts,
        settings: Settings,
        topics: Callable[[], Iterable[Topic]],
        channels: Channels,
        working_hours: WorkingHours,
        clock: Callable[[], datetime],
    ) -> None:
        self.store = store
        self._digests = digests
        self._roles = roles
        self._outbox = outbox
        self._texts = texts
        self._settings = settings
        self._topics = topics
        self._channels = channels
        self._hours = working_hours
        self._tz = ZoneInfo(settings.timezone)
        self._clock = clock
        self.window_working_days = settings.schedule.campaign_window_working_days

    # -- drafting ---------------------------------------------------------------------------

    async def draft(self, month: str) -> LearningPost | None:
        """The month's post, drafted from its organisation-wide digest and posted to the
        ambassadors (once); None while the month has no such digest."""
        tree = (await self._roles.current()).tree
        if not tree.roots:
            logger.warning("learning post %s: no organisation imported", month)
            return None
        if len(tree.roots) > 1:
            logger.warning("learning post %s: several top units; using %s", month, tree.roots[0])
        stored = await self._digests.find(tree.roots[0], month, Audience.ORGANISATION)
        if stored is None:
            logger.info("learning post %s: the month's digest is not made yet", month)
            return None
        try:
            digest = stored.digest()
        except SerialError as error:
            logger.error("learning post %s: digest unreadable (%s)", month, error)
            return None
        topics: Mapping[str, Topic] = {topic.id: topic for topic in self._topics()}
        since, until = month_bounds((month,), self._tz)
        answered = await self.store.referred_topics(since, until)
        asked = await self.store.most_asked_topics(since, until, self._settings.min_group)
        questions = await self.store.answered_questions(since, until, self._settings.min_text_group)
        name = month_name(self._texts, month)
        payload = draft_payload(self._texts, digest, name, topics, answered, asked, questions)
        post, created = await self.store.create(month, payload, self._clock())
        if created:
            await self._show_draft(post, "")
            logger.info("learning post %s drafted with %d items", month, len(payload["items"]))
        return post

    async def _targets(self) -> list[tuple[str, str, str]]:
        """(channel, conversation, key suffix) of where the draft goes: the ambassadors'
        conversation, or else each AI-ambassador's personal chat."""
        for channel in self._channels.proactive():
            conversation = self._settings.ambassadors_conversation_on(channel)
            if conversation:
                return [(channel, conversation, AMBASSADORS)]
        roles = await self._roles.current()
        ambassadors = [
            row.id
            for row in await self.store.users()
            if roles.is_ambassador(
                Person(row.channel, row.channel_user_id, directory_id=row.directory_id)
            )
        ]
        chats = await self._digests.reachable(ambassadors)
        return [(c.channel, c.conversation_id, f"user:{c.user_id}") for c in chats.values()]

    async def _show_draft(self, post: LearningPost, decision: str) -> None:
        """Queue the draft card, or its newest version in place of the first."""
        reply = draft_reply(
            self._texts,
            post.id,
            post.state,
            post.payload,
            decision,
            channels=bool(self._settings.learning_channels),
        )
        messages = []
        for channel, conversation, suffix in await self._targets():
            key = draft_key(post.month, suffix)
            if post.draft_version == 0:
                messages.append(OutgoingMessage(key, channel, conversation, reply))
            else:
                messages.append(
                    OutgoingMessage(
                        f"{key}:v{post.draft_version}", channel, conversation, reply,
                        updates_key=key,
                    )
                )  # fmt: skip
            if post.draft_key is None:
                await self.store.set_draft(post.id, channel, conversation, key)
        if not messages:
            logger.warning("learning post %s: no ambassador can be reached", post.month)
        await self._outbox.enqueue(messages)

    # -- the ambassadors' buttons -----------------------------------------------------------

    async def edit(self, post_id: int, intro: str, remove: Iterable[str]) -> Outcome:
        """ "Ret": a new intro (redacted) and fewer items; the draft is updated in place."""
        post = await self.store.get(post_id)
        if post is None:
            return Outcome(Decided.UNKNOWN)
        if post.state != DRAFT:
            return Outcome(Decided.DECIDED, post)
        changed = await self.store.edit(
            post_id, edited(post.payload, redact_text(intro), remove), self._clock()
        )
        if changed is None:
            return Outcome(Decided.DECIDED, await self.store.get(post_id))
        await self._show_draft(changed, "")
        return Outcome(Decided.SAVED, changed)

    async def decide(self, post_id: int, send: bool, user_id: int, name: str) -> Outcome:
        """ "Send til alle" or "Spring over denne måned", by `user_id` (an ambassador)."""
        now = self._clock()
        post = await self.store.decide(post_id, SENT if send else SKIPPED, user_id, now)
        if post is None:
            found = await self.store.get(post_id)
            return Outcome(Decided.UNKNOWN if found is None else Decided.DECIDED, found)
        await self._show_draft(post, self.decision(post, name))
        logger.info("learning post %s %s by user %d", post.month, post.state, user_id)
        if not send:
            return Outcome(Decided.SKIPPED, post)
        return Outcome(Decided.SENT, post, await self._deliver(post, now))

    def decision(self, post: LearningPost, name: str = "") -> str:
        """ "af Mette den 01.12.2026" for the draft's status line."""
        when = format_date(post.decided_at.astimezone(self._tz)) if post.decided_at else ""
        return self._texts.label("learning_post", "decided", name=name or "-", date=when)

    async def _deliver(self, post: LearningPost, now: datetime) -> int:
        """Queue the post in each of KOMPAS_LEARNING_CHANNELS, or else for everyone reachable
        who did not stop reminders, in batches."""
        not_before = self._hours.next_opening(now)
        reply = post_reply(self._texts, post.payload)
        if self._settings.learning_channels:
            posted = [
                OutgoingMessage(
                    channel_key(post.month, conversation), channel_of(conversation), conversation,
                    reply, not_before=not_before,
                )
                for conversation in sorted(self._settings.learning_channels)
            ]  # fmt: skip
            queued = await self._outbox.enqueue(posted)
            logger.info("learning post %s: posted in %d channel(s)", post.month, queued)
            return queued
        queued = 0
        after = 0
        while True:
            readers = await self.store.readers(self._channels.proactive(), after, BATCH_SIZE)
            if not readers:
                break
            queued += await self._outbox.enqueue(
                [
                    OutgoingMessage(
                        reader_key(post.month, reader.user_id), reader.channel,
                        reader.conversation_id, reply, user_id=reader.user_id,
                        not_before=not_before,
                    )
                    for reader in readers
                ]
            )  # fmt: skip
            after = readers[-1].user_id
        logger.info("learning post %s: %d copies queued", post.month, queued)
        return queued

    async def latest(self) -> LearningPost | None:
        """The newest post sent to everyone (`det har vi lært`)."""
        return await self.store.latest_sent()
