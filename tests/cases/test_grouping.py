"""Grouping similar questions: paraphrases of one question group, different questions do not
(Danish stems, compound parts and the content's synonyms, weighted by what words say)."""

from __future__ import annotations

import itertools

import pytest

from cases.grouping import SAME_QUESTION, closest_case, similarity
from knowledge.index import KnowledgeBase

# Each group: the same question in other words (written for this test, not from the content).
PARAPHRASES = (
    (
        "Hvornår har kantinen åbent?",
        "Hvad er kantinens åbningstider?",
        "Åbner kantinen tidligt om fredagen?",
    ),
    (
        "Hvordan bestiller jeg et nyt adgangskort?",
        "Mit adgangskort virker ikke, hvem laver et nyt?",
        "Jeg har mistet mit adgangskort",
    ),
    (
        "Må vi bruge Copilot i Teams-møder til at lave referat?",
        "Kan Copilot skrive referat af vores teammøder?",
    ),
    (
        "Hvor mange licenser til Copilot har kommunen?",
        "Hvordan får jeg en Copilot-licens?",
        "Kan jeg få adgang til Copilot licens?",
    ),
    (
        "Må jeg bruge ChatGPT til at oversætte breve til arabisk?",
        "Kan AI oversætte et brev til en borger på arabisk?",
        "Oversættelse af breve med AI til borgere der ikke taler dansk",
    ),
    ("Hvornår er julefrokosten?", "Hvilken dato holder vi julefrokost?"),
)

# Different questions that share words (the tool, "bruge", "skrive", "AI", "hjælpe").
DIFFERENT = (
    ("Må jeg bruge ChatGPT til persondata?", "Må jeg bruge ChatGPT til at lave billeder?"),
    (
        "Må jeg bruge Copilot til at skrive en afgørelse?",
        "Må jeg bruge Copilot til at skrive et opslag på intranettet?",
    ),
    (
        "Må jeg bruge ChatGPT på min private telefon til arbejde?",
        "Må jeg bruge ChatGPT til at oversætte breve til arabisk?",
    ),
    (
        "Kan AI hjælpe med at skrive journalnotater i Nexus?",
        "Kan AI hjælpe mig med at planlægge vagtplanen?",
    ),
    ("Hvordan får jeg en Copilot-licens?", "Kan Copilot skrive referat af vores teammøder?"),
    ("Jeg har glemt min adgangskode", "Jeg har mistet mit adgangskort"),
)


def _score(knowledge: KnowledgeBase, one: str, other: str) -> float:
    return similarity(knowledge.question_words(one), knowledge.question_words(other))


@pytest.mark.parametrize(
    ("one", "other"),
    [pair for group in PARAPHRASES for pair in itertools.combinations(group, 2)],
)
def test_paraphrases_group(knowledge: KnowledgeBase, one: str, other: str) -> None:
    assert _score(knowledge, one, other) >= SAME_QUESTION


@pytest.mark.parametrize(("one", "other"), DIFFERENT)
def test_different_questions_do_not_group(knowledge: KnowledgeBase, one: str, other: str) -> None:
    assert _score(knowledge, one, other) < SAME_QUESTION


def test_questions_from_different_groups_never_group(knowledge: KnowledgeBase) -> None:
    for first, second in itertools.combinations(range(len(PARAPHRASES)), 2):
        for one, other in itertools.product(PARAPHRASES[first], PARAPHRASES[second]):
            assert _score(knowledge, one, other) < SAME_QUESTION, (one, other)


def test_a_question_joins_the_most_similar_open_case(knowledge: KnowledgeBase) -> None:
    open_questions = [
        (1, "Må jeg bruge ChatGPT til persondata?"),
        (2, "Hvornår har kantinen åbent?"),
        (3, "Hvad er kantinens åbningstider om fredagen?"),
    ]
    assert closest_case(knowledge, "Kantinens åbningstider?", open_questions) == 3
    assert closest_case(knowledge, "Hvornår er julefrokosten?", open_questions) is None
    assert closest_case(knowledge, "", open_questions) is None
