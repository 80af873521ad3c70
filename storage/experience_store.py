"""Campaigns, campaign answers, experiences and opt-outs; each method is one transaction."""

from __future__ import annotations

import logging
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import RowMapping, and_, case, delete, exists, func, select, update
from sqlalchemy.dialects import postgresql, sqlite

from ground.channel_descriptions import built_in_channels
from ground.channels import Channels
from storage.database import Database
from storage.experience_choices import AnswerKind, Consent
from storage.models import ConversationReferenceRow, UserRow
from storage.models_experiences import (
    CampaignRecipientRow,
    CampaignRow,
    ExperienceRow,
    ReminderOptOutRow,
)
from storage.models_teams import TeamInstallRow, TeamMemberRow
from storage.published_texts import QuoteScrubber

logger = logging.getLogger(__name__)

# Channels whose personal chats receive the monthly prompt.


@dataclass(frozen=True)
class Campaign:
    """One month's prompt."""

    id: int
    month: str  # "YYYY-MM"
    campaign_day: date
    closes_on: date  # reminders stop on this day
    started_at: datetime


@dataclass(frozen=True)
class CampaignTarget:
    """A person the campaign can reach: their newest active personal chat."""

    user_id: int
    channel: str
    conversation_id: str


@dataclass(frozen=True)
class DueReminder:
    """An unanswered campaign prompt whose one reminder is due."""

    recipient_id: int
    month: str
    target: CampaignTarget


@dataclass(frozen=True)
class NewExperience:
    """What the person submitted; every free text is already redacted."""

    used_for: str
    task_type: str | None
    gain: str | None
    barriers: tuple[str, ...]
    hard_text: str
    consent: str
    unit: str | None = None


@dataclass(frozen=True)
class Experience:
    """A stored experience (for the author's own view; it carries no identity)."""

    id: int
    campaign_month: str | None
    unit: str | None
    used_for: str
    task_type: str | None
    gain: str | None
    barriers: tuple[str, ...]
    hard_text: str
    consent: str
    created_at: datetime
    updated_at: datetime


@dataclass(frozen=True)
class SharedExperience:
    """An experience as others (digests) may see it: no author, unless named quoting was chosen.

    `quotable` is False for "kun_samlet": the texts may then be counted into themes but
    never shown word for word.
    """

    campaign_month: str | None
    unit: str | None
    used_for: str
    task_type: str | None
    gain: str | None
    barriers: tuple[str, ...]
    hard_text: str
    quotable: bool
    author_name: str | None  # only when consent is "citat_med_navn"
    created_at: datetime


@dataclass(frozen=True)
class SavedExperience:
    """The result of saving: the row, and whether it replaced an earlier answer."""

    experience: Experience
    updated: bool


def experience_from_row(row: RowMapping) -> Experience:
    return Experience(
        id=row["id"],
        campaign_month=row["month"],
        unit=row["unit"],
        used_for=row["used_for"],
        task_type=row["task_type"],
        gain=row["gain"],
        barriers=tuple(row["barriers"] or ()),
        hard_text=row["hard_text"],
        consent=row["consent"],
        created_at=row["created_at"],
        updated_at=row["updated_at"],
    )


def _campaign(row: Any) -> Campaign:
    return Campaign(row.id, row.month, row.campaign_day, row.closes_on, row.started_at)


def _not_opted_out(user_id: Any) -> Any:
    return ~exists().where(ReminderOptOutRow.user_id == user_id)


def _personal_chats(channels: Sequence[str]) -> Any:
    """Subquery: each person's newest active personal chat on one of `channels`."""
    reference = ConversationReferenceRow
    rank = func.row_number().over(
        partition_by=reference.user_id,
        order_by=(reference.updated_at.desc(), reference.id.desc()),
    )
    return (
        select(
            reference.user_id,
            reference.channel,
            reference.conversation_id,
            rank.label("rank"),
        )
        .where(
            reference.user_id.is_not(None),
            reference.conversation_type == "personal",
            reference.active.is_(True),
            reference.channel.in_(channels),
        )
        .subquery()
    )


def _member_of(user_id: Any, teams: Collection[str]) -> Any:
    """users.id `user_id` is a current member of one of the installed teams `teams` (ids),
    on the same channel."""
    install, member, user = TeamInstallRow, TeamMemberRow, UserRow
    return exists().where(
        user.id == user_id,
        member.user_id == user.channel_user_id,
        member.left_at.is_(None),
        install.id == member.team_install_id,
        install.channel == user.channel,
        install.removed_at.is_(None),
        install.team_id.in_(list(teams)),
    )


