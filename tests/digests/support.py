"""A small municipality with known answers, written to the test database as real rows.

Kommunen (k) → Center A (a) → Team A1 (a1, 15 people), Team A2 (a2, 10), Ny enhed (n, 6,
never asked); Center B (b) → Team B1 (b1, 3). Leaders sit in the tree but are never asked.

2026-10 (the main month): a1: 15 asked, 5 shared, 5 "intet at dele", 5 no answer;
a2: 10 asked, 10 shared. Every sharer gained "tid"; a1's sharers and a2's last five
used AI for mødereferater, a2's first five for kommunikation; a1's sharers also "regler".
Texts from all 15 sharers (two may be quoted with their name, one without, the rest only
counted). Ten people in a ask the same
question the bot could not answer. A pilot in a1: six participants rate it 4 and vote
"continue". 2026-09: a single respondent. 2026-08: nothing at all.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime

from sqlalchemy import insert

from organisation.model import OrgPerson, OrgTree, Role, Unit, UnitKind
from organisation.tree_store import OrganisationStore
from storage.database import Database
from storage.models import ConversationReferenceRow, QuestionRow, UserRow
from storage.models_experiences import CampaignRecipientRow, CampaignRow, ExperienceRow
from storage.models_pilots import PilotCheckinRow, PilotParticipantRow, PilotRow

MONTH = "2026-10"
SINGLE_MONTH = "2026-09"
EMPTY_MONTH = "2026-08"
SECRET_TEXT = "hemmelig-tekst-kun-samlet"  # a kun_samlet text that must never be shown
NAMED_TEXT = "Mødereferatet var klar før frokost"
ANONYMOUS_TEXT = "Brevet blev kortere og venligere"
GAP_QUESTION = "Må jeg bruge Copilot til referater fra MED-udvalget?"
SIZES = {"a1": 15, "a2": 10, "n": 6, "b1": 3}


def build_tree() -> OrgTree:
    units = [
        Unit("k", "Kommunen", UnitKind.DIRECTORATE),
        Unit("a", "Center A", UnitKind.CENTRE, "k"),
        Unit("a1", "Team A1", UnitKind.TEAM, "a"),
        Unit("a2", "Team A2", UnitKind.TEAM, "a"),
        Unit("n", "Ny enhed", UnitKind.TEAM, "a"),
        Unit("b", "Center B", UnitKind.CENTRE, "k"),
        Unit("b1", "Team B1", UnitKind.TEAM, "b"),
    ]
    people = [
        OrgPerson(f"{unit}-{n}", f"Person {unit}-{n}", unit, email=f"{unit}-{n}@test.example")
        for unit, size in SIZES.items()
        for n in range(size)
    ]
    leader = frozenset({Role.LEADER})
    people += [
        OrgPerson("lead-k", "Direktør Dorte", "k", "direktor@test.example", roles=leader,
                  leads=frozenset({"k"})),
        OrgPerson("lead-a", "Leder Lars", "a", "lars@test.example", roles=leader,
                  leads=frozenset({"a"})),
        OrgPerson("lead-n", "Leder Nina", "n", "nina@test.example", roles=leader,
                  leads=frozenset({"n"})),
        OrgPerson("amb", "Ambassadør Ane", "a1", "ane@test.example",
                  roles=frozenset({Role.AMBASSADOR})),
    ]  # fmt: skip
    return OrgTree.build(units, people, name="Testkommune")


def cli_name(person: OrgPerson) -> str:
    return person.email.split("@")[0]


@dataclass(frozen=True)
class World:
    """The seeded tree and the users.id of every person."""

    tree: OrgTree
    users: dict[str, int]


def _at(day: int, month: str = MONTH) -> datetime:
    return datetime.fromisoformat(f"{month}-{day:02d}T10:00:00+00:00")


async def seed_world(database: Database, *, reachable: tuple[str, ...] = ()) -> World:
    """Import the tree, create a terminal user per person and write the known answers.

    `reachable`: people (tree ids) who get an active personal terminal chat.
    """
    tree = build_tree()
    await OrganisationStore(database).replace_tree(tree, source="test")
    now = datetime.now(UTC)
    async with database.transaction() as connection:
        rows = [
            {
                "channel": "cli",
                "channel_user_id": cli_name(p),
                "display_name": p.name,
                "created_at": now,
                "last_seen_at": now,
            }
            for p in tree.people.values()
        ]
        result = await connection.execute(
            insert(UserRow).returning(UserRow.id, UserRow.channel_user_id), rows
        )
        by_name = dict((name, uid) for uid, name in result.all())
        users = {p.id: by_name[cli_name(p)] for p in tree.people.values()}
        for person_id in reachable:
            await connection.execute(
                insert(ConversationReferenceRow).values(
                    user_id=users[person_id],
                    user_key=cli_name(tree.people[person_id]),
                    channel="cli",
                    conversation_id=f"cli:{cli_name(tree.people[person_id])}",
                    conversation_type="personal",
                    reference={"channel": "cli"},
                    active=True,
                    created_at=now,
                    updated_at=now,
                )
            )
        await _main_month(connection, users)
        await _single_month(connection, users)
    return World(tree, users)


async def _campaign(connection: object, month: str) -> int:
    day = date.fromisoformat(f"{month}-06")
    result = await connection.execute(  # type: ignore[attr-defined]
        insert(CampaignRow)
        .values(month=month, campaign_day=day, closes_on=date.fromisoformat(f"{month}-20"),
                started_at=_at(6, month))
        .returning(CampaignRow.id)
    )  # fmt: skip
    return int(result.scalar_one())


def _recipient(campaign: int, user: int, kind: str | None, month: str) -> dict[str, object]:
    return {
        "campaign_id": campaign,
        "user_id": user,
        "asked_at": _at(6, month),
        "remind_on": None,
        "answered_at": _at(8, month) if kind else None,
        "answer_kind": kind,
        "reminded_at": None,
    }


def _experience(campaign: int, user: int, **fields: object) -> dict[str, object]:
    row: dict[str, object] = {
        "user_id": user,
        "campaign_id": campaign,
        "unit": None,
        "used_for": "",
        "task_type": "moedereferater",
        "gain": "tid",
        "barriers": [],
        "hard_text": "",
        "consent": "kun_samlet",
        "created_at": _at(8),
        "updated_at": _at(8),
    }
    row.update(fields)
    return row


async def _main_month(connection: object, users: dict[str, int]) -> None:
    campaign = await _campaign(connection, MONTH)
    recipients, experiences = [], []
    for n in range(15):
        user = users[f"a1-{n}"]
        kind = "shared" if n < 5 else ("nothing" if n < 10 else None)
        recipients.append(_recipient(campaign, user, kind, MONTH))
        if kind == "shared":
            consent = {0: "citat_med_navn", 1: "citat_anonymt"}.get(n, "kun_samlet")
            text = {0: NAMED_TEXT, 1: ANONYMOUS_TEXT, 2: SECRET_TEXT}.get(
                n, "Copilot hjalp med referatet til teammødet"
            )
            experiences.append(
                _experience(campaign, user, barriers=["regler"], used_for=text, consent=consent)
            )
    for n in range(10):
        user = users[f"a2-{n}"]
        recipients.append(_recipient(campaign, user, "shared", MONTH))
        task = "kommunikation" if n < 5 else "moedereferater"
        experiences.append(
            _experience(campaign, user, task_type=task,
                        used_for="Copilot hjalp med referatet og et brev til en borger")
        )  # fmt: skip
    # One task type each: mødereferater 10 (a1 5 + a2 5), kommunikation 5.
    await connection.execute(insert(CampaignRecipientRow), recipients)  # type: ignore[attr-defined]
    await connection.execute(insert(ExperienceRow), experiences)  # type: ignore[attr-defined]
    questions = [
        {
            "user_id": users[person],
            "text": GAP_QUESTION,
            "topic_id": None,
            "score": 0.1,
            "in_scope": False,
            "feedback": None,
            "feedback_at": None,
            "created_at": _at(10),
        }
        for person in [f"a1-{n}" for n in range(6)] + [f"a2-{n}" for n in range(4)]
    ]
    await connection.execute(insert(QuestionRow), questions)  # type: ignore[attr-defined]
    pilot = await connection.execute(  # type: ignore[attr-defined]
        insert(PilotRow)
        .values(
            owner_id=users["amb"], title="AI til mødereferater", unit="Team A1", task="Referater",
            tool="Copilot", success_criterion="Klar samme dag", start_date=date(2026, 9, 28),
            duration_weeks=6, cadence_days=7, end_date=date(2026, 11, 9), status="active",
            ended_early=False, created_at=_at(1), updated_at=_at(1),
        )
        .returning(PilotRow.id)
    )  # fmt: skip
    pilot_id = pilot.scalar_one()
    participants = [f"a1-{n}" for n in range(6)]
    await connection.execute(  # type: ignore[attr-defined]
        insert(PilotParticipantRow),
        [{"pilot_id": pilot_id, "user_id": users[p], "added_at": _at(1)} for p in participants],
    )
    await connection.execute(  # type: ignore[attr-defined]
        insert(PilotCheckinRow),
        [
            {
                "pilot_id": pilot_id, "number": 1, "user_id": users[p],
                "due_date": date(2026, 10, 12), "asked_at": _at(12), "rating": 4,
                "worked": None, "hard": None, "decision": "continue", "answered_at": _at(13),
            }
            for p in participants
        ],
    )  # fmt: skip


async def _single_month(connection: object, users: dict[str, int]) -> None:
    campaign = await _campaign(connection, SINGLE_MONTH)
    await connection.execute(  # type: ignore[attr-defined]
        insert(CampaignRecipientRow), [_recipient(campaign, users["a1-0"], "shared", SINGLE_MONTH)]
    )
    await connection.execute(  # type: ignore[attr-defined]
        insert(ExperienceRow),
        [_experience(campaign, users["a1-0"], created_at=_at(8, SINGLE_MONTH),
                     updated_at=_at(8, SINGLE_MONTH))],
    )  # fmt: skip
