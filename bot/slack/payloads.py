"""Turns Slack's requests (events, slash commands, button presses) into channel-neutral turns."""

from __future__ import annotations

import json
import logging
import re
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from bot.slack.blocks import SHARE_ACTION, submission
from bot.slack.home_parts import part_state
from bot.slack.modals import FormPlace, read_submission
from bot.slack.packed_forms import FORM_PREFIX, PackedForm, unpack_form
from ground.messages import ConversationType, Incoming, IncomingKind, Person

logger = logging.getLogger(__name__)

CHANNEL = "slack"
SLASH_COMMAND = "/kompas"
# An @mention in a message's text: <@U123> or <@U123|name>.
_MENTION = re.compile(r"<@([A-Z0-9]+)(?:\|([^>]*))?>")
_CHANNEL_MENTION = re.compile(r"<#([A-Z0-9]+)(?:\|([^>]*))?>")
_BLANKS = " \t\r\n\u00a0"

Json = dict[str, Any]


class Answer(StrEnum):
    """How the replies to a turn reach Slack."""

    POST = "post"  # chat.postMessage into the conversation (its thread, if any)
    EPHEMERAL = "ephemeral"  # through the response_url; only the person sees them
    IN_CHANNEL = "in_channel"  # through the response_url, for everyone in the channel


@dataclass(frozen=True)
class SlackTurn:
    """One thing a person did in Slack, and where Kompas's replies to it go."""

    incoming: Incoming
    channel: str  # the conversation (C…, G…, D…)
    answer: Answer = Answer.POST
    thread_ts: str | None = None  # post into this thread (answers to an @mention)
    response_url: str | None = None  # slash commands and button presses carry one
    # The message whose button was pressed: a reply that updates the submitted card
    # replaces it (chat.update; replace_original when it was ephemeral).
    message_ts: str | None = None
    pressed_ephemeral: bool = False
    question: str = ""  # a /kompas question: "Del i kanalen" asks it in the channel
    delivery_id: str | None = None  # Slack's event_id: an event is handled once
    home: bool = False  # pressed on the Home tab: answered in the DM, the tab refreshed


def _object(value: object) -> Json:
    return value if isinstance(value, dict) else {}


def _text(value: object) -> str:
    return value if isinstance(value, str) else ""


def request_kind(body: Json) -> str:
    """ "event", "url_verification", "command", "interaction" or "" (something else)."""
    kind = _text(body.get("type"))
    if kind == "event_callback":
        return "event"
    if kind == "url_verification":
        return "url_verification"
    if "command" in body:
        return "command"
    if kind in {"block_actions", "view_submission", "view_closed", "shortcut", "message_action"}:
        return "interaction"
    return ""


def payload_problem(body: object) -> str:
    """Why a parsed body is not a request Kompas can read, or "" when it is."""
    if not isinstance(body, dict):
        return "body is not an object"
    kind = request_kind(body)
    if kind == "url_verification":
        return "" if isinstance(body.get("challenge"), str) else "no challenge"
    if kind == "event":
        event = body.get("event")
        if not isinstance(event, dict) or not isinstance(event.get("type"), str):
            return "event without a type"
        if not isinstance(body.get("event_id"), str) or not isinstance(body.get("team_id"), str):
            return "event without event_id or team_id"
        return ""
    if kind == "command":
        if not all(isinstance(body.get(key), str) for key in ("team_id", "user_id")):
            return "command without team_id or user_id"
        return ""
    if kind == "interaction":
        if not isinstance(body.get("user"), dict) or not isinstance(body.get("team"), dict | None):
            return "interaction without user or team"
        if body.get("type") in {"view_submission", "view_closed"}:
            view = body.get("view")
            if not isinstance(view, dict) or not isinstance(view.get("state", {}), dict):
                return "view without state"
            if not isinstance(view.get("type"), str):
                return "view without a type"
        actions = body.get("actions", [])
        if not isinstance(actions, list) or not all(isinstance(a, dict) for a in actions):
            return "actions are not a list of objects"
        if body.get("type") == "block_actions" and not actions:
            return "block_actions without an action"
        if not all(isinstance(action.get("action_id"), str) for action in actions):
            return "an action without an action_id"
        return ""
    return "not an event, command or interaction"


