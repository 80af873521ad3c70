"""Issue 8, item 10, over HTTP: only a pilot's owner and admins steer it; one card, one pilot."""

from __future__ import annotations

import asyncio
import copy
from typing import Any

from digests.digest_store import scrub_withdrawn_quotes
from fakes.bot_connector import FakeBotConnector
from organisation.model import OrgPerson, OrgTree, Role, Unit, UnitKind
from organisation.tree_store import OrganisationStore
from storage.database import Database
from storage.pilot_records import PilotState
from storage.pilot_store import PilotStore
from tests.bot import activities as fx
from tests.bot.conftest import StartApp
from tests.cards.collect import METTE, Conversation, start_kompas

# Jonas is an AI-ambassador too; Ida is an admin (digitaliseringskonsulent) in the org import.
JONAS = {"id": "29:1JoNaSbErGaBcDeFgHiJkLmNoPqRsTuVwXyZ0123456789", "name": "Jonas Berg",
         "aadObjectId": "0b1c2d3e-4f5a-4b6c-8d7e-9f0a1b2c3d4e"}  # fmt: skip
IDA = {"id": "29:1IdAaDmInAbCdEfGhIjKlMnOpQrStUvWxYz0123456789", "name": "Ida Admin",
       "aadObjectId": "1c2d3e4f-5a6b-4c7d-8e9f-0a1b2c3d4e5f"}  # fmt: skip
AMBASSADORS = frozenset({fx.USER["aadObjectId"], JONAS["aadObjectId"]})
PILOT = {
    "title": "AI til mødereferater",
    "success": "Referatet er klar samme dag",
    "weeks": "4",
    "cadence": "7",
    "participants": "Mette Jensen",
}


def as_person(who: dict[str, str], activity: dict[str, Any]) -> dict[str, Any]:
    """The activity sent by `who` from their own personal chat."""
    activity = copy.deepcopy(activity)
    activity["from"] = dict(who)
    activity["conversation"] = fx.personal(f"a:{who['id']}")
    return activity


async def import_admin(database: Database) -> None:
    tree = OrgTree.build(
        [Unit("k", "Kommunen", UnitKind.DIRECTORATE)],
        [OrgPerson("ida", IDA["name"], "k", directory_id=IDA["aadObjectId"],
                   roles=frozenset({Role.EMPLOYEE, Role.ADMIN}))],
    )  # fmt: skip
    await OrganisationStore(database).replace_tree(tree, source="test")


async def mettes_pilot(chat: Conversation) -> tuple[int, dict[str, Any]]:
    """Mette creates a pilot with the card; returns its id and its status card."""
    [create] = await chat.say("ny pilot")
    await chat.press(create, "Opret pilot", **PILOT)
    [status] = await chat.say("pilot status")
    pilot_id = status["actions"][0]["data"]["pilot_id"]
    return pilot_id, status


def button(card: dict[str, Any], verb: str, **inputs: Any) -> dict[str, Any]:
    [action] = [a for a in card["actions"] if a["data"]["verb"] == verb]
    return {**action["data"], **inputs}


async def test_another_ambassador_cannot_pause_extend_or_end_the_pilot(
    teams_sdk: str,
    start_app: StartApp,
    bot_connector: FakeBotConnector,
    database: Database,
    database_url: str,
) -> None:
    chat = await start_kompas(
        start_app, bot_connector, database_url, teams_sdk, ambassadors=AMBASSADORS
    )
    pilot_id, status = await mettes_pilot(chat)
    pilots = PilotStore(database, scrub_withdrawn_quotes)
    before = await pilots.pilot(pilot_id)
    assert before is not None

    for value in (
        button(status, "pilot_pause"),
        button(status, "pilot_extend", weeks="2"),
        button(status, "pilot_end"),
    ):
        await chat.post(as_person(JONAS, fx.card_submit(bot_connector.url, value)))
        refusal = bot_connector.requests[-1]
        assert refusal.conversation_id == f"a:{JONAS['id']}"
        assert "tilhører Mette Jensen" in refusal.text
        assert "Kun den, der har oprettet piloten" in refusal.text

    assert await pilots.pilot(pilot_id) == before  # nothing changed


