"""Every card Kompas sends passes Microsoft's Adaptive Cards renderer in headless Chromium.

The cards come from the real app (tests.cards.collect); the renderer is the `adaptivecards`
npm package that `make browser` installs with `npm ci --prefix tests/cards`. A card that
fails the SDK's validation is shown by Web Chat as an empty bubble, so any parse or
validation event, an exception or a card that renders nothing fails the test.
"""

from __future__ import annotations

import html
import json
import os
import re
from pathlib import Path
from typing import Any

import pytest

from fakes.bot_connector import FakeBotConnector
from storage.database import Database
from tests.bot.conftest import StartApp
from tests.cards.collect import every_card
from tests.digests.test_browser import run_chromium

HERE = Path(__file__).parent
BUNDLE = HERE / "node_modules" / "adaptivecards" / "dist" / "adaptivecards.min.js"
PAGE = HERE / "render.html"
EVERY_KIND = {
    "answer",
    "no answer, Mente du …?",
    "help",
    "feedback",
    "ambassadors' post",
    "monthly prompt",
    "share experience",
    "my data",
    "export",
    "delete confirmation",
    "pilot create",
    "pilot check-in",
    "pilot reflection",
    "pilot note (refleksion)",
    "pilot status",
    "digest",
    "ambassador finder",
    "idea bank",
    "learning draft",
    "learning edit",
    "learning post",
}
_REPORT = re.compile(r'<pre id="report">(.*?)</pre>', re.DOTALL)


def adaptivecards_bundle() -> str:
    """The SDK's browser bundle; fails on CI and skips elsewhere when it is not installed."""
    if BUNDLE.exists():
        return BUNDLE.read_text(encoding="utf-8")
    reason = "the adaptivecards npm package is missing (make browser: npm ci --prefix tests/cards)"
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(f"{reason}; .ci/run must install it")
    pytest.skip(reason)


async def render(cards: dict[str, dict[str, Any]], tmp_path: Path) -> dict[str, dict[str, Any]]:
    """Card name → what the renderer said: problems, rendered text, height, input ids."""
    payload = json.dumps(cards, ensure_ascii=False).replace("</", "<\\/")
    bundle = adaptivecards_bundle().replace("</script", "<\\/script")
    page = PAGE.read_text(encoding="utf-8")
    page = page.replace("/*ADAPTIVECARDS*/", bundle).replace("/*CARDS*/", payload)
    path = tmp_path / "cards.html"
    path.write_text(page, encoding="utf-8")
    dom, console = await run_chromium(path.as_uri(), tmp_path / "profile", "--dump-dom")
    found = _REPORT.search(dom)
    assert found and found.group(1), (console, dom[-2000:])
    assert console == [], console
    return {entry["name"]: entry for entry in json.loads(html.unescape(found.group(1)))}


def problems_of(card: dict[str, Any], seen: dict[str, Any]) -> list[str]:
    """Everything wrong with one rendered card (empty when Web Chat would show it fully)."""
    problems = list(seen["problems"])
    if seen["height"] <= 0 or not seen["text"]:
        problems.append("rendered nothing visible")
    title = card["body"][0].get("text", "") if card.get("body") else ""
    if not title or title not in seen["text"]:
        problems.append(f"the title {title!r} is not shown")
    return problems


async def test_the_renderer_check_catches_invalid_and_empty_cards(tmp_path: Path) -> None:
    """Guards the check below with two hand-made bad cards (a required input without an
    errorMessage, and an empty card)."""
    required = {"id": "navn", "type": "Input.Text", "label": "Navn", "isRequired": True}
    cards: dict[str, dict[str, Any]] = {
        "required": {
            "type": "AdaptiveCard",
            "version": "1.5",
            "body": [{"type": "TextBlock", "text": "Titel"}, required],
        },
        "empty": {"type": "AdaptiveCard", "version": "1.5", "body": []},
    }

    seen = await render(cards, tmp_path)

    assert problems_of(cards["required"], seen["required"])
    assert problems_of(cards["empty"], seen["empty"])


async def test_every_card_kompas_sends_renders_without_validation_errors(
    start_app: StartApp,
    bot_connector: FakeBotConnector,
    database: Database,
    database_url: str,
    tmp_path: Path,
) -> None:
    adaptivecards_bundle()  # skip before the set-up when the renderer is not installed
    cards = await every_card(start_app, bot_connector, database, database_url)
    assert set(cards) == EVERY_KIND

    seen = await render(cards, tmp_path)

    problems = {name: problems_of(cards[name], seen[name]) for name in cards}
    assert {name: found for name, found in problems.items() if found} == {}
    # Inputs keep their ids through the renderer (they come back in the submission), and no
    # two inputs of a card share one.
    for name, card in cards.items():
        ids = [e["id"] for e in card["body"] if e.get("type", "").startswith("Input.")]
        assert seen[name]["inputs"] == ids, name
        assert len(set(ids)) == len(ids), name
