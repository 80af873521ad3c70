"""The idea bank's rows: consented experiences, interest marks and who wrote an idea."""

from __future__ import annotations

import logging
from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import case, func, select
from sqlalchemy.dialects import postgresql, sqlite

from storage.database import Database
from storage.experience_choices import Consent
from storage.models import UserRow
from storage.models_experiences import CampaignRow, ExperienceRow
from storage.models_learning import IdeaInterestRow
from storage.models_pilots import PilotRow
from storage.rows import USER_IDENTITY_COLUMNS

logger = logging.getLogger(__name__)

QUOTABLE = (Consent.QUOTE_ANONYMOUS.value, Consent.QUOTE_NAMED.value)


@dataclass(frozen=True)
class SharedIdea:
    """A consented experience as the idea bank may show it (the author only when named)."""

    id: int
    text: str
    task_type: str | None
    gain: str | None
    unit_id: str | None  # the author's unit when they wrote it (placed by the text rule)
    month: str | None  # the campaign's month; None for an experience shared any time
    author_name: str | None  # only when the author chose to be quoted with their name
    created_at: datetime
    interest: int
    author: Any  # the author's users row (id, channel, ids): to place them, never shown


@dataclass(frozen=True)
class IdeaKey:
    """What orders an experience in the idea bank: its month, and how many want to try it."""

    id: int
    month: str | None  # the campaign's month; None for one shared any time
    created_at: datetime
    interest: int


@dataclass(frozen=True)
class IdeaRef:
    """Which idea a button names: an experience or a finished pilot."""

    kind: str  # "erfaring" or "pilot"
    id: int


class _Author:
    """A users row's identity columns as attributes (what organisation matching reads)."""

    def __init__(self, **columns: Any) -> None:
        self.__dict__.update(columns)


EXPERIENCE = "erfaring"
PILOT = "pilot"
KINDS = (EXPERIENCE, PILOT)


class IdeaStore:
    """Typed access to the idea bank's rows; each method is one transaction."""

    def __init__(self, database: Database) -> None:
        self._database = database
        self._insert = postgresql.insert if database.is_postgresql else sqlite.insert

    async def idea_keys(self, since: datetime, task_types: Collection[str] = ()) -> list[IdeaKey]:
        """What orders the idea bank, for every experience created since `since` whose author
        agreed to be quoted and wrote something; only the given task types when named."""
        interest = (
            select(IdeaInterestRow.experience_id, func.count(IdeaInterestRow.id).label("n"))
            .where(IdeaInterestRow.experience_id.is_not(None))
            .group_by(IdeaInterestRow.experience_id)
            .subquery()
        )
        query = (
            select(
                ExperienceRow.id,
                CampaignRow.month,
                ExperienceRow.created_at,
                func.coalesce(interest.c.n, 0),
            )
            .outerjoin(CampaignRow, CampaignRow.id == ExperienceRow.campaign_id)
            .outerjoin(interest, interest.c.experience_id == ExperienceRow.id)
            .where(
                ExperienceRow.consent.in_(QUOTABLE),
                func.length(func.trim(ExperienceRow.used_for)) > 0,
                ExperienceRow.created_at >= since,
            )
        )
        if task_types:
            query = query.where(ExperienceRow.task_type.in_(sorted(task_types)))
        async with self._database.transaction() as connection:
            rows = (await connection.execute(query)).all()
        return [IdeaKey(row[0], row[1], row[2], int(row[3])) for row in rows]

    async def shared_ideas(self, ids: Collection[int]) -> dict[int, SharedIdea]:
        """The experiences `ids` as the idea bank may show them (while still quotable)."""
        if not ids:
            return {}
        interest = (
            select(func.count(IdeaInterestRow.id))
            .where(IdeaInterestRow.experience_id == ExperienceRow.id)
            .correlate(ExperienceRow)
            .scalar_subquery()
        )
        named = ExperienceRow.consent == Consent.QUOTE_NAMED.value
        query = (
            select(
                ExperienceRow.id,
                ExperienceRow.used_for,
                ExperienceRow.task_type,
                ExperienceRow.gain,
                ExperienceRow.unit,
                CampaignRow.month,
                case((named, UserRow.display_name), else_=None).label("author_name"),
                ExperienceRow.created_at,
                interest.label("interest"),
                *(column.label(f"author_{column.key}") for column in USER_IDENTITY_COLUMNS),
            )
            .join(UserRow, UserRow.id == ExperienceRow.user_id)
            .outerjoin(CampaignRow, CampaignRow.id == ExperienceRow.campaign_id)
            .where(
                ExperienceRow.id.in_(sorted(ids)),
                ExperienceRow.consent.in_(QUOTABLE),
                func.length(func.trim(ExperienceRow.used_for)) > 0,
            )
        )
        async with self._database.transaction() as connection:
            rows = (await connection.execute(query)).mappings().all()
        return {
            row["id"]: SharedIdea(
                id=row["id"],
                text=row["used_for"].strip(),
                task_type=row["task_type"],
                gain=row["gain"],
                unit_id=row["unit"] or None,
                month=row["month"],
                author_name=row["author_name"] or None,
                created_at=row["created_at"],
                interest=int(row["interest"] or 0),
                author=_Author(
                    **{column.key: row[f"author_{column.key}"] for column in USER_IDENTITY_COLUMNS}
                ),
            )
            for row in rows
        }

    async def pilot_interest(self, pilot_ids: Collection[int]) -> dict[int, int]:
        """How many people want to try each of the pilots."""
        if not pilot_ids:
            return {}
        query = (
            select(IdeaInterestRow.pilot_id, func.count(IdeaInterestRow.id))
            .where(IdeaInterestRow.pilot_id.in_(sorted(pilot_ids)))
            .group_by(IdeaInterestRow.pilot_id)
        )
        async with self._database.transaction() as connection:
            rows = (await connection.execute(query)).all()
        return {int(pilot_id): int(count) for pilot_id, count in rows if pilot_id is not None}

    async def author(self, idea: IdeaRef) -> tuple[int, str] | None:
        """(users.id of the author, the idea's text) while the idea may still be shown.

        An experience whose author withdrew consent, or a pilot that is not over, is None."""
        if idea.kind == EXPERIENCE:
            query = select(ExperienceRow.user_id, ExperienceRow.used_for).where(
                ExperienceRow.id == idea.id,
                ExperienceRow.consent.in_(QUOTABLE),
                func.length(func.trim(ExperienceRow.used_for)) > 0,
            )
        else:
            query = select(PilotRow.owner_id, PilotRow.title).where(
                PilotRow.id == idea.id, PilotRow.status == "ended"
            )
        async with self._database.transaction() as connection:
            row = (await connection.execute(query)).one_or_none()
        return None if row is None else (int(row[0]), str(row[1]).strip())

    async def mark_interest(self, idea: IdeaRef, user_id: int, now: datetime) -> tuple[bool, int]:
        """Note that `user_id` wants to try the idea; returns (new mark, marks in all)."""
        column = (
            IdeaInterestRow.experience_id if idea.kind == EXPERIENCE else IdeaInterestRow.pilot_id
        )
        statement = (
            self._insert(IdeaInterestRow)
            .values({column.key: idea.id, "user_id": user_id, "created_at": now})
            .on_conflict_do_nothing()
            .returning(IdeaInterestRow.id)
        )
        async with self._database.transaction() as connection:
            created = (await connection.execute(statement)).scalar_one_or_none()
            count = (
                await connection.execute(
                    select(func.count(IdeaInterestRow.id)).where(column == idea.id)
                )
            ).scalar_one()
        return created is not None, int(count)
