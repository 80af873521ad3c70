"""Loads guideline topics from content/kompas/*.md: front matter, rendered body, answer split."""

from __future__ import annotations

import logging
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from types import TracebackType
from typing import Any

import frontmatter
import jinja2
import yaml

from ground.settings import Contacts
from knowledge.api import Topic

logger = logging.getLogger(__name__)

TOPICS_SUBDIR = "kompas"
# `status:` in the front matter. Absent means approved: the topic is served to employees.
STATUS_KEY = "status"
APPROVED = "godkendt"  # served
DRAFT = "udkast"  # never served; `kompas content check` lists it for review
STATUSES = (APPROVED, DRAFT)
# `suggestion:` names the ambassadors' case a draft was written from (knowledge/suggestions.py).
SUGGESTION_KEY = "suggestion"
TEMPLATE_NAME = "<template>"  # Jinja's file name for templates made with from_string
# The content writes each placeholder in parentheses, "rådgiveren ({{ kontakt.dpo }})", so
# the notice for an empty contact has none of its own (it rendered "((…))" before).
EMPTY_CONTACT = "kontaktoplysning er ikke udfyldt endnu – spørg din leder"

# Placeholder name in the content -> (Contacts field, environment variable that fills it).
CONTACT_PLACEHOLDERS: dict[str, tuple[str, str]] = {
    "dpo": ("dpo", "KOMPAS_CONTACT_DPO"),
    "it_sikkerhed": ("it_security", "KOMPAS_CONTACT_IT_SECURITY"),
    "ambassadoerer": ("ambassadors", "KOMPAS_CONTACT_AMBASSADORS"),
}

_PARAGRAPH_BREAK = re.compile(r"\n[ \t]*\n")
_HANDLER = frontmatter.YAMLHandler()
_BOUNDARY = re.compile(r"^-{3,}[ \t]*$", re.MULTILINE)


class ContentError(ValueError):
    """A content file Kompas cannot use; names the file and the 1-based line (0: whole file)."""

    def __init__(self, path: Path, line: int, message: str) -> None:
        super().__init__(f"{path}:{line}: {message}" if line else f"{path}: {message}")
        self.path = path
        self.line = line
        self.message = message


@dataclass(frozen=True)
class RawTopic:
    """A topic file split into front matter and (unrendered) body, with line bookkeeping."""

    path: Path
    meta: dict[str, Any]
    meta_text: str
    body: str
    meta_first_line: int  # file line where meta_text starts (the opening '---' line)
    body_first_line: int  # file line where body starts (the closing '---' line)

    def key_line(self, key: str) -> int:
        """File line of `key:` in the front matter (0 when absent)."""
        pattern = re.compile(rf"^{re.escape(key)}\s*:")
        for number, text in enumerate(self.meta_text.splitlines(), start=self.meta_first_line):
            if pattern.match(text):
                return number
        return 0


def topic_paths(content_dir: Path) -> list[Path]:
    """The topic files, sorted by name."""
    return sorted((content_dir / TOPICS_SUBDIR).glob("*.md"))


def yaml_error(error: yaml.YAMLError, first_line: int) -> tuple[int, str]:
    """File line and message of a YAML error in text that starts at `first_line` (1-based)."""
    problem_mark = getattr(error, "problem_mark", None)
    context_mark = getattr(error, "context_mark", None)
    message = str(getattr(error, "problem", None) or str(error).splitlines()[0])
    context = getattr(error, "context", None)
    line = first_line + problem_mark.line if problem_mark is not None else first_line
    if (
        context
        and context_mark is not None
        and context_mark.line != getattr(problem_mark, "line", None)
    ):
        message += f" ({context} on line {first_line + context_mark.line})"
    return line, message


def read_raw(path: Path) -> RawTopic:
    """Split one topic file; raises ContentError for missing or unparseable front matter."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise ContentError(path, 0, f"cannot read file: {error}") from error
    if not text.lstrip("\ufeff").startswith("---") or not _HANDLER.detect(text.lstrip("\ufeff")):
        raise ContentError(path, 1, "missing YAML front matter (the file must start with '---')")
    text = text.lstrip("\ufeff")
    opening = _BOUNDARY.match(text)
    meta_first_line = text[: opening.end()].count("\n") + 1 if opening else 1
    try:
        meta_text, body = _HANDLER.split(text)
    except ValueError as error:
        raise ContentError(path, 1, "front matter is not closed by a '---' line") from error
    try:
        meta = _HANDLER.load(meta_text)
    except yaml.YAMLError as error:
        line, problem = yaml_error(error, meta_first_line)
        raise ContentError(path, line, f"front matter is not valid YAML: {problem}") from error
    if not isinstance(meta, dict):
        raise ContentError(path, 2, "front matter must be a mapping of keys (id:, title: …)")
    body_first_line = text[: len(text) - len(body)].count("\n") + 1
    return RawTopic(path, meta, meta_text, body, meta_first_line, body_first_line)


def topic_status(raw: RawTopic) -> str:
    """The topic's status, APPROVED when `status:` is absent; ContentError for another value."""
    if STATUS_KEY not in raw.meta:
        return APPROVED
    value = raw.meta[STATUS_KEY]
    status = value.strip().casefold() if isinstance(value, str) else None
    if status is None or status not in STATUSES:
        raise ContentError(
            raw.path,
            raw.key_line(STATUS_KEY) or 2,
            f"'status' must be '{APPROVED}' (served) or '{DRAFT}' (a draft, not served), "
            f"not {value!r}",
        )
    return status


