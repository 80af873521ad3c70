"""Digests with known answers: exact numbers, empty and tiny months, new and small units."""

from __future__ import annotations

from ground.texts import Texts
from insights.aggregate import DigestBuilder, previous_months
from insights.anonymity import AnonymityRules
from insights.digest import Suppressed, SuppressionKind
from insights.index import InsightsIndex
from insights.inputs import AnswerRecord, Consent, PromptRecord, QuestionGapRecord
from organisation.model import OrgTree

OCT, NOV = "2026-10", "2026-11"


def _people(tree: OrgTree, unit: str) -> list[str]:
    return [p for p in tree.members(unit) if not p.startswith("lead")]


def _records(tree: OrgTree) -> tuple[list[PromptRecord], list[AnswerRecord]]:
    prompts, answers = [], []
    a1, a2 = _people(tree, "a1"), _people(tree, "a2")
    for month in (OCT, NOV):
        for unit in ("a1", "a2", "b1", "b2"):
            prompts += [PromptRecord(p, month) for p in _people(tree, unit)]
        # a1: 10 of 20 answer, 5 of them "intet at dele"; a2: all 10 answer, 5 "intet at dele"
        answers += [AnswerRecord(p, month, nothing_to_share=True) for p in a1[:5] + a2[:5]]
        barrier = ("regler",) if month == NOV else ()
        answers += [
            AnswerRecord(p, month, task_types=("moedereferater",), gains=("tid",), barriers=barrier)
            for p in a1[5:10]
        ]
        answers += [
            AnswerRecord(p, month, task_types=("oversaettelse",), gains=("tid",), barriers=barrier)
            for p in a2[5:10]
        ]
        answers += [AnswerRecord(p, month, task_types=("andet",)) for p in _people(tree, "b1")]
        answers += [AnswerRecord(p, month, task_types=("andet",)) for p in _people(tree, "b2")]
    return prompts, answers


def _builder(tree: OrgTree, texts: Texts | None = None, **records: object) -> DigestBuilder:
    prompts, answers = _records(tree)
    index = InsightsIndex(
        tree,
        AnonymityRules(5, 10),
        prompts=records.get("prompts", prompts),  # type: ignore[arg-type]
        answers=records.get("answers", answers),  # type: ignore[arg-type]
        gaps=records.get("gaps", ()),  # type: ignore[arg-type]
    )
    return DigestBuilder(index, texts, labels={"barriers": {"regler": "Usikkerhed om reglerne"}})


def test_known_counts_give_exact_numbers(tree: OrgTree, texts: Texts) -> None:
    digest = _builder(tree, texts).digest("a", NOV)

    now = digest.current
    assert (now.asked, now.answered, now.nothing_to_share, now.shared, now.not_answered) == (
        30,
        20,
        10,
        10,
        10,
    )
    assert digest.months == previous_months(NOV, 6)
    assert [row.unit.id for row in digest.units] == ["a1", "a2"]
    a1, a2 = digest.units
    assert (a1.participation.asked, a1.participation.answered) == (20, 10)
    assert (a2.participation.not_answered, a2.participation.nothing_to_share) == (0, 5)
    regler = next(s for s in digest.barriers if s.key == "regler")
    assert (regler.label, regler.current, regler.previous, regler.change) == (
        "Usikkerhed om reglerne",
        10,
        0,
        10,
    )
    assert [s.key for s in digest.task_types[:2]] == ["moedereferater", "oversaettelse"]
    assert digest.folded[0].unit.id == "a3"
    assert digest.folded[0].marker.kind is SuppressionKind.NO_DATA
    assert "ny enhed" in digest.folded[0].marker.reason
    cross = {(p.category, p.key): [u.id for u in p.units] for p in digest.cross_unit}
    assert cross[("barriers", "regler")] == ["a1", "a2"]
    assert digest.next_steps[0].key == "barrier"
    assert "Team A1 og Team A2" in digest.next_steps[0].text
    assert 2 <= len(digest.next_steps) <= 3
    assert isinstance(digest.themes, Suppressed) and isinstance(digest.quotes, Suppressed)


