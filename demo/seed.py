"""`kompas demo seed`: a clearly fake municipality with six months of answers, for trying digests.

The organisation is content/org.yml ("Eksempel Kommune", made-up names) plus generated
employees called "Testperson NNN"; every answer, pilot and question is generated from a
fixed random seed, with dates relative to today. Each person gets a terminal (cli) user
named after their e-mail address, so `kompas chat --user bo.testrup` is that leader.
Seeding refuses a database that holds anything else; `reset` removes only demo data.
"""

from __future__ import annotations

import logging
import random
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from pathlib import Path
from typing import Any

from sqlalchemy import delete, func, insert, select
from sqlalchemy.ext.asyncio import AsyncConnection

from ground.settings import Settings
from insights.aggregate import previous_months
from organisation.loading import load_organisation
from organisation.model import OrgPerson, OrgTree
from organisation.tree_store import OrganisationStore
from scheduling.calendar import DEFAULT_CALENDAR, WorkingCalendar, monthly_campaign_date
from storage.database import Database, StorageError
from storage.models import QuestionRow, UserRow
from storage.models_digests import DigestMonthTablesRow, DigestRow
from storage.models_experiences import CampaignRecipientRow, CampaignRow, ExperienceRow
from storage.models_learning import LearningPostRow
from storage.models_pilots import (
    PilotCheckinRow,
    PilotParticipantRow,
    PilotReflectionRow,
    PilotRow,
)
from storage.rows import DIRECTORY_ID_COLUMN

logger = logging.getLogger(__name__)

DEMO_SOURCE = "kompas demo seed"
DEMO_MONTHS = 6
DEMO_CHANNEL = "cli"
DEFAULT_SEED = 2026
FAKE_DOMAIN = "eksempel-kommune.example"

TASKS_BY_CENTRE = {
    "c-social": ("moedereferater", "kommunikation", "andet", "oversaettelse"),
    "c-borger": ("sagsbehandling", "kommunikation", "oversaettelse", "moedereferater"),
    "c-oekonomi": ("dataanalyse", "kommunikation", "moedereferater", "sagsbehandling"),
}
USED_FOR = {
    "moedereferater": "Udkast til referat fra teammødet, som jeg rettede til bagefter",
    "kommunikation": "Omskrev et brev til en borger, så det blev kortere og lettere at læse",
    "sagsbehandling": "Fik en lang sag opsummeret før et møde – uden personoplysninger",
    "oversaettelse": "Oversatte en vejledning til engelsk for en pårørende",
    "dataanalyse": "Fik hjælp til en formel og en oversigt over tal i Excel",
    "andet": "Fik idéer til aktiviteter og en tjekliste til hjemmebesøg",
}
HARD_TEXTS = {
    "regler": "Jeg var i tvivl om, hvad jeg måtte skrive ind i værktøjet",
    "teknik": "Copilot kunne ikke åbne vores dokumenter på fællesdrevet",
    "svarkvalitet": "Svarene var for lange og skulle rettes en del",
    "tid": "Det var svært at finde tid til at prøve det af i en travl uge",
    "andet": "Kollegerne var skeptiske, så jeg prøvede det mest alene",
}
QUESTIONS = (
    "Må jeg bruge Copilot til referater fra MED-udvalget?",
    "må jeg bruge copilot til referat af MED møder",
    "Må jeg bruge AI til referater af MED-møder?",
    "Hvor længe gemmer Copilot det, jeg skriver?",
    "Hvor længe bliver mine data gemt i Copilot?",
    "Må jeg bruge ChatGPT på min private telefon til arbejde?",
)
PILOTS = (
    # title, unit as the ambassador typed it, owner e-mail name, task, tool, months ago it
    # started, weeks
    ("AI til mødereferater i hjemmeplejen", "Hjemmepleje Nord", "maja.modelby",
     "Referater af teammøder", "Copilot", 3, 10),
    ("Korte svarbreve med Copilot", "Ydelser", "dorte.fiktivsen",
     "Udkast til svar på borgerhenvendelser", "Copilot", 2, 12),
    ("Opsummering af lange sager", "Voksenrådgivning", "vibeke.modelby",
     "Overblik før møder om lange sager", "Copilot", 2, 8),
)  # fmt: skip
MICRO_SUCCESSES = {
    "Hjemmepleje Nord": (
        "Første teammøde, hvor referatet var sendt ud samme eftermiddag",
        "Vores nye kollega brugte referatskabelonen allerede første uge",
        "Vi brugte mødetiden på beboerne i stedet for på at skrive",
    ),
    "Ydelser": (
        "En borger sagde, at brevet var det første, hun forstod med det samme",
        "Svarbrevene blev kortere, og der kom færre opfølgende opkald",
    ),
    "Voksenrådgivning": (
        "Vi sparede en halv time før hvert møde om de lange sager",
        "Opsummeringen gav et fælles overblik, før vi mødtes med borgeren",
    ),
}


