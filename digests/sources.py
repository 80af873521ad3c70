"""Read the stored answers of some months and turn them into insights records.

Experiences and campaign answers (experiences/), pilot check-ins and reflections
(pilots/) and questions the bot could not answer (or that got 👎) become PromptRecord,
AnswerRecord, PilotRecord and QuestionGapRecord. A users row is matched to a person in
the organisation tree the way organisation.roles does (AAD object id, Teams user id, CLI
name); `person_key` is that person's id in the tree, so someone who uses both Teams and
the terminal is one person. Rows of people who are not in the tree are left out (they
belong to no unit), except in pilot figures, which count participants wherever they sit.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta, tzinfo
from typing import Any

from sqlalchemy import and_, or_, select
from sqlalchemy.ext.asyncio import AsyncConnection

from digests.case_sources import case_records
from ground.messages import Person
from insights.inputs import (
    AnswerRecord,
    CaseRecord,
    Consent,
    Decision,
    MicroSuccess,
    PilotRecord,
    PilotStatus,
    PromptRecord,
    QuestionGapRecord,
    Recommendation,
)
from organisation.model import OrgPerson, OrgTree
from organisation.roles import RoleBook, Roles
from storage.database import Database
from storage.experience_choices import AnswerKind, Barrier, Gain, TaskType
from storage.experience_choices import Consent as ExperienceConsent
from storage.models import QuestionRow
from storage.models_cases import CaseAskerRow
from storage.models_experiences import CampaignRecipientRow, CampaignRow, ExperienceRow
from storage.models_pilots import PilotCheckinRow, PilotReflectionRow, PilotRow
from storage.rows import USER_IDENTITY_COLUMNS

logger = logging.getLogger(__name__)

# Every answer option, so every month's tables have the same columns (seeded tables fit).
CATEGORY_KEYS: Mapping[str, tuple[str, ...]] = {
    "task_types": tuple(t.value for t in TaskType),
    "gains": tuple(g.value for g in Gain),
    "barriers": tuple(b.value for b in Barrier),
}
_CONSENTS = {
    ExperienceConsent.AGGREGATE_ONLY.value: Consent.ANONYMOUS,
    ExperienceConsent.QUOTE_ANONYMOUS.value: Consent.QUOTE_ANONYMOUS,
    ExperienceConsent.QUOTE_NAMED.value: Consent.QUOTE_NAMED,
}
_SHARE_CONSENTS = {"anonymous": Consent.QUOTE_ANONYMOUS, "named": Consent.QUOTE_NAMED}


@dataclass(frozen=True)
class DigestRecords:
    """The insights records of some months, ready for insights.index.InsightsIndex."""

    prompts: tuple[PromptRecord, ...] = ()
    answers: tuple[AnswerRecord, ...] = ()
    pilots: tuple[PilotRecord, ...] = ()
    gaps: tuple[QuestionGapRecord, ...] = ()
    cases: tuple[CaseRecord, ...] = ()


def within(records: DigestRecords, tree: OrgTree, unit_id: str) -> DigestRecords:
    """Only the records of people (and pilots) in `unit_id` and the units below it."""
    below = tree.subtree(unit_id)

    def inside(person_key: str, unit: str | None) -> bool:
        return (unit if unit in tree.units else tree.unit_of(person_key)) in below

    return DigestRecords(
        prompts=tuple(p for p in records.prompts if inside(p.person_key, p.unit_id)),
        answers=tuple(a for a in records.answers if inside(a.person_key, a.unit_id)),
        pilots=tuple(p for p in records.pilots if p.unit_id in below),
        gaps=tuple(g for g in records.gaps if inside(g.asked_by, None)),
        cases=tuple(c for c in records.cases if any(inside(p, None) for p in c.askers)),
    )


@dataclass(frozen=True)
class KnownUser:
    """A users row and the person in the tree it belongs to."""

    user_id: int
    person: OrgPerson


def month_of(moment: datetime, tz: tzinfo) -> str:
    """ "YYYY-MM" of an aware moment in the municipality's time zone."""
    return f"{moment.astimezone(tz):%Y-%m}"


