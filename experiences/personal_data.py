"""A person's own data in Kompas: what is stored about them, as a view, an export and deletion."""

from __future__ import annotations

import json
import logging
import secrets
from dataclasses import asdict, dataclass
from datetime import date, datetime
from typing import Any, Generic, TypeVar

from sqlalchemy import Select, delete, func, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from digests.digest_store import scrub_erased
from digests.scrub import ErasedPerson, scrub_payload
from digests.sources import match_users
from organisation.roles import RoleBook
from organisation.tree_store import OrganisationStore
from storage.database import Database
from storage.experience_store import EXPERIENCE_COLUMNS, Experience, experience_from_row
from storage.models import ConversationReferenceRow, QuestionRow, UserRow, utc_now
from storage.models_cases import CaseAskerRow, CaseRow
from storage.models_experiences import (
    CampaignRecipientRow,
    CampaignRow,
    ExperienceRow,
    ReminderOptOutRow,
)
from storage.models_learning import IdeaInterestRow
from storage.models_outbox import OutboxRow
from storage.models_pilots import (
    PilotCheckinRow,
    PilotNoteRow,
    PilotParticipantRow,
    PilotReflectionRow,
)
from storage.models_teams import TeamMemberRow
from storage.models_turns import HandledKeyRow
from storage.rows import DIRECTORY_ID_COLUMN, USER_IDENTITY_COLUMNS

logger = logging.getLogger(__name__)

EXPORT_FORMAT = "kompas-personal-data/1"
ERASED_CHANNEL = "erased"  # the channel of a deleted person's tombstone users row

T = TypeVar("T")


@dataclass(frozen=True)
class QuestionItem:
    """A question the person asked (stored redacted)."""

    text: str
    topic_id: str | None
    feedback: str | None
    created_at: datetime


@dataclass(frozen=True)
class OpenQuestionItem:
    """A question the person handed to the AI-ambassadors: its case's state (ny, tildelt,
    besvaret, henvist, lukket) and the answer, when there is one."""

    text: str
    status: str
    answer: str | None
    created_at: datetime


@dataclass(frozen=True)
class CampaignAnswerItem:
    """A monthly prompt the person got, and whether and how they answered."""

    month: str
    asked_at: datetime
    answered_at: datetime | None
    answer_kind: str | None
    reminded_at: datetime | None


@dataclass(frozen=True)
class ReferenceItem:
    """A conversation where Kompas can write to the person."""

    channel: str
    conversation_type: str
    conversation_id: str
    active: bool
    created_at: datetime


@dataclass(frozen=True)
class Items(Generic[T]):
    """How many there are, and the items shown (all of them in an export)."""

    count: int
    items: tuple[T, ...]


@dataclass(frozen=True)
class PersonalData:
    """Everything Kompas stores about one person, newest first."""

    channel: str
    channel_user_id: str
    name: str
    questions: Items[QuestionItem]
    open_questions: Items[OpenQuestionItem]
    experiences: Items[Experience]
    campaign_answers: Items[CampaignAnswerItem]
    answered_campaigns: int
    conversations: Items[ReferenceItem]
    paused_since: datetime | None
    idea_interests: int = 0  # ideas of the idea bank the person said they want to try

    @property
    def is_empty(self) -> bool:
        """True when nothing but the person's channel identity is stored."""
        return not any(
            part.count
            for part in (
                self.questions,
                self.open_questions,
                self.experiences,
                self.campaign_answers,
                self.conversations,
            )
        ) and (self.paused_since is None and not self.idea_interests)


@dataclass(frozen=True)
class DeletedData:
    """How many rows of each kind `delete` removed."""

    questions: int
    open_questions: int
    experiences: int
    campaign_answers: int
    conversations: int
    opt_outs: int
    pilot_answers: int = 0
    pilot_notes: int = 0
    pilot_participations: int = 0
    queued_messages: int = 0
    handled_cards: int = 0
    team_memberships: int = 0
    idea_interests: int = 0  # "Det vil jeg prøve" marks in the idea bank

    @property
    def total(self) -> int:
        return sum(asdict(self).values())


def _json_default(value: object) -> str:
    if isinstance(value, datetime | date):
        return value.isoformat()
    raise TypeError(f"cannot export {type(value).__name__}")


def export_json(data: PersonalData) -> str:
    """The person's data as indented JSON (ISO timestamps, UTC)."""
    document = {"format": EXPORT_FORMAT, **asdict(data)}
    return json.dumps(document, ensure_ascii=False, indent=2, default=_json_default)


