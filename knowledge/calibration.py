"""The in-scope decision: evidence about a question and its best topic, combined by a
logistic model into the probability that the topic answers the question."""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass

# confidence = logistic(bias + Σ weight × evidence), each evidence in 0..1. Fitted by logistic
# regression on the even lines of the development questions only (odd lines are the held-out
# check) and rounded to half units: `python bench/calibrate.py`, see bench/RESULTS.md.
CALIBRATION = {"coverage": 3.5, "domain": 5.5, "vote": 2.5, "similarity": 4.0}
CALIBRATION_BIAS = -6.5
# The threshold that comes closest to the benchmark's targets on even lines (bench/calibrate.py).
# A question below it gets "no approved answer", close topics and the offer to ask an ambassador.
ANSWER_THRESHOLD = 0.55
SUGGEST_THRESHOLD = 0.25  # below the answer threshold but close enough for "Mente du …?"


@dataclass(frozen=True)
class Evidence:
    """Why a topic fits a question; every part except `index` and `rank` is in 0..1. Only the
    parts named in CALIBRATION decide; the others are candidates for `bench/calibrate.py`
    (they added nothing in cross-validation on the current content)."""

    index: int  # position of the topic in KnowledgeBase.topics
    rank: float  # fused ranking score: orders the topics, no meaning across questions
    coverage: float  # share of the question's words (idf-weighted) found anywhere in the topic
    similarity: float  # Dice overlap (idf-weighted) with the closest listed question
    # How typical of the kompas the question's most typical word is: log of the number of
    # listed questions (all topics) that use it, relative to all listed questions. High for
    # the words nearly every question uses (AI, the tools), low for words of other errands.
    domain: float
    # Share of the question's words (idf-weighted) unknown to the whole content.
    unknown: float
    posterior: float  # the topic language model's posterior for this topic
    # How much the topic owns the question's most characteristic word: of that word's weight
    # in all topics' titles, listed questions and keywords, the share in this topic's. A
    # question the topic is about names something the topic owns; an errand from outside the
    # kompas matches through words that many topics mention in passing.
    anchor: float = 0.0
    vote: float = 0.0  # the topic classifier's probability for this topic

    @property
    def confidence(self) -> float:
        """Calibrated probability that the question is in scope and this topic answers it."""
        return logistic(self, CALIBRATION, CALIBRATION_BIAS)


def logistic(evidence: Evidence, weights: Mapping[str, float], bias: float) -> float:
    """logistic(bias + Σ weight × evidence part), for the shipped weights or a refit's."""
    z = bias + sum(weight * float(getattr(evidence, name)) for name, weight in weights.items())
    return 1.0 / (1.0 + math.exp(-z))
