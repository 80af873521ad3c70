"""`kompas content check`: finds every problem in the guideline content, with file and line."""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from ground.content import ContentProblem
from ground.settings import Contacts
from knowledge.intents import intent_problems
from knowledge.synonyms import synonym_problems
from knowledge.topics import (
    CONTACT_PLACEHOLDERS,
    DRAFT,
    STATUS_KEY,
    SUGGESTION_KEY,
    TOPICS_SUBDIR,
    ContentError,
    RawTopic,
    contact_context,
    read_raw,
    render_body,
    reviewed_date,
    split_answer,
    topic_paths,
    topic_status,
)

REQUIRED_TOPIC_IDS = (
    "persondata",
    "godkendte-vaerktoejer",
    "fortrolige-oplysninger",
    "kvalitetssikring",
    "bias",
    "gennemsigtighed",
    "menneskelig-beslutning",
    "sikkerhedshaendelse",
    "lokal-afproevning",
    "erfaringsdeling",
    "roller-og-ansvar",
    "kompetenceudvikling",
    "brugsscenarier",
    "jobsikkerhed",
    "borgerrettet-brug",
    "prompting",
    "billeder-og-ophavsret",
)
REQUIRED_KEYS = ("id", "title", "spor", "owner", "reviewed", "questions", "keywords")
KNOWN_KEYS = frozenset({*REQUIRED_KEYS, STATUS_KEY, SUGGESTION_KEY})
DRAFT_PREFIX = "draft (not served): "
REVIEW_INTERVAL = timedelta(days=365)
_PLACEHOLDER = re.compile(r"\bkontakt\s*\.\s*(\w+)")


def _check_meta(raw: RawTopic, today: date) -> list[ContentProblem]:
    problems: list[ContentProblem] = []

    def problem(key: str, message: str, severity: str = "error") -> None:
        problems.append(ContentProblem(raw.path, raw.key_line(key) or 1, message, severity))

    meta: dict[str, Any] = raw.meta
    for key in REQUIRED_KEYS:
        if key not in meta:
            problems.append(ContentProblem(raw.path, 1, f"front matter lacks '{key}:'"))
    for key in ("id", "title", "owner"):
        if key in meta and not (isinstance(meta[key], str) and meta[key].strip()):
            problem(key, f"'{key}' must be non-empty text")
    if isinstance(meta.get("id"), str) and meta["id"].strip() != raw.path.stem:
        problem("id", f"id '{meta['id']}' must equal the file name '{raw.path.stem}'")
    spor = meta.get("spor")
    if "spor" in meta and (isinstance(spor, bool) or spor not in (1, 2, 3, 4)):
        problem("spor", f"'spor' must be 1, 2, 3 or 4 (KL's four tracks), not {spor!r}")
    if "reviewed" in meta:
        reviewed = reviewed_date(meta["reviewed"])
        if reviewed is None:
            problem("reviewed", "'reviewed' must be a date written YYYY-MM-DD")
        elif reviewed > today:
            problem("reviewed", f"'reviewed' {reviewed} lies in the future", "warning")
        elif today - reviewed > REVIEW_INTERVAL:
            problem(
                "reviewed",
                f"reviewed {reviewed}, more than 12 months ago: review the topic and update "
                "'reviewed'",
                "warning",
            )
    for key in ("questions", "keywords"):
        value = meta.get(key)
        if key in meta and (not isinstance(value, list) or not value):
            problem(key, f"'{key}' must be a non-empty list")
        elif isinstance(value, list) and not all(isinstance(v, str) and v.strip() for v in value):
            problem(key, f"every '{key}' entry must be non-empty text")
    suggestion = meta.get(SUGGESTION_KEY)
    if SUGGESTION_KEY in meta and not (
        (isinstance(suggestion, str) and suggestion.strip())
        or (isinstance(suggestion, int) and not isinstance(suggestion, bool))
    ):
        problem(SUGGESTION_KEY, f"'{SUGGESTION_KEY}' must be the id of a case (text or a number)")
    for key in sorted(set(meta) - KNOWN_KEYS, key=str):
        known = ", ".join(sorted(KNOWN_KEYS))
        problem(str(key), f"unknown key '{key}' (known keys: {known})", "warning")
    return problems


