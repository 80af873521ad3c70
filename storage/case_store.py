"""The ambassadors' desk in the database: cases, their askers, and state changes that race
safely (a conditional UPDATE decides who wins, on SQLite and PostgreSQL alike)."""

from __future__ import annotations

import logging
from collections.abc import Collection, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Select, func, insert, or_, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncConnection
from sqlalchemy.orm import aliased

from ground.clock import utc_now
from ground.messages import Person
from storage.case_records import (
    OPEN_STATES,
    Case,
    CaseAsker,
    CaseState,
    CaseSummary,
    HandedOn,
    Suggestion,
    Transition,
    optional_person,
)
from storage.database import Database, StorageError
from storage.models import QuestionRow, UserRow
from storage.models_cases import CaseAskerRow, CaseRow
from storage.models_outbox import OutboxRow
from storage.rows import person_from_row, record_from_row

__all__ = ["CaseStore", "ChangedMeanwhileError"]

logger = logging.getLogger(__name__)

_ASSIGNEE = aliased(UserRow, name="assignee")
_RESOLVER = aliased(UserRow, name="resolver")
_PERSON_COLUMNS = ("channel", "channel_user_id", "display_name", "aad_object_id", "tenant_id")


def _labelled(user: Any, prefix: str) -> list[Any]:
    return [getattr(user, column).label(prefix + column) for column in _PERSON_COLUMNS]


def _open(states: Collection[CaseState] = OPEN_STATES) -> list[str]:
    return sorted(state.value for state in states)


def _delivered_post() -> Any:
    """The channel's id of a case's post: the newest delivered version of it."""
    return (
        select(OutboxRow.delivered_id)
        .where(
            or_(OutboxRow.key == CaseRow.post_key, OutboxRow.updates_key == CaseRow.post_key),
            OutboxRow.delivered_id.is_not(None),
        )
        .order_by(OutboxRow.sent_at.desc(), OutboxRow.id.desc())
        .limit(1)
        .scalar_subquery()
        .label("post_message_id")
    )


def _case_query() -> Select[Any]:
    return (
        select(
            CaseRow,
            *_labelled(_ASSIGNEE, "assignee_"),
            *_labelled(_RESOLVER, "resolver_"),
            _delivered_post(),
        )
        .outerjoin(_ASSIGNEE, _ASSIGNEE.id == CaseRow.assignee_id)
        .outerjoin(_RESOLVER, _RESOLVER.id == CaseRow.resolved_by_id)
    )


def _asker_query() -> Select[Any]:
    return (
        select(CaseAskerRow, *_labelled(UserRow, "asker_"))
        .join(UserRow, UserRow.id == CaseAskerRow.user_id)
        .order_by(CaseAskerRow.asked_at, CaseAskerRow.id)
    )


def _asker(row: Any) -> CaseAsker:
    return record_from_row(CaseAsker, row, person=person_from_row(row, "asker_"))


def _case(row: Any, askers: Sequence[CaseAsker]) -> Case:
    return record_from_row(
        Case,
        row,
        state=CaseState(row["state"]),
        topic_ids=tuple(str(topic) for topic in row["topic_ids"] or ()),
        assignee=optional_person(row, "assignee_"),
        resolved_by=optional_person(row, "resolver_"),
        askers=tuple(askers),
    )


