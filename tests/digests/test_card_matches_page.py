"""The digest card in chat and the page tell the same story about participation (issue 8, 17)."""

from __future__ import annotations

import re
from datetime import UTC, datetime

from digests.card import digest_card
from digests.page import DigestPages
from ground.texts import Texts
from insights.aggregate import DigestBuilder
from insights.anonymity import AnonymityRules
from insights.index import InsightsIndex
from insights.inputs import AnswerRecord, PromptRecord
from organisation.model import OrgPerson, OrgTree, Unit, UnitKind

MONTH = "2026-10"
NOW = datetime(2026, 11, 3, tzinfo=UTC)
URL = "http://127.0.0.1:3978/digests/x?t=1.y"


def _team_of_31_with_3_answers() -> DigestBuilder:
    tree = OrgTree.build(
        [Unit("t", "Team T", UnitKind.TEAM)],
        [OrgPerson(f"p{n}", f"Navn {n}", "t") for n in range(31)],
    )
    prompts = [PromptRecord(f"p{n}", MONTH) for n in range(31)]
    answers = [AnswerRecord(f"p{n}", MONTH, task_types=("andet",)) for n in range(3)]
    return DigestBuilder(InsightsIndex(tree, AnonymityRules(5, 10), prompts, answers))


def test_card_shows_asked_when_answered_is_withheld(texts: Texts, pages: DigestPages) -> None:
    digest = _team_of_31_with_3_answers().digest("t", MONTH)
    assert digest.current.asked == 31 and not isinstance(digest.current.answered, int)

    html = pages.render(digest, now=NOW)
    card = digest_card(texts, digest, URL, NOW, UTC).sections[0].text

    assert re.search(r'<div class="tile"><b>31</b><span class="label">blev spurgt', html)
    assert "Ingen blev spurgt" not in card
    assert "**31** blev spurgt" in card
    assert "vises ikke" in card


def test_card_says_anyone_with_the_link_can_open_it(texts: Texts) -> None:
    digest = _team_of_31_with_3_answers().digest("t", MONTH)

    card = digest_card(texts, digest, URL, NOW, UTC).sections[0].text

    assert "Alle, der har linket, kan åbne siden" in card