class PersonalDataService:
    """Reads, exports and deletes one person's data (by users.id), each in one transaction."""

    def __init__(self, database: Database, roles: RoleBook | None = None) -> None:
        self._database = database
        self._roles = roles if roles is not None else RoleBook(OrganisationStore(database))

    async def collect(self, user_id: int, latest: int | None = None) -> PersonalData:
        """The person's data; `latest` limits each list to the newest items (None: all)."""

        async def part(query: Select[*tuple[Any, ...]], owner: Any, convert: Any) -> Items[Any]:
            count_query = select(func.count()).select_from(owner.__table__)
            count = (
                await connection.execute(count_query.where(owner.user_id == user_id))
            ).scalar_one()
            if latest is not None:
                query = query.limit(latest)
            rows = (await connection.execute(query)).mappings().all()
            return Items(count, tuple(convert(row) for row in rows))

        question = QuestionRow
        asker = CaseAskerRow
        recipient = CampaignRecipientRow
        reference = ConversationReferenceRow
        async with self._database.transaction() as connection:
            user = (
                await connection.execute(
                    select(*USER_IDENTITY_COLUMNS).where(UserRow.id == user_id)
                )
            ).one()
            questions = await part(
                select(question)
                .where(question.user_id == user_id)
                .order_by(question.created_at.desc(), question.id.desc()),
                question,
                lambda row: QuestionItem(
                    row["text"], row["topic_id"], row["feedback"], row["created_at"]
                ),
            )
            open_questions = await part(
                select(asker.text, asker.asked_at, CaseRow.state, CaseRow.answer)
                .join(CaseRow, CaseRow.id == asker.case_id)
                .where(asker.user_id == user_id)
                .order_by(asker.asked_at.desc(), asker.id.desc()),
                asker,
                lambda row: OpenQuestionItem(
                    row["text"], row["state"], row["answer"], row["asked_at"]
                ),
            )
            experiences = await part(
                select(*EXPERIENCE_COLUMNS)
                .outerjoin(CampaignRow, CampaignRow.id == ExperienceRow.campaign_id)
                .where(ExperienceRow.user_id == user_id)
                .order_by(ExperienceRow.created_at.desc(), ExperienceRow.id.desc()),
                ExperienceRow,
                experience_from_row,
            )
            answers = await part(
                select(recipient, CampaignRow.month)
                .join(CampaignRow, CampaignRow.id == recipient.campaign_id)
                .where(recipient.user_id == user_id)
                .order_by(CampaignRow.month.desc()),
                recipient,
                lambda row: CampaignAnswerItem(
                    row["month"],
                    row["asked_at"],
                    row["answered_at"],
                    row["answer_kind"],
                    row["reminded_at"],
                ),
            )
            conversations = await part(
                select(reference)
                .where(reference.user_id == user_id)
                .order_by(reference.updated_at.desc(), reference.id.desc()),
                reference,
                lambda row: ReferenceItem(
                    row["channel"],
                    row["conversation_type"],
                    row["conversation_id"],
                    row["active"],
                    row["created_at"],
                ),
            )
            answered = (
                await connection.execute(
                    select(func.count())
                    .select_from(recipient)
                    .where(recipient.user_id == user_id, recipient.answered_at.is_not(None))
                )
            ).scalar_one()
            paused_since = (
                await connection.execute(
                    select(ReminderOptOutRow.created_at).where(ReminderOptOutRow.user_id == user_id)
                )
            ).scalar_one_or_none()
            idea_interests = (
                await connection.execute(
                    select(func.count())
                    .select_from(IdeaInterestRow)
                    .where(IdeaInterestRow.user_id == user_id)
                )
            ).scalar_one()
        return PersonalData(
            channel=user.channel,
            channel_user_id=user.channel_user_id,
            name=user.display_name,
            questions=questions,
            open_questions=open_questions,
            experiences=experiences,
            campaign_answers=answers,
            answered_campaigns=answered,
            conversations=conversations,
            paused_since=paused_since,
            idea_interests=int(idea_interests),
        )

    async def delete(self, user_id: int) -> DeletedData:
        """Delete everything about the person, for good, and their words in stored digests.

        Their quotes and knowledge gaps leave every stored digest (and so the pages behind
        valid links), queued messages that quote them are cleaned, their pseudonym in the
        stored month tables is unlinked. The users row stays as an empty tombstone (a random
        id, no name, no Teams/AAD id, both times set to now) so its number is never reused
        and pilots the person created stay for those who took part. On SQLite the WAL is
        checkpointed afterwards so no deleted text is left in the -wal file.
        """
        erased = await self._erased_person(user_id)

        async def remove(table: Any, column: str = "user_id") -> int:
            statement = delete(table).where(getattr(table, column) == user_id)
            return int((await connection.execute(statement)).rowcount)

        async with self._database.transaction() as connection:
            # The person's row first, locked (PostgreSQL): a second deletion at the same time
            # (a double press of "Ja, slet") waits for this one instead of deadlocking with it.
            channel_user_id = (
                await connection.execute(
                    select(UserRow.channel_user_id).where(UserRow.id == user_id).with_for_update()
                )
            ).scalar_one_or_none()
            memberships = 0
            if channel_user_id:  # the person in the rosters of teams Kompas is in
                memberships = (
                    await connection.execute(
                        delete(TeamMemberRow).where(TeamMemberRow.user_id == channel_user_id)
                    )
                ).rowcount
            deleted = DeletedData(
                open_questions=await remove(CaseAskerRow),
                questions=await remove(QuestionRow),
                experiences=await remove(ExperienceRow),
                campaign_answers=await remove(CampaignRecipientRow),
                conversations=await remove(ConversationReferenceRow),
                opt_outs=await remove(ReminderOptOutRow),
                pilot_answers=await remove(PilotCheckinRow) + await remove(PilotReflectionRow),
                pilot_notes=await remove(PilotNoteRow, "author_id"),
                pilot_participations=await remove(PilotParticipantRow),
                queued_messages=await remove(OutboxRow),
                handled_cards=await remove(HandledKeyRow),
                team_memberships=int(memberships or 0),
                idea_interests=await remove(IdeaInterestRow),
            )
            await scrub_erased(connection, erased)
            await _scrub_outbox(connection, erased)
            now = utc_now()
            await connection.execute(
                update(UserRow)
                .where(UserRow.id == user_id)
                .values(
                    channel=ERASED_CHANNEL,
                    channel_user_id=f"{ERASED_CHANNEL}:{secrets.token_hex(16)}",
                    display_name="",
                    **{DIRECTORY_ID_COLUMN: None},
                    tenant_id=None,
                    created_at=now,
                    last_seen_at=now,
                )
            )
        await self._database.checkpoint()
        logger.info("deleted the data of user %d: %d rows", user_id, deleted.total)
        return deleted

    async def _erased_person(self, user_id: int) -> ErasedPerson:
        """The person's names (Teams and organisation tree), stored texts and tree key."""
        texts: list[str | None] = []
        async with self._database.transaction() as connection:
            user = (
                await connection.execute(
                    select(*USER_IDENTITY_COLUMNS).where(UserRow.id == user_id)
                )
            ).one()
            for table, column, columns in _TEXT_COLUMNS:
                query = select(*(getattr(table, c) for c in columns)).where(
                    getattr(table, column) == user_id
                )
                for row in (await connection.execute(query)).all():
                    texts.extend(row)
        person = match_users(await self._roles.current(), [user]).get(user_id)
        names = [user.display_name] + ([person.name] if person is not None else [])
        return ErasedPerson.of(names, texts, person.id if person is not None else None)


# Where a person's own words are stored: (table, owner column, text columns).
_TEXT_COLUMNS: tuple[tuple[Any, str, tuple[str, ...]], ...] = (
    (QuestionRow, "user_id", ("text",)),
    (CaseAskerRow, "user_id", ("text",)),
    (ExperienceRow, "user_id", ("used_for", "hard_text")),
    (PilotCheckinRow, "user_id", ("worked", "hard")),
    (PilotReflectionRow, "user_id", ("worked", "easier", "harder", "micro_success")),
    (PilotNoteRow, "author_id", ("text",)),
)


async def _scrub_outbox(connection: AsyncConnection, person: ErasedPerson) -> int:
    """Queued messages to others (e.g. a digest card) that carry the person's words or name."""
    changed = 0
    rows = (await connection.execute(select(OutboxRow.id, OutboxRow.payload))).all()
    for row_id, payload in rows:
        scrubbed = scrub_payload(payload, person)
        if scrubbed != payload:
            await connection.execute(
                update(OutboxRow).where(OutboxRow.id == row_id).values(payload=scrubbed)
            )
            changed += 1
    return changed
