"""`refleksion`: an AI-ambassador writes down, at any time, what a pilot is teaching them."""

from __future__ import annotations

import logging

from dialogs.base import DialogDeps
from dialogs.pilot_common import (
    PilotServices,
    form_problem,
    is_ambassador,
    not_ambassador,
    with_redaction_notice,
)
from ground.messages import (
    Action,
    Card,
    Choice,
    ChoiceInput,
    Incoming,
    IncomingKind,
    Reply,
    Section,
    TextInput,
)
from pilots.cards import CARD_ID_KEY, NOTE_VERB, card_id_of, new_card_id
from pilots.forms import MAX_NOTE, FormError, Redactor, parse_note, pilot_id_of
from storage.pilot_store import PilotCardUsedError

logger = logging.getLogger(__name__)


class PilotNoteDialog:
    """Shows a card to pick one of the ambassador's pilots and write; stores the text redacted."""

    def __init__(self, deps: DialogDeps, services: PilotServices) -> None:
        self._deps = deps
        self._services = services

    async def handle(self, incoming: Incoming) -> list[Reply]:
        deps = self._deps
        if not await is_ambassador(deps, incoming.person):
            return not_ambassador(deps, "note")
        if incoming.kind == IncomingKind.SUBMIT:
            return await self._save(incoming)
        pilots = await self._services.pilots.pilots_owned_by(incoming.person)
        if not pilots:
            return [Reply(text=deps.texts.render("pilot_status_empty"))]
        label = deps.texts.label
        card = Card(
            title=label("pilot_note", "title"),
            sections=(Section(text=deps.texts.render("pilot_note_intro")),),
            inputs=(
                ChoiceInput(
                    "pilot_id",
                    label("pilot_note", "pilot"),
                    tuple(Choice(pilot.title, str(pilot.id)) for pilot in pilots),
                    required=True,
                    default=str(pilots[0].id),
                    error_message=label("required_inputs", "note_pilot"),
                ),
                TextInput(
                    "text",
                    label("pilot_note", "text"),
                    label("pilot_note", "text_placeholder"),
                    multiline=True,
                    required=True,
                    max_length=MAX_NOTE,
                    error_message=label("required_inputs", "note_text"),
                ),
            ),
            actions=(
                Action(label("pilot_note", "submit"), NOTE_VERB, {CARD_ID_KEY: new_card_id()}),
            ),
        )
        return [Reply(card=card)]

    async def _save(self, incoming: Incoming) -> list[Reply]:
        deps = self._deps
        value = incoming.value or {}
        redactor = Redactor()
        try:
            pilot_id = pilot_id_of(value)
            text = parse_note(value, redactor)
        except FormError as error:
            return form_problem(deps, error)
        pilots = self._services.pilots
        pilot = await pilots.pilot(pilot_id)
        if pilot is None:
            return [Reply(text=deps.texts.render("pilot_unknown"))]
        card_id = card_id_of(value)
        already = deps.texts.render("pilot_note_already_saved", title=pilot.title)
        if card_id is not None and await pilots.note_card_used(card_id):
            logger.info("pilot %d: note card submitted again", pilot_id)
            return [Reply(text=already)]
        try:
            await pilots.add_note(pilot_id, incoming.person, text, card_id)
        except PilotCardUsedError:  # the same card, submitted at the same moment
            return [Reply(text=already)]
        logger.info(
            "pilot %d: ambassador reflection stored (redacted=%s)", pilot_id, redactor.changed
        )
        saved = deps.texts.render("pilot_note_saved", title=pilot.title)
        return with_redaction_notice(deps, redactor, [Reply(text=saved)])
