"""User-facing Danish texts: Jinja2 templates and labels from content/templates."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import jinja2
import yaml

from bot.settings import Settings
from knowledge.api import ContentProblem

logger = logging.getLogger(__name__)

TEMPLATE_SUFFIX = ".md.j2"
STRINGS_FILE = "strings.yml"

# A realistic context per template, used by `kompas content check` to prove each one renders.
SAMPLE_CONTEXTS: Mapping[str, Mapping[str, Any]] = {
    "welcome": {"name": "Mette", "conversation_type": "personal"},
    "help": {"topics": ["Persondata", "Prompting"]},
    "small_talk_hello": {"name": "Mette"},
    "small_talk_thanks": {},
    "small_talk_bye": {},
    "unknown_answer": {"suggestions": ["Persondata"]},
    "redaction_notice": {"removed": {"cpr": 1, "phone": 2, "email": 0}},
    "feedback_thanks": {"helpful": False},
    "feedback_unknown": {},
    "ambassador_confirm": {"posted": True},
    "ambassador_unknown": {},
    "ambassador_post": {"question": "Må jeg bruge AI til at lave en madplan i plejecentret?"},
    "apology": {},
    "unknown_action": {},
    "empty_message": {},
    "too_long": {},
}


class TextsError(Exception):
    """A template or label is missing or broken."""


class Texts:
    """Renders the Danish message templates and looks up card labels."""

    def __init__(self, templates_dir: Path, settings: Settings) -> None:
        self.templates_dir = templates_dir
        self._settings = settings
        self._env = jinja2.Environment(
            loader=jinja2.FileSystemLoader(str(templates_dir)),
            undefined=jinja2.StrictUndefined,
            autoescape=False,
            keep_trailing_newline=False,
        )
        self._strings = self._load_strings()

    def _load_strings(self) -> dict[str, Any]:
        path = self.templates_dir / STRINGS_FILE
        try:
            data = yaml.safe_load(path.read_text(encoding="utf-8"))
        except (OSError, yaml.YAMLError) as error:
            raise TextsError(f"{path}: {error}") from error
        if not isinstance(data, dict):
            raise TextsError(f"{path}: expected a mapping of label groups")
        return data

    def render(self, template_name: str, /, **context: Any) -> str:
        """Render content/templates/<template_name>.md.j2 with the given context, stripped."""
        try:
            template = self._env.get_template(template_name + TEMPLATE_SUFFIX)
            return template.render(**context).strip()
        except jinja2.TemplateError as error:
            raise TextsError(f"template {template_name}{TEMPLATE_SUFFIX}: {error}") from error

    def label(self, group: str, key: str, **values: str) -> str:
        """A short label from strings.yml, e.g. label("answer_card", "read_more")."""
        try:
            text = str(self._strings[group][key])
        except (KeyError, TypeError) as error:
            raise TextsError(f"{STRINGS_FILE}: missing label {group}.{key}") from error
        return text.format(**values) if values else text

    def template_names(self) -> list[str]:
        """Names of all message templates found on disk."""
        return sorted(
            path.name.removesuffix(TEMPLATE_SUFFIX)
            for path in self.templates_dir.glob("*" + TEMPLATE_SUFFIX)
        )

    def check(self) -> list[ContentProblem]:
        """Render every template with its sample context; report what fails or is missing."""
        problems: list[ContentProblem] = []
        on_disk = set(self.template_names())
        for name in sorted(set(SAMPLE_CONTEXTS) - on_disk):
            path = self.templates_dir / (name + TEMPLATE_SUFFIX)
            problems.append(ContentProblem(path, 0, "template is missing (Kompas uses it)"))
        for name in sorted(on_disk):
            path = self.templates_dir / (name + TEMPLATE_SUFFIX)
            try:
                text = self.render(name, **SAMPLE_CONTEXTS.get(name, {}))
            except TextsError as error:
                cause = error.__cause__
                line = getattr(cause, "lineno", 0) or 0
                problems.append(ContentProblem(path, line, f"does not render: {cause or error}"))
                continue
            if not text:
                problems.append(ContentProblem(path, 0, "renders as empty text"))
        return problems
