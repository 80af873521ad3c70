"""`pilot status`: an ambassador's pilots, participation and answers in aggregate, with controls."""

from __future__ import annotations

import logging
from typing import Any

from dialogs.base import DialogDeps
from dialogs.pilot_common import PilotServices, is_ambassador, local_today, not_ambassador
from ground.clock import format_date
from ground.messages import (
    Action,
    Card,
    Choice,
    ChoiceInput,
    ConversationType,
    Fact,
    Incoming,
    Reply,
    Section,
)
from pilots.cards import END_VERB, EXTEND_VERB, PAUSE_VERB, RESUME_VERB
from pilots.manage import EXTEND_CHOICES
from pilots.overview import MIN_RESPONDENTS_FOR_TEXTS, PilotOverview, pilot_overview
from storage.pilot_records import Decision, Pilot, PilotState, Recommendation

logger = logging.getLogger(__name__)


def _average(value: float | None) -> str:
    """A rating average the Danish way (3,7), or "" when nobody rated."""
    return "" if value is None else f"{value:.1f}".replace(".", ",")


def status_context(overview: PilotOverview) -> dict[str, Any]:
    """What the pilot_status template shows: counts and texts, never who said what."""
    latest = overview.latest
    reflection = overview.reflection
    return {
        "success": overview.pilot.success_criterion,
        "participants": overview.participants,
        "unreachable": overview.unreachable,
        "participation": [
            {
                "number": row.number,
                "due": format_date(row.due_date),
                "asked": row.asked,
                "answered": row.answered,
            }
            for row in overview.participation
        ],
        "latest": None
        if latest is None
        else {
            "number": latest.number,
            "respondents": latest.respondents,
            "average": _average(latest.average_rating),
            **{decision.value: latest.decisions[decision] for decision in Decision},
            "worked": list(latest.worked),
            "hard": list(latest.hard),
            "texts_hidden": latest.texts_hidden,
        },
        "reflection": None
        if reflection is None
        else {
            "asked": reflection.asked,
            "respondents": reflection.respondents,
            **{choice.value: reflection.recommend[choice] for choice in Recommendation},
            "worked": list(reflection.worked),
            "easier": list(reflection.easier),
            "harder": list(reflection.harder),
            "micro_successes": list(reflection.micro_successes),
            "texts_hidden": reflection.texts_hidden,
        },
        "notes": overview.notes,
        "min_group": MIN_RESPONDENTS_FOR_TEXTS,
    }


def _state_label(deps: DialogDeps, pilot: Pilot) -> str:
    if pilot.state == PilotState.ENDED and pilot.ended_early:
        return deps.texts.label("pilot_status", "state_ended_early")
    return deps.texts.label("pilot_status", f"state_{pilot.state.value}")


def status_card(deps: DialogDeps, overview: PilotOverview) -> Card:
    """One pilot's status card, with pause/resume, extend and end buttons while it runs."""
    label = deps.texts.label
    pilot = overview.pilot
    facts = [Fact(label("pilot_status", "state"), _state_label(deps, pilot))]
    if pilot.unit:
        facts.append(Fact(label("pilot_status", "unit"), pilot.unit))
    facts.append(
        Fact(
            label("pilot_status", "period"),
            f"{format_date(pilot.start_date)} – {format_date(pilot.end_date)}",
        )
    )
    facts.append(Fact(label("pilot_status", "participants"), str(overview.participants)))
    if overview.next_checkin is not None:
        facts.append(Fact(label("pilot_status", "next"), format_date(overview.next_checkin)))
    # Only "Forlæng" submits the weeks choice; the other buttons ignore the card's inputs.
    actions: list[Action] = []
    inputs: tuple[ChoiceInput, ...] = ()
    data = {"pilot_id": pilot.id}
    if pilot.state != PilotState.ENDED:
        if pilot.state == PilotState.ACTIVE:
            actions.append(
                Action(label("pilot_status", "pause"), PAUSE_VERB, data, with_inputs=False)
            )
        else:
            actions.append(
                Action(label("pilot_status", "resume"), RESUME_VERB, data, with_inputs=False)
            )
        if not pilot.ended_early:
            inputs = (
                ChoiceInput(
                    "weeks",
                    label("pilot_status", "extend_weeks"),
                    tuple(
                        Choice(label("pilot_status", f"extend_{weeks}"), str(weeks))
                        for weeks in EXTEND_CHOICES
                    ),
                    default=str(EXTEND_CHOICES[0]),
                ),
            )
            actions.append(Action(label("pilot_status", "extend"), EXTEND_VERB, data))
        actions.append(Action(label("pilot_status", "end"), END_VERB, data, with_inputs=False))
    text = deps.texts.render("pilot_status", **status_context(overview))
    return Card(
        title=pilot.title,
        sections=(Section(text=text),),
        facts=tuple(facts),
        actions=tuple(actions),
        inputs=inputs,
    )


class PilotStatusDialog:
    """Shows the sender's pilots (running first), each on its own card, in a personal chat only."""

    def __init__(self, deps: DialogDeps, services: PilotServices) -> None:
        self._deps = deps
        self._services = services

    async def handle(self, incoming: Incoming) -> list[Reply]:
        deps = self._deps
        if not await is_ambassador(deps, incoming.person):
            return not_ambassador(deps, "status")
        if incoming.conversation_type != ConversationType.PERSONAL:
            return [Reply(text=deps.texts.render("pilot_status_private"))]
        pilots = await self._services.pilots.pilots_owned_by(incoming.person)
        if not pilots:
            return [Reply(text=deps.texts.render("pilot_status_empty"))]
        today = local_today(deps)
        replies = []
        for pilot in pilots:
            overview = await pilot_overview(
                self._services.pilots, pilot, today, self._services.calendar
            )
            replies.append(Reply(card=status_card(deps, overview)))
        logger.info("pilot status: %d pilots shown", len(pilots))
        return replies