def contact_context(contacts: Contacts) -> dict[str, dict[str, str]]:
    """The `kontakt` template variable; an empty contact becomes a neutral Danish notice."""
    values = {
        name: getattr(contacts, field).strip() or EMPTY_CONTACT
        for name, (field, _env) in CONTACT_PLACEHOLDERS.items()
    }
    return {"kontakt": values}


def _template_line(traceback: TracebackType | None) -> int:
    line = 0
    while traceback is not None:
        if traceback.tb_frame.f_code.co_filename == TEMPLATE_NAME:
            line = traceback.tb_lineno
        traceback = traceback.tb_next
    return line


def render_body(raw: RawTopic, context: Mapping[str, Any]) -> str:
    """Render the body with StrictUndefined; raises ContentError with the file line."""
    env = jinja2.Environment(
        undefined=jinja2.StrictUndefined, autoescape=False, keep_trailing_newline=True
    )
    # Leading newlines are kept so template line numbers map onto file lines.
    try:
        template = env.from_string(raw.body)
        return template.render(**context)
    except jinja2.TemplateSyntaxError as error:
        template_line = error.lineno
        message = f"template syntax error: {error.message}"
        cause: Exception = error
    except jinja2.UndefinedError as error:
        template_line = _template_line(error.__traceback__)
        message = f"undefined template variable: {error.message}"
        cause = error
    except jinja2.TemplateError as error:
        template_line = _template_line(error.__traceback__)
        message = f"template error: {error}"
        cause = error
    line = raw.body_first_line + template_line - 1 if template_line else 0
    raise ContentError(raw.path, line, message) from cause


def split_answer(body: str) -> tuple[str, str]:
    """Short answer (first paragraph that is not a heading) and details (the rest)."""
    blocks = [block.strip() for block in _PARAGRAPH_BREAK.split(body.strip())]
    blocks = [block for block in blocks if block]
    while len(blocks) > 1 and blocks[0].startswith("#") and "\n" not in blocks[0]:
        blocks.pop(0)
    if not blocks:
        return "", ""
    return blocks[0], "\n\n".join(blocks[1:])


def _string_list(raw: RawTopic, key: str) -> tuple[str, ...]:
    value = raw.meta.get(key)
    if not isinstance(value, list) or not value:
        raise ContentError(raw.path, raw.key_line(key), f"'{key}' must be a non-empty list")
    if not all(isinstance(item, str) and item.strip() for item in value):
        raise ContentError(raw.path, raw.key_line(key), f"every '{key}' entry must be text")
    return tuple(item.strip() for item in value)


def _text(raw: RawTopic, key: str) -> str:
    value = raw.meta.get(key)
    if isinstance(value, int | float) and not isinstance(value, bool):
        value = str(value)
    if not isinstance(value, str) or not value.strip():
        raise ContentError(raw.path, raw.key_line(key) or 2, f"'{key}' must be non-empty text")
    return value.strip()


def reviewed_date(value: object) -> date | None:
    """`reviewed` as a date (YAML date or ISO text), else None."""
    if isinstance(value, date):
        return value
    if isinstance(value, str):
        try:
            return date.fromisoformat(value.strip())
        except ValueError:
            return None
    return None


def build_topic(raw: RawTopic, context: Mapping[str, Any]) -> Topic:
    """Check the front matter types and render the body into a Topic."""
    topic_id = _text(raw, "id")
    if topic_id != raw.path.stem:
        raise ContentError(
            raw.path, raw.key_line("id"), f"id '{topic_id}' must equal the file name"
        )
    spor = raw.meta.get("spor")
    if isinstance(spor, bool) or not isinstance(spor, int) or not 1 <= spor <= 4:
        raise ContentError(raw.path, raw.key_line("spor") or 2, "'spor' must be 1, 2, 3 or 4")
    reviewed = reviewed_date(raw.meta.get("reviewed"))
    if reviewed is None:
        raise ContentError(
            raw.path, raw.key_line("reviewed") or 2, "'reviewed' must be a date (YYYY-MM-DD)"
        )
    short_answer, details = split_answer(render_body(raw, context))
    if not short_answer:
        raise ContentError(raw.path, raw.body_first_line, "the body needs a short answer")
    return Topic(
        id=topic_id,
        title=_text(raw, "title"),
        spor=spor,
        owner=_text(raw, "owner"),
        reviewed=reviewed,
        questions=_string_list(raw, "questions"),
        keywords=_string_list(raw, "keywords"),
        short_answer=short_answer,
        details=details,
        source_path=raw.path,
    )


def load_topics(content_dir: Path, contacts: Contacts) -> list[Topic]:
    """The served topics under content_dir/kompas, sorted by file name; ContentError on a broken
    one. Drafts (`status: udkast`) are skipped unchecked, so a half-written one breaks nothing
    (their file must still be readable front matter)."""
    context = contact_context(contacts)
    topics: list[Topic] = []
    seen: dict[str, Path] = {}
    for path in topic_paths(content_dir):
        raw = read_raw(path)
        if topic_status(raw) == DRAFT:
            logger.debug("not serving %s: status %s", path, DRAFT)
            continue
        topic = build_topic(raw, context)
        if topic.id in seen:
            raise ContentError(path, 0, f"duplicate id '{topic.id}' (also in {seen[topic.id]})")
        seen[topic.id] = path
        topics.append(topic)
    return topics
