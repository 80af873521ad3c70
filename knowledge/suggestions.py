"""Ambassadors' suggested answers into the AI-kompas: new drafts, or questions for a topic."""

from __future__ import annotations

import logging
import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum
from pathlib import Path
from typing import Any, Protocol

from knowledge.danish import normalise
from knowledge.front_matter import (
    QUESTIONS_KEY,
    FrontMatterEditError,
    add_listed_questions,
    topic_text,
    write_atomically,
)
from knowledge.topics import (
    DRAFT,
    STATUS_KEY,
    SUGGESTION_KEY,
    TOPICS_SUBDIR,
    ContentError,
    read_raw,
    topic_paths,
)
from privacy.redaction import redact_text

logger = logging.getLogger(__name__)

MAX_SLUG_LENGTH = 50  # characters of a draft's id (and file name) before "-2", "-3" …
MAX_TITLE_LENGTH = 80
FALLBACK_SLUG = "udkast"  # when the first question has no letters or digits
_TRANSLITERATION = str.maketrans({"æ": "ae", "ø": "oe", "å": "aa"})
_SLUG_WORD = re.compile(r"[a-z0-9]+")
_SPACE_BEFORE_PUNCTUATION = re.compile(r"\s+([?!.,;:])")
_REPEATED_PUNCTUATION = re.compile(r"([?!.])\1+")


@dataclass(frozen=True)
class Suggestion:
    """An ambassador's answer to one case, suggested for the AI-kompas."""

    id: str  # the case's id: stable, written into the draft as `suggestion:`
    questions: tuple[str, ...]  # the askers' questions, already redacted; the first names it
    answer: str  # the ambassador's answer (Markdown); not used when referred_topic is set
    referred_topic: str | None = None  # the existing topic the ambassador pointed the askers to
    closest_topic: str | None = None  # the topic Kompas found nearest: owner and spor come from it


class SuggestionSource(Protocol):
    """Where `kompas content suggestions` gets the suggested answers from (the cases store)."""

    async def suggestions(self) -> list[Suggestion]:
        """Every suggestion to write; writing one again changes nothing."""
        ...


class Outcome(StrEnum):
    """What writing one suggestion did."""

    DRAFT = "draft"  # a new topic file with `status: udkast`
    QUESTIONS = "questions"  # listed questions added to the referred topic
    UNCHANGED = "unchanged"  # written before: its draft exists, or its questions are listed
    SKIPPED = "skipped"  # nothing could be written; `reason` says why


@dataclass(frozen=True)
class Written:
    """The result of writing one suggestion."""

    suggestion_id: str
    outcome: Outcome
    path: Path | None = None  # the draft, or the topic that got the questions
    questions: tuple[str, ...] = ()  # the draft's listed questions, or the ones added
    reason: str = ""  # why it was skipped (English, for the operator)


@dataclass
class _Topics:
    """The topic files in one content directory, kept current while writing."""

    ids: set[str] = field(default_factory=set)  # file names and ids: taken for new drafts
    paths: dict[str, Path] = field(default_factory=dict)  # id -> file
    meta: dict[str, dict[str, Any]] = field(default_factory=dict)  # id -> front matter
    drafts: dict[str, Path] = field(default_factory=dict)  # suggestion id -> its draft

    @classmethod
    def scan(cls, content_dir: Path) -> _Topics:
        found = cls()
        for path in topic_paths(content_dir):
            found.ids.add(path.stem)
            try:
                raw = read_raw(path)
            except ContentError:
                continue  # `kompas content check` reports it
            found.add(path, raw.meta)
        return found

    def add(self, path: Path, meta: dict[str, Any]) -> None:
        topic_id = meta.get("id")
        topic_id = topic_id.strip() if isinstance(topic_id, str) and topic_id.strip() else None
        self.ids.update({path.stem, *([topic_id] if topic_id else [])})
        for name in {path.stem, topic_id}:
            if name and name not in self.paths:
                self.paths[name], self.meta[name] = path, meta
        suggestion = meta.get(SUGGESTION_KEY)
        if isinstance(suggestion, str | int) and not isinstance(suggestion, bool):
            self.drafts.setdefault(str(suggestion).strip(), path)


def write_suggestions(
    content_dir: Path, suggestions: Iterable[Suggestion], today: date | None = None
) -> list[Written]:
    """Write each suggestion into content_dir/kompas, in order; one result per suggestion.

    Without a referred topic: a new draft (`status: udkast`) with the askers' questions, the
    answer as its body, an id made from the first question and unique in the directory, and
    owner and spor copied from the closest topic. With one: the askers' questions that are
    not listed yet are added to that topic, the rest of its file untouched. The questions are
    redacted once more on the way. Writing a suggestion again changes nothing: its draft is
    found by `suggestion:`, and questions already listed are not added twice."""
    today = today or date.today()
    topics_dir = content_dir / TOPICS_SUBDIR
    topics_dir.mkdir(parents=True, exist_ok=True)
    topics = _Topics.scan(content_dir)
    results = []
    for suggestion in suggestions:
        result = _write_one(topics_dir, topics, suggestion, today)
        logger.info(
            "suggestion %s: %s %s %s",
            result.suggestion_id,
            result.outcome,
            result.path or "",
            result.reason,
        )
        results.append(result)
    return results