def _contact_warnings(raw: RawTopic, contacts: Contacts) -> list[ContentProblem]:
    warnings: list[ContentProblem] = []
    for offset, text in enumerate(raw.body.splitlines()):
        for match in _PLACEHOLDER.finditer(text):
            name = match.group(1)
            if name not in CONTACT_PLACEHOLDERS:
                continue  # rendering reports unknown placeholders as errors
            field, env = CONTACT_PLACEHOLDERS[name]
            if not getattr(contacts, field).strip():
                warnings.append(
                    ContentProblem(
                        raw.path,
                        raw.body_first_line + offset,
                        f"{{{{ kontakt.{name} }}}} is used but {env} is empty: users see a "
                        "placeholder until it is set",
                        "warning",
                    )
                )
    return warnings


@dataclass(frozen=True)
class Draft:
    """A topic file with `status: udkast`: never served, waiting for someone to review it."""

    path: Path
    title: str  # "" when the draft has none yet
    questions: int  # how many listed questions it has


@dataclass(frozen=True)
class _Checked:
    topic_id: str | None
    draft: bool
    problems: list[ContentProblem]


def _check_topic(path: Path, contacts: Contacts, today: date) -> _Checked:
    try:
        raw = read_raw(path)
    except ContentError as error:
        return _Checked(None, False, [ContentProblem(error.path, error.line, error.message)])
    try:
        draft = topic_status(raw) == DRAFT
        problems = []
    except ContentError as error:
        draft = False
        problems = [ContentProblem(error.path, error.line, error.message)]
    problems.extend(_check_meta(raw, today))
    try:
        short_answer, _details = split_answer(render_body(raw, contact_context(contacts)))
        if not short_answer:
            problems.append(
                ContentProblem(path, raw.body_first_line, "the body needs a short answer first")
            )
    except ContentError as error:
        problems.append(ContentProblem(error.path, error.line, error.message))
    problems.extend(_contact_warnings(raw, contacts))
    if draft:  # reported so the reviewer can fix them, but they fail nothing: it is not served
        problems = [_as_draft_warning(problem) for problem in problems]
    topic_id = raw.meta.get("id")
    return _Checked(topic_id if isinstance(topic_id, str) else None, draft, problems)


def _as_draft_warning(problem: ContentProblem) -> ContentProblem:
    return replace(problem, message=DRAFT_PREFIX + problem.message, severity="warning")


def check_content(
    content_dir: Path, contacts: Contacts, today: date | None = None
) -> list[ContentProblem]:
    """Every problem in content_dir (topics and synonyms); errors fail, warnings inform.

    A draft (`status: udkast`) is checked like any topic, but its problems are warnings: it is
    not served, so it cannot break what employees see. Once its status is changed, the same
    problems are errors."""
    today = today or date.today()
    topics_dir = content_dir / TOPICS_SUBDIR
    problems: list[ContentProblem] = []
    paths = topic_paths(content_dir)
    if not paths:
        problems.append(ContentProblem(topics_dir, 0, "no topic files (*.md) found"))
    seen: dict[str, tuple[Path, bool]] = {}
    served: set[str] = set()
    drafts: set[str] = set()
    for path in paths:
        checked = _check_topic(path, contacts, today)
        problems.extend(checked.problems)
        names = {path.stem, checked.topic_id or path.stem}
        (drafts if checked.draft else served).update(names)
        if checked.topic_id is None:
            continue
        if checked.topic_id in seen:
            other, other_draft = seen[checked.topic_id]
            line = read_raw(path).key_line("id")
            duplicate = ContentProblem(
                path, line, f"duplicate id '{checked.topic_id}' (also in {other})"
            )
            either_draft = checked.draft or other_draft
            problems.append(_as_draft_warning(duplicate) if either_draft else duplicate)
        else:
            seen[checked.topic_id] = (path, checked.draft)
    for required in REQUIRED_TOPIC_IDS:
        if required in served:
            continue
        why = "is only a draft (status: udkast)" if required in drafts else "is missing"
        problems.append(
            ContentProblem(topics_dir / f"{required}.md", 0, f"required topic '{required}' {why}")
        )
    problems.extend(synonym_problems(content_dir))
    problems.extend(intent_problems(content_dir))
    return problems


def find_drafts(content_dir: Path) -> list[Draft]:
    """The drafts waiting for review, by file name (unreadable files are check_content's job)."""
    drafts: list[Draft] = []
    for path in topic_paths(content_dir):
        try:
            raw = read_raw(path)
            if topic_status(raw) != DRAFT:
                continue
        except ContentError:
            continue
        title, questions = raw.meta.get("title"), raw.meta.get("questions")
        drafts.append(
            Draft(
                path,
                title.strip() if isinstance(title, str) else "",
                len(questions) if isinstance(questions, list) else 0,
            )
        )
    return drafts
