"""The App Home tab: what Kompas can do for this person, as the chat's help card shows it."""

from __future__ import annotations

import logging
from typing import Any

import aiohttp
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from bot.slack.blocks import Block, message
from bot.slack.mrkdwn import to_mrkdwn
from dialogs.services import Services
from ground.messages import Incoming, IncomingKind

logger = logging.getLogger(__name__)

MAX_HOME_BLOCKS = 100  # Slack's limit for a view
HELP_WORD = "hjælp"


class SlackHome:
    """Publishes the Home tab when someone opens it (views.publish): the help card for their
    roles (ambassadors and leaders see their parts), and whether the monthly questions are on.
    Buttons are left out: people act in the Messages tab."""

    def __init__(self, client: AsyncWebClient, services: Services) -> None:
        self._client = client
        self._services = services

    async def publish(self, incoming: Incoming) -> None:
        """Build and publish the person's Home tab; a failure is logged, never raised."""
        deps = self._services.deps
        help_for = Incoming(
            IncomingKind.MESSAGE,
            incoming.person,
            incoming.conversation_id,
            incoming.conversation_type,
            text=HELP_WORD,
            reference=incoming.reference,
        )
        blocks: list[Block] = []
        for reply in await self._services.router.handle(help_for):
            blocks.extend(b for b in message(reply)["blocks"] if b.get("type") != "actions")
        user_id = await deps.store.remember_person(incoming.person)
        paused = await deps.experiences.is_opted_out(user_id)
        state = deps.texts.render("slack_home_reminders", paused=paused)
        blocks.append({"type": "section", "text": {"type": "mrkdwn", "text": to_mrkdwn(state)}})
        view: dict[str, Any] = {"type": "home", "blocks": blocks[:MAX_HOME_BLOCKS]}
        try:
            await self._client.views_publish(user_id=incoming.person.user_id, view=view)
        except (SlackApiError, aiohttp.ClientError, TimeoutError) as error:
            logger.warning("Slack Home tab not published: %s", error)