class DemoError(Exception):
    """The database holds something else than demo data; nothing was changed."""


@dataclass(frozen=True)
class DemoSummary:
    """What seeding made (or found)."""

    organisation: str
    months: tuple[str, ...]
    people: int
    experiences: int
    pilots: int
    questions: int
    created: bool  # False: the demo data was there already


def demo_months(today: date) -> tuple[str, ...]:
    """The six months before today's month, oldest first."""
    first = today.replace(day=1) - timedelta(days=1)
    return previous_months(f"{first:%Y-%m}", DEMO_MONTHS)


def cli_name(person: OrgPerson) -> str:
    """The terminal user name of a demo person: their e-mail address before the @."""
    return person.email.split("@", 1)[0] if person.email else person.id


def demo_tree(org_file: Path, rng: random.Random) -> OrgTree:
    """content/org.yml plus generated employees ("Testperson NNN") in every team."""
    base = load_organisation(org_file)
    people = list(base.people.values())
    number = 0
    for unit in base.units.values():
        if base.children(unit.id):
            continue
        size = 2 if unit.id == "t-loen" else rng.randint(12, 22)  # Løn: folded into Økonomi
        for _ in range(size):
            number += 1
            people.append(
                OrgPerson(
                    id=f"demo-{number:03d}",
                    name=f"Testperson {number:03d}",
                    unit_id=unit.id,
                    email=f"testperson{number:03d}@{FAKE_DOMAIN}",
                )
            )
    return OrgTree.build(base.units.values(), people, name=base.name)


def _centre(tree: OrgTree, unit_id: str) -> str:
    chain = (unit_id, *tree.ancestors(unit_id))
    return next((u for u in chain if u in TASKS_BY_CENTRE), "c-social")


def _moment(day: date, hour: int, tz: tzinfo) -> datetime:
    return datetime.combine(day, time(hour, 0), tzinfo=tz).astimezone(UTC)


@dataclass
class _Rows:
    campaigns: list[dict[str, Any]] = field(default_factory=list)
    recipients: list[dict[str, Any]] = field(default_factory=list)
    experiences: list[dict[str, Any]] = field(default_factory=list)
    questions: list[dict[str, Any]] = field(default_factory=list)


