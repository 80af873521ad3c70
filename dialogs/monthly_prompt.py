"""The AI-erfaringer card: sent each month by the campaign, and on `del erfaring` any time."""

from __future__ import annotations

import logging

from dialogs.base import DialogDeps
from experiences.prompt_card import monthly_prompt_card
from ground.messages import Incoming, Reply

logger = logging.getLogger(__name__)


class MonthlyPromptDialog:
    """`del erfaring`: the experience card without a campaign, to share at any time."""

    def __init__(self, deps: DialogDeps) -> None:
        self._deps = deps

    async def handle(self, incoming: Incoming) -> list[Reply]:
        logger.debug("experience card asked for on %s", incoming.person.channel)
        return [Reply(card=monthly_prompt_card(self._deps.texts, None))]
