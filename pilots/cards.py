"""The cards participants get: a pilot's check-in and its final reflection; the pilot verbs."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from ground.card_ids import new_card_id
from ground.clock import format_date
from ground.forms import Form
from ground.messages import Card, Section
from ground.texts import Texts
from storage.pilot_records import Decision, Pilot, Recommendation, ShareConsent

CREATE_VERB = "pilot_create"
CHECKIN_VERB = "pilot_checkin"
REFLECTION_VERB = "pilot_reflection"
NOTE_VERB = "pilot_note"
PAUSE_VERB = "pilot_pause"
RESUME_VERB = "pilot_resume"
EXTEND_VERB = "pilot_extend"
END_VERB = "pilot_end"

RATINGS = ("1", "2", "3", "4", "5")
CHECKIN_INPUTS = ("rating", "worked", "hard", "decision")
REFLECTION_INPUTS = ("worked", "easier", "harder", "recommend", "micro_success", "consent")

CARD_ID_KEY = "card_id"  # in the action data of a card whose submission creates something
_CARD_ID = re.compile(r"^[0-9a-f]{32}$")


def card_id_of(value: Mapping[str, Any]) -> str | None:
    """The card id a submission carries; None for an older card without one (or a bad one)."""
    card_id = value.get(CARD_ID_KEY)
    return card_id if isinstance(card_id, str) and _CARD_ID.match(card_id) else None


def pilot_facts_context(pilot: Pilot) -> dict[str, str]:
    """What templates may say about a pilot (free texts are stored redacted)."""
    return {
        "title": pilot.title,
        "unit": pilot.unit,
        "task": pilot.task,
        "tool": pilot.tool,
        "success": pilot.success_criterion,
        "start": format_date(pilot.start_date),
        "end": format_date(pilot.end_date),
    }


def checkin_card(texts: Texts, pilot: Pilot, number: int, card_id: str = "") -> Card:
    """Check-in `number`: how did it go (1–5), what worked, what was hard, and what next.

    The inputs are named after the card (`card_id`, random unless given), so two check-in
    cards in one chat never share a radio group.
    """
    form = Form(texts, "pilot_checkin", card_id or new_card_id())
    return Card(
        title=form.label("title", number=str(number), title=pilot.title),
        sections=(
            Section(
                text=texts.render("pilot_checkin_card", number=number, **pilot_facts_context(pilot))
            ),
        ),
        inputs=(
            form.choice("rating", RATINGS),
            form.text("worked", placeholder=True),
            form.text("hard", placeholder=True),
            form.choice("decision", Decision),
        ),
        actions=(form.submit("submit", CHECKIN_VERB, {"pilot_id": pilot.id, "number": number}),),
    )


def reflection_card(texts: Texts, pilot: Pilot, card_id: str = "") -> Card:
    """The final reflection: what worked, what helped or hindered, advice, a micro-success.

    The inputs are named after the card, as on the check-in card.
    """
    form = Form(texts, "pilot_reflection", card_id or new_card_id())
    return Card(
        title=form.label("title", title=pilot.title),
        sections=(
            Section(
                text=texts.render(
                    "pilot_reflection_card",
                    ended_early=pilot.ended_early,
                    **pilot_facts_context(pilot),
                )
            ),
        ),
        inputs=(
            form.text("worked"),
            form.text("easier"),
            form.text("harder"),
            form.choice("recommend", Recommendation),
            form.text("micro_success", placeholder=True),
            form.choice("consent", ShareConsent, default=ShareConsent.NONE.value),
        ),
        actions=(form.submit("submit", REFLECTION_VERB, {"pilot_id": pilot.id}),),
    )