def workspaces(body: Json) -> set[str]:
    """The workspace (T…) and Enterprise Grid (E…) ids a request comes from."""
    found = {
        _text(body.get("team_id")),
        _text(body.get("enterprise_id")),
        _text(_object(body.get("team")).get("id")),
        _text(_object(body.get("enterprise")).get("id")),
        _text(_object(body.get("user")).get("team_id")),
    }
    return {team for team in found if team}


def conversation_type(conversation_id: str) -> ConversationType:
    """The kind of conversation from Slack's id: D… a direct message, G… a group (a multi-
    person DM or an old private channel), C… a channel."""
    if conversation_id.startswith("D"):
        return ConversationType.PERSONAL
    if conversation_id.startswith("G"):
        return ConversationType.GROUP
    return ConversationType.CHANNEL


def reference(team_id: str, enterprise_id: str, channel: str, user_id: str) -> Json:
    """How Kompas reaches the conversation again; a direct message names its person (DMs
    are posted to the user id), shared conversations nobody."""
    found: Json = {"team_id": team_id, "channel": channel}
    if enterprise_id:
        found["enterprise_id"] = enterprise_id
    if conversation_type(channel) is ConversationType.PERSONAL and user_id:
        found["user"] = user_id
    return found


def strip_mentions(text: str, bot_user_id: str) -> str:
    """The text without the bot's own @mention; without the bot's id, the mention that
    starts the text (how an app_mention reads). Other mentions become plain words."""
    if bot_user_id:
        text = _MENTION.sub(lambda m: "" if m.group(1) == bot_user_id else m.group(0), text)
    else:
        text = _MENTION.sub("", text, count=1) if _MENTION.match(text.lstrip()) else text
    return " ".join(plain_mentions(text).split())


def plain_mentions(text: str) -> str:
    """Slack's mention markup as plain words (<@U1|mette> → @mette, <#C1|alle> → #alle): what
    a person wrote never reaches a message of Kompas's as a live mention (a ping)."""
    text = _MENTION.sub(lambda m: f"@{m.group(2) or m.group(1)}", text)
    return _CHANNEL_MENTION.sub(lambda m: f"#{m.group(2) or m.group(1)}", text)


def event_turn(body: Json) -> SlackTurn | None:
    """A direct message with the app or an @mention of it; None for events Kompas ignores
    (its own messages, edits, joins and everything it did not subscribe to)."""
    event = _object(body.get("event"))
    kind = _text(event.get("type"))
    if event.get("bot_id") or event.get("subtype"):
        return None  # Kompas's own messages, other bots, edits and deletions
    user_id = _text(event.get("user"))
    channel = _text(event.get("channel"))
    if not user_id or not channel:
        return None
    team_id = _text(event.get("team")) or _text(body.get("team_id"))
    person = Person(CHANNEL, user_id, tenant_id=team_id)
    ids = (_text(body.get("team_id")), _text(body.get("enterprise_id")), channel, user_id)
    if kind == "message" and _text(event.get("channel_type")) == "im":
        text = plain_mentions(_text(event.get("text"))).strip(_BLANKS)
        incoming = Incoming(
            IncomingKind.MESSAGE,
            person,
            channel,
            ConversationType.PERSONAL,
            text=text,
            reference=reference(*ids),
        )
        # A message written in a thread of the DM is answered in that thread.
        thread = _text(event.get("thread_ts")) or None
        return SlackTurn(
            incoming, channel, thread_ts=thread, delivery_id=_text(body.get("event_id"))
        )
    if kind == "app_home_opened" and _text(event.get("tab")) == "messages":
        # The first time someone opens their chat with Kompas: the welcome (once, as in
        # Teams when the app is installed), through the outbox.
        incoming = Incoming(
            IncomingKind.INSTALLED,
            person,
            channel,
            ConversationType.PERSONAL,
            reference=reference(*ids),
        )
        return SlackTurn(incoming, channel, delivery_id=_text(body.get("event_id")))
    if kind == "app_mention":
        bot_user_id = _text(_object((body.get("authorizations") or [{}])[0]).get("user_id"))
        incoming = Incoming(
            IncomingKind.MESSAGE,
            person,
            channel,
            conversation_type(channel),
            text=strip_mentions(_text(event.get("text")), bot_user_id),
            reference=reference(*ids),
        )
        thread = _text(event.get("thread_ts")) or _text(event.get("ts")) or None
        return SlackTurn(incoming, channel, thread_ts=thread, delivery_id=_text(body["event_id"]))
    return None


