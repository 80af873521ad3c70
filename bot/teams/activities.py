"""Turns inbound Bot Framework activities (their JSON, whichever SDK parsed them) into
channel-neutral `Incoming` events."""

from __future__ import annotations

import logging
from typing import Any

from ground.messages import ConversationType, Incoming, IncomingKind, Person

logger = logging.getLogger(__name__)

CHANNEL = "teams"
_CONVERSATION_TYPES = {kind.value: kind for kind in ConversationType}
_BLANKS = " \t\r\n\u00a0"
# The fields of a conversation reference (what a proactive message is addressed from).
_REFERENCE_FIELDS = (
    ("activityId", "id"),
    ("user", "from"),
    ("bot", "recipient"),
    ("conversation", "conversation"),
    ("channelId", "channelId"),
    ("locale", "locale"),
    ("serviceUrl", "serviceUrl"),
)

Json = dict[str, Any]


def _object(value: object) -> Json:
    """`value` when it is a JSON object, else an empty one."""
    return value if isinstance(value, dict) else {}


def _text(value: object) -> str:
    """`value` when it is a non-empty string, else ""."""
    return value if isinstance(value, str) else ""


def _accounts(value: object) -> list[Json]:
    """The accounts of a members list that have an id."""
    items = value if isinstance(value, list) else []
    return [item for item in items if isinstance(item, dict) and _text(item.get("id"))]


def tenant_id(activity: Json) -> str | None:
    """The tenant of the activity: channelData.tenant.id, else conversation.tenantId."""
    tenant = _text(_object(_object(activity.get("channelData")).get("tenant")).get("id"))
    if tenant:
        return tenant
    conversation = _object(activity.get("conversation"))
    return _text(conversation.get("tenantId")) or _text(conversation.get("tenantID")) or None


def team_of(activity: Json) -> tuple[str | None, str]:
    """The team a channel conversation belongs to (channelData.team): its id and name."""
    team = _object(_object(activity.get("channelData")).get("team"))
    team_id = _text(team.get("id"))
    if not team_id:
        return None, ""
    return team_id, _text(team.get("name"))


def conversation_reference(activity: Json) -> Json:
    """The conversation reference, with the tenant id Teams needs proactively."""
    reference: Json = {}
    for name, source in _REFERENCE_FIELDS:
        value = activity.get(source)
        if isinstance(value, dict):
            reference[name] = dict(value)
        elif isinstance(value, str) and value:
            reference[name] = value
    tenant = tenant_id(activity)
    if tenant and isinstance(reference.get("conversation"), dict):
        reference["conversation"]["tenantId"] = tenant
    return reference


def remove_bot_mention(activity: Json) -> str:
    """The message text without the bot's own @mention (other mentions are kept).

    Only the mention markup itself is removed, not every occurrence of the bot's name, and
    malformed entities are ignored.
    """
    text = _text(activity.get("text"))
    bot_id = _text(_object(activity.get("recipient")).get("id"))
    entities = activity.get("entities")
    for entity in entities if isinstance(entities, list) else []:
        entity = _object(entity)
        if _text(entity.get("type")).lower() != "mention":
            continue
        mentioned = entity.get("mentioned")
        if not isinstance(mentioned, dict) or not bot_id or mentioned.get("id") != bot_id:
            continue
        markup = _text(entity.get("text")) or f"<at>{_text(mentioned.get('name'))}</at>"
        before, found, after = text.partition(markup)
        if found:
            text = f"{before.rstrip(_BLANKS)} {after.lstrip(_BLANKS)}"
    return text.strip(_BLANKS)


def to_incoming(activity: Json) -> list[Incoming]:
    """The events in one activity; an empty list for activity types Kompas ignores."""
    kind = _text(activity.get("type"))
    if kind == "message":
        return [_message(activity)]
    if kind == "conversationUpdate":
        return _members_added(activity) + _members_removed(activity)
    if kind == "installationUpdate":
        if _text(activity.get("action")).lower() == "add":
            # Teams also sends conversationUpdate (bot added), which brings the welcome.
            return [_event(activity, IncomingKind.REFERENCE, _sender(activity))]
        return []
    logger.debug("Ignoring activity of type %r", kind[:40])
    return []


