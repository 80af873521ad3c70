"""Free text in digests: Danish term extraction, recurring themes and near-duplicate questions.

Terms are snowball stems of the words (Danish stop words and redaction markers left out),
weighted with scikit-learn's TF-IDF over the month's texts; themes are groups of terms
that people use together (agglomerative clustering of the terms' cosine distances over
people). Nothing here is a hand-made list of terms. Every theme and question group shown
rests on at least min_text_group distinct people, and so does every term in a theme.
"""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
from numpy.typing import NDArray

if TYPE_CHECKING:
    from scipy import sparse

from knowledge.danish import STOPWORDS, stem, words
from privacy.redaction import TOKENS

logger = logging.getLogger(__name__)

MIN_TERM_LENGTH = 3
MAX_CANDIDATE_TERMS = 30  # the most distinctive terms of a scope that are clustered
THEME_DISTANCE = 0.75  # cosine distance below which terms are used by the same people
QUESTION_DISTANCE = 0.5  # cosine distance below which two questions are near-duplicates
MAX_THEMES = 5
TERMS_PER_THEME = 4
MAX_CLUSTERED_QUESTIONS = 4000  # above this, questions are grouped by their exact terms
_REDACTION_WORDS = frozenset(w.form for token in TOKENS.values() for w in words(token))


def surface_terms(text: str) -> list[tuple[str, str]]:
    """(stem, word) for each content word of a Danish text."""
    found = []
    for word in words(text):
        form = word.form
        if (
            len(form) < MIN_TERM_LENGTH
            or form in STOPWORDS
            or form in _REDACTION_WORDS
            or not form.isalpha()
        ):
            continue
        found.append((stem(form), form))
    return found


def terms(text: str) -> list[str]:
    """The stems of a text's content words (the analyzer given to TF-IDF)."""
    return [term for term, _ in surface_terms(text)]


def _already_analysed(document: list[str]) -> list[str]:
    return document


@dataclass(frozen=True)
class FoundTheme:
    """A theme found in a scope: its words, and who uses them (row numbers)."""

    words: tuple[str, ...]
    people: NDArray[np.int64]


class TermIndex:
    """One month's texts by person: a binary people × terms matrix, built once."""

    def __init__(self, texts_by_person: Mapping[str, str]) -> None:
        self.people = tuple(texts_by_person)
        self.row = {person: i for i, person in enumerate(self.people)}
        surfaces: dict[str, Counter[str]] = {}
        documents: list[list[str]] = []
        for text in texts_by_person.values():
            found = surface_terms(text)
            documents.append([term for term, _ in found])
            for term, form in found:
                surfaces.setdefault(term, Counter())[form] += 1
        self.surface = {term: counts.most_common(1)[0][0] for term, counts in surfaces.items()}
        from scipy import sparse  # slow import (0.1 s): when a digest is built, not at start

        if not surfaces:
            self.matrix: sparse.csr_matrix = sparse.csr_matrix((len(self.people), 0))
            self.vocabulary: tuple[str, ...] = ()
            self.idf: NDArray[np.float64] = np.zeros(0)
            return
        from sklearn.feature_extraction.text import TfidfVectorizer  # slow import: when used

        vectorizer = TfidfVectorizer(analyzer=_already_analysed, binary=True, norm=None)
        weighted = vectorizer.fit_transform(documents)
        self.matrix = sparse.csr_matrix((weighted > 0).astype(np.int64))
        self.vocabulary = tuple(vectorizer.get_feature_names_out())
        self.idf = np.asarray(vectorizer.idf_, dtype=np.float64)

    def rows_of(self, people: Sequence[str]) -> NDArray[np.int64]:
        """Row numbers of the people who wrote something this month."""
        return np.array([self.row[p] for p in people if p in self.row], dtype=np.int64)

    def themes(self, rows: NDArray[np.int64], min_people: int) -> list[FoundTheme]:
        """Recurring themes among `rows`, each term used by at least `min_people` people."""
        if len(rows) < min_people or not self.vocabulary:
            return []
        scoped = self.matrix[rows]
        document_frequency = np.asarray(scoped.sum(axis=0)).ravel()
        eligible = np.flatnonzero(document_frequency >= min_people)
        if not len(eligible):
            return []
        score = document_frequency[eligible] * self.idf[eligible]
        chosen = eligible[np.argsort(-score, kind="stable")[:MAX_CANDIDATE_TERMS]]
        vectors = scoped[:, chosen].T.astype(np.float64).toarray()
        if len(chosen) == 1:
            labels = np.zeros(1, dtype=np.int64)
        else:
            from sklearn.cluster import AgglomerativeClustering

            clustering = AgglomerativeClustering(
                n_clusters=None,
                metric="cosine",
                linkage="average",
                distance_threshold=THEME_DISTANCE,
            )
            labels = clustering.fit_predict(vectors)
        found = []
        for label in np.unique(labels):
            members = chosen[labels == label]
            members = members[np.argsort(-document_frequency[members], kind="stable")]
            users = np.flatnonzero(np.asarray(scoped[:, members].sum(axis=1)).ravel() > 0)
            if len(users) < min_people:
                continue
            found.append(
                FoundTheme(
                    words=tuple(
                        self.surface[self.vocabulary[t]] for t in members[:TERMS_PER_THEME]
                    ),
                    people=rows[users],
                )
            )
        found.sort(key=lambda theme: (-len(theme.people), theme.words))
        return found[:MAX_THEMES]