def test_small_units_are_folded_into_their_parent(tree: OrgTree) -> None:
    builder = _builder(tree)
    b = builder.digest("b", NOV)
    k = builder.digest("k", NOV)
    b1 = builder.digest("b1", NOV)

    assert b.units == ()  # b1 alone would show b2's 2 people as b − b1
    assert {f.unit.id: f.marker.kind for f in b.folded} == {
        "b1": SuppressionKind.FOLDED,
        "b2": SuppressionKind.FOLDED,
    }
    assert b.current.asked == 8
    assert [row.unit.id for row in k.units] == ["a", "b"]
    assert k.current.asked == 38
    assert isinstance(b1.scope_marker, Suppressed)
    assert b1.scope_marker.kind is SuppressionKind.FOLDED
    assert isinstance(b1.current.asked, Suppressed)
    assert b1.units == () and b1.next_steps == ()


def test_an_empty_month_and_a_single_respondent(tree: OrgTree, texts: Texts) -> None:
    a1 = _people(tree, "a1")
    builder = _builder(
        tree,
        texts,
        prompts=[PromptRecord(p, NOV) for p in a1],
        answers=[AnswerRecord(a1[0], NOV, task_types=("andet",), barriers=("teknik",))],
    )
    digest = builder.digest("a", NOV)

    empty = digest.participation[0]
    assert isinstance(empty.asked, Suppressed) and empty.asked.kind is SuppressionKind.NO_DATA
    assert "Ingen blev spurgt" in empty.asked.reason
    now = digest.current
    assert now.asked == 20
    assert isinstance(now.answered, Suppressed) and isinstance(now.not_answered, Suppressed)
    assert now.answered.kind is SuppressionKind.SMALL_GROUP
    teknik = next(s for s in digest.barriers if s.key == "teknik")
    assert isinstance(teknik.current, Suppressed)
    assert isinstance(teknik.change, Suppressed)
    assert teknik.change.kind is SuppressionKind.NOT_COMPARABLE
    assert digest.next_steps[-1].key == "celebrate"


def test_free_text_needs_ten_people_and_quotes_need_consent(tree: OrgTree) -> None:
    a1, a2 = _people(tree, "a1"), _people(tree, "a2")
    writers = a1[:8] + a2[:5]
    answers = [
        AnswerRecord(
            p,
            NOV,
            task_types=("moedereferater",),
            text=f"Vi skrev mødereferater med Copilot i teamet, nummer {i}",
            consent=Consent.ANONYMOUS,
            author_name=f"Navn {i}",
        )
        for i, p in enumerate(writers)
    ]
    answers[0] = AnswerRecord(
        a1[0],
        NOV,
        text="Mødereferater gik hurtigt",
        consent=Consent.QUOTE_NAMED,
        author_name="Mette",
    )
    answers[1] = AnswerRecord(
        a1[1],
        NOV,
        text="Ring 12 34 56 78, mødereferater",
        consent=Consent.QUOTE_ANONYMOUS,
        author_name="Bo",
    )
    question = "Må jeg bruge Copilot til referater fra MED-udvalget?"
    gaps = [QuestionGapRecord(question, p, NOV, unanswered=True) for p in writers[:11]]
    gaps += [QuestionGapRecord("Hvor gemmes mine data?", p, NOV, thumbs_down=True) for p in a2[:3]]
    builder = _builder(
        tree, prompts=[PromptRecord(p, NOV) for p in a1 + a2], answers=answers, gaps=gaps
    )

    digest = builder.digest("a", NOV)
    small = builder.digest("a2", NOV)

    assert isinstance(digest.quotes, tuple)
    assert {(q.text, q.author) for q in digest.quotes} == {
        ("Mødereferater gik hurtigt", "Mette"),
        ("Ring [telefonnummer fjernet], mødereferater", None),
    }
    assert isinstance(digest.themes, tuple) and digest.themes
    assert any("mødereferater" in theme.terms for theme in digest.themes)
    assert any(theme.across_units for theme in digest.themes)
    assert isinstance(digest.knowledge_gaps, tuple)
    assert [g.question for g in digest.knowledge_gaps] == [question]
    assert digest.knowledge_gaps[0].unanswered and not digest.knowledge_gaps[0].thumbs_down
    for section in (small.themes, small.quotes, small.knowledge_gaps):
        assert isinstance(section, Suppressed) and section.kind is SuppressionKind.FEW_TEXTS


def test_leader_digests_cover_every_top_led_unit(tree: OrgTree) -> None:
    digests = _builder(tree).leader_digests(NOV)
    assert set(digests) == {("lead-a", "a"), ("lead-k", "k")}