def home_opened(body: Json) -> Incoming | None:
    """Someone opened Kompas's Home tab: who, in which DM (None for every other event)."""
    event = _object(body.get("event"))
    if _text(event.get("type")) != "app_home_opened" or _text(event.get("tab")) != "home":
        return None
    user_id, channel = _text(event.get("user")), _text(event.get("channel"))
    if not user_id:
        return None
    team_id = _text(event.get("team")) or _text(body.get("team_id"))
    ids = (_text(body.get("team_id")), _text(body.get("enterprise_id")), channel, user_id)
    return Incoming(
        IncomingKind.MESSAGE,
        Person(CHANNEL, user_id, tenant_id=team_id),
        channel or user_id,
        ConversationType.PERSONAL,
        reference=reference(*ids),
    )


def command_turn(body: Json) -> SlackTurn:
    """`/kompas <spørgsmål>`: the question, answered only to the asker (ephemerally)."""
    channel = _text(body.get("channel_id"))
    place = _text(body.get("channel_name"))
    if place == "directmessage":
        kind = ConversationType.PERSONAL
    elif place.startswith("mpdm-"):
        kind = ConversationType.GROUP
    else:
        kind = conversation_type(channel)
    team_id = _text(body.get("team_id"))
    user_id = _text(body.get("user_id"))
    text = plain_mentions(_text(body.get("text"))).strip(_BLANKS)
    incoming = Incoming(
        IncomingKind.MESSAGE,
        Person(CHANNEL, user_id, tenant_id=team_id),
        channel,
        kind,
        text=text,
        reference=reference(team_id, _text(body.get("enterprise_id")), channel, user_id),
    )
    response_url = _text(body.get("response_url")) or None
    return SlackTurn(
        incoming,
        channel,
        answer=Answer.EPHEMERAL if response_url else Answer.POST,
        response_url=response_url,
        question=text if kind is not ConversationType.PERSONAL else "",
    )


@dataclass(frozen=True)
class FormOpening:
    """A press of a form button: open the form as a modal with this trigger."""

    trigger_id: str
    form: PackedForm
    place: FormPlace


def form_opening(body: Json, action: Json) -> FormOpening | None:
    """The modal a pressed form button ("Send…") opens; None for other buttons or a press
    without a trigger or a readable form."""
    action_id = action.get("action_id")
    if not isinstance(action_id, str) or not action_id.startswith(FORM_PREFIX):
        return None
    trigger_id = _text(body.get("trigger_id"))
    form = unpack_form(action.get("value"))
    pressed = _Pressed.read(body)
    if not trigger_id or form is None or pressed is None:
        return None
    place = FormPlace(
        pressed.channel,
        message_ts=pressed.message_ts,
        thread_ts=pressed.thread_ts,
        response_url=pressed.response_url,
        ephemeral=pressed.ephemeral,
    )
    return FormOpening(trigger_id, form, place)


def form_turn(body: Json) -> SlackTurn | None:
    """A submitted form modal: the press of the button that opened it, its inputs filled in
    (answered where the form was opened from); None when it is not Kompas's form."""
    submitted = read_submission(body.get("view"))
    user = _object(body.get("user"))
    user_id = _text(user.get("id"))
    if submitted is None or not user_id:
        return None
    place = submitted.place
    team_id = _text(_object(body.get("team")).get("id")) or _text(user.get("team_id"))
    pressed = _Pressed(
        person=Person(CHANNEL, user_id, _text(user.get("name")), tenant_id=team_id),
        channel=place.channel,
        enterprise=_text(_object(body.get("enterprise")).get("id")),
        thread_ts=place.thread_ts,
        response_url=place.response_url,
        message_ts=place.message_ts,
        ephemeral=place.ephemeral,
    )
    return pressed.submit_turn(submitted.value)


