"""The Slack Home tab: reminders and data for everyone, pilots and questions for ambassadors,
the digest for leaders; its buttons are answered in the person's DM and refresh the tab."""

from __future__ import annotations

import json
from datetime import date, timedelta
from typing import Any

from bot.slack.modals import view_problems
from digests.digest_store import scrub_withdrawn_quotes
from digests.service import DigestService
from fakes.slack_api import FakeSlackApi, SlackCall
from ground.messages import Person
from ground.settings import Settings
from ground.texts import Texts
from pilots.schedule import planned_end
from storage.conversation_store import Store
from storage.database import Database
from storage.experience_store import ExperienceStore
from storage.pilot_records import NewPilot
from storage.pilot_store import PilotStore
from tests.bot.conftest import StartApp
from tests.bot.slack import requests as slack
from tests.bot.slack.conftest import SlackKompas, slack_settings, start_slack_kompas
from tests.bot.slack.test_edge import nothing_more_arrives
from tests.digests.support import MONTH, seed_world
from tests.paths import PROJECT_ROOT

METTE = Person("slack", slack.USER_ID, tenant_id=slack.TEAM_ID)
LINK_SECRET = "home-tab-link-secret-0123456789abcdef"
TEXTS = Texts(PROJECT_ROOT / "content" / "templates")


def label(key: str) -> str:
    return TEXTS.label("slack_home", key)


def text_of(view: dict[str, Any]) -> str:
    return json.dumps(view["blocks"], ensure_ascii=False)


def button(view: dict[str, Any], title: str) -> dict[str, Any]:
    [found] = [
        element
        for block in view["blocks"]
        if block["type"] == "actions"
        for element in block["elements"]
        if element["text"]["text"] == title
    ]
    return found


async def open_home(kompas: SlackKompas, slack_api: FakeSlackApi) -> dict[str, Any]:
    published = len(slack_api.made("views.publish"))
    assert (await kompas.send(slack.app_home_opened("home")))[0] == 200
    return (await slack_api.wait_for(published + 1, method="views.publish"))[-1].view


def mette_an_ambassador(database_url: str, slack_api: FakeSlackApi) -> Settings:
    """Slack configured, and Mette (who presses) one of the AI-ambassadors."""
    return slack_settings(database_url, slack_api).with_overrides(
        ambassadors=frozenset({slack.USER_ID})
    )


def in_dm(call: SlackCall) -> bool:
    return call.method == "chat.postMessage" and call.channel == slack.DM_CHANNEL


async def test_a_leaders_home_tab_links_the_latest_digest_within_slacks_limits(
    start_app: StartApp, database: Database, database_url: str, slack_api: FakeSlackApi
) -> None:
    await seed_world(database)  # Lars leads Center A
    slack_api.profiles[slack.USER_ID] = {"real_name": "Lars Leder", "email": "lars@test.example"}
    settings = slack_settings(database_url, slack_api).with_overrides(link_secret=LINK_SECRET)
    await DigestService(database, TEXTS, settings).compute_month(MONTH)
    kompas = await start_slack_kompas(start_app, settings)

    view = await open_home(kompas, slack_api)

    assert view_problems(view) == []
    text = text_of(view)
    assert "Spørgsmål om AI-reglerne" in text and "Digest* (for ledere)" in text
    assert "/digests/" in text  # the signed link to his latest digest
    assert label("pilots") not in text  # he is no ambassador
    assert json.loads(view["private_metadata"]) == {"dm": slack.DM_CHANNEL}


async def test_an_ambassadors_home_tab_shows_her_pilots_and_the_open_questions(
    start_app: StartApp, database: Database, database_url: str, slack_api: FakeSlackApi
) -> None:
    settings = mette_an_ambassador(database_url, slack_api)
    start = date.today() - timedelta(weeks=1)
    pilot = NewPilot(
        "Copilot til breve", "", "", "", "Klar samme dag", start, 4, 7, planned_end(start, 4)
    )
    await Store(database).remember_person(METTE)
    await PilotStore(database, scrub_withdrawn_quotes).create_pilot(METTE, pilot, [])
    kompas = await start_slack_kompas(start_app, settings)
    await kompas.send(slack.direct_message("Hvornår har kantinen åbent?", user=slack.OTHER_USER_ID))
    [unknown] = await slack_api.wait_for(1)
    ask = next(b for b in unknown.buttons() if "ask_ambassador" in b["value"])
    await kompas.send(slack.block_actions(ask, user=slack.OTHER_USER_ID))
    await slack_api.wait_for(2)  # the asker is told it went to the ambassadors

    view = await open_home(kompas, slack_api)

    assert view_problems(view) == []
    text = text_of(view)
    assert "Copilot til breve" in text  # her pilot
    assert "Hvornår har kantinen åbent?" in text  # the open question, waiting for someone


