"""Scoring pieces of the knowledge index: idf, postings, BM25F over topic fields, a smoothed
unigram language model per topic, and the normalisations used to fuse them."""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable, Mapping, MutableSequence, Sequence

from knowledge.analysis import Concept

# Terms of one text (or one field) with their weights, as made by Analyzer.document_terms.
Terms = Mapping[str, float]
# Term → [(document number, weight)] for the documents that contain the term.
Postings = dict[str, list[tuple[int, float]]]


def idf(document_frequency: int, documents: int) -> float:
    """BM25's idf, always positive."""
    return math.log(1 + (documents - document_frequency + 0.5) / (document_frequency + 0.5))


def invert(documents: Iterable[Mapping[str, float]]) -> Postings:
    """Postings of weighted term dictionaries, numbered in order."""
    postings: defaultdict[str, list[tuple[int, float]]] = defaultdict(list)
    for number, weights in enumerate(documents):
        for term, weight in weights.items():
            postings[term].append((number, weight))
    return dict(postings)


def accumulate(
    concept: Concept,
    importance: float,
    postings: Postings,
    rank: MutableSequence[float] | dict[int, float],
    covered: MutableSequence[float] | dict[int, float],
) -> None:
    """Add one question word to every document: its best alternative's weight to `rank`, and
    its importance (scaled by how exact the match is) to `covered`."""
    best: dict[int, float] = {}
    found: dict[int, float] = {}
    for term, share in concept.alternatives.items():
        for number, weight in postings.get(term, ()):
            if share * weight > best.get(number, 0.0):
                best[number] = share * weight
            if share > found.get(number, 0.0):
                found[number] = share
    for number, value in best.items():
        rank[number] += value
    for number, share in found.items():
        covered[number] += importance * share


def bm25f(
    documents: Sequence[Mapping[str, Terms]],
    field_weights: Mapping[str, float],
    term_idf: Mapping[str, float],
    k1: float,
    b: float,
) -> Postings:
    """BM25F: per document, field term frequencies are length-normalised per field, weighted,
    summed into one pseudo frequency and saturated once (Robertson & Zaragoza)."""
    averages = {
        name: sum(sum(d[name].values()) for d in documents) / max(len(documents), 1) or 1.0
        for name in field_weights
    }
    weighted: list[dict[str, float]] = []
    for document in documents:
        pseudo: defaultdict[str, float] = defaultdict(float)
        for name, terms in document.items():
            norm = 1 - b + b * sum(terms.values()) / averages[name]
            for term, tf in terms.items():
                pseudo[term] += field_weights[name] * tf / norm
        weighted.append({t: term_idf[t] * tf / (k1 + tf) for t, tf in pseudo.items()})
    return invert(weighted)


def bm25(
    documents: Sequence[Terms], term_idf: Mapping[str, float], k1: float, b: float
) -> Postings:
    """Plain BM25 over small documents (each listed question on its own)."""
    lengths = [sum(terms.values()) for terms in documents]
    average = sum(lengths) / max(len(lengths), 1) or 1.0
    return invert(
        {
            t: term_idf[t] * tf * (k1 + 1) / (tf + k1 * (1 - b + b * length / average))
            for t, tf in terms.items()
        }
        for terms, length in zip(documents, lengths, strict=True)
    )


class TopicModel:
    """A unigram language model per topic with additive smoothing, where the fields that say
    what a topic is about count fully and answer text counts a little: the log-likelihood of
    a question is a second, differently shaped opinion next to BM25F (a naive Bayes vote)."""

    def __init__(
        self,
        documents: Sequence[Mapping[str, Terms]],
        field_weights: Mapping[str, float],
        smoothing: float,
    ) -> None:
        self._topics = len(documents)
        counts: list[defaultdict[str, float]] = []
        for document in documents:
            count: defaultdict[str, float] = defaultdict(float)
            for name, terms in document.items():
                for term, tf in terms.items():
                    count[term] += field_weights[name] * tf
            counts.append(count)
        vocabulary: set[str] = set().union(*counts)
        # Per term, its log probability in every topic (the smoothed floor where it is absent).
        self._log_p: dict[str, list[float]] = {}
        totals = [sum(count.values()) + smoothing * len(vocabulary) for count in counts]
        for term in vocabulary:
            self._log_p[term] = [
                math.log((count.get(term, 0.0) + smoothing) / total)
                for count, total in zip(counts, totals, strict=True)
            ]

    def log_likelihoods(self, concepts: Sequence[Concept]) -> list[float]:
        """Per topic: Σ over question words of the best alternative's log probability (plus
        the log of how exact that alternative is); words unknown to the content are skipped."""
        scores: list[float] | None = None
        for concept in concepts:
            best: list[float] | None = None
            for term, share in concept.alternatives.items():
                log_p = self._log_p.get(term)
                if log_p is None:
                    continue
                bonus = math.log(share)
                row = [p + bonus for p in log_p]
                best = row if best is None else [max(a, b) for a, b in zip(best, row, strict=True)]
            if best is not None and scores is not None:
                scores = [a + b for a, b in zip(scores, best, strict=True)]
            elif best is not None:
                scores = best
        return scores or [0.0] * self._topics


def standardised(scores: Sequence[float]) -> list[float]:
    """Scores as z-scores across topics, so differently scaled rankers can be added."""
    mean = sum(scores) / len(scores)
    spread = math.sqrt(sum((s - mean) ** 2 for s in scores) / len(scores)) or 1.0
    return [(s - mean) / spread for s in scores]


def softmax(scores: Sequence[float]) -> list[float]:
    """Log-likelihoods turned into a posterior over topics (uniform prior)."""
    top = max(scores)
    exp = [math.exp(s - top) for s in scores]
    total = sum(exp)
    return [e / total for e in exp]
