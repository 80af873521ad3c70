"""Property: no rendered digest (page or card) shows a head count between 1 and min_group − 1,
an unconsented quote, or a name that did not consent."""

from __future__ import annotations

import re
from datetime import UTC, datetime

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from digests.card import digest_card
from digests.page import DigestPages
from ground.texts import Texts
from insights.aggregate import DigestBuilder
from insights.index import InsightsIndex
from insights.inputs import Consent
from tests.insights.test_anonymity_properties import MONTHS, World, worlds

NOW = datetime(2026, 3, 1, tzinfo=UTC)
# Head counts on the page: key-figure tiles and right-aligned table cells (changes carry a
# sign, rates a %, averages a comma, so a bare whole number is a number of people).
_COUNTS = re.compile(r'<(?:td class="n"|div class="tile"><b)>(\d+)<')
_CARD_COUNTS = re.compile(r"\*\*(\d+) af (\d+)\*\*")
_CARD_ASKED = re.compile(r"\*\*(\d+)\*\* blev spurgt")


def _check(world: World, html: str, card: str) -> None:
    m = world.rules.min_group
    counts = [int(n) for n in _COUNTS.findall(html)]
    counts += [int(n) for pair in _CARD_COUNTS.findall(card) for n in pair]
    counts += [int(n) for n in _CARD_ASKED.findall(card)]
    assert all(n == 0 or n >= m for n in counts), counts
    month = [a for a in world.answers if a.month == MONTHS[-1] and a.text]
    named = {a.author_name for a in month if a.consent is Consent.QUOTE_NAMED}
    shown_names = set(re.findall(r"<footer>– (Navn \d+)", html))
    assert shown_names <= named
    quoted = re.findall(r"<blockquote>\s*<p>(.*?)</p>", html, re.DOTALL)
    assert set(quoted) <= {a.text for a in month if a.consent is not Consent.ANONYMOUS}


@settings(max_examples=8, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(world=worlds(), pick=st.randoms(use_true_random=False))
def test_rendered_digests_show_no_small_figures(
    world: World, pick: object, texts: Texts, pages: DigestPages
) -> None:
    index = InsightsIndex(world.tree, world.rules, world.prompts, world.answers)
    builder = DigestBuilder(index, texts, trend_months=2)
    units = list(world.tree.units)
    chosen = {units[0], *pick.sample(units, 1)}  # type: ignore[attr-defined]
    for unit_id in chosen:
        digest = builder.digest(unit_id, MONTHS[-1])
        html = pages.render(digest, now=NOW)
        card = digest_card(texts, digest, "http://127.0.0.1:3978/digests/x?t=1.y", NOW, UTC)
        _check(world, html, card.sections[0].text)
