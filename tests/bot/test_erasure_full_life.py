"""Issue 8.3: after "slet mine data", nothing of the person is left in any table, file or log.

The person lives a full life through /api/messages first: questions, 👎, a question for the
AI-ambassadors, a named experience, a pilot check-in and final reflection on the cards the
job sends, a pilot of her own with a note; then a digest quotes her.
"""

from __future__ import annotations

import copy
import json
import logging
from datetime import UTC, date, datetime
from functools import partial
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import insert, select, update

from bot.app import create_app
from delivery.outbox import Outbox
from digests.digest_store import DigestStore
from digests.job import MonthlyDigest
from ground.settings import Settings
from ground.texts import Texts
from organisation.model import OrgPerson, OrgTree
from organisation.tree_store import OrganisationStore
from pilots.checkins import build_pilot_checkins
from pilots.forms import EVERYONE_HERE
from storage.database import Database, sqlite_path
from storage.models import Base, UserRow
from storage.models_digests import DigestRow
from storage.models_experiences import ExperienceRow
from storage.models_pilots import (
    PilotCheckinRow,
    PilotNoteRow,
    PilotParticipantRow,
    PilotReflectionRow,
    PilotRow,
)
from tests.bot import activities as fx
from tests.bot.conftest import RunningApp, StartApp
from tests.bot.test_experience_card_once import filled_in
from tests.conftest import on_sdk
from tests.digests.support import MONTH, build_tree, seed_world

KAREN = {
    "id": "29:1KaReNkIlDeGaArDhAnSeN0123456789abcdefghijklmnop",
    "name": "Karen Kildegaard Hansen",
    "aadObjectId": "0c1d2e3f-4a5b-4c6d-9e8f-7a6b5c4d3e2f",
}
ANSWERED = "Må jeg skrive et CPR-nummer om Kildegaards havelåge i ChatGPT?"
UNANSWERED = "Hvornår fodrer vi undulaten Pjuske i kantinen på Kildegaardsvej?"
EXPERIENCE = "Pjuske-referatet fra Kildegaardsvej blev skrevet på fem minutter"
MICRO_SUCCESS = "Kildegaard-tjeklisten til pilotens fredagsmøde sparede en time"
NOTE = "Kildegaards notat om pilotens undulatregnskab"
CHECKIN = "Kildegaards fredagsreferat gik som smurt med Copilot"
NOW = datetime(2026, 11, 10, 8, 0, tzinfo=UTC)


def as_karen(activity: dict[str, Any]) -> dict[str, Any]:
    activity = copy.deepcopy(activity)
    activity["from"] = dict(KAREN)
    return activity


# The organisation tree is the admin's import from HR (README: "Slet mine data"): it names
# Karen by design until the next import leaves her out, so it is the one table not searched.
ORGANISATION_TABLES = {"org_people"}
WORDS = ["Pjuske", ANSWERED, UNANSWERED, EXPERIENCE, MICRO_SUCCESS, NOTE, CHECKIN]


def needles() -> list[str]:
    return [KAREN["id"], KAREN["aadObjectId"], KAREN["name"], "Kildegaard", *WORDS]


async def say(kompas: RunningApp, connector: Any, activity: dict[str, Any]) -> Any:
    before = len(connector.activities)
    assert (await kompas.post_activity(as_karen(activity))).status == 200
    return (await connector.wait_for(before + 1))[before]


def action(reply: Any, verb: str) -> dict[str, Any]:
    found, *_ = [
        a for card in reply.cards for a in card.get("actions", []) if a["data"].get("verb") == verb
    ]
    return dict(found["data"])


async def everything_stored(database: Database) -> str:
    """Every row of every table, all columns (JSON payloads included), as one text."""
    parts = []
    async with database.transaction() as connection:
        for table in Base.metadata.sorted_tables:
            if table.name in ORGANISATION_TABLES:
                continue
            rows = (await connection.execute(select(table))).all()
            parts.append(json.dumps([list(r) for r in rows], default=str, ensure_ascii=False))
    return "\n".join(parts)


