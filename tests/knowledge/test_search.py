"""Searching the fixture content: Danish spellings, typos, synonyms and out-of-scope questions."""

from __future__ import annotations

import time

import pytest

from ground.settings import Contacts
from knowledge.calibration import ANSWER_THRESHOLD
from knowledge.index import KnowledgeBase
from knowledge.topics import load_topics
from tests.knowledge.conftest import FIXTURE_CONTENT


def best_id(kb: KnowledgeBase, question: str) -> str | None:
    result = kb.search(question)
    return result.best.topic.id if result.best else None


def test_cpr_number_in_chatgpt_is_about_personal_data(fixture_kb: KnowledgeBase) -> None:
    result = fixture_kb.search("Må jeg skrive et CPR-nummer i ChatGPT?")
    assert result.best is not None
    assert result.best.topic.id == "persondata"
    assert 0.5 <= result.best.score <= 1.0
    assert result.suggestions == ()


@pytest.mark.parametrize("spelling", ["CPR-nummer", "cprnummer", "cpr nummer", "cpr-nr", "CPR"])
def test_every_spelling_of_cpr_number_meets(fixture_kb: KnowledgeBase, spelling: str) -> None:
    assert best_id(fixture_kb, f"må jeg skrive et {spelling} i en prompt") == "persondata"


@pytest.mark.parametrize(
    ("question", "topic_id"),
    [
        ("må jeg bruge persondatta i en prompt", "persondata"),
        ("er chatgtp godkendt", "godkendte-vaerktoejer"),
        ("maa jeg bruge copilt med min arbejdskonto", "godkendte-vaerktoejer"),
        ("hvorfor finder ai på kilder der ikke fidnes", "kvalitetssikring"),
    ],
)
def test_typos_still_answer(fixture_kb: KnowledgeBase, question: str, topic_id: str) -> None:
    assert best_id(fixture_kb, question) == topic_id


@pytest.mark.parametrize(
    ("word", "topic_id"),
    [("hallucinationr", "kvalitetssikring"), ("sikkerhedshændelsen", "sikkerhedshaendelse")],
)
def test_single_misspelt_or_inflected_words_rank_their_topic_first(
    fixture_kb: KnowledgeBase, word: str, topic_id: str
) -> None:
    assert fixture_kb.ranked(word)[0].topic.id == topic_id


def test_a_word_only_in_synonyms_finds_the_topic_of_its_group(fixture_kb: KnowledgeBase) -> None:
    topics = load_topics(FIXTURE_CONTENT, Contacts())
    text = " ".join(t.title + t.short_answer + t.details + " ".join(t.keywords) for t in topics)
    assert "copyright" not in text.lower()  # the synonym file is the only link
    assert fixture_kb.ranked("hvem har copyright?")[0].topic.id == "billeder-og-ophavsret"
    without_synonyms = KnowledgeBase(topics, ())
    assert without_synonyms.search("hvem har copyright?").best is None
    assert without_synonyms.evidence("hvem har copyright?")[0].coverage == 0.0


def test_a_synonym_phrase_matches_a_single_word(fixture_kb: KnowledgeBase) -> None:
    for question in ["der er sket et brud på datasikkerheden", "vi har haft et datalæk"]:
        assert fixture_kb.ranked(question)[0].topic.id == "sikkerhedshaendelse"


def test_canteen_question_is_out_of_scope(fixture_kb: KnowledgeBase) -> None:
    result = fixture_kb.search("Hvornår har kantinen åbent?")
    assert result.best is None
    assert not result.in_scope
    assert len(result.suggestions) <= 2
    assert result.suggestions == ()  # nothing in the content is close


@pytest.mark.parametrize("question", ["", "   ", "?!", "hvad er det", "og så videre"])
def test_questions_without_content_words_get_nothing(
    fixture_kb: KnowledgeBase, question: str
) -> None:
    result = fixture_kb.search(question)
    assert result.best is None
    assert result.suggestions == ()


def test_suggestions_are_close_topics_when_not_confident(fixture_kb: KnowledgeBase) -> None:
    for question in ["tjek", "kilder", "plakat", "licens", "hvad med billeder og kilder"]:
        result = fixture_kb.search(question)
        assert len(result.suggestions) <= 2
        if result.best is not None:
            assert result.suggestions == ()
        for match in result.suggestions:
            assert 0.0 <= match.score < ANSWER_THRESHOLD


def test_scores_are_calibrated_between_zero_and_one(fixture_kb: KnowledgeBase) -> None:
    for question in ["cpr", "Må jeg skrive et CPR-nummer i ChatGPT?", "kantine", "billeder"]:
        for match in fixture_kb.ranked(question):
            assert 0.0 <= match.score <= 1.0


def test_ranked_lists_every_topic_best_first(fixture_kb: KnowledgeBase) -> None:
    ranked = fixture_kb.ranked("Må jeg bruge et AI-billede på en plakat?")
    assert ranked[0].topic.id == "billeder-og-ophavsret"
    assert {m.topic.id for m in ranked} == {t.id for t in fixture_kb.topics}
    assert len(fixture_kb.ranked("plakat", limit=2)) == 2


def test_topics_and_lookup_by_id(fixture_kb: KnowledgeBase) -> None:
    assert isinstance(fixture_kb.topics, tuple)
    assert [t.id for t in fixture_kb.topics] == sorted(t.id for t in fixture_kb.topics)
    topic = fixture_kb.topic("persondata")
    assert topic is not None and topic.title == "Personoplysninger og CPR-numre"
    assert fixture_kb.topic("findes-ikke") is None


def test_an_empty_knowledge_base_answers_nothing() -> None:
    kb = KnowledgeBase((), ())
    assert kb.topics == ()
    assert kb.search("Må jeg skrive et CPR-nummer i ChatGPT?").best is None


def test_search_is_fast_once_built(fixture_kb: KnowledgeBase) -> None:
    questions = ["Må jeg skrive et CPR-nummer i ChatGPT?", "hvornår har kantinen åbent"] * 50
    start = time.perf_counter()
    for question in questions:
        fixture_kb.search(question)
    assert (time.perf_counter() - start) / len(questions) < 0.01