async def test_the_owner_and_an_admin_can_steer_the_pilot(
    teams_sdk: str,
    start_app: StartApp,
    bot_connector: FakeBotConnector,
    database: Database,
    database_url: str,
) -> None:
    await import_admin(database)
    chat = await start_kompas(
        start_app, bot_connector, database_url, teams_sdk, ambassadors=AMBASSADORS
    )
    pilot_id, status = await mettes_pilot(chat)
    pilots = PilotStore(database, scrub_withdrawn_quotes)

    await chat.post(fx.card_submit(bot_connector.url, button(status, "pilot_pause")), replies=2)
    paused = await pilots.pilot(pilot_id)
    assert paused is not None and paused.state == PilotState.PAUSED

    resume = {"verb": "pilot_resume", "pilot_id": pilot_id}
    await chat.post(as_person(IDA, fx.card_submit(bot_connector.url, resume)), replies=2)
    resumed = await pilots.pilot(pilot_id)
    assert resumed is not None and resumed.state == PilotState.ACTIVE
    extend = button(status, "pilot_extend", weeks="2")
    await chat.post(as_person(IDA, fx.card_submit(bot_connector.url, extend)), replies=2)
    extended = await pilots.pilot(pilot_id)
    assert extended is not None and extended.duration_weeks == 6


async def test_submitting_the_creation_card_twice_creates_one_pilot(
    teams_sdk: str,
    start_app: StartApp,
    bot_connector: FakeBotConnector,
    database: Database,
    database_url: str,
) -> None:
    chat = await start_kompas(start_app, bot_connector, database_url, teams_sdk)
    [create] = await chat.say("ny pilot")

    await chat.press(create, "Opret pilot", **PILOT)
    await chat.press(create, "Opret pilot", **PILOT)

    again = bot_connector.requests[-1].text
    assert "er allerede oprettet fra dette kort" in again and "pilot status" in again
    assert len(await PilotStore(database, scrub_withdrawn_quotes).pilots_owned_by(METTE)) == 1
    # A new card is a new pilot.
    [other] = await chat.say("ny pilot")
    await chat.press(other, "Opret pilot", **{**PILOT, "title": "Copilot til breve"})
    assert len(await PilotStore(database, scrub_withdrawn_quotes).pilots_owned_by(METTE)) == 2


async def test_two_submissions_of_one_card_at_the_same_moment_create_one_pilot(
    teams_sdk: str,
    start_app: StartApp,
    bot_connector: FakeBotConnector,
    database: Database,
    database_url: str,
) -> None:
    chat = await start_kompas(start_app, bot_connector, database_url, teams_sdk)
    [create] = await chat.say("ny pilot")
    [action] = create["actions"]
    value = {**action["data"], **PILOT}

    statuses = await asyncio.gather(
        *(chat.kompas.post_activity(fx.card_submit(bot_connector.url, value)) for _ in range(2))
    )

    assert [response.status for response in statuses] == [200, 200]
    replies = await bot_connector.wait_for(chat.seen + 2, timeout=30)
    texts = sorted(request.text for request in replies[chat.seen :])
    assert any("er oprettet" in text for text in texts), texts
    assert any("allerede oprettet fra dette kort" in text for text in texts), texts
    assert len(await PilotStore(database, scrub_withdrawn_quotes).pilots_owned_by(METTE)) == 1


async def test_submitting_the_note_card_twice_stores_one_note(
    teams_sdk: str,
    start_app: StartApp,
    bot_connector: FakeBotConnector,
    database: Database,
    database_url: str,
) -> None:
    chat = await start_kompas(start_app, bot_connector, database_url, teams_sdk)
    pilot_id, _ = await mettes_pilot(chat)
    [note] = await chat.say("refleksion")

    typed = {"pilot_id": str(pilot_id), "text": "Referaterne blev kortere"}
    await chat.press(note, "Gem refleksion", **typed)
    await chat.press(note, "Gem refleksion", **typed)

    assert "allerede gemt" in bot_connector.requests[-1].text
    assert [n.text for n in await PilotStore(database, scrub_withdrawn_quotes).notes(pilot_id)] == [
        "Referaterne blev kortere"
    ]


async def test_a_pilot_id_no_row_can_have_gets_a_polite_refusal(
    teams_sdk: str, start_app: StartApp, bot_connector: FakeBotConnector, database_url: str
) -> None:
    chat = await start_kompas(start_app, bot_connector, database_url, teams_sdk)

    for verb in ("pilot_pause", "pilot_checkin", "pilot_reflection", "pilot_note"):
        value = {"verb": verb, "pilot_id": 2**63, "number": 2**63, "text": "Godt", "worked": "Ja"}
        await chat.post(fx.card_submit(bot_connector.url, value))
        reply = bot_connector.requests[-1].text
        assert "alt for stort" in reply or "hvilken pilot" in reply, verb