class DemoSeeder:
    """Writes (or removes) the demo organisation and its answers."""

    def __init__(
        self,
        database: Database,
        settings: Settings,
        *,
        seed: int = DEFAULT_SEED,
        calendar: WorkingCalendar = DEFAULT_CALENDAR,
    ) -> None:
        self._database = database
        self._settings = settings
        self._seed = seed
        self._calendar = calendar
        self._organisation = OrganisationStore(database)

    async def is_demo(self) -> bool | None:
        """True: demo data is there; False: other data is; None: the database is empty."""
        info = await self._organisation.last_import()
        if info is not None and info.units:
            return info.source == DEMO_SOURCE
        if info is not None and not info.source.startswith(DEMO_SOURCE):
            return False  # someone imported an empty organisation on purpose
        async with self._database.transaction() as connection:
            answers = (
                await connection.execute(select(func.count()).select_from(CampaignRow))
            ).scalar_one()
            experiences = (
                await connection.execute(select(func.count()).select_from(ExperienceRow))
            ).scalar_one()
        return False if answers or experiences else None

    async def reset(self, org_file: Path) -> None:
        """Remove the demo organisation, its people and everything they answered."""
        if await self.is_demo() is False:
            raise DemoError("the database holds more than demo data; nothing was removed")
        tree = demo_tree(org_file, random.Random(self._seed))
        names = [cli_name(person) for person in tree.people.values()]
        async with self._database.transaction() as connection:
            users = select(UserRow.id).where(
                UserRow.channel == DEMO_CHANNEL, UserRow.channel_user_id.in_(names)
            )
            await connection.execute(delete(PilotRow).where(PilotRow.owner_id.in_(users)))
            await connection.execute(
                delete(UserRow).where(
                    UserRow.channel == DEMO_CHANNEL, UserRow.channel_user_id.in_(names)
                )
            )
            await connection.execute(delete(CampaignRow))
            await connection.execute(delete(DigestRow))
            await connection.execute(delete(DigestMonthTablesRow))
            await connection.execute(delete(LearningPostRow))
        await self._organisation.replace_tree(OrgTree.empty(), source=f"{DEMO_SOURCE} --reset")
        logger.info("demo data removed")

    async def seed(self, org_file: Path, today: date) -> DemoSummary:
        """Write the demo data, unless it is there already (then only count it).

        Raises DemoError when the database holds anything else.
        """
        state = await self.is_demo()
        rng = random.Random(self._seed)
        tree = demo_tree(org_file, rng)
        months = demo_months(today)
        if state is False:
            raise DemoError(
                "the database already holds an organisation or answers that are not demo "
                "data; demo seed only fills an empty database (use another DATABASE_URL, "
                "e.g. sqlite:///data/demo.db)"
            )
        if state is True:
            return await self._summary(tree, months, created=False)
        await self._organisation.replace_tree(tree, source=DEMO_SOURCE)
        try:
            async with self._database.transaction() as connection:
                users = await self._users(connection, tree)
                await self._answers(connection, tree, users, months, rng)
                await self._pilots(connection, tree, users, today, rng)
        except StorageError:
            await self._organisation.replace_tree(OrgTree.empty(), source=f"{DEMO_SOURCE} failed")
            raise
        logger.info("demo data written for %s–%s", months[0], months[-1])
        return await self._summary(tree, months, created=True)

    async def _summary(self, tree: OrgTree, months: tuple[str, ...], created: bool) -> DemoSummary:
        async with self._database.transaction() as connection:

            async def count(table: Any) -> int:
                statement = select(func.count()).select_from(table)
                return int((await connection.execute(statement)).scalar_one())

            return DemoSummary(
                organisation=tree.name,
                months=months,
                people=len(tree.people),
                experiences=await count(ExperienceRow),
                pilots=await count(PilotRow),
                questions=await count(QuestionRow),
                created=created,
            )

    async def _users(self, connection: AsyncConnection, tree: OrgTree) -> dict[str, int]:
        now = datetime.now(UTC)
        rows = [
            {
                "channel": DEMO_CHANNEL,
                "channel_user_id": cli_name(person),
                DIRECTORY_ID_COLUMN: person.directory_id or None,
                "display_name": person.name,
                "created_at": now,
                "last_seen_at": now,
            }
            for person in tree.people.values()
        ]
        result = await connection.execute(
            insert(UserRow).returning(UserRow.id, UserRow.channel_user_id), rows
        )
        by_name = {name: user_id for user_id, name in result.all()}
        return {person.id: by_name[cli_name(person)] for person in tree.people.values()}

    async def _answers(
        self,
        connection: AsyncConnection,
        tree: OrgTree,
        users: dict[str, int],
        months: Sequence[str],
        rng: random.Random,
    ) -> None:
        tz = _tz(self._settings)
        window = self._settings.schedule.campaign_window_working_days
        people = [p for p in tree.people.values() if not p.leads]  # leaders read, not answer
        for number, month in enumerate(months):
            year, month_number = (int(part) for part in month.split("-"))
            day = monthly_campaign_date(year, month_number, calendar=self._calendar)
            closes = self._calendar.add_working_days(day, window)
            campaign_id = (
                await connection.execute(
                    insert(CampaignRow)
                    .values(
                        month=month,
                        campaign_day=day,
                        closes_on=closes,
                        started_at=_moment(day, 9, tz),
                    )
                    .returning(CampaignRow.id)
                )
            ).scalar_one()
            rows = _Rows()
            share = 0.52 + 0.05 * number  # participation grows month by month
            for person in people:
                answer_day = self._calendar.add_working_days(day, rng.randint(0, window - 1))
                answered = rng.random() < share
                nothing = answered and rng.random() < 0.12
                rows.recipients.append(
                    {
                        "campaign_id": campaign_id,
                        "user_id": users[person.id],
                        "asked_at": _moment(day, 9, tz),
                        "remind_on": None,
                        "answered_at": _moment(answer_day, 11, tz) if answered else None,
                        "answer_kind": None
                        if not answered
                        else ("nothing" if nothing else "shared"),
                        "reminded_at": None,
                    }
                )
                if answered and not nothing:
                    rows.experiences.append(
                        _experience(tree, person, users, campaign_id, number, answer_day, tz, rng)
                    )
                if rng.random() < (0.06 if number < len(months) - 1 else 0.15):
                    rows.questions.append(_question(person, users, answer_day, tz, rng))
            await connection.execute(insert(CampaignRecipientRow), rows.recipients)
            await connection.execute(insert(ExperienceRow), rows.experiences)
            if rows.questions:
                await connection.execute(insert(QuestionRow), rows.questions)

    async def _pilots(
        self,
        connection: AsyncConnection,
        tree: OrgTree,
        users: dict[str, int],
        today: date,
        rng: random.Random,
    ) -> None:
        tz = _tz(self._settings)
        by_name = {cli_name(p): p for p in tree.people.values()}
        units = {u.name: u.id for u in tree.units.values()}
        first_of_month = today.replace(day=1)
        for title, unit_name, owner, task, tool, months_ago, weeks in PILOTS:
            start = self._calendar.next_working_day(
                (first_of_month - timedelta(days=30 * months_ago - 3)).replace(day=4)
            )
            end = self._calendar.next_working_day(start + timedelta(weeks=weeks))
            ended = end < today
            members = [p for p in tree.people.values() if p.unit_id == units[unit_name]]
            pilot_id = (
                await connection.execute(
                    insert(PilotRow)
                    .values(
                        owner_id=users[by_name[owner].id],
                        title=title,
                        unit=unit_name,
                        task=task,
                        tool=tool,
                        success_criterion="Det sparer tid, og kvaliteten holder",
                        start_date=start,
                        duration_weeks=weeks,
                        cadence_days=14,
                        end_date=end,
                        status="ended" if ended else "active",
                        ended_early=False,
                        created_at=_moment(start, 9, tz),
                        updated_at=_moment(start, 9, tz),
                    )
                    .returning(PilotRow.id)
                )
            ).scalar_one()
            await connection.execute(
                insert(PilotParticipantRow),
                [
                    {
                        "pilot_id": pilot_id,
                        "user_id": users[p.id],
                        "added_at": _moment(start, 9, tz),
                    }
                    for p in members
                ],
            )
            checkins, reflections = _pilot_answers(
                pilot_id, members, users, start, end, today, tz, rng, self._calendar
            )
            texts = iter(MICRO_SUCCESSES[unit_name])
            for reflection in reflections:  # a few wrote a micro-success, each their own
                if reflection["micro_success"]:
                    reflection["micro_success"] = next(texts, None)
            if checkins:
                await connection.execute(insert(PilotCheckinRow), checkins)
            if reflections:
                await connection.execute(insert(PilotReflectionRow), reflections)


