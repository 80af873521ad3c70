"""Danish texts: renders content/templates/*.md.j2 and looks up labels in strings.yml."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import jinja2
import yaml

from ground.content import ContentProblem

logger = logging.getLogger(__name__)

TEMPLATE_SUFFIX = ".md.j2"
STRINGS_FILE = "strings.yml"


class TextsError(Exception):
    """A template or label is missing or broken."""


class Texts:
    """Renders the Danish message templates and looks up card labels."""

    def __init__(self, templates_dir: Path) -> None:
        self.templates_dir = templates_dir
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

    def check(self, samples: Mapping[str, Mapping[str, Any]]) -> list[ContentProblem]:
        """Render every template with its sample context; report what fails or is missing."""
        problems: list[ContentProblem] = []
        on_disk = set(self.template_names())
        for name in sorted(set(samples) - on_disk):
            path = self.templates_dir / (name + TEMPLATE_SUFFIX)
            problems.append(ContentProblem(path, 0, "template is missing (Kompas uses it)"))
        for name in sorted(on_disk):
            path = self.templates_dir / (name + TEMPLATE_SUFFIX)
            try:
                text = self.render(name, **samples.get(name, {}))
            except TextsError as error:
                cause = error.__cause__
                line = getattr(cause, "lineno", 0) or 0
                problems.append(ContentProblem(path, line, f"does not render: {cause or error}"))
                continue
            if not text:
                problems.append(ContentProblem(path, 0, "renders as empty text"))
        return problems
