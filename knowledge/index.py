"""The knowledge base: BM25F, a topic language model and a topic classifier, fused, plus a
calibrated in-scope decision (knowledge/calibration.py)."""

from __future__ import annotations

import logging
import math
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from pathlib import Path

from ground.settings import Contacts
from knowledge.analysis import Analyzer, Concept
from knowledge.api import Match, SearchResult, Topic
from knowledge.calibration import ANSWER_THRESHOLD, SUGGEST_THRESHOLD, Evidence
from knowledge.classifier import TopicClassifier
from knowledge.danish import Word, stem, words
from knowledge.intents import IntentRecogniser, IntentRule, load_intents
from knowledge.lexicon import GeneralLexicon
from knowledge.ranking import (
    TopicModel,
    accumulate,
    bm25,
    bm25f,
    idf,
    softmax,
    standardised,
)
from knowledge.synonyms import SynonymGroups, load_synonyms
from knowledge.topics import load_topics

logger = logging.getLogger(__name__)

# Ranking: three opinions on which topic fits, added as z-scores across topics.
# 1. BM25F over the topic's fields plus its best listed question, times the share of the
#    question the topic covers. What a topic is *about* (title, listed questions, keywords)
#    counts more than its answer text, which mentions many words in passing.
FIELD_WEIGHTS = {"title": 3.0, "questions": 3.0, "keywords": 2.0, "short": 0.75, "details": 0.5}
K1 = 2.0  # term-frequency saturation (BM25F and the listed questions)
B = 0.75  # length normalisation
QUESTION_WEIGHT = 1.0  # the best listed question, scored as its own mini-document, is added
COVERAGE_POWER = 0.5  # × coverage^power: topics that explain more of the question win
# 2. A unigram language model per topic (a naive Bayes vote): the same fields, answer text at
#    a tenth, add-0.01 smoothing. It rewards a topic for *all* the question's words, where
#    BM25F can be carried by one rare word.
MODEL_FIELD_WEIGHTS = {"title": 1, "questions": 1, "keywords": 1, "short": 0.1, "details": 0.1}
SMOOTHING = 0.01
MODEL_WEIGHT = 1.0
# 3. Closeness (0..1) to the nearest listed question, as QnA Maker's alternate questions: a
#    question that nearly repeats a listed one gets up to one standard deviation more.
SIMILARITY_WEIGHT = 1.0
# 4. A logistic-regression classifier over the listed questions, titles and keywords
#    (knowledge/classifier.py): learns which words tell neighbouring topics apart.
CLASSIFIER_WEIGHT = 0.5
MAX_SUGGESTIONS = 2
ABOUT_FIELDS = ("title", "questions", "keywords")  # what a topic is about (for its anchor)


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

    def __init__(
        self,
        topics: Sequence[Topic],
        synonyms: SynonymGroups = (),
        intents: Sequence[IntentRule] = (),
    ) -> None:
        self._topics = tuple(topics)
        self._by_id = {topic.id: topic for topic in self._topics}
        fields = [_fields(topic) for topic in self._topics]
        self._analyzer = Analyzer(
            (text for f in fields for text in f.values()), synonyms, GeneralLexicon()
        )
        analysed = [
            {name: self._analyzer.document_terms(text) for name, text in f.items()} for f in fields
        ]
        # Document frequencies over small passages (a question, a paragraph): how much a word
        # says, both for ranking and for how much of the question a topic covers.
        passages = [
            set(self._analyzer.document_terms(passage))
            for topic in self._topics
            for passage in _passages(topic)
        ]
        passage_df = Counter(term for terms in passages for term in terms)
        # A synonym phrase can span two listed questions in the joined field: count it once.
        passage_df.update(
            {t for f in analysed for terms in f.values() for t in terms} - set(passage_df)
        )
        self._idf = {term: idf(n, len(passages)) for term, n in passage_df.items()}
        self._idf_unknown = idf(0, max(len(passages), 1))
        self._postings = bm25f(analysed, FIELD_WEIGHTS, self._idf, K1, B)
        self._model = TopicModel(analysed, MODEL_FIELD_WEIGHTS, SMOOTHING)
        # Term → {topic: share of the term's weight in all topics' about-fields}.
        about: defaultdict[str, dict[int, float]] = defaultdict(dict)
        for index, f in enumerate(analysed):
            for name in ABOUT_FIELDS:
                for term, weight in f[name].items():
                    about[term][index] = about[term].get(index, 0.0) + weight
        self._ownership = {
            term: {index: weight / sum(owners.values()) for index, weight in owners.items()}
            for term, owners in about.items()
        }
        questions = [
            (index, self._analyzer.document_terms(question))
            for index, topic in enumerate(self._topics)
            for question in topic.questions
        ]
        self._question_topic = [index for index, _ in questions]
        self._question_size = [sum(self._idf[t] for t in terms) for _, terms in questions]
        self._question_postings = bm25([terms for _, terms in questions], self._idf, K1, B)
        # The classifier learns from each listed question (analysed above), title and keyword.
        named = [
            (index, self._analyzer.document_terms(text))
            for index, topic in enumerate(self._topics)
            for text in (topic.title, *topic.keywords)
        ]
        self._classifier = TopicClassifier([*questions, *named], len(self._topics))
        question_df = Counter(term for _, terms in questions for term in terms)
        scale = math.log(1 + max(len(questions), 1))
        self._typicality = {t: math.log(1 + n) / scale for t, n in question_df.items()}
        # What each topic is about, by name: the terms of its title and keywords.
        self._named = {
            topic.id: frozenset(f["title"]) | frozenset(f["keywords"])
            for topic, f in zip(self._topics, analysed, strict=True)
        }
        self._intents = IntentRecogniser(intents, self._analyzer)

    @classmethod
    def load(cls, content_dir: Path, contacts: Contacts) -> KnowledgeBase:
        """Load topics and synonyms and build the index; ContentError when content is broken."""
        knowledge = cls(
            load_topics(content_dir, contacts),
            load_synonyms(content_dir),
            load_intents(content_dir),
        )
        logger.info("knowledge index: %d topics from %s", len(knowledge.topics), content_dir)
        return knowledge

    @property
    def topics(self) -> tuple[Topic, ...]:
        return self._topics

    def topic(self, topic_id: str) -> Topic | None:
        return self._by_id.get(topic_id)

    # -- requests Kompas answers itself, and words about a topic --------------------------

    @property
    def intent_names(self) -> tuple[str, ...]:
        """The requests of content/intents.yml Kompas can recognise."""
        return self._intents.names

    def intent(self, text: str) -> str | None:
        """Which request of content/intents.yml the message is (None: a question)."""
        return self._intents.recognise(text)

    def names_topic(self, words: Iterable[str], topic_id: str) -> bool:
        """True when one of `words` (say an ambassador's focus areas) names what the topic is
        about: a word of its title or keywords, by the search's analysis (inflections,
        compounds, typos, synonyms)."""
        named = self._named.get(topic_id)
        if not named:
            return False
        return any(
            not named.isdisjoint(concept.alternatives)
            for word in words
            for concept in self._analyzer.query_concepts(word)
        )

    def question_words(self, text: str) -> list[tuple[frozenset[str], float]]:
        """The content words of a question (hyphen parts apart), for comparing questions with
        each other: each word's terms (its stem, the stem of that, and the synonym groups it
        belongs to) and how much it says (the highest idf of its terms; a word the content
        never uses says the most)."""
        sentence = [Word(part) for word in words(text) for part in word.parts or (word.form,)]
        groups: defaultdict[int, set[str]] = defaultdict(set)
        for start, end, token in self._analyzer.synonyms.tag(sentence):
            for index in range(start, end):
                groups[index].add(token)
        found: list[tuple[frozenset[str], float]] = []
        for index, word in enumerate(sentence):
            if word.stop:
                continue
            own = stem(word.form)
            terms = frozenset({own, stem(own), *groups[index]})
            known = [self._idf[term] for term in terms if term in self._idf]
            found.append((terms, max(known) if known else self._idf_unknown))
        return found

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
        count = len(self._topics)
        importance = [self._importance(concept) for concept in concepts]
        total = sum(importance)
        unknown = sum(
            weight
            for concept, weight in zip(concepts, importance, strict=True)
            if not any(term in self._idf for term in concept.alternatives)
        )
        domain = max(
            share * self._typicality.get(term, 0.0)
            for concept in concepts
            for term, share in concept.alternatives.items()
        )
        rank, covered = [0.0] * count, [0.0] * count
        question_rank: defaultdict[int, float] = defaultdict(float)
        question_covered: defaultdict[int, float] = defaultdict(float)
        for concept, weight in zip(concepts, importance, strict=True):
            accumulate(concept, weight, self._postings, rank, covered)
            accumulate(concept, weight, self._question_postings, question_rank, question_covered)
        best_question = [0.0] * count
        similarity = [0.0] * count
        for number, covered_here in question_covered.items():
            index = self._question_topic[number]
            dice = 2 * covered_here / (total + self._question_size[number])
            if dice > similarity[index]:
                similarity[index] = dice
            if question_rank[number] > best_question[index]:
                best_question[index] = question_rank[number]
        lexical = [
            (rank[i] + QUESTION_WEIGHT * best_question[i]) * (covered[i] / total) ** COVERAGE_POWER
            for i in range(count)
        ]
        likelihood = self._model.log_likelihoods(concepts)
        votes = self._classifier.log_probabilities(concepts)
        fused = [
            a + MODEL_WEIGHT * b + SIMILARITY_WEIGHT * c + CLASSIFIER_WEIGHT * d
            for a, b, c, d in zip(
                standardised(lexical),
                standardised(likelihood),
                similarity,
                standardised(votes),
                strict=True,
            )
        ]
        posterior = softmax(likelihood)
        anchor = [0.0] * count
        for concept in concepts:
            for term, share in concept.alternatives.items():
                for index, owned in self._ownership.get(term, {}).items():
                    anchor[index] = max(anchor[index], share * owned)
        found = [
            Evidence(
                index=i,
                rank=fused[i],
                coverage=covered[i] / total,
                similarity=similarity[i],
                domain=domain,
                unknown=unknown / total,
                posterior=posterior[i],
                anchor=anchor[i],
                vote=math.exp(votes[i]),
            )
            for i in range(count)
        ]
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
