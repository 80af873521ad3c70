"""The knowledge base: BM25F ranking over topic fields plus a calibrated in-scope decision."""

from __future__ import annotations

import logging
import math
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from bot.settings import Contacts
from knowledge.analysis import Analyzer, Concept
from knowledge.api import Match, SearchResult, Topic
from knowledge.synonyms import SynonymGroups, load_synonyms
from knowledge.topics import load_topics

logger = logging.getLogger(__name__)

# Ranking (BM25F). What a topic is *about* (title, listed questions) counts more than its
# keywords, which count more than answer text that merely mentions a word.
FIELD_WEIGHTS = {"title": 3.0, "questions": 3.0, "keywords": 2.0, "short": 1.5, "details": 1.0}
K1 = 1.2  # term-frequency saturation
B = 0.75  # length normalisation
QUESTION_WEIGHT = 1.0  # the best listed question, scored as its own mini-document, is added
# Calibration: confidence = logistic(bias + Σ weight × evidence), each evidence in 0..1 (see
# Evidence). Fitted once on even lines of the development questions (bench/RESULTS.md) and
# rounded; a question is answered at confidence ≥ 0.5 (more likely in scope than not).
CALIBRATION = {"coverage": 1.0, "similarity": 2.5, "strength": 2.0, "domain": 4.0}
CALIBRATION_BIAS = -2.5
STRENGTH_SCALE = 6.0  # ranking score at which strength reaches 1 - 1/e
DOMAIN_FIELDS = ("title", "questions", "keywords")  # where the kompas says what it is about
ANSWER_THRESHOLD = 0.5
SUGGEST_THRESHOLD = 0.25  # below the answer threshold but close enough for "Mente du …?"
MAX_SUGGESTIONS = 2


@dataclass(frozen=True)
class Evidence:
    """Why a topic fits a question; every part except `rank` is in 0..1."""

    index: int  # position of the topic in KnowledgeBase.topics
    rank: float  # (BM25F + best listed question) × coverage: orders the topics
    coverage: float  # share of the question's words (idf-weighted) the topic contains
    similarity: float  # Dice overlap (idf-weighted) with the closest listed question
    # The largest share of topics whose title, questions or keywords use one of the question's
    # words: questions in the kompas's own vocabulary (AI, prompts, tools) score high, questions
    # about lunch or payslips low. Derived from the content, not from a word list.
    domain: float

    @property
    def strength(self) -> float:
        return 1.0 - math.exp(-self.rank / STRENGTH_SCALE)

    @property
    def confidence(self) -> float:
        """Calibrated probability that the question is in scope and this topic answers it."""
        z = CALIBRATION_BIAS + sum(
            weight * float(getattr(self, name)) for name, weight in CALIBRATION.items()
        )
        return 1.0 / (1.0 + math.exp(-z))


def _idf(document_frequency: int, documents: int) -> float:
    return math.log(1 + (documents - document_frequency + 0.5) / (document_frequency + 0.5))


def _fields(topic: Topic) -> dict[str, str]:
    return {
        "title": topic.title,
        "questions": "\n".join(topic.questions),
        "keywords": "\n".join(topic.keywords),
        "short": topic.short_answer,
        "details": topic.details,
    }


def _passages(topic: Topic) -> list[str]:
    """Small units for document frequencies: title, each question, keywords, paragraphs."""
    paragraphs = f"{topic.short_answer}\n\n{topic.details}".split("\n\n")
    return [topic.title, *topic.questions, " ".join(topic.keywords), *filter(None, paragraphs)]