def _tz(settings: Settings) -> tzinfo:
    from zoneinfo import ZoneInfo

    return ZoneInfo(settings.timezone)


def _experience(
    tree: OrgTree,
    person: OrgPerson,
    users: dict[str, int],
    campaign_id: int,
    number: int,
    day: date,
    tz: tzinfo,
    rng: random.Random,
) -> dict[str, Any]:
    centre = _centre(tree, person.unit_id)
    task = rng.choices(TASKS_BY_CENTRE[centre], (45, 30, 15, 10))[0]
    gain = rng.choices(
        ("tid", "kvalitet", "service", "ingen_endnu"), (45, 15 + 3 * number, 15, 20)
    )[0]
    rules = 0.12 + (0.09 * number if centre in ("c-social", "c-borger") else 0.02 * number)
    barriers = [
        barrier
        for barrier, chance in (
            ("regler", rules),
            ("teknik", 0.2),
            ("svarkvalitet", 0.18),
            ("tid", 0.25 - 0.02 * number),
            ("andet", 0.05),
        )
        if rng.random() < chance
    ]
    hard = HARD_TEXTS[barriers[0]] if barriers and rng.random() < 0.6 else ""
    consent = rng.choices(("kun_samlet", "citat_anonymt", "citat_med_navn"), (70, 22, 8))[0]
    moment = _moment(day, 11, tz)
    return {
        "user_id": users[person.id],
        "campaign_id": campaign_id,
        "unit": None,
        "used_for": USED_FOR[task] if rng.random() < 0.7 else "",
        "task_type": task,
        "gain": gain,
        "barriers": barriers,
        "hard_text": hard,
        "consent": consent,
        "created_at": moment,
        "updated_at": moment,
    }


