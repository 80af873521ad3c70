"""Which open case a new question belongs to: Danish analysis, not string equality."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Protocol

# Two questions are about the same thing from this similarity on. Chosen with the table in
# tests/cases/test_grouping.py: paraphrases score 0.4–0.9, different questions about the
# same tool ("må jeg bruge ChatGPT til …") 0.1–0.32.
SAME_QUESTION = 0.4
# A word's weight is its idf squared: the rare words (the object of the question) decide,
# the common ones (bruge, ChatGPT, skrive) count little.
WEIGHT_POWER = 2.0

QuestionWords = Sequence[tuple[frozenset[str], float]]


class Analysis(Protocol):
    """What grouping needs of the knowledge base (knowledge.index.KnowledgeBase fits)."""

    def question_words(self, text: str) -> list[tuple[frozenset[str], float]]: ...


def similarity(one: QuestionWords, other: QuestionWords) -> float:
    """0..1: the weighted share of both questions' words found in the other question.

    A word is found when one of its terms (its stems, its synonym groups) is among the
    other question's terms.
    """
    if not one or not other:
        return 0.0
    one_terms = frozenset().union(*(terms for terms, _ in one))
    other_terms = frozenset().union(*(terms for terms, _ in other))
    found = sum(w**WEIGHT_POWER for terms, w in one if terms & other_terms) + sum(
        w**WEIGHT_POWER for terms, w in other if terms & one_terms
    )
    total = sum(w**WEIGHT_POWER for _, w in one) + sum(w**WEIGHT_POWER for _, w in other)
    return found / total if total else 0.0


def closest_case(
    analysis: Analysis, question: str, open_questions: Iterable[tuple[int, str]]
) -> int | None:
    """The open case whose question (any of its askers') is most like `question`, when it is
    at least SAME_QUESTION alike; None when none is."""
    asked = analysis.question_words(question)
    best: tuple[float, int] | None = None
    for case_id, text in open_questions:
        score = similarity(asked, analysis.question_words(text))
        if score >= SAME_QUESTION and (best is None or (score, -case_id) > (best[0], -best[1])):
            best = (score, case_id)
    return best[1] if best else None