async def test_pausing_the_questions_on_the_home_tab_answers_in_the_dm_and_turns_the_button(
    kompas: SlackKompas, slack_api: FakeSlackApi, database: Database, store: Store
) -> None:
    view = await open_home(kompas, slack_api)

    pressed = slack.home_actions(button(view, label("pause")), view)
    assert (await kompas.send(pressed))[0] == 200

    [published] = (await slack_api.wait_for(2, method="views.publish"))[1:]
    [told] = [call for call in slack_api.posted if in_dm(call)]
    assert TEXTS.render("reminders_paused", changed=True).split(".")[0] in told.text
    assert button(published.view, label("resume"))  # the tab now offers to turn them on
    mette = await store.remember_person(METTE)
    assert await ExperienceStore(database, scrub_withdrawn_quotes).is_opted_out(mette)


async def test_data_asked_for_on_the_home_tab_arrives_in_the_dm_only(
    kompas: SlackKompas, slack_api: FakeSlackApi
) -> None:
    await kompas.send(slack.direct_message("del erfaring"))  # something of Mette's is stored
    await slack_api.wait_for(1)
    view = await open_home(kompas, slack_api)

    for title in (label("my_data_show"), label("my_data_export")):
        await kompas.send(slack.home_actions(button(view, title), view))
    answers = (await slack_api.wait_for(3))[1:]

    assert all(in_dm(call) for call in answers)
    assert any("Eksport" in call.all_text() for call in answers)


async def test_the_first_open_of_the_home_tab_welcomes_once(
    start_app: StartApp, database_url: str, slack_api: FakeSlackApi
) -> None:
    settings = slack_settings(database_url, slack_api)
    kompas = await start_slack_kompas(start_app, settings, deliver_outbox=True)

    for _ in range(3):
        await open_home(kompas, slack_api)

    [welcome] = await slack_api.wait_for(1, timeout=15)
    assert "Hej" in welcome.all_text() and welcome.channel == slack.USER_ID
    await nothing_more_arrives(slack_api, len(slack_api.calls))
    assert len(slack_api.posted) == 1
    # The tab and the welcome needed her profile at the same moment: Slack was asked once.
    assert slack_api.lookups == [slack.USER_ID]


async def test_a_pilot_extended_on_the_home_tab_takes_the_weeks_chosen_on_its_own_card(
    start_app: StartApp, database: Database, database_url: str, slack_api: FakeSlackApi
) -> None:
    settings = mette_an_ambassador(database_url, slack_api)
    start = date.today() - timedelta(weeks=1)
    await Store(database).remember_person(METTE)
    pilots = PilotStore(database, scrub_withdrawn_quotes)
    for title in ("Copilot til breve", "AI til referater"):
        pilot = NewPilot(title, "", "", "", "Klar samme dag", start, 4, 7, planned_end(start, 4))
        await pilots.create_pilot(METTE, pilot, [])
    kompas = await start_slack_kompas(start_app, settings)
    view = await open_home(kompas, slack_api)
    assert view_problems(view) == []  # each pilot's weeks choice has its own block id
    weeks = [b for b in view["blocks"] if b["type"] == "input"]
    assert len(weeks) == 2  # "weeks" on both cards, kept apart by their parts
    chosen = {
        block["block_id"]: {
            block["element"]["action_id"]: {
                "type": block["element"]["type"],
                "selected_option": {"value": value},
            }
        }
        for block, value in zip(weeks, ("1", "4"), strict=True)
    }
    extends = [
        element
        for block in view["blocks"]
        if block["type"] == "actions"
        for element in block["elements"]
        if "pilot_extend" in element.get("value", "")
    ]
    second = extends[1]  # the cards come in the order of the weeks inputs above
    before = {p.title: p.duration_weeks for p in await pilots.pilots_owned_by(METTE)}

    await kompas.send(slack.home_actions(second, view, values=chosen))

    await slack_api.wait_for(2, method="views.publish")
    after = {p.title: p.duration_weeks for p in await pilots.pilots_owned_by(METTE)}
    changed = {title for title in after if after[title] != before[title]}
    assert len(changed) == 1
    [title] = changed
    assert after[title] - before[title] == 4  # its own card's choice of weeks, not the other's 1