class CaseStore:
    """Typed access to cases and askers; each method is one short transaction.

    On SQLite this process's writes take turns (SQLite has one writer, and a transaction
    that read first cannot always start writing); on PostgreSQL concurrent state changes
    are decided by conditional UPDATEs (`… WHERE state IN (…)`, rowcount 1 wins).
    """

    def __init__(self, database: Database) -> None:
        self._database = database
        self._insert = postgresql.insert if database.is_postgresql else sqlite.insert

    # -- handing a question on ----------------------------------------------------------------

    async def hand_on(
        self,
        question_id: int,
        person: Person,
        *,
        contact_ok: bool,
        conversation_id: str | None,
        topic_ids: Sequence[str],
        join_case_id: int | None = None,
    ) -> HandedOn | None:
        """Put the person's question in a case: the open case `join_case_id` (grouping), or
        a new one. Once per question: a second call returns the first outcome. None when
        the question does not exist or is someone else's."""
        try:
            return await self._hand_on(
                question_id, person, contact_ok, conversation_id, topic_ids, join_case_id
            )
        except ChangedMeanwhileError:  # the other call won; it is a second call now
            return await self._hand_on(
                question_id, person, contact_ok, conversation_id, topic_ids, join_case_id
            )

    async def _hand_on(
        self,
        question_id: int,
        person: Person,
        contact_ok: bool,
        conversation_id: str | None,
        topic_ids: Sequence[str],
        join_case_id: int | None,
    ) -> HandedOn | None:
        now = utc_now()
        async with self._database.writing() as connection:
            user_id = (
                await connection.execute(
                    select(UserRow.id).where(
                        UserRow.channel == person.channel,
                        UserRow.channel_user_id == person.user_id,
                    )
                )
            ).scalar_one_or_none()
            if user_id is None:
                return None
            earlier = (
                await connection.execute(
                    select(CaseAskerRow.id, CaseAskerRow.case_id, CaseAskerRow.user_id).where(
                        CaseAskerRow.question_id == question_id
                    )
                )
            ).one_or_none()
            if earlier is not None:
                if earlier.user_id != user_id:
                    return None
                return HandedOn(earlier.case_id, earlier.id, new=False, joined=False)
            text = (
                await connection.execute(
                    select(QuestionRow.text).where(
                        QuestionRow.id == question_id, QuestionRow.user_id == user_id
                    )
                )
            ).scalar_one_or_none()
            if text is None:
                return None
            case_id = await self._open_case_to_join(connection, join_case_id)
            joined = case_id is not None
            if case_id is None:
                case_id = await self._new_case(connection, person.channel, topic_ids, now)
            else:
                await connection.execute(
                    update(CaseRow)
                    .where(CaseRow.id == case_id)
                    .values(updated_at=now, post_version=CaseRow.post_version + 1)
                )
            asker_id = (
                await connection.execute(
                    self._insert(CaseAskerRow)
                    .values(
                        case_id=case_id,
                        question_id=question_id,
                        user_id=user_id,
                        text=text,
                        asked_at=now,
                        contact_ok=contact_ok,
                        channel=person.channel,
                        conversation_id=conversation_id,
                    )
                    .on_conflict_do_nothing(index_elements=[CaseAskerRow.question_id])
                    .returning(CaseAskerRow.id)
                )
            ).scalar_one_or_none()
            if asker_id is None:  # handed on at the same moment by another process
                raise ChangedMeanwhileError(question_id)
        logger.info("question %d handed on in case %d (joined: %s)", question_id, case_id, joined)
        return HandedOn(case_id, asker_id, new=True, joined=joined)

    async def _open_case_to_join(
        self, connection: AsyncConnection, case_id: int | None
    ) -> int | None:
        if case_id is None:
            return None
        query = select(CaseRow.id).where(CaseRow.id == case_id, CaseRow.state.in_(_open()))
        if self._database.is_postgresql:
            query = query.with_for_update()
        found: int | None = (await connection.execute(query)).scalar_one_or_none()
        return found

    async def _new_case(
        self, connection: AsyncConnection, channel: str, topic_ids: Sequence[str], now: datetime
    ) -> int:
        statement = (
            insert(CaseRow)
            .values(
                state=CaseState.NEW.value,
                channel=channel,
                topic_ids=list(topic_ids),
                created_at=now,
                updated_at=now,
            )
            .returning(CaseRow.id)
        )
        case_id: int = (await connection.execute(statement)).scalar_one()
        return case_id

    async def set_post(self, case_id: int, conversation_id: str, key: str) -> None:
        """Record where the case is posted and the outbox key of the post."""
        statement = (
            update(CaseRow)
            .where(CaseRow.id == case_id, CaseRow.post_key.is_(None))
            .values(post_conversation_id=conversation_id, post_key=key)
        )
        async with self._database.writing() as connection:
            await connection.execute(statement)

    # -- reading ------------------------------------------------------------------------------

    async def get(self, case_id: int) -> Case | None:
        """The case with its askers, or None."""
        async with self._database.transaction() as connection:
            return await self._load(connection, case_id)

    async def _load(self, connection: AsyncConnection, case_id: int) -> Case | None:
        row = (
            (await connection.execute(_case_query().where(CaseRow.id == case_id)))
            .mappings()
            .one_or_none()
        )
        if row is None:
            return None
        askers = (
            (await connection.execute(_asker_query().where(CaseAskerRow.case_id == case_id)))
            .mappings()
            .all()
        )
        return _case(row, [_asker(asker) for asker in askers])

    async def open_questions(self) -> list[tuple[int, str]]:
        """(case id, question) of every asker in an open case, for grouping."""
        query = (
            select(CaseAskerRow.case_id, CaseAskerRow.text)
            .join(CaseRow, CaseRow.id == CaseAskerRow.case_id)
            .where(CaseRow.state.in_(_open()))
            .order_by(CaseAskerRow.case_id, CaseAskerRow.id)
        )
        async with self._database.transaction() as connection:
            return [(row[0], row[1]) for row in (await connection.execute(query)).all()]

    async def page(
        self, offset: int = 0, limit: int = 5, states: Collection[CaseState] | None = None
    ) -> list[CaseSummary]:
        """Cases newest first (`states`: only those), `limit` of them from `offset`."""
        first_text = (
            select(CaseAskerRow.text)
            .where(CaseAskerRow.case_id == CaseRow.id)
            .order_by(CaseAskerRow.asked_at, CaseAskerRow.id)
            .limit(1)
            .scalar_subquery()
        )
        count = select(func.count()).where(CaseAskerRow.case_id == CaseRow.id).scalar_subquery()
        query = (
            select(
                CaseRow.id,
                CaseRow.state,
                CaseRow.created_at,
                first_text.label("text"),
                count.label("askers"),
                *_labelled(_ASSIGNEE, "assignee_"),
            )
            .outerjoin(_ASSIGNEE, _ASSIGNEE.id == CaseRow.assignee_id)
            .order_by(CaseRow.created_at.desc(), CaseRow.id.desc())
            .offset(max(0, offset))
            .limit(max(1, limit))
        )
        if states is not None:
            query = query.where(CaseRow.state.in_(_open(states)))
        async with self._database.transaction() as connection:
            rows = (await connection.execute(query)).mappings().all()
        return [
            CaseSummary(
                id=row["id"],
                state=CaseState(row["state"]),
                text=row["text"] or "",
                askers=row["askers"],
                assignee=optional_person(row, "assignee_"),
                created_at=row["created_at"],
            )
            for row in rows
        ]

    async def count(self, states: Collection[CaseState] | None = None) -> int:
        """How many cases there are (`states`: in those states)."""
        query = select(func.count()).select_from(CaseRow)
        if states is not None:
            query = query.where(CaseRow.state.in_(_open(states)))
        async with self._database.transaction() as connection:
            total: int = (await connection.execute(query)).scalar_one()
        return total

    async def case_ids_of(self, user_id: int) -> list[int]:
        """The cases the person asked in."""
        query = select(CaseAskerRow.case_id).where(CaseAskerRow.user_id == user_id).distinct()
        async with self._database.transaction() as connection:
            return sorted((await connection.execute(query)).scalars())

    # -- state changes ------------------------------------------------------------------------

    async def transition(
        self,
        case_id: int,
        to: CaseState,
        *,
        allowed_from: Collection[CaseState],
        unless_assigned_to_other: int | None = None,
        **values: Any,
    ) -> Transition | None:
        """Move the case to `to` if it is in one of `allowed_from`, in one conditional UPDATE
        (of two concurrent calls exactly one wins), and count a new version of its post.

        With `unless_assigned_to_other`, a case someone else took does not move either.
        None when there is no such case.
        """
        now = utc_now()
        condition = [CaseRow.id == case_id, CaseRow.state.in_(_open(allowed_from))]
        if unless_assigned_to_other is not None:
            condition.append(
                or_(
                    CaseRow.assignee_id.is_(None),
                    CaseRow.assignee_id == unless_assigned_to_other,
                )
            )
        statement = (
            update(CaseRow)
            .where(*condition)
            .values(
                state=to.value,
                updated_at=now,
                post_version=CaseRow.post_version + 1,
                **values,
            )
        )
        async with self._database.writing() as connection:
            won = (await connection.execute(statement)).rowcount == 1
            case = await self._load(connection, case_id)
        if case is None:
            return None
        if won:
            logger.info("case %d is now %s", case_id, to.value)
        return Transition(won, case)

    async def waiting(self) -> list[Case]:
        """Open cases that have not had both their reminder and their escalation yet."""
        query = (
            select(CaseRow.id)
            .where(
                CaseRow.state.in_(_open()),
                or_(CaseRow.nudged_at.is_(None), CaseRow.escalated_at.is_(None)),
            )
            .order_by(CaseRow.created_at, CaseRow.id)
        )
        async with self._database.transaction() as connection:
            ids = list((await connection.execute(query)).scalars())
            found = [await self._load(connection, case_id) for case_id in ids]
        return [case for case in found if case is not None]

    async def mark_nudged(self, case_id: int, at: datetime) -> bool:
        """Record the reminder of a case still new; False when it was nudged or taken meanwhile."""
        return await self._mark(case_id, CaseRow.nudged_at, at, {CaseState.NEW})

    async def mark_escalated(self, case_id: int, at: datetime) -> bool:
        """Record a case's escalation; False when it was escalated or resolved meanwhile."""
        return await self._mark(case_id, CaseRow.escalated_at, at, OPEN_STATES)

    async def _mark(
        self, case_id: int, column: Any, at: datetime, states: Collection[CaseState]
    ) -> bool:
        """Set `column` to `at` once, while the case is in one of `states`."""
        statement = (
            update(CaseRow)
            .where(CaseRow.id == case_id, CaseRow.state.in_(_open(states)), column.is_(None))
            .values({column: at})
        )
        async with self._database.writing() as connection:
            return bool((await connection.execute(statement)).rowcount == 1)

    async def touch_post(self, case_id: int) -> Case | None:
        """Count a new version of the case's post (its askers changed); the case as it is."""
        statement = (
            update(CaseRow)
            .where(CaseRow.id == case_id)
            .values(post_version=CaseRow.post_version + 1, updated_at=utc_now())
        )
        async with self._database.writing() as connection:
            await connection.execute(statement)
            return await self._load(connection, case_id)

    async def split(self, case_id: int, asker_id: int) -> tuple[int, bool] | None:
        """Move one asker of an open case with several askers into a new case of their own.

        Returns (the asker's case, True when this call moved them); a second call (a double
        click) returns the case they were moved to. None when the asker is unknown, the
        case is closed, or they are its only asker.
        """
        now = utc_now()
        async with self._database.writing() as connection:
            asker = (
                await connection.execute(
                    select(CaseAskerRow.case_id).where(CaseAskerRow.id == asker_id)
                )
            ).scalar_one_or_none()
            if asker is None:
                return None
            if asker != case_id:
                return asker, False
            source = (
                await connection.execute(
                    select(CaseRow.channel, CaseRow.topic_ids).where(
                        CaseRow.id == case_id, CaseRow.state.in_(_open())
                    )
                )
            ).one_or_none()
            others = (
                await connection.execute(
                    select(func.count()).where(
                        CaseAskerRow.case_id == case_id, CaseAskerRow.id != asker_id
                    )
                )
            ).scalar_one()
            if source is None or not others:
                return None
            new_case = await self._new_case(connection, source.channel, source.topic_ids, now)
            moved = await connection.execute(
                update(CaseAskerRow)
                .where(CaseAskerRow.id == asker_id, CaseAskerRow.case_id == case_id)
                .values(case_id=new_case)
            )
            if moved.rowcount != 1:
                raise ChangedMeanwhileError(asker_id)
            await connection.execute(
                update(CaseRow)
                .where(CaseRow.id == case_id)
                .values(post_version=CaseRow.post_version + 1, updated_at=now)
            )
        logger.info("case %d: an asker was split off into case %d", case_id, new_case)
        return new_case, True

    async def set_feedback(self, asker_id: int, person: Person, helpful: bool) -> bool:
        """The asker's 👍/👎 on the answer; only the asker may. False when not theirs."""
        own = select(UserRow.id).where(
            UserRow.channel == person.channel, UserRow.channel_user_id == person.user_id
        )
        statement = (
            update(CaseAskerRow)
            .where(CaseAskerRow.id == asker_id, CaseAskerRow.user_id.in_(own))
            .values(feedback="up" if helpful else "down", feedback_at=utc_now())
        )
        async with self._database.writing() as connection:
            return (await connection.execute(statement)).rowcount == 1

    # -- suggestions for the AI-kompas --------------------------------------------------------

    async def suggest(self, case_id: int, user_id: int | None) -> bool:
        """Mark an answered or referred case "Foreslå til AI-kompasset" (once)."""
        statement = (
            update(CaseRow)
            .where(
                CaseRow.id == case_id,
                CaseRow.state.in_(_open({CaseState.ANSWERED, CaseState.REFERRED})),
                CaseRow.suggested_at.is_(None),
            )
            .values(
                suggested_at=utc_now(),
                suggested_by_id=user_id,
                post_version=CaseRow.post_version + 1,
            )
        )
        async with self._database.writing() as connection:
            return (await connection.execute(statement)).rowcount == 1

    async def suggestions(self) -> list[Suggestion]:
        """Cases proposed for the AI-kompas, oldest proposal first: the askers' questions, the
        answer, and the referred topic (else the closest topic Kompas considered)."""
        query = (
            select(CaseRow)
            .where(CaseRow.suggested_at.is_not(None))
            .order_by(CaseRow.suggested_at, CaseRow.id)
        )
        async with self._database.transaction() as connection:
            cases = (await connection.execute(query)).mappings().all()
            questions = await self._questions_of(connection, [row["id"] for row in cases])
        return [
            Suggestion(
                case_id=row["id"],
                questions=tuple(questions.get(row["id"], ())),
                answer=row["answer"],
                referred_topic_id=row["referred_topic_id"],
                closest_topic_id=next((str(topic) for topic in row["topic_ids"] or ()), None),
                suggested_at=row["suggested_at"],
            )
            for row in cases
        ]

    @staticmethod
    async def _questions_of(
        connection: AsyncConnection, case_ids: Sequence[int]
    ) -> dict[int, list[str]]:
        found: dict[int, list[str]] = {}
        if not case_ids:
            return found
        query = (
            select(CaseAskerRow.case_id, CaseAskerRow.text)
            .where(CaseAskerRow.case_id.in_(case_ids))
            .order_by(CaseAskerRow.asked_at, CaseAskerRow.id)
        )
        for case_id, text in (await connection.execute(query)).all():
            found.setdefault(case_id, []).append(text)
        return found


class ChangedMeanwhileError(StorageError):
    """Another transaction changed the same asker at the same moment (this one rolls back)."""