def month_bounds(months: Collection[str], tz: tzinfo) -> tuple[datetime, datetime]:
    """[start of the first month, start of the month after the last) as aware UTC times."""
    first, last = min(months), max(months)
    year, number = (int(part) for part in last.split("-"))
    after = date(year + number // 12, number % 12 + 1, 1)
    start = datetime.combine(date.fromisoformat(f"{first}-01"), datetime.min.time(), tz)
    end = datetime.combine(after, datetime.min.time(), tz)
    return start.astimezone(UTC), end.astimezone(UTC)


def _last_day(month: str) -> date:
    year, number = (int(part) for part in month.split("-"))
    return date(year + number // 12, number % 12 + 1, 1) - timedelta(days=1)


def match_users(roles: Roles, rows: Iterable[Any]) -> dict[int, OrgPerson]:
    """users.id → person in the roles' tree, for users rows (id, channel, channel_user_id and
    the directory id column)."""
    found: dict[int, OrgPerson] = {}
    for row in rows:
        person = roles.find(
            Person(channel=row.channel, user_id=row.channel_user_id, directory_id=row.directory_id)
        )
        if person is not None:
            found[row.id] = person
    return found


class DigestSources:
    """Reads the stored answers for digests; every method is one read transaction."""

    def __init__(self, database: Database, tz: tzinfo, roles: RoleBook) -> None:
        self._database = database
        self._tz = tz
        self._roles = roles

    async def known_users(self, tree: OrgTree) -> dict[int, OrgPerson]:
        """users.id → person in the tree, for every users row that matches someone."""
        query = select(*USER_IDENTITY_COLUMNS)
        async with self._database.transaction() as connection:
            rows = (await connection.execute(query)).all()
        return match_users(self._roles.of(tree), rows)

    async def records(self, tree: OrgTree, months: Sequence[str]) -> DigestRecords:
        """Every record of `months` ("YYYY-MM")."""
        if not months:
            return DigestRecords()
        wanted = frozenset(months)
        since, until = month_bounds(wanted, self._tz)
        people = await self.known_users(tree)
        async with self._database.transaction() as connection:
            prompts, nothing = await self._prompts(connection, people, wanted)
            answers = await self._experiences(connection, people, wanted, since, until)
            pilots = await self._pilots(connection, tree, people, wanted, since, until)
            gaps = await self._gaps(connection, people, wanted, since, until)
            cases = await case_records(connection, people, wanted, since, until, self._tz)
        found = DigestRecords(
            tuple(prompts), tuple(nothing + answers), tuple(pilots), tuple(gaps), tuple(cases)
        )
        logger.info(
            "digest records %s–%s: %d prompts, %d answers, %d pilot-months, %d questions",
            min(wanted),
            max(wanted),
            len(found.prompts),
            len(found.answers),
            len(found.pilots),
            len(found.gaps),
        )
        return found

    async def _prompts(
        self, connection: AsyncConnection, people: Mapping[int, OrgPerson], months: Collection[str]
    ) -> tuple[list[PromptRecord], list[AnswerRecord]]:
        recipient = CampaignRecipientRow
        query = (
            select(recipient.user_id, CampaignRow.month, recipient.answer_kind)
            .join(CampaignRow, CampaignRow.id == recipient.campaign_id)
            .where(CampaignRow.month.in_(sorted(months)))
        )
        prompts: list[PromptRecord] = []
        nothing: list[AnswerRecord] = []
        for user_id, month, kind in (await connection.execute(query)).all():
            person = people.get(user_id)
            if person is None:
                continue
            prompts.append(PromptRecord(person.id, month))
            if kind == AnswerKind.NOTHING.value:
                nothing.append(AnswerRecord(person.id, month, nothing_to_share=True))
            elif kind == AnswerKind.SHARED.value:
                # Counted as answered even if the experience itself was deleted since.
                nothing.append(AnswerRecord(person.id, month))
        return prompts, nothing

    async def _experiences(
        self,
        connection: AsyncConnection,
        people: Mapping[int, OrgPerson],
        months: Collection[str],
        since: datetime,
        until: datetime,
    ) -> list[AnswerRecord]:
        experience = ExperienceRow
        query = (
            select(
                experience.user_id,
                CampaignRow.month,
                experience.unit,
                experience.used_for,
                experience.task_type,
                experience.gain,
                experience.barriers,
                experience.hard_text,
                experience.consent,
                experience.created_at,
            )
            .outerjoin(CampaignRow, CampaignRow.id == experience.campaign_id)
            .where(
                or_(
                    CampaignRow.month.in_(sorted(months)),
                    and_(
                        experience.campaign_id.is_(None),
                        experience.created_at >= since,
                        experience.created_at < until,
                    ),
                )
            )
            .order_by(experience.id)
        )
        found: list[AnswerRecord] = []
        for row in (await connection.execute(query)).mappings():
            person = people.get(row["user_id"])
            if person is None:
                continue
            month = row["month"] or month_of(row["created_at"], self._tz)
            if month not in months:
                continue
            consent = _CONSENTS.get(row["consent"], Consent.ANONYMOUS)
            found.append(
                AnswerRecord(
                    person_key=person.id,
                    month=month,
                    task_types=(row["task_type"],) if row["task_type"] else (),
                    gains=(row["gain"],) if row["gain"] else (),
                    barriers=tuple(row["barriers"] or ()),
                    text=(row["used_for"] or "").strip(),
                    consent=consent,
                    author_name=person.name if consent is Consent.QUOTE_NAMED else "",
                    unit_id=row["unit"] or None,
                )
            )
            hard = (row["hard_text"] or "").strip()
            if hard:  # what was hard feeds the themes, but is never quoted as a success
                found.append(AnswerRecord(person.id, month, text=hard, unit_id=row["unit"] or None))
        return found

    async def _pilots(
        self,
        connection: AsyncConnection,
        tree: OrgTree,
        people: Mapping[int, OrgPerson],
        months: Collection[str],
        since: datetime,
        until: datetime,
    ) -> list[PilotRecord]:
        first_day = since.astimezone(self._tz).date()
        last_day = (until.astimezone(self._tz) - timedelta(days=1)).date()
        pilots = (
            (
                await connection.execute(
                    select(PilotRow).where(
                        PilotRow.start_date <= last_day,
                        PilotRow.end_date >= first_day - timedelta(days=31),
                    )
                )
            )
            .mappings()
            .all()
        )
        if not pilots:
            return []
        ids = [row["id"] for row in pilots]
        checkins = (
            await connection.execute(
                select(
                    PilotCheckinRow.pilot_id,
                    PilotCheckinRow.user_id,
                    PilotCheckinRow.rating,
                    PilotCheckinRow.decision,
                    PilotCheckinRow.answered_at,
                )
                .where(
                    PilotCheckinRow.pilot_id.in_(ids),
                    PilotCheckinRow.answered_at >= since,
                    PilotCheckinRow.answered_at < until,
                )
                .order_by(PilotCheckinRow.answered_at, PilotCheckinRow.id)
            )
        ).all()
        reflections = (
            await connection.execute(
                select(
                    PilotReflectionRow.pilot_id,
                    PilotReflectionRow.user_id,
                    PilotReflectionRow.recommend,
                    PilotReflectionRow.micro_success,
                    PilotReflectionRow.share_consent,
                    PilotReflectionRow.answered_at,
                )
                .where(
                    PilotReflectionRow.pilot_id.in_(ids),
                    PilotReflectionRow.answered_at >= since,
                    PilotReflectionRow.answered_at < until,
                )
                .order_by(PilotReflectionRow.answered_at, PilotReflectionRow.id)
            )
        ).all()
        builder = _PilotMonths(tree, people, self._tz, months)
        for pilot in pilots:
            builder.add_pilot(dict(pilot))
        for checkin in checkins:
            builder.add_checkin(checkin)
        for reflection in reflections:
            builder.add_reflection(reflection)
        return builder.records()

    async def _gaps(
        self,
        connection: AsyncConnection,
        people: Mapping[int, OrgPerson],
        months: Collection[str],
        since: datetime,
        until: datetime,
    ) -> list[QuestionGapRecord]:
        handed_on = select(CaseAskerRow.question_id)
        query = (
            select(
                QuestionRow.user_id,
                QuestionRow.text,
                QuestionRow.topic_id,
                QuestionRow.feedback,
                QuestionRow.created_at,
                QuestionRow.id.in_(handed_on).label("handed_on"),
            )
            .where(
                QuestionRow.created_at >= since,
                QuestionRow.created_at < until,
                or_(
                    QuestionRow.topic_id.is_(None),
                    QuestionRow.feedback == "down",
                    QuestionRow.id.in_(handed_on),
                ),
            )
            .order_by(QuestionRow.id)
        )
        found: list[QuestionGapRecord] = []
        for row in (await connection.execute(query)).mappings():
            person = people.get(row["user_id"])
            month = month_of(row["created_at"], self._tz)
            if person is None or month not in months or not row["text"].strip():
                continue
            found.append(
                QuestionGapRecord(
                    text=row["text"],
                    asked_by=person.id,
                    month=month,
                    unanswered=row["topic_id"] is None or bool(row["handed_on"]),
                    thumbs_down=row["feedback"] == "down",
                )
            )
        return found


class _PilotMonths:
    """Collects one PilotRecord per pilot and month from pilot, check-in and reflection rows."""

    def __init__(
        self,
        tree: OrgTree,
        people: Mapping[int, OrgPerson],
        tz: tzinfo,
        months: Collection[str],
    ) -> None:
        self._tree = tree
        self._people = people
        self._tz = tz
        self._months = months
        self._by_name = {unit.name.casefold(): unit.id for unit in tree.units.values()}
        self._pilots: dict[int, Mapping[str, Any]] = {}
        self._units: dict[int, str] = {}
        self._ratings: dict[tuple[int, str], dict[str, int]] = defaultdict(dict)
        self._decisions: dict[tuple[int, str], dict[str, Decision]] = defaultdict(dict)
        self._recommend: dict[tuple[int, str], dict[str, Recommendation]] = defaultdict(dict)
        self._successes: dict[tuple[int, str], list[MicroSuccess]] = defaultdict(list)
        self._seen: set[tuple[int, str]] = set()

    def _key(self, user_id: int) -> str:
        person = self._people.get(user_id)
        return person.id if person is not None else f"user:{user_id}"

    def _unit(self, pilot: Mapping[str, Any]) -> str | None:
        named = (pilot["unit"] or "").strip()
        if named in self._tree.units:
            return named
        if named.casefold() in self._by_name:
            return self._by_name[named.casefold()]
        owner = self._people.get(pilot["owner_id"])
        return owner.unit_id if owner is not None else None

    def add_pilot(self, pilot: Mapping[str, Any]) -> None:
        unit = self._unit(pilot)
        if unit is None:
            logger.debug("pilot %s has no unit in the tree; left out", pilot["id"])
            return
        self._pilots[pilot["id"]] = pilot
        self._units[pilot["id"]] = unit
        day = pilot["start_date"].replace(day=1)
        while day <= pilot["end_date"]:
            month = f"{day:%Y-%m}"
            if month in self._months:
                self._seen.add((pilot["id"], month))
            day = (day + timedelta(days=32)).replace(day=1)

    def _slot(self, pilot_id: int, answered_at: datetime) -> tuple[int, str] | None:
        if pilot_id not in self._pilots:
            return None
        slot = (pilot_id, month_of(answered_at, self._tz))
        if slot[1] not in self._months:
            return None
        self._seen.add(slot)
        return slot

    def add_checkin(self, row: Any) -> None:
        slot = self._slot(row.pilot_id, row.answered_at)
        if slot is None:
            return
        key = self._key(row.user_id)
        if row.rating is not None:
            self._ratings[slot][key] = int(row.rating)  # the month's latest answer wins
        if row.decision:
            self._decisions[slot][key] = Decision(row.decision)

    def add_reflection(self, row: Any) -> None:
        slot = self._slot(row.pilot_id, row.answered_at)
        if slot is None:
            return
        key = self._key(row.user_id)
        if row.recommend:
            self._recommend[slot][key] = Recommendation(row.recommend)
        consent = _SHARE_CONSENTS.get(row.share_consent)
        text = (row.micro_success or "").strip()
        if consent is not None and text:  # "none": the micro-success is not to be shared
            person = self._people.get(row.user_id)
            name = person.name if person is not None and consent is Consent.QUOTE_NAMED else ""
            self._successes[slot].append(MicroSuccess(text, consent, name, key))

    def records(self) -> list[PilotRecord]:
        found = []
        for pilot_id, month in sorted(self._seen):
            pilot = self._pilots[pilot_id]
            ended = pilot["status"] == "ended" and pilot["end_date"] <= _last_day(month)
            found.append(
                PilotRecord(
                    pilot_id=str(pilot_id),
                    month=month,
                    unit_id=self._units[pilot_id],
                    title=pilot["title"],
                    status=PilotStatus.FINISHED if ended else PilotStatus.ACTIVE,
                    ratings=self._ratings.get((pilot_id, month), {}),
                    decisions=self._decisions.get((pilot_id, month), {}),
                    recommendations=self._recommend.get((pilot_id, month), {}),
                    micro_successes=tuple(self._successes.get((pilot_id, month), ())),
                )
            )
        return found
