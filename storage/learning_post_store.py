"""The monthly "Det har vi lært" posts: drafts, edits, the decision, and who can be reached."""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import exists, func, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncConnection

from storage.database import Database
from storage.models import ConversationReferenceRow, QuestionRow
from storage.models_cases import CaseAskerRow, CaseRow
from storage.models_experiences import ReminderOptOutRow
from storage.models_learning import LearningPostRow
from storage.rows import USER_IDENTITY_COLUMNS

logger = logging.getLogger(__name__)

DRAFT, SENT, SKIPPED = "udkast", "sendt", "sprunget_over"


@dataclass(frozen=True)
class LearningPost:
    """A month's post as stored; `payload` holds the intro and the items."""

    id: int
    month: str
    state: str
    payload: Mapping[str, Any]
    channel: str | None
    draft_conversation_id: str | None
    draft_key: str | None
    draft_version: int
    decided_by_id: int | None
    decided_at: datetime | None


@dataclass(frozen=True)
class Reader:
    """A person the post can reach: their newest active personal chat."""

    user_id: int
    channel: str
    conversation_id: str


def _post(row: Any) -> LearningPost:
    return LearningPost(
        row.id,
        row.month,
        row.state,
        row.payload,
        row.channel,
        row.draft_conversation_id,
        row.draft_key,
        row.draft_version,
        row.decided_by_id,
        row.decided_at,
    )


