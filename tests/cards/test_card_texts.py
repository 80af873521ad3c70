"""Issue 8, item 21: what the cards say and submit, through the real app over HTTP."""

from __future__ import annotations

import json
from pathlib import Path

from fakes.bot_connector import FakeBotConnector
from ground.texts import Texts
from storage.database import Database
from tests.bot.conftest import StartApp
from tests.cards.collect import METTE, monthly_prompt, settings_for, start_kompas
from tests.cards.test_renderer import adaptivecards_bundle, render
from tests.paths import PROJECT_ROOT

EMPTY_CONTACT_SHOWN = "(kontaktoplysning er ikke udfyldt endnu – spørg din leder)"


async def test_nothing_to_share_does_not_submit_what_was_typed(
    start_app: StartApp, bot_connector: FakeBotConnector, database: Database, database_url: str
) -> None:
    chat = await start_kompas(start_app, bot_connector, database_url)
    settings = settings_for(database_url)
    texts = Texts(PROJECT_ROOT / "content" / "templates")

    [card] = await monthly_prompt(chat, database, settings, texts)

    actions = {action["data"]["verb"]: action for action in card["actions"]}
    assert actions["experience_nothing"]["title"] == "Intet at dele denne måned"
    assert actions["experience_nothing"]["associatedInputs"] == "none"
    assert "associatedInputs" not in actions["experience_submit"]  # Send submits the inputs


async def test_in_the_renderer_nothing_to_share_posts_no_typed_text(
    start_app: StartApp,
    bot_connector: FakeBotConnector,
    database: Database,
    database_url: str,
    tmp_path: Path,
) -> None:
    adaptivecards_bundle()
    chat = await start_kompas(start_app, bot_connector, database_url)
    settings = settings_for(database_url)
    [card] = await monthly_prompt(
        chat, database, settings, Texts(PROJECT_ROOT / "content" / "templates")
    )

    # Microsoft's SDK types into every field and presses each button, as Web Chat would.
    seen = await render({"monthly prompt": card}, tmp_path)

    submits = seen["monthly prompt"]["submits"]
    nothing = set(submits["Intet at dele denne måned"])
    assert {"campaign", "verb"} <= nothing
    assert not [key for key in nothing if key.startswith(("used_for", "hard_text"))]
    assert any(key.startswith(("used_for", "hard_text")) for key in submits["Send"])


async def test_the_card_after_thumbs_down_has_a_title(
    start_app: StartApp, bot_connector: FakeBotConnector, database_url: str
) -> None:
    chat = await start_kompas(start_app, bot_connector, database_url)
    [answer] = await chat.say("Må jeg skrive et CPR-nummer i ChatGPT?")

    [card] = await chat.press(answer, "👎")

    title = card["body"][0]
    assert (title["type"], title["text"], title["weight"]) == (
        "TextBlock",
        "Manglede du et svar?",
        "Bolder",
    )
    assert all(e.get("text") != "" for e in card["body"] if e["type"] == "TextBlock")


async def test_an_empty_contact_is_shown_in_single_parentheses(
    start_app: StartApp, bot_connector: FakeBotConnector, database_url: str
) -> None:
    chat = await start_kompas(start_app, bot_connector, database_url)

    [card] = await chat.say("Må jeg skrive et CPR-nummer i ChatGPT?")

    shown = json.dumps(card, ensure_ascii=False)
    assert f"databeskyttelsesrådgiveren {EMPTY_CONTACT_SHOWN}" in shown
    assert "((" not in shown and "))" not in shown


async def test_digest_to_an_ambassador_without_an_organisation_says_one_true_thing(
    start_app: StartApp, bot_connector: FakeBotConnector, database_url: str
) -> None:
    chat = await start_kompas(start_app, bot_connector, database_url)

    await chat.say("digest")

    reply = chat.connector.requests[-1].text
    assert "ikke indlæst en organisationsoversigt" in reply
    assert "leder" not in reply.replace("ledelsesoverblik", "")  # not "you are not a leader"


async def test_digest_to_someone_who_is_neither_leader_nor_ambassador(
    start_app: StartApp, bot_connector: FakeBotConnector, database_url: str
) -> None:
    chat = await start_kompas(start_app, bot_connector, database_url, ambassadors=frozenset())

    await chat.say("digest")

    reply = chat.connector.requests[-1].text
    assert "hverken som leder eller som AI-ambassadør" in reply
    assert METTE.first_name not in reply