class KnowledgeBase:
    """Approved guideline topics and a search over them; build once, search many times."""

    def __init__(self, topics: Sequence[Topic], synonyms: SynonymGroups = ()) -> None:
        self._topics = tuple(topics)
        self._by_id = {topic.id: topic for topic in self._topics}
        fields = [_fields(topic) for topic in self._topics]
        self._analyzer = Analyzer((text for f in fields for text in f.values()), synonyms)
        analysed = [
            {name: self._analyzer.document_terms(text) for name, text in f.items()} for f in fields
        ]
        passages = [
            set(self._analyzer.document_terms(passage))
            for topic in self._topics
            for passage in _passages(topic)
        ]
        df = Counter(term for terms in passages for term in terms)
        self._idf = {term: _idf(freq, len(passages)) for term, freq in df.items()}
        self._idf_unknown = _idf(0, max(len(passages), 1))
        core = [set().union(*(f[n] for n in DOMAIN_FIELDS)) for f in analysed]
        topic_df = Counter(term for terms in core for term in terms)
        self._topic_share = {term: n / max(len(self._topics), 1) for term, n in topic_df.items()}
        self._postings = _invert(self._bm25f(f, analysed) for f in analysed)
        questions = [
            (index, self._analyzer.document_terms(question))
            for index, topic in enumerate(self._topics)
            for question in topic.questions
        ]
        self._question_topic = [index for index, _ in questions]
        self._question_size = [sum(self._idf[t] for t in terms) for _, terms in questions]
        lengths = [sum(terms.values()) for _, terms in questions]
        average = sum(lengths) / max(len(lengths), 1) or 1.0
        self._question_postings = _invert(
            {
                t: self._idf[t] * tf * (K1 + 1) / (tf + K1 * (1 - B + B * n / average))
                for t, tf in terms.items()
            }
            for (_, terms), n in zip(questions, lengths, strict=True)
        )

    @classmethod
    def load(cls, content_dir: Path, contacts: Contacts) -> KnowledgeBase:
        """Load topics and synonyms and build the index; ContentError when content is broken."""
        knowledge = cls(load_topics(content_dir, contacts), load_synonyms(content_dir))
        logger.info("knowledge index: %d topics from %s", len(knowledge.topics), content_dir)
        return knowledge

    @property
    def topics(self) -> tuple[Topic, ...]:
        return self._topics

    def topic(self, topic_id: str) -> Topic | None:
        return self._by_id.get(topic_id)

    def _bm25f(
        self, topic_fields: dict[str, dict[str, float]], analysed: list[dict[str, dict[str, float]]]
    ) -> dict[str, float]:
        pseudo: defaultdict[str, float] = defaultdict(float)
        for name, terms in topic_fields.items():
            average = sum(sum(f[name].values()) for f in analysed) / len(analysed) or 1.0
            norm = 1 - B + B * sum(terms.values()) / average
            for term, tf in terms.items():
                pseudo[term] += FIELD_WEIGHTS[name] * tf / norm
        return {term: self._idf[term] * tf / (K1 + tf) for term, tf in pseudo.items()}

    # -- search -----------------------------------------------------------------------------

    def _importance(self, concept: Concept) -> float:
        """How much a question word says: the idf of its rarest known form (unknown: max)."""
        known = [self._idf[t] for t in concept.alternatives if t in self._idf]
        return max(known) if known else self._idf_unknown

    def evidence(self, question: str) -> list[Evidence]:
        """Evidence for every topic, best ranked first; [] when the question has no content."""
        concepts = self._analyzer.query_concepts(question)
        if not concepts or not self._topics:
            return []
        importance = [self._importance(concept) for concept in concepts]
        total = sum(importance)
        domain = max(
            a * self._topic_share.get(t, 0.0) for c in concepts for t, a in c.alternatives.items()
        )
        rank = [0.0] * len(self._topics)
        covered = [0.0] * len(self._topics)
        question_rank = [0.0] * len(self._question_topic)
        question_covered = [0.0] * len(self._question_topic)
        for concept, weight in zip(concepts, importance, strict=True):
            _accumulate(concept, weight, self._postings, rank, covered)
            _accumulate(concept, weight, self._question_postings, question_rank, question_covered)
        best_question = [0.0] * len(self._topics)
        similarity = [0.0] * len(self._topics)
        for number, index in enumerate(self._question_topic):
            dice = 2 * question_covered[number] / (total + self._question_size[number])
            similarity[index] = max(similarity[index], dice)
            best_question[index] = max(best_question[index], question_rank[number])
        found: list[Evidence] = []
        for index in range(len(self._topics)):
            coverage = covered[index] / total
            score = (rank[index] + QUESTION_WEIGHT * best_question[index]) * coverage
            found.append(Evidence(index, score, coverage, similarity[index], domain))
        found.sort(key=lambda e: (-e.rank, e.index))
        return found

    def ranked(self, question: str, limit: int | None = None) -> list[Match]:
        """Topics best first with calibrated scores, without deciding whether to answer."""
        found = self.evidence(question)[:limit]
        return [Match(self._topics[e.index], e.confidence) for e in found]

    def search(self, question: str) -> SearchResult:
        """The best topic when the question is in scope, else up to two close suggestions."""
        found = self.evidence(question)
        if not found:
            return SearchResult(question, None, ())
        top = found[0]
        if top.confidence >= ANSWER_THRESHOLD:
            return SearchResult(question, Match(self._topics[top.index], top.confidence))
        close = [e for e in found[:MAX_SUGGESTIONS] if e.confidence >= SUGGEST_THRESHOLD]
        return SearchResult(
            question, None, tuple(Match(self._topics[e.index], e.confidence) for e in close)
        )


Postings = dict[str, list[tuple[int, float]]]


def _invert(documents: Iterable[dict[str, float]]) -> Postings:
    """Term → [(document number, weight)] for the documents that contain the term."""
    postings: defaultdict[str, list[tuple[int, float]]] = defaultdict(list)
    for number, weights in enumerate(documents):
        for term, weight in weights.items():
            postings[term].append((number, weight))
    return dict(postings)


def _accumulate(
    concept: Concept, importance: float, postings: Postings, rank: list[float], covered: list[float]
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
