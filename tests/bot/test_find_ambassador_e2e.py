""" "Hvem er AI-ambassadør hos os?" over /api/messages: the imported organisation names Mette's
ambassador, with a link that opens a 1:1 chat in Teams (both SDKs)."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

from bot.app import create_app
from fakes.bot_connector import FakeBotConnector
from ground.settings import Settings
from organisation.loading import load_organisation
from organisation.tree_store import OrganisationStore
from storage.database import Database
from tests.bot import activities as fx
from tests.bot.conftest import StartApp
from tests.conftest import on_sdk
from tests.paths import PROJECT_ROOT

# Mette (the sender of tests.bot.activities) joins Hjemmepleje Nord of the example kommune,
# whose AI-ambassador is Maja Modelby; the file is imported as `kompas org import` does.
METTE = f"""
  - id: p900
    name: {fx.USER["name"]}
    email: mette.jensen@eksempel-kommune.example
    aad_object_id: {fx.USER["aadObjectId"]}
    unit: t-hjem-nord
"""
MAJA_UPN = "maja.modelby@eksempel-kommune.example"
_LINK = re.compile(r"\[([^\]]+)\]\((https://[^)\s]+)\)")


def texts_of(card: dict[str, Any]) -> str:
    """Every TextBlock of a card, in order."""
    found: list[str] = []

    def walk(elements: list[dict[str, Any]]) -> None:
        for element in elements:
            if element.get("type") == "TextBlock":
                found.append(str(element["text"]))
            walk(element.get("items") or [])

    walk(card.get("body") or [])
    return "\n".join(found)


async def import_example_with_mette(database: Database, tmp_path: Path) -> None:
    example = (PROJECT_ROOT / "content" / "org.yml").read_text(encoding="utf-8")
    org_file = tmp_path / "org.yml"
    org_file.write_text(example.rstrip("\n") + METTE, encoding="utf-8")
    await OrganisationStore(database).replace_tree(load_organisation(org_file), str(org_file))


async def test_mette_asks_who_her_ambassador_is_and_gets_a_working_chat_link(
    teams_sdk: str,
    start_app: StartApp,
    bot_connector: FakeBotConnector,
    database: Database,
    database_url: str,
    tmp_path: Path,
) -> None:
    await import_example_with_mette(database, tmp_path)
    kompas = await start_app(
        create_app(on_sdk(Settings(database_url=database_url), teams_sdk), run_scheduler=False)
    )

    question = fx.personal_message(bot_connector.url, "hvem er AI-ambassadør hos os?")
    assert (await kompas.post_activity(question)).status == 200
    [reply] = await bot_connector.wait_for(1)

    assert reply.conversation_id == fx.PERSONAL_CONVERSATION
    [card] = reply.cards
    text = texts_of(card)
    assert card["body"][0]["text"] == "AI-ambassadører tæt på dig"
    assert "Hjemmepleje Nord" in text
    [(name, url)] = _LINK.findall(text)
    assert name == "Maja Modelby"
    link = urlsplit(url)
    assert (link.scheme, link.netloc, link.path) == ("https", "teams.microsoft.com", "/l/chat/0/0")
    assert parse_qs(link.query) == {"users": [MAJA_UPN]}
    assert "%40" in link.query  # the UPN is URL-encoded


async def test_a_guideline_question_about_ambassadors_still_gets_the_guideline(
    teams_sdk: str,
    start_app: StartApp,
    bot_connector: FakeBotConnector,
    database: Database,
    database_url: str,
    tmp_path: Path,
) -> None:
    await import_example_with_mette(database, tmp_path)
    kompas = await start_app(
        create_app(on_sdk(Settings(database_url=database_url), teams_sdk), run_scheduler=False)
    )

    question = fx.personal_message(bot_connector.url, "Hvad laver en AI-ambassadør?")
    assert (await kompas.post_activity(question)).status == 200
    [reply] = await bot_connector.wait_for(1)

    [card] = reply.cards
    assert card["body"][0]["text"] == "Roller og ansvar"
