"""Scoring pieces: BM25F, the topic language model, fusion and the calibrated decision."""

from __future__ import annotations

import math
from datetime import date
from pathlib import Path

import pytest

from knowledge.analysis import Concept
from knowledge.api import Topic
from knowledge.calibration import ANSWER_THRESHOLD, CALIBRATION, Evidence
from knowledge.index import KnowledgeBase
from knowledge.ranking import TopicModel, bm25f, idf, softmax, standardised

WEIGHTS = {"title": 3.0, "body": 1.0}


def document(title: dict[str, float], body: dict[str, float]) -> dict[str, dict[str, float]]:
    return {"title": title, "body": body}


def scores(postings: dict[str, list[tuple[int, float]]], term: str, count: int) -> list[float]:
    found = [0.0] * count
    for number, weight in postings.get(term, ()):
        found[number] = weight
    return found


def test_bm25f_prefers_the_field_that_says_what_a_topic_is_about() -> None:
    documents = [
        document({"prompt": 1}, {"tekst": 1}),
        document({"tekst": 1}, {"prompt": 1}),
        document({"ordbog": 1}, {"ordbog": 1}),
    ]
    postings = bm25f(documents, WEIGHTS, {"prompt": 1.0, "tekst": 1.0, "ordbog": 1.0}, 2.0, 0.75)
    in_title, in_body, absent = scores(postings, "prompt", 3)
    assert in_title > in_body > absent == 0.0


def test_bm25f_saturates_repetition() -> None:
    documents = [document({}, {"ai": 1}), document({}, {"ai": 10})]
    once, often = scores(bm25f(documents, WEIGHTS, {"ai": 1.0}, 2.0, 0.0), "ai", 2)
    assert once < often < 3 * once


def test_idf_is_positive_and_falls_with_frequency() -> None:
    assert idf(1, 19) > idf(10, 19) > idf(19, 19) > 0.0


def test_topic_model_rewards_a_topic_for_all_the_question_words() -> None:
    model = TopicModel(
        [
            {"title": {"billede": 1.0, "ophavsret": 1.0}, "body": {}},
            {"title": {"ophavsret": 1.0}, "body": {"kilde": 1.0}},
        ],
        WEIGHTS,
        smoothing=0.01,
    )
    question = [Concept("billede", {"billede": 1.0}), Concept("ophavsret", {"ophavsret": 1.0})]
    both, one = model.log_likelihoods(question)
    assert both > one
    unknown = [Concept("kantine", {"kantine": 1.0})]
    assert model.log_likelihoods(unknown) == [0.0, 0.0]  # words the content lacks are skipped
    # a looser match (a synonym or a typo) counts less than the word itself
    exact = model.log_likelihoods([Concept("kilde", {"kilde": 1.0})])
    loose = model.log_likelihoods([Concept("kilder", {"kilde": 0.8})])
    assert loose[1] == pytest.approx(exact[1] + math.log(0.8))


def test_fusion_helpers() -> None:
    z = standardised([1.0, 2.0, 3.0])
    assert sum(z) == pytest.approx(0.0)
    assert z[0] < z[1] < z[2]
    assert standardised([4.0, 4.0]) == [0.0, 0.0]
    posterior = softmax([-1.0, -2.0, -30.0])
    assert sum(posterior) == pytest.approx(1.0)
    assert posterior[0] > posterior[1] > posterior[2] > 0.0


def evidence(**values: float) -> Evidence:
    parts = {"coverage": 0.5, "similarity": 0.5, "domain": 0.5, "unknown": 0.0, "posterior": 0.5}
    parts["anchor"] = 0.5
    return Evidence(index=0, rank=0.0, **{**parts, **values})


@pytest.mark.parametrize("name", sorted(CALIBRATION))
def test_confidence_rises_with_every_calibrated_evidence(name: str) -> None:
    assert CALIBRATION[name] > 0
    assert evidence(**{name: 0.2}).confidence < evidence(**{name: 0.9}).confidence


def test_full_evidence_answers_and_none_does_not() -> None:
    full = evidence(coverage=1.0, similarity=1.0, domain=1.0, posterior=1.0, anchor=1.0)
    none = evidence(
        coverage=0.0, similarity=0.0, domain=0.0, posterior=0.0, unknown=1.0, anchor=0.0
    )
    assert full.confidence > 0.9 > ANSWER_THRESHOLD > 0.1 > none.confidence


def test_evidence_parts_are_shares(fixture_kb: KnowledgeBase) -> None:
    for question in ["Må jeg skrive et CPR-nummer i ChatGPT?", "kantinen", "billeder og kilder"]:
        found = fixture_kb.evidence(question)
        assert [e.rank for e in found] == sorted((e.rank for e in found), reverse=True)
        assert sum(e.posterior for e in found) == pytest.approx(1.0)
        for e in found:
            for share in (e.coverage, e.similarity, e.domain, e.unknown, e.posterior, e.anchor):
                assert 0.0 <= share <= 1.0


def test_anchor_is_the_share_a_topic_owns_of_the_question_s_word(
    fixture_kb: KnowledgeBase,
) -> None:
    found = fixture_kb.evidence("billeder")
    owners = [e for e in found if e.anchor > 0.0]
    assert owners and sum(e.anchor for e in owners) == pytest.approx(1.0)
    assert all(e.anchor == 0.0 for e in fixture_kb.evidence("kantinemenu"))


def test_words_unknown_to_the_whole_content_are_counted(fixture_kb: KnowledgeBase) -> None:
    (top, *_) = fixture_kb.evidence("kantinemenu")
    assert top.unknown == 1.0 and top.coverage == 0.0
    (top, *_) = fixture_kb.evidence("cpr kantinemenu")
    assert 0.0 < top.unknown < 1.0


def test_a_synonym_phrase_across_two_listed_questions_is_indexed(tmp_path: Path) -> None:
    topic = Topic(
        id="emne",
        title="Et emne",
        spor=1,
        owner="Digitalisering",
        reviewed=date(2026, 1, 1),
        questions=("hvad er kunstig", "intelligens i ordbogen"),
        keywords=("ordbog",),
        short_answer="Svar.",
        details="",
        source_path=tmp_path / "emne.md",
    )
    kb = KnowledgeBase([topic], (("kunstig intelligens", "ai"),))
    assert kb.ranked("ordbog")[0].topic.id == "emne"
