"""The pilot store: pilots, their participants, asked and answered check-ins, reflections."""

from __future__ import annotations

import logging
from collections.abc import Callable, Collection, Iterable, Sequence
from datetime import date
from types import SimpleNamespace
from typing import Any

from sqlalchemy import ScalarSelect, Select, and_, func, insert, or_, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncConnection

from ground.clock import utc_now
from ground.messages import ConversationType, Person
from storage.database import Database, NotFoundError, StorageError
from storage.models import ConversationReferenceRow, UserRow
from storage.models_pilots import (
    PilotCheckinRow,
    PilotNoteRow,
    PilotParticipantRow,
    PilotReflectionRow,
    PilotRow,
)
from storage.models_teams import TeamInstallRow, TeamMemberRow
from storage.pilot_records import (
    AnswerOutcome,
    CheckinAnswer,
    CheckinRecord,
    KnownPerson,
    NewPilot,
    Pilot,
    PilotNote,
    PilotState,
    ReflectionAnswer,
    ReflectionRecord,
    ShareConsent,
    checkin_from_row,
    pilot_from_row,
    reflection_from_row,
)
from storage.published_texts import QuoteScrubber
from storage.rows import person_from_row
from storage.team_rosters import NOT_MESSAGED_ROLES

logger = logging.getLogger(__name__)

_OWNER_COLUMNS = (
    UserRow.channel.label("owner_channel"),
    UserRow.channel_user_id.label("owner_channel_user_id"),
    UserRow.display_name.label("owner_display_name"),
    UserRow.aad_object_id.label("owner_aad_object_id"),
    UserRow.tenant_id.label("owner_tenant_id"),
)
_PERSON_COLUMNS = (
    UserRow.id.label("user_id"),
    UserRow.channel,
    UserRow.channel_user_id,
    UserRow.display_name,
    UserRow.aad_object_id,
    UserRow.tenant_id,
)


class PilotCardUsedError(StorageError):
    """The card was submitted before: what it created (`pilot`, for a creation card) exists."""

    def __init__(self, card_id: str, pilot: Pilot | None = None) -> None:
        super().__init__(f"card {card_id} was used already")
        self.pilot = pilot


def _user_id_of(person: Person) -> ScalarSelect[int]:
    """A scalar subquery: the users.id of `person`, NULL when unknown."""
    return (
        select(UserRow.id)
        .where(UserRow.channel == person.channel, UserRow.channel_user_id == person.user_id)
        .scalar_subquery()
    )


def _personal_conversation() -> ScalarSelect[str]:
    """Correlated subquery: the newest active personal chat of the users row in the query."""
    reference = ConversationReferenceRow
    return (
        select(reference.conversation_id)
        .where(
            reference.user_id == UserRow.id,
            reference.channel == UserRow.channel,
            reference.active.is_(True),
            reference.conversation_type == ConversationType.PERSONAL.value,
        )
        .order_by(reference.updated_at.desc(), reference.id.desc())
        .limit(1)
        .correlate(UserRow)
        .scalar_subquery()
    )


def _known_person(row: Any) -> KnownPerson:
    return KnownPerson(
        user_id=row["user_id"],
        person=person_from_row(row),
        personal_conversation_id=row["personal_conversation_id"],
    )


def _pilots() -> Select[*tuple[Any, ...]]:
    return select(PilotRow, *_OWNER_COLUMNS).join(UserRow, UserRow.id == PilotRow.owner_id)


