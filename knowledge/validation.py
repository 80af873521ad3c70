"""`kompas content check`: finds every problem in the guideline content, with file and line."""

from __future__ import annotations

import re
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from ground.content import ContentProblem
from ground.settings import Contacts
from knowledge.intents import intent_problems
from knowledge.synonyms import synonym_problems
from knowledge.topics import (
    CONTACT_PLACEHOLDERS,
    TOPICS_SUBDIR,
    ContentError,
    RawTopic,
    contact_context,
    read_raw,
    render_body,
    reviewed_date,
    split_answer,
    topic_paths,
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
KNOWN_KEYS = frozenset({"id", "title", "spor", "owner", "reviewed", "questions", "keywords"})
REVIEW_INTERVAL = timedelta(days=365)
_PLACEHOLDER = re.compile(r"\bkontakt\s*\.\s*(\w+)")


def _check_meta(raw: RawTopic, today: date) -> list[ContentProblem]:
    problems: list[ContentProblem] = []

    def problem(key: str, message: str, severity: str = "error") -> None:
        problems.append(ContentProblem(raw.path, raw.key_line(key) or 1, message, severity))

    meta: dict[str, Any] = raw.meta
    for key in ("id", "title", "spor", "owner", "reviewed", "questions", "keywords"):
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


def _check_topic(
    path: Path, contacts: Contacts, today: date
) -> tuple[str | None, list[ContentProblem]]:
    try:
        raw = read_raw(path)
    except ContentError as error:
        return None, [ContentProblem(error.path, error.line, error.message)]
    problems = _check_meta(raw, today)
    try:
        short_answer, _details = split_answer(render_body(raw, contact_context(contacts)))
        if not short_answer:
            problems.append(
                ContentProblem(path, raw.body_first_line, "the body needs a short answer first")
            )
    except ContentError as error:
        problems.append(ContentProblem(error.path, error.line, error.message))
    problems.extend(_contact_warnings(raw, contacts))
    topic_id = raw.meta.get("id")
    return (topic_id if isinstance(topic_id, str) else None), problems


def check_content(
    content_dir: Path, contacts: Contacts, today: date | None = None
) -> list[ContentProblem]:
    """Every problem in content_dir (topics and synonyms); errors fail, warnings inform."""
    today = today or date.today()
    topics_dir = content_dir / TOPICS_SUBDIR
    problems: list[ContentProblem] = []
    paths = topic_paths(content_dir)
    if not paths:
        problems.append(ContentProblem(topics_dir, 0, "no topic files (*.md) found"))
    seen: dict[str, Path] = {}
    for path in paths:
        topic_id, found = _check_topic(path, contacts, today)
        problems.extend(found)
        if topic_id is None:
            continue
        if topic_id in seen:
            line = read_raw(path).key_line("id")
            problems.append(
                ContentProblem(path, line, f"duplicate id '{topic_id}' (also in {seen[topic_id]})")
            )
        else:
            seen[topic_id] = path
    present = {path.stem for path in paths} | set(seen)
    for required in REQUIRED_TOPIC_IDS:
        if required not in present:
            problems.append(
                ContentProblem(
                    topics_dir / f"{required}.md", 0, f"required topic '{required}' is missing"
                )
            )
    problems.extend(synonym_problems(content_dir))
    problems.extend(intent_problems(content_dir))
    return problems
