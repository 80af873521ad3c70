"""Stores a submitted AI-erfaringer card (redacted) or "Intet at dele denne måned", once a card."""

from __future__ import annotations

import logging
from zoneinfo import ZoneInfo

from dialogs.ask import redaction_notice
from dialogs.base import DialogDeps
from dialogs.experience_summary import submitted_card
from experiences.prompt_card import field_label
from experiences.submission import (
    CAMPAIGN_KEY,
    MAX_TEXT_CHARS,
    Field,
    InvalidSubmissionError,
    parse_month,
    parse_submission,
)
from experiences.withdrawal import withdraw_reminders
from ground.card_ids import card_id_of, plain_values
from ground.messages import Incoming, Reply
from storage.experience_choices import AnswerKind
from storage.experience_store import ExperienceStore, NewExperience

logger = logging.getLogger(__name__)


class ShareExperienceDialog:
    """A card submission: "Send" stores the experience, "Intet at dele" counts as an answer."""

    def __init__(self, deps: DialogDeps, experiences: ExperienceStore, kind: AnswerKind) -> None:
        self._deps = deps
        self._experiences = experiences
        self._kind = kind
        self._tz = ZoneInfo(deps.settings.timezone)
        self._handled = deps.handled

    async def handle(self, incoming: Incoming) -> list[Reply]:
        value = plain_values(incoming.value or {}, (field.value for field in Field))
        if self._kind is AnswerKind.NOTHING:
            return await self._nothing(incoming, value)
        return await self._share(incoming, value)

    async def _first_submission(self, value: dict[str, object], user_id: int) -> bool:
        """Claim the card (cards without an id, sent before cards had one, always pass)."""
        card_id = card_id_of(value)
        if card_id is None:
            return True
        first = await self._handled.claim(f"card:{card_id}:user:{user_id}", user_id)
        if not first:
            logger.info("experience card submitted again; ignored")
        return first

    def _already_sent(self) -> list[Reply]:
        return [Reply(text=self._deps.texts.render("experience_already_sent"))]

    def _summary(self, experience: NewExperience | None) -> Reply:
        card = submitted_card(self._deps.texts, experience)
        return Reply(card=card, updates_submitted_card=True)

    async def _share(self, incoming: Incoming, value: dict[str, object]) -> list[Reply]:
        deps = self._deps
        try:
            submission = parse_submission(value)
        except InvalidSubmissionError as error:
            logger.info("experience not stored: %s (field %s)", error.reason, error.field)
            label = field_label(deps.texts, error.field) if error.field else ""
            text = deps.texts.render(
                "experience_invalid",
                reason=error.reason,
                field_label=label,
                campaign=bool(value.get(CAMPAIGN_KEY)),
            )
            return [Reply(text=text)]
        user_id = await deps.store.remember_person(incoming.person)
        if not await self._first_submission(value, user_id):
            return self._already_sent()
        now = deps.clock()
        saved = await self._experiences.save_experience(
            user_id,
            submission.experience,
            submission.campaign_month,
            now,
            now.astimezone(self._tz).date(),
        )
        # every open prompt of the person now counts as answered: no reminder may follow
        await withdraw_reminders(deps.outbox, user_id)
        logger.info(
            "experience %d stored (campaign %s, updated=%s, redacted=%s)",
            saved.experience.id,
            saved.experience.campaign_month,
            saved.updated,
            submission.redacted,
        )
        replies = [self._summary(submission.experience)]
        if submission.redacted:
            replies.append(redaction_notice(deps, submission.removed))
        thanks = deps.texts.render(
            "experience_thanks",
            updated=saved.updated,
            consent=saved.experience.consent,
            truncated=submission.truncated,
            max_chars=MAX_TEXT_CHARS,
        )
        replies.append(Reply(text=thanks))
        return replies

    async def _nothing(self, incoming: Incoming, value: dict[str, object]) -> list[Reply]:
        deps = self._deps
        try:
            month = parse_month(value.get(CAMPAIGN_KEY))
        except InvalidSubmissionError:
            month = None
        found = False
        if month is not None:
            user_id = await deps.store.remember_person(incoming.person)
            if not await self._first_submission(value, user_id):
                return self._already_sent()
            found = await self._experiences.record_nothing_to_share(user_id, month, deps.clock())
            if found:
                await withdraw_reminders(deps.outbox, user_id, month)
        logger.info("nothing to share for campaign %s (found=%s)", month, found)
        text = deps.texts.render("experience_nothing", found=found)
        return [self._summary(None), Reply(text=text)] if found else [Reply(text=text)]
