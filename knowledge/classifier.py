"""A discriminative opinion: which topic's listed questions a question resembles, learnt by
multinomial logistic regression (scikit-learn) from the titles, listed questions and keywords."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence

import numpy as np

from knowledge.analysis import Concept

REGULARISATION = 1.0  # scikit-learn's C: chosen on the even development lines
MAX_ITERATIONS = 2000


class TopicClassifier:
    """Learns the words that tell topics apart (where BM25F and the language model count the
    words a topic has), with every listed question, the title and each keyword as an example."""

    def __init__(self, examples: Sequence[tuple[int, Mapping[str, float]]], topics: int) -> None:
        self._topics = topics
        labels = [label for label, _ in examples]
        self._vocabulary: dict[str, int] = {}
        if len(set(labels)) < 2:  # nothing to tell apart
            self._weights = np.zeros((topics, 0))
            self._bias = np.zeros(topics)
            return
        # scikit-learn takes ~2 s to import: only building the index needs it, not a cached one.
        from sklearn.feature_extraction import DictVectorizer
        from sklearn.linear_model import LogisticRegression

        vectoriser = DictVectorizer()
        features = vectoriser.fit_transform([dict(terms) for _, terms in examples])
        model = LogisticRegression(C=REGULARISATION, max_iter=MAX_ITERATIONS)
        model.fit(features, labels)
        self._vocabulary = {str(term): int(i) for term, i in vectoriser.vocabulary_.items()}
        weights = np.zeros((topics, features.shape[1]))
        bias = np.full(topics, -1e3)  # a topic without examples is never chosen
        if len(model.classes_) == 2:  # one logit, for the second class against the first
            bias[model.classes_[0]] = 0.0
            weights[model.classes_[1]], bias[model.classes_[1]] = (
                model.coef_[0],
                model.intercept_[0],
            )
        else:
            weights[model.classes_] = model.coef_
            bias[model.classes_] = model.intercept_
        self._weights, self._bias = weights, bias

    def log_probabilities(self, concepts: Sequence[Concept]) -> list[float]:
        """Per topic, the log probability that it is the question's topic (uniform when the
        question has no word the examples use)."""
        found: dict[int, float] = {}
        for concept in concepts:
            for term, share in concept.alternatives.items():
                column = self._vocabulary.get(term)
                if column is not None and share > found.get(column, 0.0):
                    found[column] = share
        if not found:
            return [-math.log(self._topics)] * self._topics
        columns = list(found)
        scores = self._bias + self._weights[:, columns] @ np.array([found[c] for c in columns])
        scores -= scores.max()
        return [float(s) for s in scores - np.log(np.exp(scores).sum())]