def _sender(activity: Json) -> Json | None:
    sender = activity.get("from")
    return sender if isinstance(sender, dict) else None


def _message(activity: Json) -> Incoming:
    text = remove_bot_mention(activity)
    value = activity.get("value") if isinstance(activity.get("value"), dict) else None
    is_submit = value is not None and (not text or "verb" in value)
    kind = IncomingKind.SUBMIT if is_submit else IncomingKind.MESSAGE
    # Teams names the message whose card was submitted in replyToId (it can be updated).
    card_message = _text(activity.get("replyToId")) if is_submit else ""
    return _event(
        activity,
        kind,
        _sender(activity),
        text=text,
        value=value,
        submitted_message_id=card_message or None,
    )


def _members_added(activity: Json) -> list[Incoming]:
    """One event per person, in the order named: the bot's own arrival is INSTALLED (by
    the sender), other members are MEMBER_ADDED, and nobody appears twice (Direct Line
    names the bot and the person in one update, with the person also as the sender)."""
    bot_id = _text(_object(activity.get("recipient")).get("id")) or None
    members = _accounts(activity.get("membersAdded"))
    people = [m for m in members if m["id"] != bot_id]
    installer = _sender(activity)
    if installer is None or not _text(installer.get("id")) or installer.get("id") == bot_id:
        installer = people[0] if people else installer
    installed = len(people) < len(members)
    installer_id = _text(installer.get("id")) if installer else ""
    seen: set[str] = {installer_id} if installed and installer_id else set()
    events = []
    for member in members:
        if member["id"] == bot_id:
            if installed:
                events.append(_event(activity, IncomingKind.INSTALLED, installer))
                installed = False  # named twice: still one installation
        elif member["id"] not in seen:
            seen.add(member["id"])
            events.append(_event(activity, IncomingKind.MEMBER_ADDED, member))
    return events


def _members_removed(activity: Json) -> list[Incoming]:
    """The bot's own removal is UNINSTALLED; other members who left are MEMBER_REMOVED."""
    bot_id = _text(_object(activity.get("recipient")).get("id")) or None
    events = []
    seen: set[str] = set()
    for member in _accounts(activity.get("membersRemoved")):
        if member["id"] in seen:
            continue
        seen.add(member["id"])
        if member["id"] == bot_id:
            events.append(_event(activity, IncomingKind.UNINSTALLED, _sender(activity)))
        else:
            events.append(_event(activity, IncomingKind.MEMBER_REMOVED, member))
    return events


def _event(
    activity: Json,
    kind: IncomingKind,
    who: Json | None,
    *,
    text: str = "",
    value: Json | None = None,
    submitted_message_id: str | None = None,
) -> Incoming:
    team_id, team_name = team_of(activity)
    return Incoming(
        kind=kind,
        person=_person(who, tenant_id(activity)),
        conversation_id=_text(_object(activity.get("conversation")).get("id")),
        conversation_type=_conversation_type(activity),
        text=text,
        value=value,
        reference=conversation_reference(activity),
        endpoint=_text(activity.get("serviceUrl")) or None,
        submitted_message_id=submitted_message_id,
        team_id=team_id,
        team_name=team_name,
    )


def _person(account: Json | None, tenant: str | None) -> Person:
    if account is None:
        return Person(channel=CHANNEL, user_id="", tenant_id=tenant)
    return Person(
        channel=CHANNEL,
        user_id=_text(account.get("id")),
        name=_text(account.get("name")),
        directory_id=_text(account.get("aadObjectId")) or None,
        tenant_id=tenant,
    )


def _conversation_type(activity: Json) -> ConversationType:
    conversation = _object(activity.get("conversation"))
    raw = conversation.get("conversationType")
    if isinstance(raw, str) and raw in _CONVERSATION_TYPES:
        return _CONVERSATION_TYPES[raw]
    if conversation.get("isGroup") is True:
        return ConversationType.GROUP
    return ConversationType.PERSONAL