@dataclass(frozen=True)
class QuestionGroups:
    """One month's questions grouped into near-duplicates, with a representative each."""

    labels: NDArray[np.int64]  # group of each question
    representative: Mapping[int, int]  # group → index of the question that stands for it


def group_questions(texts: Sequence[str]) -> QuestionGroups:
    """Group near-duplicate questions (TF-IDF cosine, agglomerative clustering)."""
    count = len(texts)
    if count == 0:
        return QuestionGroups(np.zeros(0, dtype=np.int64), {})
    keys = [" ".join(sorted(set(terms(text)))) or text.strip().casefold() for text in texts]
    if count == 1:
        return QuestionGroups(np.zeros(1, dtype=np.int64), {0: 0})
    with_terms = [i for i, text in enumerate(texts) if terms(text)]
    labels = np.full(count, -1, dtype=np.int64)
    if 1 < len(with_terms) <= MAX_CLUSTERED_QUESTIONS:
        from sklearn.cluster import AgglomerativeClustering
        from sklearn.feature_extraction.text import TfidfVectorizer

        vectors = TfidfVectorizer(analyzer=terms).fit_transform([texts[i] for i in with_terms])
        clustering = AgglomerativeClustering(
            n_clusters=None,
            metric="cosine",
            linkage="average",
            distance_threshold=QUESTION_DISTANCE,
        )
        labels[with_terms] = clustering.fit_predict(vectors.toarray())
    next_label = int(labels.max()) + 1
    by_key: dict[str, int] = {}
    for i in range(count):
        if labels[i] < 0:
            if keys[i] not in by_key:
                by_key[keys[i]] = next_label
                next_label += 1
            labels[i] = by_key[keys[i]]
    representative = {}
    for label in np.unique(labels):
        members = np.flatnonzero(labels == label)
        representative[int(label)] = _medoid(members, texts)
    return QuestionGroups(labels, representative)


def _medoid(members: NDArray[np.int64], texts: Sequence[str]) -> int:
    if len(members) <= 2:
        return int(min(members, key=lambda i: (len(texts[i]), i)))
    member_texts = [texts[i] for i in members]
    if not any(terms(text) for text in member_texts):
        return int(members[0])
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.metrics.pairwise import cosine_similarity

    vectors = TfidfVectorizer(analyzer=terms).fit_transform(member_texts)
    centrality = cosine_similarity(vectors).mean(axis=1)
    best = max(
        range(len(members)), key=lambda i: (round(float(centrality[i]), 9), -len(member_texts[i]))
    )
    return int(members[best])
