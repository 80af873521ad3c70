"""Pilot figures rest on at least min_group respondents, zeros included (issue 8, item 16)."""

from __future__ import annotations

import re
from datetime import UTC, datetime

from digests.card import digest_card
from digests.page import DigestPages
from ground.texts import Texts
from insights.aggregate import DigestBuilder
from insights.anonymity import AnonymityRules
from insights.digest import Digest, PilotFigures, Suppressed
from insights.index import InsightsIndex
from insights.inputs import Decision, PilotRecord, PromptRecord
from organisation.model import OrgPerson, OrgTree, Unit, UnitKind

MONTH = "2026-10"
NOW = datetime(2026, 11, 3, tzinfo=UTC)


def _team_with_two_pilots() -> Digest:
    """Team T (12 people): pilot "Seks" answered by 6 (all "stop"), pilot "Fire" by 4."""
    tree = OrgTree.build(
        [Unit("t", "Team T", UnitKind.TEAM)],
        [OrgPerson(f"p{n}", f"Navn {n}", "t") for n in range(12)],
    )
    six = {f"p{n}": Decision.STOP for n in range(6)}
    four = {f"p{n}": Decision.STOP for n in range(6, 10)}
    pilots = [
        PilotRecord("1", MONTH, "t", "Seks", ratings=dict.fromkeys(six, 3), decisions=six),
        PilotRecord("2", MONTH, "t", "Fire", ratings=dict.fromkeys(four, 2), decisions=four),
    ]
    prompts = [PromptRecord(f"p{n}", MONTH) for n in range(12)]
    index = InsightsIndex(tree, AnonymityRules(5, 10), prompts, pilots=pilots)
    return DigestBuilder(index).digest("t", MONTH)


def _shown(figures: PilotFigures) -> list[object]:
    return [
        value
        for value in (
            figures.respondents,
            figures.average_rating,
            figures.continue_,
            figures.adjust,
            figures.stop,
            figures.recommend_yes,
            figures.recommend_maybe,
            figures.recommend_no,
        )
        if not isinstance(value, Suppressed)
    ]


def test_a_four_person_pilot_shows_no_figure_not_even_a_zero(
    texts: Texts, pages: DigestPages
) -> None:
    digest = _team_with_two_pilots()
    by_title = {p.title: p.figures for p in digest.pilots.pilots}

    assert _shown(by_title["Fire"]) == []
    # The team total minus a shown six-person pilot would give the four-person pilot away,
    # so the six-person pilot is withheld too (complementary suppression).
    assert _shown(by_title["Seks"]) == []
    assert digest.pilots.total.respondents == 10
    html = pages.render(digest, now=NOW)
    lines = re.findall(r"<p>Svar: (.*?)</p>", html, re.DOTALL)
    shown = [re.sub(r"<[^>]+>", "", line) for line in lines]
    assert len(shown) == 2 and not any(re.search(r"\d", line) for line in shown), shown
    card = digest_card(texts, digest, "http://127.0.0.1:3978/digests/x?t=1.y", NOW, UTC)
    assert "Pilotforsøg" in card.sections[0].text


def test_a_pilot_answered_by_one_more_person_does_not_show_their_answer(
    pages: DigestPages,
) -> None:
    tree = OrgTree.build(
        [Unit("t", "Team T", UnitKind.TEAM)],
        [OrgPerson(f"p{n}", f"Navn {n}", "t") for n in range(12)],
    )
    october = {f"p{n}": Decision.CONTINUE for n in range(6)}
    november = {**october, "p6": Decision.STOP}
    pilots = [
        PilotRecord("1", "2026-09", "t", "Seks", decisions=october),
        PilotRecord("1", MONTH, "t", "Seks", decisions=november),
    ]
    prompts = [PromptRecord(f"p{n}", m) for n in range(12) for m in ("2026-09", MONTH)]
    index = InsightsIndex(tree, AnonymityRules(5, 10), prompts, pilots=pilots)
    builder = DigestBuilder(index)

    assert builder.digest("t", "2026-09").pilots.pilots[0].figures.continue_ == 6
    digest = builder.digest("t", MONTH)

    figures = digest.pilots.pilots[0].figures
    assert _shown(figures) == []  # stop 0 → 1 would be p6's decision
    assert isinstance(figures.stop, Suppressed) and figures.stop.kind.value == "changed"
    assert "forskellen ville vise netop deres svar" in pages.render(digest, now=NOW)