def _question(
    person: OrgPerson, users: dict[str, int], day: date, tz: tzinfo, rng: random.Random
) -> dict[str, Any]:
    text = rng.choice(QUESTIONS)
    unanswered = rng.random() < 0.75
    return {
        "user_id": users[person.id],
        "text": text,
        "topic_id": None if unanswered else "persondata",
        "score": 0.1 if unanswered else 0.62,
        "in_scope": not unanswered,
        "feedback": None if unanswered else "down",
        "feedback_at": None if unanswered else _moment(day, 13, tz),
        "created_at": _moment(day, 12, tz),
    }


def _pilot_answers(
    pilot_id: int,
    members: Sequence[OrgPerson],
    users: dict[str, int],
    start: date,
    end: date,
    today: date,
    tz: tzinfo,
    rng: random.Random,
    calendar: WorkingCalendar,
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    checkins: list[dict[str, Any]] = []
    number = 0
    due = calendar.add_working_days(start, 10)
    while due < min(end, today):
        number += 1
        for person in members:
            answered = rng.random() < 0.85
            checkins.append(
                {
                    "pilot_id": pilot_id,
                    "number": number,
                    "user_id": users[person.id],
                    "due_date": due,
                    "asked_at": _moment(due, 13, tz),
                    "rating": rng.choices((2, 3, 4, 5), (1, 3, 5, 3))[0] if answered else None,
                    "worked": "Skabelonen gjorde det hurtigt at komme i gang" if answered else None,
                    "hard": None,
                    "decision": rng.choices(("continue", "adjust", "stop"), (6, 3, 1))[0]
                    if answered
                    else None,
                    "answered_at": _moment(due, 15, tz) if answered else None,
                }
            )
        due = calendar.add_working_days(due, 10)
    reflections: list[dict[str, Any]] = []
    if end < today:
        for number, person in enumerate(members):
            answered = rng.random() < 0.9
            consent = ("named", "anonymous", "none")[number % 3]
            reflections.append(
                {
                    "pilot_id": pilot_id,
                    "user_id": users[person.id],
                    "due_date": end,
                    "asked_at": _moment(end, 13, tz),
                    "worked": "Faste skabeloner" if answered else None,
                    "easier": "Kolleger at spørge" if answered else None,
                    "harder": None,
                    "recommend": rng.choices(("yes", "maybe", "no"), (6, 3, 1))[0]
                    if answered
                    else None,
                    "micro_success": "-" if answered else None,  # worded by the caller
                    "share_consent": consent,
                    "answered_at": _moment(end, 15, tz) if answered else None,
                }
            )
    return checkins, reflections
