"""Property tests: the post and the idea bank never show a figure, quote or unit below the
thresholds, alone or compared with every digest of the month (random organisations)."""

from __future__ import annotations

from dataclasses import replace

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ground.texts import Texts
from insights.aggregate import DigestBuilder
from insights.digest import Digest
from insights.index import InsightsIndex
from insights.inputs import Consent
from learning.ideas import shown_unit
from learning.post import draft_payload
from tests.insights.attacks import possible_authors
from tests.insights.test_anonymity_properties import MONTHS, World, worlds
from tests.paths import PROJECT_ROOT

MONTH = MONTHS[1]
TEXTS = Texts(PROJECT_ROOT / "content" / "templates")


@st.composite
def unique_texts(draw: st.DrawFn) -> World:
    """A random world whose free texts are each person's own (so a text names its author
    to whoever learns where it was written)."""
    world = draw(worlds())
    answers = [
        replace(answer, text=f"{answer.text} {answer.person_key}") if answer.text else answer
        for answer in world.answers
    ]
    return replace(world, answers=answers)


def _month(world: World) -> tuple[InsightsIndex, dict[str, Digest]]:
    index = InsightsIndex(world.tree, world.rules, world.prompts, world.answers)
    builder = DigestBuilder(index, trend_months=2)
    return index, {unit_id: builder.digest(unit_id, MONTH) for unit_id in world.tree.units}


SETTINGS = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@SETTINGS
@given(unique_texts())
def test_a_post_shows_only_what_the_organisation_digest_shows(world: World) -> None:
    index, digests = _month(world)
    writers = dict(index.writers(MONTH))
    rules = world.rules
    for root in world.tree.roots:
        digest = digests[root]
        payload = draft_payload(TEXTS, digest, "februar 2026", {})
        shown = {
            (s.label, s.current)
            for series in (digest.task_types, digest.gains, digest.barriers)
            for s in series
        }
        quotes = digest.quotes if isinstance(digest.quotes, tuple) else ()
        for item in payload["items"]:
            for key in ("count", "total", "recommend_yes", "respondents"):
                value = item.get(key)
                if isinstance(value, int):
                    assert value == 0 or value >= rules.min_group, item
            if item["kind"] == "participation":
                assert (item["count"], item["total"]) == (
                    digest.current.answered,
                    digest.current.asked,
                )
            elif item["kind"] in {"use", "gain", "barrier"}:
                assert (item["label"], item["count"]) in shown
            elif item["kind"] == "quote":
                [quote] = [q for q in quotes if q.text == item["text"]]
                assert item["author"] == quote.author
                authors = possible_authors(world.tree, writers, digests.values(), item["text"])
                assert len(authors) >= rules.min_text_group


@SETTINGS
@given(unique_texts())
def test_an_idea_names_a_unit_only_where_enough_wrote_even_beside_the_digests(
    world: World,
) -> None:
    index, digests = _month(world)
    layout = index.text_layout(MONTH)
    writers = dict(index.writers(MONTH))
    for answer in world.answers:
        if answer.month != MONTH or not answer.text or answer.consent is Consent.ANONYMOUS:
            continue
        unit = writers.get(answer.person_key)
        name = shown_unit(world.tree, layout, unit)
        if name is None:
            continue
        cell = layout.cell_of(unit) if unit else None
        in_cell = {w for w, u in writers.items() if layout.cell_of(u) == cell}
        assert len(in_cell) >= world.rules.min_text_group
        # Beside every digest of the month, the author is still one of the cell's writers.
        authors = possible_authors(world.tree, writers, digests.values(), answer.text)
        assert len(authors & in_cell) >= world.rules.min_text_group