class LearningPostStore:
    """Typed access to learning_posts; each method is one transaction."""

    def __init__(self, database: Database) -> None:
        self._database = database
        self._insert = postgresql.insert if database.is_postgresql else sqlite.insert

    async def create(
        self, month: str, payload: Mapping[str, Any], now: datetime
    ) -> tuple[LearningPost, bool]:
        """The month's post, drafted with `payload` unless it exists; the flag says new."""
        statement = (
            self._insert(LearningPostRow)
            .values(month=month, state=DRAFT, payload=dict(payload), created_at=now,
                    updated_at=now)
            .on_conflict_do_nothing(index_elements=[LearningPostRow.month])
            .returning(LearningPostRow.id)
        )  # fmt: skip
        async with self._database.transaction() as connection:
            created = (await connection.execute(statement)).scalar_one_or_none()
            row = (
                await connection.execute(
                    select(LearningPostRow).where(LearningPostRow.month == month)
                )
            ).one()
        return _post(row), created is not None

    async def get(self, post_id: int) -> LearningPost | None:
        async with self._database.transaction() as connection:
            row = (
                await connection.execute(
                    select(LearningPostRow).where(LearningPostRow.id == post_id)
                )
            ).one_or_none()
        return None if row is None else _post(row)

    async def latest_sent(self) -> LearningPost | None:
        """The newest post that went out to everyone."""
        query = (
            select(LearningPostRow)
            .where(LearningPostRow.state == SENT)
            .order_by(LearningPostRow.month.desc())
            .limit(1)
        )
        async with self._database.transaction() as connection:
            row = (await connection.execute(query)).one_or_none()
        return None if row is None else _post(row)

    async def waiting_draft(self) -> LearningPost | None:
        """The newest draft nobody has sent or skipped yet."""
        query = (
            select(LearningPostRow)
            .where(LearningPostRow.state == DRAFT)
            .order_by(LearningPostRow.month.desc())
            .limit(1)
        )
        async with self._database.transaction() as connection:
            row = (await connection.execute(query)).one_or_none()
        return None if row is None else _post(row)

    async def set_draft(self, post_id: int, channel: str, conversation_id: str, key: str) -> None:
        """Remember where the draft card was posted, and its outbox key."""
        statement = (
            update(LearningPostRow)
            .where(LearningPostRow.id == post_id)
            .values(channel=channel, draft_conversation_id=conversation_id, draft_key=key)
        )
        async with self._database.transaction() as connection:
            await connection.execute(statement)

    async def edit(
        self, post_id: int, payload: Mapping[str, Any], now: datetime
    ) -> LearningPost | None:
        """Replace a draft's payload ("Ret"); None when it is no longer a draft."""
        return await self._change(
            post_id, {"payload": dict(payload), "updated_at": now}, only_draft=True
        )

    async def decide(
        self, post_id: int, state: str, user_id: int, now: datetime
    ) -> LearningPost | None:
        """Send or skip a draft, recording who and when; of two presses exactly one wins
        (None for the other, and for a post already decided)."""
        values = {"state": state, "decided_by_id": user_id, "decided_at": now, "updated_at": now}
        return await self._change(post_id, values, only_draft=True)

    async def _change(
        self, post_id: int, values: Mapping[str, Any], *, only_draft: bool
    ) -> LearningPost | None:
        statement = (
            update(LearningPostRow)
            .where(LearningPostRow.id == post_id)
            .values(**values, draft_version=LearningPostRow.draft_version + 1)
            .returning(LearningPostRow.id)
        )
        if only_draft:
            statement = statement.where(LearningPostRow.state == DRAFT)
        async with self._database.transaction() as connection:
            changed = (await connection.execute(statement)).scalar_one_or_none()
            if changed is None:
                return None
            row = (
                await connection.execute(
                    select(LearningPostRow).where(LearningPostRow.id == post_id)
                )
            ).one()
        return _post(row)

    async def referred_topics(self, since: datetime, until: datetime) -> list[str]:
        """Topics the AI-ambassadors referred handed-on questions to in [since, until), the
        most referred first (what an asker's question now has an answer in)."""
        query = (
            select(CaseRow.referred_topic_id)
            .where(
                CaseRow.state == "henvist",
                CaseRow.referred_topic_id.is_not(None),
                CaseRow.resolved_at >= since,
                CaseRow.resolved_at < until,
            )
            .group_by(CaseRow.referred_topic_id)
            .order_by(func.count().desc(), CaseRow.referred_topic_id)
        )
        async with self._database.transaction() as connection:
            return [str(row[0]) for row in (await connection.execute(query)).all()]

    async def answered_questions(
        self, since: datetime, until: datetime, min_people: int, limit: int = 3
    ) -> list[str]:
        """Questions the AI-ambassadors answered in their own words in [since, until), one per
        case, for cases that at least `min_people` different people asked (the free-text
        rule): the first asker's (redacted) words stand for the case."""
        askers = func.count(CaseAskerRow.user_id.distinct())
        first_words = (
            select(CaseAskerRow.text)
            .where(CaseAskerRow.case_id == CaseRow.id)
            .order_by(CaseAskerRow.asked_at, CaseAskerRow.id)
            .limit(1)
            .correlate(CaseRow)
            .scalar_subquery()
        )
        cases = (
            select(CaseRow.id, first_words)
            .join(CaseAskerRow, CaseAskerRow.case_id == CaseRow.id)
            .where(
                CaseRow.state == "besvaret",
                CaseRow.resolved_at >= since,
                CaseRow.resolved_at < until,
            )
            .group_by(CaseRow.id)
            .having(askers >= min_people)
            .order_by(askers.desc(), CaseRow.id)
            .limit(limit)
        )
        async with self._database.transaction() as connection:
            rows = (await connection.execute(cases)).all()
        return [str(text) for _, text in rows if text]

    async def most_asked_topics(
        self, since: datetime, until: datetime, min_people: int, limit: int = 2
    ) -> list[str]:
        """The topics Kompas answered most people about in [since, until), each asked by at
        least `min_people` different people (no count leaves here: only the order)."""
        people = func.count(QuestionRow.user_id.distinct())
        query = (
            select(QuestionRow.topic_id)
            .where(
                QuestionRow.topic_id.is_not(None),
                QuestionRow.created_at >= since,
                QuestionRow.created_at < until,
            )
            .group_by(QuestionRow.topic_id)
            .having(people >= min_people)
            .order_by(people.desc(), QuestionRow.topic_id)
            .limit(limit)
        )
        async with self._database.transaction() as connection:
            return [str(row[0]) for row in (await connection.execute(query)).all()]

    async def users(self) -> list[Any]:
        """Every users row's identity (id, channel, channel ids), to find the ambassadors."""
        async with self._database.transaction() as connection:
            return list((await connection.execute(select(*USER_IDENTITY_COLUMNS))).all())

    async def readers(
        self, channels: Sequence[str], after_user_id: int = 0, limit: int = 500
    ) -> list[Reader]:
        """People with an active personal chat on `channels` who did not say `stop
        påmindelser`, by users.id after `after_user_id`."""
        reference = ConversationReferenceRow
        rank = func.row_number().over(
            partition_by=reference.user_id,
            order_by=(reference.updated_at.desc(), reference.id.desc()),
        )
        chats = (
            select(reference.user_id, reference.channel, reference.conversation_id,
                   rank.label("rank"))
            .where(
                reference.user_id.is_not(None),
                reference.conversation_type == "personal",
                reference.active.is_(True),
                reference.channel.in_(list(channels)),
            )
            .subquery()
        )  # fmt: skip
        query = (
            select(chats.c.user_id, chats.c.channel, chats.c.conversation_id)
            .where(
                chats.c.rank == 1,
                chats.c.user_id > after_user_id,
                ~exists().where(ReminderOptOutRow.user_id == chats.c.user_id),
            )
            .order_by(chats.c.user_id)
            .limit(limit)
        )
        async with self._database.transaction() as connection:
            rows = (await connection.execute(query)).all()
        return [Reader(row[0], row[1], row[2]) for row in rows]


async def rewrite_payloads(connection: AsyncConnection, rewrite: Any) -> int:
    """In the caller's transaction: every post's payload through `rewrite` (erasure, withdrawn
    consent); returns how many changed."""
    changed = 0
    rows = (await connection.execute(select(LearningPostRow.id, LearningPostRow.payload))).all()
    for post_id, payload in rows:
        scrubbed = rewrite(payload)
        if scrubbed != payload:
            await connection.execute(
                update(LearningPostRow)
                .where(LearningPostRow.id == post_id)
                .values(payload=scrubbed, draft_version=LearningPostRow.draft_version + 1)
            )
            changed += 1
    return changed
