"""A card's form as a Slack modal: opened from its button, its submission read back as a press."""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from bot.slack.blocks import (
    MAX_HEADER_CHARS,
    MAX_MODAL_BLOCKS,
    Block,
    input_block,
    input_values,
    limit_problems,
    plain,
)
from bot.slack.packed_forms import PackedForm

logger = logging.getLogger(__name__)

FORM_CALLBACK = "kompas-form"  # the callback_id of every form modal
MODAL_TITLE = "Kompas"
# Slack's limits for a modal (views.open reference).
MAX_VIEW_TITLE_CHARS = 24  # title, submit and close
MAX_PRIVATE_METADATA_CHARS = 3000
MAX_CALLBACK_ID_CHARS = 255

Json = dict[str, Any]


@dataclass(frozen=True)
class FormPlace:
    """The message a form was opened from: its submission answers there, as the press would."""

    channel: str
    message_ts: str | None = None
    thread_ts: str | None = None
    response_url: str | None = None
    ephemeral: bool = False


@dataclass(frozen=True)
class FormSubmission:
    """A submitted modal: the card value its button sends (with the inputs), and where from."""

    value: Json
    place: FormPlace


def form_view(form: PackedForm, place: FormPlace, close: str) -> Json:
    """views.open's modal for the form: the card's title, its inputs and the button's title
    as the submit button; the press's value and place ride along in private_metadata."""
    value = {"verb": form.action.verb, **form.action.data}
    metadata = json.dumps(
        {
            "value": value,
            "channel": place.channel,
            "message_ts": place.message_ts,
            "thread_ts": place.thread_ts,
            "response_url": place.response_url,
            "ephemeral": place.ephemeral,
        },
        ensure_ascii=False,
        separators=(",", ":"),
    )
    blocks: list[Block] = []
    if form.title:
        blocks.append({"type": "header", "text": plain(form.title, MAX_HEADER_CHARS)})
    blocks.extend(input_block(card_input) for card_input in form.inputs)
    return {
        "type": "modal",
        "callback_id": FORM_CALLBACK,
        "title": plain(MODAL_TITLE, MAX_VIEW_TITLE_CHARS),
        "submit": plain(form.action.title, MAX_VIEW_TITLE_CHARS),
        "close": plain(close, MAX_VIEW_TITLE_CHARS),
        "private_metadata": metadata,
        "blocks": blocks[:MAX_MODAL_BLOCKS],
    }


def read_submission(view: object) -> FormSubmission | None:
    """The press a submitted form modal stands for; None when the view is not Kompas's form
    or its metadata is unreadable."""
    if not isinstance(view, dict) or view.get("callback_id") != FORM_CALLBACK:
        return None
    try:
        metadata = json.loads(view.get("private_metadata") or "")
    except (TypeError, ValueError, RecursionError):
        metadata = None
    if not isinstance(metadata, dict):
        logger.warning("A submitted form has no readable metadata")
        return None
    value, channel = metadata.get("value"), metadata.get("channel")
    if not isinstance(value, dict) or not isinstance(value.get("verb"), str):
        return None
    if not isinstance(channel, str) or not channel:
        return None
    state = view.get("state")
    place = FormPlace(
        channel,
        message_ts=_optional(metadata.get("message_ts")),
        thread_ts=_optional(metadata.get("thread_ts")),
        response_url=_optional(metadata.get("response_url")),
        ephemeral=metadata.get("ephemeral") is True,
    )
    inputs = input_values(state if isinstance(state, Mapping) else {})
    return FormSubmission({**value, **inputs}, place)


def view_problems(view: Mapping[str, Any]) -> list[str]:
    """Everything in a view (a modal or a Home tab) that breaks Slack's limits; [] when none."""
    problems = limit_problems(view, MAX_MODAL_BLOCKS)
    for key in ("title", "submit", "close") if view.get("type") == "modal" else ():
        text = str((view.get(key) or {}).get("text", ""))
        if not 0 < len(text) <= MAX_VIEW_TITLE_CHARS:
            problems.append(f"{key} {text!r}: 1…{MAX_VIEW_TITLE_CHARS} characters")
    if len(str(view.get("private_metadata", ""))) > MAX_PRIVATE_METADATA_CHARS:
        problems.append(f"private_metadata over {MAX_PRIVATE_METADATA_CHARS} characters")
    if len(str(view.get("callback_id", ""))) > MAX_CALLBACK_ID_CHARS:
        problems.append(f"callback_id over {MAX_CALLBACK_ID_CHARS} characters")
    problems.extend(_unlabelled(view))
    return problems


def _unlabelled(view: Mapping[str, Any]) -> Iterator[str]:
    for block in view.get("blocks") or []:
        if block.get("type") == "input" and not block.get("label", {}).get("text"):
            yield f"input {block.get('block_id')!r} without a label"


def _optional(value: object) -> str | None:
    return value if isinstance(value, str) and value else None