EXPERIENCE_COLUMNS = (*ExperienceRow.__table__.columns, CampaignRow.month)


def _quote_withdrawn(before: Any, experience: NewExperience) -> bool:
    """True when an earlier answer could be quoted and its quote is no longer allowed as it was
    (consent lowered to counts only, to no name, or the text changed)."""
    if before.consent == Consent.AGGREGATE_ONLY.value or not (before.used_for or "").strip():
        return False
    return experience.consent != before.consent or experience.used_for != before.used_for


class ExperienceStore:
    """Typed access to the AI-erfaringer tables. Errors come out as StorageError."""

    def __init__(
        self, database: Database, scrub_quotes: QuoteScrubber, channels: Channels | None = None
    ) -> None:
        self._database = database
        self._scrub_quotes = scrub_quotes
        # Monthly prompts and reminders go to personal chats on channels Kompas may write first.
        described = channels if channels is not None else built_in_channels()
        self._campaign_channels = described.proactive()
        self._insert = postgresql.insert if database.is_postgresql else sqlite.insert

    # --- campaigns -------------------------------------------------------------------------

    async def start_campaign(
        self, month: str, campaign_day: date, closes_on: date, now: datetime
    ) -> tuple[Campaign, bool]:
        """The month's campaign, created if needed; the flag says whether it is new."""
        create = (
            self._insert(CampaignRow)
            .values(month=month, campaign_day=campaign_day, closes_on=closes_on, started_at=now)
            .on_conflict_do_nothing(index_elements=[CampaignRow.month])
            .returning(CampaignRow.id)
        )
        async with self._database.transaction() as connection:
            created = (await connection.execute(create)).scalar_one_or_none()
            row = (
                await connection.execute(select(CampaignRow).where(CampaignRow.month == month))
            ).one()
        return _campaign(row), created is not None

    async def campaign(self, month: str) -> Campaign | None:
        """The campaign of a month, or None."""
        async with self._database.transaction() as connection:
            row = (
                await connection.execute(select(CampaignRow).where(CampaignRow.month == month))
            ).one_or_none()
        return None if row is None else _campaign(row)

    async def campaign_targets(
        self,
        campaign_id: int,
        after_user_id: int = 0,
        limit: int = 500,
        teams: Collection[str] = frozenset(),
    ) -> list[CampaignTarget]:
        """People to ask, by users.id: an active personal chat, not paused, not yet asked;
        with `teams` (team ids) only current members of those installed teams."""
        chats = _personal_chats(self._campaign_channels)
        already_asked = exists().where(
            CampaignRecipientRow.campaign_id == campaign_id,
            CampaignRecipientRow.user_id == chats.c.user_id,
        )
        query = (
            select(chats.c.user_id, chats.c.channel, chats.c.conversation_id)
            .where(chats.c.rank == 1, chats.c.user_id > after_user_id, ~already_asked)
            .where(_not_opted_out(chats.c.user_id))
            .order_by(chats.c.user_id)
            .limit(limit)
        )
        if teams:
            query = query.where(_member_of(chats.c.user_id, teams))
        async with self._database.transaction() as connection:
            rows = (await connection.execute(query)).all()
        return [CampaignTarget(row[0], row[1], row[2]) for row in rows]

    async def installed_teams(self) -> list[tuple[str, str]]:
        """(team id, name) of every team Kompas is installed in now."""
        query = select(TeamInstallRow.team_id, TeamInstallRow.name).where(
            TeamInstallRow.removed_at.is_(None)
        )
        async with self._database.transaction() as connection:
            return [(row[0], row[1]) for row in (await connection.execute(query)).all()]

    async def record_recipients(
        self,
        campaign_id: int,
        user_ids: Sequence[int],
        asked_at: datetime,
        remind_on: date | None,
    ) -> int:
        """Remember who was asked (a person already recorded stays as they were)."""
        if not user_ids:
            return 0
        values = [
            {
                "campaign_id": campaign_id,
                "user_id": user_id,
                "asked_at": asked_at,
                "remind_on": remind_on,
            }
            for user_id in user_ids
        ]
        statement = (
            self._insert(CampaignRecipientRow)
            .values(values)
            .on_conflict_do_nothing(
                index_elements=[CampaignRecipientRow.campaign_id, CampaignRecipientRow.user_id]
            )
            .returning(CampaignRecipientRow.id)
        )
        async with self._database.transaction() as connection:
            return len((await connection.execute(statement)).all())

    async def due_reminders(self, day: date, limit: int = 500) -> list[DueReminder]:
        """Unanswered, unreminded prompts due by `day` in campaigns still open on `day`."""
        recipient = CampaignRecipientRow
        chats = _personal_chats(self._campaign_channels)
        query = (
            select(
                recipient.id,
                CampaignRow.month,
                recipient.user_id,
                chats.c.channel,
                chats.c.conversation_id,
            )
            .join(CampaignRow, CampaignRow.id == recipient.campaign_id)
            .join(chats, and_(chats.c.user_id == recipient.user_id, chats.c.rank == 1))
            .where(
                recipient.answered_at.is_(None),
                recipient.reminded_at.is_(None),
                recipient.remind_on <= day,
                CampaignRow.closes_on > day,
                _not_opted_out(recipient.user_id),
            )
            .order_by(recipient.id)
            .limit(limit)
        )
        async with self._database.transaction() as connection:
            rows = (await connection.execute(query)).all()
        return [DueReminder(row[0], row[1], CampaignTarget(row[2], row[3], row[4])) for row in rows]

    async def mark_reminded(self, recipient_ids: Sequence[int], now: datetime) -> int:
        """Note that the one reminder was queued; returns how many rows changed."""
        if not recipient_ids:
            return 0
        statement = (
            update(CampaignRecipientRow)
            .where(
                CampaignRecipientRow.id.in_(recipient_ids),
                CampaignRecipientRow.reminded_at.is_(None),
            )
            .values(reminded_at=now)
        )
        async with self._database.transaction() as connection:
            return (await connection.execute(statement)).rowcount

    # --- answers ---------------------------------------------------------------------------

    async def save_experience(
        self,
        user_id: int,
        experience: NewExperience,
        campaign_month: str | None,
        now: datetime,
        today: date,
    ) -> SavedExperience:
        """Store an experience; a second answer to the same campaign replaces the first.

        A month without a campaign stores it as an ad-hoc experience. Any open, unanswered
        prompt of the person counts as answered, so no reminder follows.
        """
        fields = {
            "unit": experience.unit,
            "used_for": experience.used_for,
            "task_type": experience.task_type,
            "gain": experience.gain,
            "barriers": list(experience.barriers),
            "hard_text": experience.hard_text,
            "consent": experience.consent,
            "updated_at": now,
        }
        async with self._database.transaction() as connection:
            campaign_id = None
            if campaign_month is not None:
                campaign_id = (
                    await connection.execute(
                        select(CampaignRow.id).where(CampaignRow.month == campaign_month)
                    )
                ).scalar_one_or_none()
            statement = self._insert(ExperienceRow).values(
                user_id=user_id, campaign_id=campaign_id, created_at=now, **fields
            )
            updated = False
            if campaign_id is not None:
                before = (
                    await connection.execute(
                        select(ExperienceRow.used_for, ExperienceRow.consent).where(
                            ExperienceRow.campaign_id == campaign_id,
                            ExperienceRow.user_id == user_id,
                        )
                    )
                ).first()
                updated = before is not None
                if before is not None and _quote_withdrawn(before, experience):
                    # The earlier text may be quoted in stored digests: it leaves them now.
                    await self._scrub_quotes(connection, (before.used_for,))
                statement = statement.on_conflict_do_update(
                    index_elements=[ExperienceRow.campaign_id, ExperienceRow.user_id],
                    set_=fields,
                )
                await self._answer(connection, campaign_id, user_id, AnswerKind.SHARED, now)
            experience_id = (
                await connection.execute(statement.returning(ExperienceRow.id))
            ).scalar_one()
            await connection.execute(
                update(CampaignRecipientRow)
                .where(
                    CampaignRecipientRow.user_id == user_id,
                    CampaignRecipientRow.answered_at.is_(None),
                    CampaignRecipientRow.campaign_id.in_(
                        select(CampaignRow.id).where(CampaignRow.closes_on > today)
                    ),
                )
                .values(answered_at=now, answer_kind=AnswerKind.SHARED.value)
            )
            result = await connection.execute(
                select(*EXPERIENCE_COLUMNS)
                .outerjoin(CampaignRow, CampaignRow.id == ExperienceRow.campaign_id)
                .where(ExperienceRow.id == experience_id)
            )
            row = result.mappings().one()
        return SavedExperience(experience_from_row(row), updated=updated)

    async def record_nothing_to_share(
        self, user_id: int, campaign_month: str, now: datetime
    ) -> bool:
        """Count "Intet at dele denne måned" as an answer; False when there is no such campaign.

        An experience already shared for the month stays (and the answer stays "shared").
        """
        async with self._database.transaction() as connection:
            campaign_id = (
                await connection.execute(
                    select(CampaignRow.id).where(CampaignRow.month == campaign_month)
                )
            ).scalar_one_or_none()
            if campaign_id is None:
                return False
            await self._answer(connection, campaign_id, user_id, AnswerKind.NOTHING, now)
        return True

    async def _answer(
        self, connection: Any, campaign_id: int, user_id: int, kind: AnswerKind, now: datetime
    ) -> None:
        recipient = CampaignRecipientRow
        statement = self._insert(recipient).values(
            campaign_id=campaign_id,
            user_id=user_id,
            asked_at=now,
            remind_on=None,
            answered_at=now,
            answer_kind=kind.value,
        )
        new = statement.excluded
        await connection.execute(
            statement.on_conflict_do_update(
                index_elements=[recipient.campaign_id, recipient.user_id],
                set_={
                    recipient.answered_at: func.coalesce(recipient.answered_at, new.answered_at),
                    recipient.answer_kind: case(
                        (recipient.answer_kind == AnswerKind.SHARED.value, recipient.answer_kind),
                        else_=new.answer_kind,
                    ),
                },
            )
        )

    async def shared_experiences(self, since: datetime, until: datetime) -> list[SharedExperience]:
        """Experiences created in [since, until), oldest first, as others may see them."""
        named = ExperienceRow.consent == Consent.QUOTE_NAMED.value
        query = (
            select(
                *EXPERIENCE_COLUMNS,
                case((named, UserRow.display_name), else_=None).label("author_name"),
            )
            .join(UserRow, UserRow.id == ExperienceRow.user_id)
            .outerjoin(CampaignRow, CampaignRow.id == ExperienceRow.campaign_id)
            .where(ExperienceRow.created_at >= since, ExperienceRow.created_at < until)
            .order_by(ExperienceRow.created_at, ExperienceRow.id)
        )
        async with self._database.transaction() as connection:
            rows = (await connection.execute(query)).mappings().all()
        return [
            SharedExperience(
                campaign_month=row["month"],
                unit=row["unit"],
                used_for=row["used_for"],
                task_type=row["task_type"],
                gain=row["gain"],
                barriers=tuple(row["barriers"] or ()),
                hard_text=row["hard_text"],
                quotable=row["consent"] != Consent.AGGREGATE_ONLY.value,
                author_name=row["author_name"] or None,
                created_at=row["created_at"],
            )
            for row in rows
        ]

    # --- opt-outs --------------------------------------------------------------------------

    async def set_opted_out(self, user_id: int, opted_out: bool, now: datetime) -> bool:
        """Pause (True) or resume (False) prompts and reminders; False when nothing changed."""
        async with self._database.transaction() as connection:
            if opted_out:
                statement: Any = (
                    self._insert(ReminderOptOutRow)
                    .values(user_id=user_id, created_at=now)
                    .on_conflict_do_nothing(index_elements=[ReminderOptOutRow.user_id])
                    .returning(ReminderOptOutRow.user_id)
                )
                changed = (await connection.execute(statement)).scalar_one_or_none() is not None
            else:
                result = await connection.execute(
                    delete(ReminderOptOutRow).where(ReminderOptOutRow.user_id == user_id)
                )
                changed = result.rowcount > 0
        logger.info(
            "user %d %s prompts and reminders", user_id, "paused" if opted_out else "resumed"
        )
        return changed

    async def is_opted_out(self, user_id: int) -> bool:
        """True when the person paused campaign prompts, reminders and check-ins."""
        query = select(exists().where(ReminderOptOutRow.user_id == user_id))
        async with self._database.transaction() as connection:
            return bool((await connection.execute(query)).scalar_one())
