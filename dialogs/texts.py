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
    "help": {"topics": ["Persondata", "Prompting"], "ambassador": True, "leader": True},
    "small_talk_hello": {"name": "Mette"},
    "small_talk_thanks": {},
    "small_talk_bye": {},
    "unknown_answer": {"suggestions": ["Persondata"]},
    "redaction_notice": {"removed": {"cpr": 1, "phone": 2, "email": 0}},
    "feedback_thanks": {"helpful": False},
    "feedback_unknown": {},
    "ambassador_confirm": {"posted": True, "contact": "ai-ambassadoer@kommune.dk"},
    "card_value_invalid": {},
    "experience_summary": {"nothing": False},
    "experience_already_sent": {},
    "ambassador_unknown": {},
    "ambassador_post": {"question": "Må jeg bruge AI til at lave en madplan i plejecentret?"},
    "apology": {},
    "unknown_action": {},
    "empty_message": {},
    "too_long": {},
    "digest_next_barrier": {
        "barrier": "Usikkerhed om reglerne",
        "key": "regler",
        "units": ["Hjemmeplejen", "Jobcenter"],
    },
    "digest_next_gap": {"question": "Må jeg bruge Copilot til referater?"},
    "digest_next_pilot": {"pilot": "AI til mødereferater", "unit": "Hjemmeplejen"},
    "digest_next_theme": {"terms": ["mødereferater", "teams"]},
    "digest_next_participation": {"percent": 22},
    "digest_next_celebrate": {},
    "digest_card_title": {"month_name": "oktober 2026", "unit": "Hjemmeplejen"},
    "digest_card": {
        "month_name": "oktober 2026",
        "unit": "Hjemmeplejen",
        "scope_note": "",
        "asked": 48,
        "answered": 31,
        "rate": 65,
        "participation_hidden": "",
        "top_task": "Mødereferater",
        "top_gain": "Tid",
        "top_barrier": "Usikkerhed om reglerne",
        "pilots": "1 i gang, 0 afsluttet",
        "url": "http://127.0.0.1:3978/digests/abc?t=1.x",
        "expires": "06.12.2026",
    },
    "digest_not_leader": {"ambassador": False},
    "digest_no_organisation": {},
    "digest_none": {"units": ["Hjemmeplejen"]},
    "digest_private": {},
    "digest_subscription": {"enabled": True, "changed": True},
    "digest_unavailable": {},
    "monthly_prompt": {
        "month_name": "december 2026",
        "campaign": True,
        "reminder": False,
    },
    "experience_thanks": {
        "updated": False,
        "consent": "kun_samlet",
        "truncated": True,
        "max_chars": 1000,
    },
    "experience_nothing": {"found": True},
    "experience_invalid": {
        "reason": "unknown_choice",
        "field_label": "Hvad fik du ud af det?",
        "campaign": True,
    },
    "reminders_paused": {"changed": True},
    "reminders_resumed": {"changed": True},
    "my_data": {
        "name": "Mette Hansen",
        "questions": {"count": 4, "latest": [{"date": "01.12.2026", "text": "Må jeg bruge AI?"}]},
        "open_questions": {
            "count": 1,
            "latest": [{"date": "01.12.2026", "text": "Kantinen?", "answered": False}],
        },
        "experiences": {
            "count": 1,
            "latest": [{"date": "02.12.2026", "summary": "Mødereferat", "consent": "Kun anonymt"}],
        },
        "campaign_answers": {"count": 2, "answered": 1},
        "conversations": {"count": 1},
        "paused": False,
    },
    "my_data_export": {
        "link": "http://127.0.0.1:3978/exports/1?t=1.x",
        "expires_date": "03.12.2026",
        "expires_time": "11.40",
    },
    "my_data_delete_confirm": {},
    "my_data_deleted": {"total": 12},
    "my_data_private": {},
    "card_not_yours": {},
    "my_data_delete_cancelled": {},
    "pilot_not_ambassador": {"action": "create"},
    "pilot_not_owner": {"title": "AI til mødereferater", "owner": "Anne Holm", "change": "pause"},
    "pilot_already_created": {"title": "AI til mødereferater", "start": "23.11.2026"},
    "pilot_note_already_saved": {"title": "AI til mødereferater"},
    "pilot_create_intro": {"default_start": "23.11.2026"},
    "pilot_created": {
        "title": "AI til mødereferater",
        "start": "23.11.2026",
        "end": "21.12.2026",
        "weeks": 4,
        "checkins": ["30.11.2026", "07.12.2026", "14.12.2026"],
        "participants": ["Mette Hansen", "Jonas Berg"],
        "unreachable": ["Jonas Berg"],
    },
    "pilot_form_problem": {"problem": "missing_success"},
    "pilot_unknown_people": {"unknown": ["Søren"], "ambiguous": ["Mette"]},
    "pilot_checkin_card": {
        "number": 2,
        "title": "AI til mødereferater",
        "unit": "Hjemmeplejen Nord",
        "task": "Referater af teammøder",
        "tool": "Copilot",
        "success": "Referatet er klar samme dag",
        "start": "23.11.2026",
        "end": "21.12.2026",
    },
    "pilot_reflection_card": {
        "ended_early": False,
        "title": "AI til mødereferater",
        "unit": "Hjemmeplejen Nord",
        "task": "Referater af teammøder",
        "tool": "Copilot",
        "success": "Referatet er klar samme dag",
        "start": "23.11.2026",
        "end": "21.12.2026",
    },
    "pilot_checkin_thanks": {"updated": False, "decision": "adjust"},
    "pilot_reflection_thanks": {"updated": False, "micro_success": True, "consent": "named"},
    "pilot_not_participant": {},
    "pilot_unknown": {},
    "pilot_status_empty": {},
    "pilot_status_private": {},
    "pilot_status": {
        "success": "Referatet er klar samme dag",
        "participants": 6,
        "unreachable": 1,
        "participation": [
            {"number": 1, "due": "30.11.2026", "asked": 5, "answered": 4},
            {"number": 2, "due": "07.12.2026", "asked": 5, "answered": 3},
        ],
        "latest": {
            "number": 2,
            "respondents": 3,
            "average": "3,7",
            "continue": 2,
            "adjust": 1,
            "stop": 0,
            "worked": ["Udkastet sparede tid"],
            "hard": ["Usikker på hvad der måtte skrives ind"],
            "texts_hidden": False,
        },
        "reflection": {
            "asked": 5,
            "respondents": 3,
            "yes": 2,
            "maybe": 1,
            "no": 0,
            "worked": ["Faste skabeloner"],
            "easier": ["Kollegaer at spørge"],
            "harder": ["Travlhed"],
            "micro_successes": ["Første møde uden referent (Mette Hansen)"],
            "texts_hidden": False,
        },
        "notes": 1,
        "min_group": 3,
    },
    "pilot_changed": {
        "change": "end",
        "title": "AI til mødereferater",
        "end": "21.12.2026",
        "next": "",
        "started": True,
    },
    "pilot_change_problem": {"problem": "ended"},
    "pilot_note_intro": {},
    "pilot_note_saved": {"title": "AI til mødereferater"},
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
