"""Public types of the knowledge package (the contract dialogs and the CLI rely on)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from pathlib import Path


@dataclass(frozen=True)
class Topic:
    """One guideline topic from content/kompas/<id>.md, with contact placeholders rendered."""

    id: str
    title: str
    spor: int
    owner: str
    reviewed: date
    questions: tuple[str, ...]
    keywords: tuple[str, ...]
    short_answer: str  # first paragraph of the body (Markdown)
    details: str  # the rest of the body (Markdown), may be empty
    source_path: Path


@dataclass(frozen=True)
class Match:
    """A topic with its score for one question (higher is better, 0..1 calibrated)."""

    topic: Topic
    score: float


@dataclass(frozen=True)
class SearchResult:
    """The outcome of one question: an answer (in scope) or suggestions (out of scope)."""

    question: str
    best: Match | None  # None when the question is out of scope
    suggestions: tuple[Match, ...] = field(default=())  # at most two close topics ("Mente du …?")

    @property
    def in_scope(self) -> bool:
        return self.best is not None
