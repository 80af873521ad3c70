"""The asker's 👍/👎 on an ambassador's answer."""

from __future__ import annotations

import logging

from dialogs.base import DialogDeps
from ground.messages import Incoming, Reply

logger = logging.getLogger(__name__)


class CaseFeedbackDialog:
    """Stores whether the answer helped; only the asker it was sent to can rate it."""

    def __init__(self, deps: DialogDeps) -> None:
        self._deps = deps

    async def handle(self, incoming: Incoming) -> list[Reply]:
        texts = self._deps.texts
        value = incoming.value or {}
        asker_id, helpful = value.get("asker_id"), value.get("helpful")
        if not isinstance(asker_id, int) or isinstance(asker_id, bool):
            return [Reply(text=texts.render("unknown_action"))]
        if not isinstance(helpful, bool):
            return [Reply(text=texts.render("unknown_action"))]
        if not await self._deps.cases.cases.set_feedback(asker_id, incoming.person, helpful):
            return [Reply(text=texts.render("case_feedback_unknown"))]
        logger.info("case asker %d rated the answer %s", asker_id, "up" if helpful else "down")
        return [Reply(text=texts.render("case_feedback_thanks", helpful=helpful))]