def _write_one(topics_dir: Path, topics: _Topics, suggestion: Suggestion, today: date) -> Written:
    questions = clean_questions(suggestion.questions)
    if not suggestion.id.strip():
        return Written(suggestion.id, Outcome.SKIPPED, reason="it has no id")
    if not questions:
        return Written(suggestion.id, Outcome.SKIPPED, reason="it has no questions")
    if suggestion.referred_topic:
        return _add_to_topic(topics, suggestion, questions)
    if suggestion.id.strip() in topics.drafts:
        return Written(suggestion.id, Outcome.UNCHANGED, topics.drafts[suggestion.id.strip()])
    if not suggestion.answer.strip():
        return Written(suggestion.id, Outcome.SKIPPED, reason="it has no answer text")
    topic_id = unique_id(slug(questions[0]), topics.ids)
    closest = topics.meta.get(suggestion.closest_topic or "", {})
    meta: dict[str, Any] = {
        "id": topic_id,
        "title": title(questions[0]),
        STATUS_KEY: DRAFT,
        SUGGESTION_KEY: suggestion.id.strip(),
    }
    spor = closest.get("spor")
    if isinstance(spor, int) and not isinstance(spor, bool) and 1 <= spor <= 4:
        meta["spor"] = spor
    owner = closest.get("owner")
    if isinstance(owner, str) and owner.strip():
        meta["owner"] = owner.strip()
    meta.update({"reviewed": today, QUESTIONS_KEY: list(questions), "keywords": []})
    path = topics_dir / f"{topic_id}.md"
    write_atomically(path, topic_text(meta, suggestion.answer))
    topics.add(path, meta)
    return Written(suggestion.id, Outcome.DRAFT, path, questions)


def _add_to_topic(topics: _Topics, suggestion: Suggestion, questions: Sequence[str]) -> Written:
    referred = (suggestion.referred_topic or "").strip()
    path = topics.paths.get(referred)
    if path is None:
        why = "cannot be read (see kompas content check)" if referred in topics.ids else "is gone"
        return Written(
            suggestion.id, Outcome.SKIPPED, reason=f"the referred topic '{referred}' {why}"
        )
    listed = topics.meta[referred].get(QUESTIONS_KEY)
    listed = listed if isinstance(listed, list) else []
    known = {question_key(question) for question in listed if isinstance(question, str)}
    new = tuple(question for question in questions if question_key(question) not in known)
    if not new:
        return Written(suggestion.id, Outcome.UNCHANGED, path)
    try:
        text = path.read_bytes().decode("utf-8")
        write_atomically(path, add_listed_questions(text, new))
        meta = read_raw(path).meta
    except (OSError, UnicodeDecodeError, FrontMatterEditError, ContentError) as error:
        return Written(suggestion.id, Outcome.SKIPPED, path, reason=f"cannot edit {path}: {error}")
    topics.meta[referred] = meta
    return Written(suggestion.id, Outcome.QUESTIONS, path, new)


def question_key(question: str) -> str:
    """What two wordings of a listed question must share to count as the same question."""
    return " ".join(normalise(question).split()).rstrip("?!. ")


def clean_questions(questions: Iterable[str]) -> tuple[str, ...]:
    """The questions on one line each, redacted, without empty ones and repeats (first kept)."""
    seen: set[str] = set()
    cleaned = []
    for question in questions:
        text = " ".join(redact_text(question).split())
        key = question_key(text)
        if key and key not in seen:
            seen.add(key)
            cleaned.append(text)
    return tuple(cleaned)


def slug(text: str) -> str:
    """A topic id from a question: lower case ASCII words joined by hyphens (æ → ae …)."""
    folded = unicodedata.normalize("NFKD", normalise(text).translate(_TRANSLITERATION))
    words = _SLUG_WORD.findall(folded.encode("ascii", "ignore").decode("ascii"))
    taken: list[str] = []
    for word in words:
        if taken and len("-".join([*taken, word])) > MAX_SLUG_LENGTH:
            break
        taken.append(word[:MAX_SLUG_LENGTH])
    return "-".join(taken) or FALLBACK_SLUG


def unique_id(base: str, taken: set[str]) -> str:
    """`base`, or `base-2`, `base-3` … whichever is not taken yet."""
    candidate, number = base, 1
    while candidate in taken:
        number += 1
        candidate = f"{base}-{number}"
    return candidate


def title(question: str) -> str:
    """A title from a question: one line, tidy punctuation, a capital first letter, not too
    long (cut at a word, with "…")."""
    text = _SPACE_BEFORE_PUNCTUATION.sub(r"\1", " ".join(question.split()))
    text = _REPEATED_PUNCTUATION.sub(r"\1", text)
    if len(text) > MAX_TITLE_LENGTH:
        cut = text[: MAX_TITLE_LENGTH - 1].rsplit(" ", 1)[0]
        text = cut.rstrip(",;:-–") + "…"
    return text[:1].upper() + text[1:]