@dataclass(frozen=True)
class _Pressed:
    """Who pressed a button, in which message and conversation."""

    person: Person
    channel: str
    enterprise: str
    thread_ts: str | None
    response_url: str | None
    message_ts: str | None
    ephemeral: bool
    home: bool = False

    @classmethod
    def read(cls, body: Json) -> _Pressed | None:
        user = _object(body.get("user"))
        container = _object(body.get("container"))
        channel = _text(_object(body.get("channel")).get("id")) or _text(
            container.get("channel_id")
        )
        user_id = _text(user.get("id"))
        home = _home_view(body)
        if home is not None:  # pressed on the Home tab: answered in the person's DM
            channel = channel or _text(home.get("dm")) or user_id
        if not channel or not user_id:
            return None
        team_id = _text(_object(body.get("team")).get("id")) or _text(user.get("team_id"))
        message = _object(body.get("message"))
        return cls(
            person=Person(CHANNEL, user_id, _text(user.get("name")), tenant_id=team_id),
            channel=channel,
            enterprise=_text(_object(body.get("enterprise")).get("id")),
            thread_ts=_text(container.get("thread_ts")) or _text(message.get("thread_ts")) or None,
            response_url=_text(body.get("response_url")) or None,
            message_ts=_text(container.get("message_ts")) or _text(message.get("ts")) or None,
            ephemeral=container.get("is_ephemeral") is True,
            home=home is not None,
        )

    @property
    def kind(self) -> ConversationType:
        return conversation_type(self.channel)

    @property
    def where(self) -> Json:
        team_id = self.person.tenant_id or ""
        return reference(team_id, self.enterprise, self.channel, self.person.user_id)

    def submit_turn(self, value: Json) -> SlackTurn:
        """The press as a card submission (SUBMIT with `value`)."""
        incoming = Incoming(
            IncomingKind.SUBMIT,
            self.person,
            self.channel,
            self.kind,
            value=value,
            reference=self.where,
            submitted_message_id=self.message_ts,
        )
        # In a shared conversation only the person who pressed sees what it answers.
        private = self.response_url is not None and (
            self.ephemeral or self.kind is not ConversationType.PERSONAL
        )
        return SlackTurn(
            incoming,
            self.channel,
            Answer.EPHEMERAL if private else Answer.POST,
            thread_ts=self.thread_ts,
            response_url=self.response_url,
            message_ts=self.message_ts,
            pressed_ephemeral=self.ephemeral,
            home=self.home,
        )


def _home_view(body: Json) -> Json | None:
    """The metadata of the Home tab a button was pressed on; None when it was not."""
    view = _object(body.get("view"))
    if _text(_object(body.get("container")).get("type")) != "view" or view.get("type") != "home":
        return None
    try:
        metadata = json.loads(_text(view.get("private_metadata")) or "{}")
    except (ValueError, RecursionError):
        metadata = {}
    return _object(metadata)


def action_turn(body: Json, action: Json) -> SlackTurn | None:
    """A pressed Kompas button: the card value Teams would submit (SUBMIT), or the share
    button's question asked in the channel; None for anything else."""
    pressed = _Pressed.read(body)
    if pressed is None:
        return None
    if action.get("action_id") == SHARE_ACTION:
        question = _share_question(action)
        if not question or pressed.response_url is None:
            return None
        incoming = Incoming(
            IncomingKind.MESSAGE,
            pressed.person,
            pressed.channel,
            pressed.kind,
            question,
            reference=pressed.where,
        )
        # Posted for everyone in the channel, through the press's response_url (Kompas need
        # not be a member of a channel /kompas was used in).
        return SlackTurn(
            incoming, pressed.channel, Answer.IN_CHANNEL, response_url=pressed.response_url
        )
    state = _object(body.get("state"))
    if pressed.home:  # the view holds every part's inputs: only the pressed part's count
        state = part_state(action, _object(_object(body.get("view")).get("state")))
    value = submission(action, state)
    if value is None:
        return None
    return pressed.submit_turn(value)


def _share_question(action: Json) -> str:
    try:
        value = json.loads(_text(action.get("value")) or "{}")
    except (ValueError, RecursionError):
        return ""
    return _text(_object(value).get("q")).strip(_BLANKS)
