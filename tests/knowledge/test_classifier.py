"""The topic classifier: learns which words tell topics apart from their listed questions."""

from __future__ import annotations

import math

import pytest

from knowledge.analysis import Concept
from knowledge.classifier import TopicClassifier


def concepts(*terms: str) -> list[Concept]:
    return [Concept(term, {term: 1.0}) for term in terms]


EXAMPLES = [
    (0, {"cpr": 1.0, "prompt": 1.0}),
    (0, {"cpr": 1.0, "borger": 1.0}),
    (0, {"personoplysning": 1.0, "borger": 1.0}),
    (1, {"uheld": 1.0, "cpr": 1.0}),
    (1, {"uheld": 1.0, "melde": 1.0}),
    (1, {"fejl": 1.0, "melde": 1.0}),
    (2, {"billede": 1.0, "ophavsret": 1.0}),
    (2, {"billede": 1.0, "plakat": 1.0}),
]


def test_the_word_that_tells_topics_apart_decides() -> None:
    classifier = TopicClassifier(EXAMPLES, 3)
    rules, incident, images = classifier.log_probabilities(concepts("cpr", "borger"))
    assert rules > incident > images
    rules, incident, _ = classifier.log_probabilities(concepts("cpr", "uheld"))
    assert incident > rules  # "cpr" is in both; the accident is what matters
    probabilities = [math.exp(p) for p in classifier.log_probabilities(concepts("plakat"))]
    assert sum(probabilities) == pytest.approx(1.0)
    assert max(probabilities) == probabilities[2]


def test_words_the_examples_lack_give_no_opinion() -> None:
    classifier = TopicClassifier(EXAMPLES, 3)
    uniform = [pytest.approx(math.log(1 / 3))] * 3
    assert classifier.log_probabilities(concepts("kantine")) == uniform
    assert classifier.log_probabilities([]) == uniform


def test_two_topics_and_topics_without_examples() -> None:
    classifier = TopicClassifier([e for e in EXAMPLES if e[0] in (0, 2)], 4)
    scores = classifier.log_probabilities(concepts("billede"))
    assert scores.index(max(scores)) == 2
    assert scores[1] < -100 and scores[3] < -100  # never chosen
    untrained = TopicClassifier(EXAMPLES[:2], 3).log_probabilities(concepts("cpr"))
    assert untrained == [pytest.approx(math.log(1 / 3))] * 3
