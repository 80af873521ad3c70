"""The App Home tab: what Kompas can do, the person's reminders and data, their roles' overviews."""

from __future__ import annotations

import json
import logging
from typing import Any

import aiohttp
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from bot.slack.blocks import MAX_MODAL_BLOCKS, Block, message
from bot.slack.home_parts import numbered
from dialogs.my_data import DELETE_VERB, EXPORT_VERB, SHOW_VERB
from dialogs.reminders import PAUSE_VERB, RESUME_VERB
from dialogs.roles import roles_of
from dialogs.services import Services
from ground.messages import Action, Card, Incoming, IncomingKind, Reply, Section

logger = logging.getLogger(__name__)

MAX_HOME_BLOCKS = MAX_MODAL_BLOCKS  # Slack's limit for a view
LABELS = "slack_home"
HELP = "hjælp"
# What ambassadors and leaders see below: the replies to their commands, under a heading
# (the label of the same name) when the reply has no title of its own.
AMBASSADOR_COMMANDS = {"pilot status": "pilots", "sager": "open_cases"}
LEADER_COMMANDS = {"digest": "digest"}


class SlackHome:
    """Publishes a person's Home tab (views.publish) when they open it or press a button on it.

    Top to bottom: the help card for their roles; the monthly questions with a button that
    pauses or resumes them; "Dine data" (show, export, delete, each answered in the DM);
    for ambassadors their pilots and the open questions, for leaders the latest digest: the
    replies to `pilot status`, `sager` and `digest`, with their buttons. A button pressed here
    is answered in the person's DM (the view's private_metadata names it).
    """

    def __init__(self, client: AsyncWebClient, services: Services) -> None:
        self._client = client
        self._services = services

    async def publish(self, incoming: Incoming) -> None:
        """Build and publish the person's Home tab; a failure is logged, never raised."""
        try:
            view = await self.view(incoming)
            await self._client.views_publish(user_id=incoming.person.user_id, view=view)
        except (SlackApiError, aiohttp.ClientError, TimeoutError) as error:
            logger.warning("Slack Home tab not published: %s", error)

    async def view(self, incoming: Incoming) -> dict[str, Any]:
        """The home view for the person of `incoming` (in their DM, `conversation_id`)."""
        parts = await self._ask(incoming, HELP)
        parts.append(await self._reminders(incoming))
        parts.append(self._my_data())
        roles = await roles_of(self._services.deps, incoming.person)
        commands = {
            **(AMBASSADOR_COMMANDS if roles.ambassador else {}),
            **(LEADER_COMMANDS if roles.leader else {}),
        }
        for command, heading in commands.items():
            replies = await self._ask(incoming, command)
            if replies and replies[0].card is None:
                title = self._services.deps.texts.label(LABELS, heading)
                replies[0] = Reply(card=Card(title, (Section(replies[0].text),)))
            parts.extend(replies)
        blocks: list[Block] = []
        for number, reply in enumerate(parts, start=1):
            if blocks:
                blocks.append({"type": "divider"})
            blocks.extend(numbered(message(reply)["blocks"], number))
        if len(blocks) > MAX_HOME_BLOCKS:
            logger.warning(
                "The Home tab needed %d blocks; showing %d", len(blocks), MAX_HOME_BLOCKS
            )
        return {
            "type": "home",
            "private_metadata": json.dumps({"dm": incoming.conversation_id}),
            "blocks": blocks[:MAX_HOME_BLOCKS],
        }

    async def _ask(self, incoming: Incoming, command: str) -> list[Reply]:
        """The replies Kompas gives the person for `command` in their DM."""
        asked = Incoming(
            IncomingKind.MESSAGE,
            incoming.person,
            incoming.conversation_id,
            incoming.conversation_type,
            text=command,
            reference=incoming.reference,
        )
        return await self._services.router.handle(asked)

    async def _reminders(self, incoming: Incoming) -> Reply:
        deps = self._services.deps
        paused = await deps.experiences.is_opted_out(
            await deps.store.remember_person(incoming.person)
        )
        label = deps.texts.label
        toggle = (
            Action(label(LABELS, "resume"), RESUME_VERB)
            if paused
            else Action(label(LABELS, "pause"), PAUSE_VERB)
        )
        state = deps.texts.render("slack_home_reminders", paused=paused)
        card = Card(label(LABELS, "reminders"), (Section(state),), actions=(toggle,))
        return Reply(card=card)

    def _my_data(self) -> Reply:
        texts = self._services.deps.texts
        actions = (
            Action(texts.label(LABELS, "my_data_show"), SHOW_VERB),
            Action(texts.label(LABELS, "my_data_export"), EXPORT_VERB),
            Action(texts.label(LABELS, "my_data_delete"), DELETE_VERB),
        )
        card = Card(
            texts.label(LABELS, "my_data"),
            (Section(texts.render("slack_home_my_data")),),
            actions=actions,
        )
        return Reply(card=card)