async def put_karen_in_the_month(database: Database, user_id: int) -> None:
    """Karen sits in Team A1; her experience and pilot answers fall in the digest's month."""
    tree = build_tree()
    karen = OrgPerson(
        "a0-karen", KAREN["name"], "a1", directory_id=KAREN["aadObjectId"],
        teams_user_id=KAREN["id"],
    )  # fmt: skip
    grown = OrgTree.build(list(tree.units.values()), [*tree.people.values(), karen], name=tree.name)
    await OrganisationStore(database).replace_tree(grown, source="test")
    in_month = datetime(2026, 10, 9, 10, 0, tzinfo=UTC)
    async with database.transaction() as connection:
        await connection.execute(
            update(ExperienceRow)
            .where(ExperienceRow.user_id == user_id)
            .values(created_at=in_month)
        )
        for answers in (PilotCheckinRow, PilotReflectionRow):  # answered through the cards
            await connection.execute(
                update(answers)
                .where(answers.user_id == user_id, answers.answered_at.is_not(None))
                .values(answered_at=in_month)
            )


def defaults(reply: Any) -> dict[str, Any]:
    """The values a card's inputs are sent with when nothing is changed."""
    return {
        element["id"]: element["value"]
        for card in reply.cards
        for element in card["body"]
        if element.get("type", "").startswith("Input.") and "value" in element
    }


def _at(moment: datetime) -> datetime:
    return moment


async def take_part_in_pilots(
    kompas: RunningApp, connector: Any, database: Database, texts: Texts, user_id: int
) -> None:
    """Karen joins Team A1's pilot and answers its check-in and final reflection on the cards
    the check-in job sends her; as an AI-ambassador she also starts a pilot of her own and
    writes a note about it."""
    async with database.transaction() as connection:
        pilot_id = (await connection.execute(select(PilotRow.id))).scalar_one()
        await connection.execute(  # the pilot's owner adds her
            insert(PilotParticipantRow).values(pilot_id=pilot_id, user_id=user_id, added_at=NOW)
        )
    settings = Settings()
    for day, verb, answers in (
        (date(2026, 10, 19), "pilot_checkin",
         {"rating": "5", "worked": CHECKIN, "hard": "", "decision": "continue"}),
        (date(2026, 11, 9), "pilot_reflection",
         {"worked": CHECKIN, "easier": "", "harder": "", "recommend": "yes",
          "micro_success": MICRO_SUCCESS, "consent": "named"}),
    ):  # fmt: skip
        before = len(connector.activities)
        morning = datetime.combine(day, datetime.min.time(), UTC).replace(hour=8)
        checkins = build_pilot_checkins(database, texts, settings, clock=partial(_at, morning))
        assert await checkins.send_due_checkins(day) == 1  # only Karen can be reached
        card = (await connector.wait_for(before + 1))[before]
        data = action(card, verb)  # the inputs are named after the card, as Teams sends them
        typed = {f"{name}_{data['card']}": value for name, value in answers.items()}
        thanks = await say(kompas, connector, fx.card_submit(connector.url, {**data, **typed}))
        assert "Tak" in thanks.text, thanks.text
    create = await say(kompas, connector, fx.personal_message(connector.url, "ny pilot"))
    created = await say(kompas, connector, fx.card_submit(connector.url, {
        **action(create, "pilot_create"), "title": "AI til vagtplaner", "success": "Klar til tiden",
        "participants": "", "everyone": EVERYONE_HERE, "weeks": "4", "cadence": "7",
    }))  # fmt: skip
    assert "AI til vagtplaner" in created.text, created.text
    note = await say(kompas, connector, fx.personal_message(connector.url, "refleksion"))
    saved = await say(
        kompas,
        connector,
        fx.card_submit(
            connector.url, {**action(note, "pilot_note"), **defaults(note), "text": NOTE}
        ),
    )
    async with database.transaction() as connection:
        stored = (await connection.execute(select(PilotNoteRow.text))).scalars().all()
    assert stored == [NOTE], saved.text


