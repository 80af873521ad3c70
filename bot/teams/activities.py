"""Turns inbound Bot Framework Activities into channel-neutral `Incoming` events."""

from __future__ import annotations

import logging
from typing import Any

from botbuilder.core import TurnContext
from botbuilder.schema import Activity, ActivityTypes, ChannelAccount

from ground.messages import ConversationType, Incoming, IncomingKind, Person

logger = logging.getLogger(__name__)

CHANNEL = "teams"
_CONVERSATION_TYPES = {kind.value: kind for kind in ConversationType}
_BLANKS = " \t\r\n\u00a0"


def tenant_id(activity: Activity) -> str | None:
    """The tenant of the activity: channelData.tenant.id, else conversation.tenantId."""
    channel_data = activity.channel_data if isinstance(activity.channel_data, dict) else {}
    tenant = channel_data.get("tenant")
    if isinstance(tenant, dict) and isinstance(tenant.get("id"), str) and tenant["id"]:
        return str(tenant["id"])
    conversation = activity.conversation
    if conversation is None:
        return None
    # botbuilder maps the key "tenantID"; Teams sends "tenantId" (kept as an extra property).
    value = conversation.tenant_id or _extra(conversation).get("tenantId")
    return value if isinstance(value, str) and value else None


def team_of(activity: Activity) -> tuple[str | None, str]:
    """The team a channel conversation belongs to (channelData.team): its id and name."""
    channel_data = activity.channel_data if isinstance(activity.channel_data, dict) else {}
    team = channel_data.get("team")
    if not isinstance(team, dict) or not isinstance(team.get("id"), str) or not team["id"]:
        return None, ""
    name = team.get("name")
    return str(team["id"]), name if isinstance(name, str) else ""


def conversation_reference(activity: Activity) -> dict[str, Any]:
    """The serialised conversation reference, with the tenant id Teams needs proactively."""
    reference: dict[str, Any] = TurnContext.get_conversation_reference(activity).serialize()
    tenant = tenant_id(activity)
    if tenant and isinstance(reference.get("conversation"), dict):
        reference["conversation"]["tenantId"] = tenant
    return reference


def remove_bot_mention(activity: Activity) -> str:
    """The message text without the bot's own @mention (other mentions are kept).

    Like `TurnContext.remove_recipient_mention`, but removes only the mention markup
    itself, not every occurrence of the bot's name, and tolerates malformed entities.
    """
    text = activity.text or ""
    bot_id = activity.recipient.id if activity.recipient else None
    for entity in activity.entities or []:
        if (getattr(entity, "type", None) or "").lower() != "mention":
            continue
        extra = _extra(entity)
        mentioned = extra.get("mentioned")
        if not isinstance(mentioned, dict) or not bot_id or mentioned.get("id") != bot_id:
            continue
        markup = extra.get("text")
        if not isinstance(markup, str) or not markup:
            markup = f"<at>{mentioned.get('name') or ''}</at>"
        before, found, after = text.partition(markup)
        if found:
            text = f"{before.rstrip(_BLANKS)} {after.lstrip(_BLANKS)}"
    return text.strip(_BLANKS)


def to_incoming(activity: Activity) -> list[Incoming]:
    """The events in one activity; an empty list for activity types Kompas ignores."""
    if activity.type == ActivityTypes.message:
        return [_message(activity)]
    if activity.type == ActivityTypes.conversation_update:
        return _members_added(activity) + _members_removed(activity)
    if activity.type == ActivityTypes.installation_update:
        if (activity.action or "").lower() == "add":
            # Teams also sends conversationUpdate (bot added), which brings the welcome.
            return [_event(activity, IncomingKind.REFERENCE, activity.from_property)]
        return []
    logger.debug("Ignoring activity of type %r", activity.type)
    return []


def _message(activity: Activity) -> Incoming:
    text = remove_bot_mention(activity)
    value = activity.value if isinstance(activity.value, dict) else None
    is_submit = value is not None and (not text or "verb" in value)
    kind = IncomingKind.SUBMIT if is_submit else IncomingKind.MESSAGE
    # Teams names the message whose card was submitted in replyToId (it can be updated).
    card_message = activity.reply_to_id if is_submit and activity.reply_to_id else None
    return _event(
        activity,
        kind,
        activity.from_property,
        text=text,
        value=value,
        submitted_message_id=card_message,
    )


def _members_added(activity: Activity) -> list[Incoming]:
    """One event per person, in the order named: the bot's own arrival is INSTALLED (by
    the sender), other members are MEMBER_ADDED, and nobody appears twice (Direct Line
    names the bot and the person in one update, with the person also as the sender)."""
    bot_id = activity.recipient.id if activity.recipient else None
    members = [m for m in activity.members_added or [] if m and m.id]
    people = [m for m in members if m.id != bot_id]
    installer = activity.from_property
    if installer is None or not installer.id or installer.id == bot_id:
        installer = people[0] if people else installer
    installed = len(people) < len(members)
    seen: set[str] = {installer.id} if installed and installer and installer.id else set()
    events = []
    for member in members:
        if member.id == bot_id:
            if installed:
                events.append(_event(activity, IncomingKind.INSTALLED, installer))
                installed = False  # named twice: still one installation
        elif member.id not in seen:
            seen.add(member.id)
            events.append(_event(activity, IncomingKind.MEMBER_ADDED, member))
    return events


def _members_removed(activity: Activity) -> list[Incoming]:
    """The bot's own removal is UNINSTALLED; other members who left are MEMBER_REMOVED."""
    bot_id = activity.recipient.id if activity.recipient else None
    events = []
    seen: set[str] = set()
    for member in activity.members_removed or []:
        if not member or not member.id or member.id in seen:
            continue
        seen.add(member.id)
        if member.id == bot_id:
            events.append(_event(activity, IncomingKind.UNINSTALLED, activity.from_property))
        else:
            events.append(_event(activity, IncomingKind.MEMBER_REMOVED, member))
    return events


def _event(
    activity: Activity,
    kind: IncomingKind,
    who: ChannelAccount | None,
    *,
    text: str = "",
    value: dict[str, Any] | None = None,
    submitted_message_id: str | None = None,
) -> Incoming:
    conversation = activity.conversation
    team_id, team_name = team_of(activity)
    return Incoming(
        kind=kind,
        person=_person(who, tenant_id(activity)),
        conversation_id=(conversation.id if conversation else None) or "",
        conversation_type=_conversation_type(activity),
        text=text,
        value=value,
        reference=conversation_reference(activity),
        endpoint=activity.service_url,
        submitted_message_id=submitted_message_id,
        team_id=team_id,
        team_name=team_name,
    )


def _person(account: ChannelAccount | None, tenant: str | None) -> Person:
    if account is None:
        return Person(channel=CHANNEL, user_id="", tenant_id=tenant)
    directory_id = account.aad_object_id or _extra(account).get("aadObjectId")
    return Person(
        channel=CHANNEL,
        user_id=account.id or "",
        name=account.name or "",
        directory_id=directory_id if isinstance(directory_id, str) else None,
        tenant_id=tenant,
    )


def _conversation_type(activity: Activity) -> ConversationType:
    conversation = activity.conversation
    raw = conversation.conversation_type if conversation else None
    if raw in _CONVERSATION_TYPES:
        return _CONVERSATION_TYPES[raw]
    if conversation is not None and conversation.is_group:
        return ConversationType.GROUP
    return ConversationType.PERSONAL


def _extra(model: object) -> dict[str, Any]:
    extra = getattr(model, "additional_properties", None)
    return extra if isinstance(extra, dict) else {}
