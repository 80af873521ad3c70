"""Replies meant for another conversation go through the durable outbox, never inline."""

from __future__ import annotations

import copy
import logging
import uuid
from collections.abc import Sequence
from dataclasses import replace
from typing import Any

from delivery.api import OutgoingMessage
from delivery.outbox import Outbox
from ground.messages import ConversationType, Incoming, Reply
from storage.conversation_store import Store

logger = logging.getLogger(__name__)

# Teams channel conversations end like this; other "19:…@thread…" ids are group chats.
_CHANNEL_SUFFIXES = ("@thread.tacv2", "@thread.skype")


def is_foreign(reply: Reply, incoming: Incoming) -> bool:
    """True when the reply is addressed to a conversation other than the incoming one."""
    return bool(reply.conversation_id) and reply.conversation_id != incoming.conversation_id


def target_conversation_type(conversation_id: str) -> ConversationType:
    """A best guess at the kind of a conversation from its id (Teams' id shapes)."""
    base = conversation_id.split(";", 1)[0]
    if base.endswith(_CHANNEL_SUFFIXES):
        return ConversationType.CHANNEL
    if base.startswith("19:"):
        return ConversationType.GROUP
    return ConversationType.PERSONAL


def derived_reference(incoming: Incoming, conversation_id: str) -> dict[str, Any]:
    """A conversation reference for `conversation_id`, derived from the incoming turn.

    Same bot, channel, service URL and tenant (Teams serves every conversation of a
    tenant from the same service URL); no user and no activity, so nothing of the person
    who happened to cause it is kept.
    """
    source = incoming.reference or {}
    kind = target_conversation_type(conversation_id)
    conversation: dict[str, Any] = {"id": conversation_id, "conversationType": kind.value}
    if kind is not ConversationType.PERSONAL:
        conversation["isGroup"] = True
    if incoming.person.tenant_id:
        conversation["tenantId"] = incoming.person.tenant_id
    derived: dict[str, Any] = {"conversation": conversation}
    for key in ("bot", "channelId", "channel", "locale"):
        if key in source:
            derived[key] = copy.deepcopy(source[key])
    if incoming.service_url:
        derived["serviceUrl"] = incoming.service_url
    return derived


class Forwarder:
    """Queues a turn's replies for other conversations in the outbox (proactive sends)."""

    def __init__(self, outbox: Outbox, store: Store) -> None:
        self._outbox = outbox
        self._store = store

    async def forward(self, incoming: Incoming, replies: Sequence[Reply]) -> int:
        """Queue the replies (all foreign to `incoming`); how many were newly queued."""
        channel = incoming.person.channel
        # The rows carry the person whose turn caused them (their words may be in them), so
        # erasing that person's data removes what is still queued or kept of them.
        on_behalf_of = await self._store.remember_person(incoming.person)
        messages = []
        for reply in replies:
            target = reply.conversation_id or ""
            key = reply.outbox_key
            if not key:
                key = f"forward:{uuid.uuid4().hex}"
                logger.warning("a reply to another conversation had no outbox key; using %s", key)
            stored = await self._store.ensure_reference(
                channel,
                target,
                target_conversation_type(target),
                incoming.service_url,
                incoming.person.tenant_id,
                derived_reference(incoming, target),
            )
            if stored:
                logger.info(
                    "stored a derived reference for conversation %s on %s (from the turn's "
                    "service URL and tenant)",
                    target,
                    channel,
                )
            messages.append(
                OutgoingMessage(
                    key=key,
                    channel=channel,
                    conversation_id=target,
                    reply=replace(reply, conversation_id=None, outbox_key=""),
                    user_id=on_behalf_of,
                )
            )
        queued = await self._outbox.enqueue(messages) if messages else 0
        logger.info("queued %d of %d replies for other conversations", queued, len(messages))
        return queued