@pytest.fixture
def texts() -> Texts:
    return Texts(Path(__file__).resolve().parents[2] / "content" / "templates")


@pytest.fixture
async def kompas(teams_sdk: str, start_app: StartApp, database_url: str) -> RunningApp:
    """Karen is an AI-ambassador too, so that she can start a pilot and write a note."""
    settings = Settings(database_url=database_url, ambassadors=frozenset({KAREN["aadObjectId"]}))
    return await start_app(create_app(on_sdk(settings, teams_sdk)))


async def test_a_full_life_then_delete_leaves_nothing_of_the_person(
    kompas: RunningApp,
    bot_connector: Any,
    database: Database,
    database_url: str,
    texts: Texts,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.INFO)
    await seed_world(database, reachable=("lead-a", "lead-k"))
    answer = await say(kompas, bot_connector, fx.personal_message(bot_connector.url, ANSWERED))
    thumbs_down = {**action(answer, "feedback"), "helpful": False}
    await say(kompas, bot_connector, fx.card_submit(bot_connector.url, thumbs_down))
    unknown = await say(kompas, bot_connector, fx.personal_message(bot_connector.url, UNANSWERED))
    ask = action(unknown, "ask_ambassador")
    await say(kompas, bot_connector, fx.card_submit(bot_connector.url, ask))
    card = await say(kompas, bot_connector, fx.personal_message(bot_connector.url, "del erfaring"))
    value = filled_in(card.cards[0], used_for=EXPERIENCE, consent="citat_med_navn")
    assert (
        await kompas.post_activity(as_karen(fx.card_submit(bot_connector.url, value)))
    ).status == 200
    await bot_connector.wait_for_updates(1)

    async with database.transaction() as connection:
        query = select(UserRow.id).where(UserRow.channel_user_id == KAREN["id"])
        karen_id = (await connection.execute(query)).scalar_one()
    await take_part_in_pilots(kompas, bot_connector, database, texts, karen_id)
    await put_karen_in_the_month(database, karen_id)
    settings = Settings(database_url=database_url)
    job = MonthlyDigest(database, texts, settings, outbox=Outbox(database), clock=lambda: NOW)
    assert await job.run_monthly_digest(MONTH) > 0
    before = await everything_stored(database)
    assert f"{EXPERIENCE}" in before and KAREN["name"] in before  # quoted, named, in digests
    assert MICRO_SUCCESS in json.dumps(
        [(await DigestStore(database).get(d)).payload for d in await _digest_ids(database)],  # type: ignore[union-attr]
        ensure_ascii=False,
    )

    confirm = await say(
        kompas, bot_connector, fx.personal_message(bot_connector.url, "slet mine data")
    )
    deleted = await say(
        kompas,
        bot_connector,
        fx.card_submit(bot_connector.url, action(confirm, "my_data_delete_confirm")),
    )
    assert "Dine data er slettet" in deleted.text

    after = await everything_stored(database)
    for needle in needles():
        assert needle not in after, needle
    assert "Person a1-0" in after  # other people's named quotes stay
    for digest_id in await _digest_ids(database):
        stored = await DigestStore(database).get(digest_id)
        assert stored is not None
        stored.digest()  # still a readable digest behind its links
    path = sqlite_path(database_url)
    if path is not None:
        for suffix in ("", "-wal", "-shm"):
            file = Path(f"{path}{suffix}")
            data = file.read_bytes() if file.exists() else b""
            for needle in WORDS:  # the ids and name are in org_people, see above
                assert needle.encode() not in data, (suffix, needle)
        assert not Path(f"{path}-wal").exists() or Path(f"{path}-wal").stat().st_size == 0
    logged = "\n".join(r.getMessage() for r in caplog.records if r.levelno >= logging.INFO)
    for needle in (KAREN["id"], KAREN["aadObjectId"], KAREN["name"]):
        assert needle not in logged, needle
    for needle in needles():
        assert needle not in logged, needle


async def _digest_ids(database: Database) -> list[str]:
    async with database.transaction() as connection:
        return list((await connection.execute(select(DigestRow.id))).scalars())