class PilotStore:
    """Typed access to pilots; each method is one short transaction.

    Free texts must be redacted by the caller. Errors come out as StorageError
    (NotFoundError for an unknown pilot or owner).
    """

    def __init__(self, database: Database, scrub_quotes: QuoteScrubber) -> None:
        self._database = database
        self._insert = postgresql.insert if database.is_postgresql else sqlite.insert
        self._scrub_quotes = scrub_quotes

    # --- people -------------------------------------------------------------------------

    async def people_in_conversation(self, channel: str, conversation_id: str) -> list[KnownPerson]:
        """Everyone Kompas has seen in a conversation (wrote, pressed a button or joined)."""
        reference = ConversationReferenceRow
        query = (
            select(*_PERSON_COLUMNS, _personal_conversation().label("personal_conversation_id"))
            .where(
                UserRow.id.in_(
                    select(reference.user_id).where(
                        reference.channel == channel,
                        reference.conversation_id == conversation_id,
                        reference.active.is_(True),
                        reference.user_id.is_not(None),
                    )
                )
            )
            .order_by(UserRow.display_name, UserRow.id)
        )
        async with self._database.transaction() as connection:
            rows = (await connection.execute(query)).mappings().all()
        return [_known_person(row) for row in rows]

    async def people_in_team(self, channel: str, team_id: str) -> list[KnownPerson]:
        """The current members of an installed team's stored roster who may be messaged
        (not guests) and whom Kompas has a users row for (the roster job opens their chats)."""
        member, install = TeamMemberRow, TeamInstallRow
        in_team = (
            select(member.user_id)
            .join(install, install.id == member.team_install_id)
            .where(
                install.channel == channel,
                install.team_id == team_id,
                install.removed_at.is_(None),
                member.left_at.is_(None),
                member.role.not_in(NOT_MESSAGED_ROLES),
            )
        )
        query = (
            select(*_PERSON_COLUMNS, _personal_conversation().label("personal_conversation_id"))
            .where(UserRow.channel == channel, UserRow.channel_user_id.in_(in_team))
            .order_by(UserRow.display_name, UserRow.id)
        )
        async with self._database.transaction() as connection:
            rows = (await connection.execute(query)).mappings().all()
        return [_known_person(row) for row in rows]

    async def find_people(self, channel: str, names: Collection[str]) -> list[KnownPerson]:
        """Users of `channel` whose id or display name is one of `names` (any letter case).

        The caller matches the results to the names; names can fit several people.
        """
        if not names:
            return []
        variants = {form for name in names for form in (name, name.lower(), name.title())}
        lowered = {name.lower() for name in names}
        query = select(
            *_PERSON_COLUMNS, _personal_conversation().label("personal_conversation_id")
        ).where(
            UserRow.channel == channel,
            or_(
                UserRow.channel_user_id.in_(names),
                UserRow.aad_object_id.in_(names),
                UserRow.display_name.in_(variants),
                func.lower(UserRow.display_name).in_(lowered),
            ),
        )
        async with self._database.transaction() as connection:
            rows = (await connection.execute(query)).mappings().all()
        return [_known_person(row) for row in rows]

    # --- pilots -------------------------------------------------------------------------

    async def create_pilot(
        self,
        owner: Person,
        new: NewPilot,
        participant_ids: Iterable[int],
        card_id: str | None = None,
    ) -> Pilot:
        """Store a pilot owned by `owner` (a known user) with its participants.

        `card_id` is the creation card's id: PilotCardUsedError when a pilot has it already
        (the unique index decides, so two submissions at the same moment create one pilot).
        """
        try:
            return await self._create_pilot(owner, new, participant_ids, card_id)
        except StorageError as error:
            if card_id is not None and isinstance(error.__cause__, IntegrityError):
                existing = await self.pilot_for_card(card_id)
                if existing is not None:
                    raise PilotCardUsedError(card_id, existing) from error
            raise

    async def pilot_for_card(self, card_id: str) -> Pilot | None:
        """The pilot created from the card with this id, or None."""
        async with self._database.transaction() as connection:
            row = (
                (await connection.execute(_pilots().where(PilotRow.card_id == card_id)))
                .mappings()
                .one_or_none()
            )
        return None if row is None else pilot_from_row(row)

    async def _create_pilot(
        self, owner: Person, new: NewPilot, participant_ids: Iterable[int], card_id: str | None
    ) -> Pilot:
        now = utc_now()
        async with self._database.transaction() as connection:
            owner_id = (await connection.execute(select(_user_id_of(owner)))).scalar()
            if owner_id is None:
                raise NotFoundError("the pilot's owner is not a known user")
            statement = (
                insert(PilotRow)
                .values(
                    owner_id=owner_id,
                    title=new.title,
                    unit=new.unit,
                    task=new.task,
                    tool=new.tool,
                    success_criterion=new.success_criterion,
                    start_date=new.start_date,
                    duration_weeks=new.duration_weeks,
                    cadence_days=new.cadence_days,
                    end_date=new.end_date,
                    status=PilotState.ACTIVE.value,
                    ended_early=False,
                    card_id=card_id,
                    created_at=now,
                    updated_at=now,
                )
                .returning(PilotRow.id)
            )
            pilot_id: int = (await connection.execute(statement)).scalar_one()
            members = sorted(set(participant_ids))
            if members:
                await connection.execute(
                    insert(PilotParticipantRow),
                    [{"pilot_id": pilot_id, "user_id": uid, "added_at": now} for uid in members],
                )
            found = await self._pilot(connection, pilot_id)
        logger.info("pilot %d created with %d participants", pilot_id, len(members))
        assert found is not None
        return found

    async def _pilot(self, connection: AsyncConnection, pilot_id: int) -> Pilot | None:
        row = (
            (await connection.execute(_pilots().where(PilotRow.id == pilot_id)))
            .mappings()
            .one_or_none()
        )
        return None if row is None else pilot_from_row(row)

    async def pilot(self, pilot_id: int) -> Pilot | None:
        """A pilot by id, or None."""
        async with self._database.transaction() as connection:
            return await self._pilot(connection, pilot_id)

    async def pilots_owned_by(self, owner: Person, limit: int = 10) -> list[Pilot]:
        """The pilots `owner` created: running and paused ones first, then newest first."""
        query = (
            _pilots()
            .where(PilotRow.owner_id == _user_id_of(owner))
            .order_by(
                (PilotRow.status == PilotState.ENDED.value).asc(),
                PilotRow.start_date.desc(),
                PilotRow.id.desc(),
            )
            .limit(limit)
        )
        async with self._database.transaction() as connection:
            rows = (await connection.execute(query)).mappings().all()
        return [pilot_from_row(row) for row in rows]

    async def running_pilots(self, day: date) -> list[Pilot]:
        """Active (not paused, not ended) pilots that have started by `day`."""
        query = (
            _pilots()
            .where(PilotRow.status == PilotState.ACTIVE.value, PilotRow.start_date <= day)
            .order_by(PilotRow.id)
        )
        async with self._database.transaction() as connection:
            rows = (await connection.execute(query)).mappings().all()
        return [pilot_from_row(row) for row in rows]

    async def update_pilot(
        self,
        pilot_id: int,
        *,
        state: PilotState | None = None,
        duration_weeks: int | None = None,
        end_date: date | None = None,
        ended_early: bool | None = None,
        only_from: Collection[PilotState] = (),
    ) -> Pilot | None:
        """Change a pilot; None when it is not in one of `only_from` (when given).

        Raises NotFoundError for an unknown pilot.
        """
        changes: dict[str, Any] = {"updated_at": utc_now()}
        if state is not None:
            changes["status"] = state.value
        if duration_weeks is not None:
            changes["duration_weeks"] = duration_weeks
        if end_date is not None:
            changes["end_date"] = end_date
        if ended_early is not None:
            changes["ended_early"] = ended_early
        statement = update(PilotRow).where(PilotRow.id == pilot_id).values(**changes)
        if only_from:
            statement = statement.where(PilotRow.status.in_([s.value for s in only_from]))
        async with self._database.transaction() as connection:
            changed = (await connection.execute(statement)).rowcount
            found = await self._pilot(connection, pilot_id)
        if found is None:
            raise NotFoundError(f"pilot {pilot_id} does not exist")
        return found if changed else None

    # --- participants -------------------------------------------------------------------

    async def participants(self, pilot_id: int) -> list[KnownPerson]:
        """The pilot's participants with their personal chat (None: cannot be reached yet)."""
        query = (
            select(*_PERSON_COLUMNS, _personal_conversation().label("personal_conversation_id"))
            .join(PilotParticipantRow, PilotParticipantRow.user_id == UserRow.id)
            .where(PilotParticipantRow.pilot_id == pilot_id)
            .order_by(UserRow.id)
        )
        async with self._database.transaction() as connection:
            rows = (await connection.execute(query)).mappings().all()
        return [_known_person(row) for row in rows]

    async def participant_id(self, pilot_id: int, person: Person) -> int | None:
        """users.id of `person` when they take part in the pilot, else None."""
        query = select(PilotParticipantRow.user_id).where(
            PilotParticipantRow.pilot_id == pilot_id,
            PilotParticipantRow.user_id == _user_id_of(person),
        )
        async with self._database.transaction() as connection:
            found: int | None = (await connection.execute(query)).scalar_one_or_none()
        return found

    # --- check-ins and reflections ------------------------------------------------------

    async def mark_checkins_asked(
        self, pilot_id: int, number: int, due_date: date, user_ids: Sequence[int]
    ) -> None:
        """Record that check-in `number` was sent to these participants (repeats are no-ops)."""
        await self._mark_asked(
            PilotCheckinRow,
            ["pilot_id", "number", "user_id"],
            [{"pilot_id": pilot_id, "number": number, "user_id": uid} for uid in user_ids],
            due_date,
        )

    async def mark_reflections_asked(
        self, pilot_id: int, due_date: date, user_ids: Sequence[int]
    ) -> None:
        """Record that the final reflection was sent to these participants."""
        await self._mark_asked(
            PilotReflectionRow,
            ["pilot_id", "user_id"],
            [{"pilot_id": pilot_id, "user_id": uid} for uid in user_ids],
            due_date,
        )

    async def _mark_asked(
        self,
        table: type[PilotCheckinRow] | type[PilotReflectionRow],
        keys: list[str],
        rows: list[dict[str, Any]],
        due_date: date,
    ) -> None:
        if not rows:
            return
        now = utc_now()
        statement = self._insert(table).on_conflict_do_nothing(index_elements=keys)
        async with self._database.transaction() as connection:
            await connection.execute(
                statement, [{**row, "due_date": due_date, "asked_at": now} for row in rows]
            )

    async def answer_checkin(
        self, pilot_id: int, number: int, person: Person, answer: CheckinAnswer
    ) -> AnswerOutcome:
        """Store (or replace) a participant's answers to a check-in they were sent."""
        values = {
            "rating": answer.rating,
            "worked": answer.worked,
            "hard": answer.hard,
            "decision": answer.decision.value if answer.decision else None,
        }
        where = and_(PilotCheckinRow.pilot_id == pilot_id, PilotCheckinRow.number == number)
        return await self._answer(PilotCheckinRow, where, pilot_id, person, values)

    async def answer_reflection(
        self, pilot_id: int, person: Person, answer: ReflectionAnswer
    ) -> AnswerOutcome:
        """Store (or replace) a participant's final reflection."""
        values = {
            "worked": answer.worked,
            "easier": answer.easier,
            "harder": answer.harder,
            "recommend": answer.recommend.value if answer.recommend else None,
            "micro_success": answer.micro_success,
            "share_consent": answer.share_consent.value,
        }
        where = PilotReflectionRow.pilot_id == pilot_id

        def withdrawn(before: Any) -> list[str]:
            """The earlier micro-success, when it could be quoted and no longer may be as it
            was (consent lowered or withdrawn, or the text changed): it leaves the digests."""
            text = (before.micro_success or "").strip()
            if not text or before.share_consent in (None, ShareConsent.NONE.value):
                return []
            changed = (answer.micro_success or "").strip() != text
            return [text] if changed or answer.share_consent.value != before.share_consent else []

        return await self._answer(
            PilotReflectionRow, where, pilot_id, person, values, withdrawn=withdrawn
        )

    async def _answer(
        self,
        table: type[PilotCheckinRow] | type[PilotReflectionRow],
        where: Any,
        pilot_id: int,
        person: Person,
        values: dict[str, Any],
        withdrawn: Callable[[Any], Sequence[str]] = lambda before: (),
    ) -> AnswerOutcome:
        participant = select(PilotParticipantRow.user_id).where(
            PilotParticipantRow.pilot_id == pilot_id,
            PilotParticipantRow.user_id == _user_id_of(person),
        )
        async with self._database.transaction() as connection:
            user_id = (await connection.execute(participant)).scalar_one_or_none()
            if user_id is None:
                exists = await connection.execute(
                    select(PilotRow.id).where(PilotRow.id == pilot_id)
                )
                if exists.scalar_one_or_none() is None:
                    return AnswerOutcome.UNKNOWN
                return AnswerOutcome.NOT_PARTICIPANT
            mine = and_(where, table.user_id == user_id)
            previous = (await connection.execute(select(table).where(mine))).mappings().first()
            if previous is None:
                return AnswerOutcome.UNKNOWN
            if previous["answered_at"] is not None:
                taken_back = withdrawn(SimpleNamespace(**previous))
                if taken_back:
                    await self._scrub_quotes(connection, taken_back)
            await connection.execute(
                update(table).where(mine).values(**values, answered_at=utc_now())
            )
        return AnswerOutcome.STORED if previous["answered_at"] is None else AnswerOutcome.UPDATED

    async def checkins(self, pilot_id: int) -> list[CheckinRecord]:
        """Every asked check-in of the pilot, by number, without who gave which answer."""
        query = (
            select(PilotCheckinRow)
            .where(PilotCheckinRow.pilot_id == pilot_id)
            .order_by(PilotCheckinRow.number, PilotCheckinRow.answered_at, PilotCheckinRow.id)
        )
        async with self._database.transaction() as connection:
            rows = (await connection.execute(query)).mappings().all()
        return [checkin_from_row(row) for row in rows]

    async def reflections(self, pilot_id: int) -> list[ReflectionRecord]:
        """Every asked final reflection; names only where the author consented to them."""
        query = (
            select(PilotReflectionRow, UserRow.display_name)
            .join(UserRow, UserRow.id == PilotReflectionRow.user_id)
            .where(PilotReflectionRow.pilot_id == pilot_id)
            .order_by(PilotReflectionRow.answered_at, PilotReflectionRow.id)
        )
        async with self._database.transaction() as connection:
            rows = (await connection.execute(query)).mappings().all()
        return [reflection_from_row(row) for row in rows]

    # --- ambassador notes ---------------------------------------------------------------

    async def add_note(
        self, pilot_id: int, author: Person, text: str, card_id: str | None = None
    ) -> PilotNote:
        """Store an ambassador's free reflection (`text` already redacted).

        PilotCardUsedError when the note card with `card_id` was stored before.
        """
        try:
            return await self._add_note(pilot_id, author, text, card_id)
        except StorageError as error:
            duplicate = card_id is not None and isinstance(error.__cause__, IntegrityError)
            if duplicate and await self.note_card_used(card_id or ""):
                raise PilotCardUsedError(card_id or "") from error
            raise

    async def note_card_used(self, card_id: str) -> bool:
        """True when a note was stored from the card with this id."""
        query = select(PilotNoteRow.id).where(PilotNoteRow.card_id == card_id)
        async with self._database.transaction() as connection:
            return (await connection.execute(query)).first() is not None

    async def _add_note(
        self, pilot_id: int, author: Person, text: str, card_id: str | None
    ) -> PilotNote:
        now = utc_now()
        async with self._database.transaction() as connection:
            author_id = (await connection.execute(select(_user_id_of(author)))).scalar()
            if author_id is None:
                raise NotFoundError("the note's author is not a known user")
            if await self._pilot(connection, pilot_id) is None:
                raise NotFoundError(f"pilot {pilot_id} does not exist")
            statement = (
                insert(PilotNoteRow)
                .values(
                    pilot_id=pilot_id,
                    author_id=author_id,
                    text=text,
                    card_id=card_id,
                    created_at=now,
                )
                .returning(PilotNoteRow.id)
            )
            note_id: int = (await connection.execute(statement)).scalar_one()
        return PilotNote(id=note_id, pilot_id=pilot_id, text=text, created_at=now)

    async def notes(self, pilot_id: int) -> list[PilotNote]:
        """The ambassadors' free reflections on a pilot, oldest first."""
        query = (
            select(PilotNoteRow)
            .where(PilotNoteRow.pilot_id == pilot_id)
            .order_by(PilotNoteRow.created_at, PilotNoteRow.id)
        )
        async with self._database.transaction() as connection:
            rows = (await connection.execute(query)).mappings().all()
        return [
            PilotNote(
                id=r["id"], pilot_id=r["pilot_id"], text=r["text"], created_at=r["created_at"]
            )
            for r in rows
        ]
