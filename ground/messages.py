"""Channel-neutral message types exchanged between channel adapters and dialogs."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any


class IncomingKind(StrEnum):
    """What happened in the channel."""

    MESSAGE = "message"  # the user typed text
    SUBMIT = "submit"  # the user pressed a card button / submitted a card (value is set)
    INSTALLED = "installed"  # the bot was installed / added to a conversation
    MEMBER_ADDED = "member_added"  # a person joined a conversation the bot is in
    MEMBER_REMOVED = "member_removed"  # a person left a conversation (or team) the bot is in
    UNINSTALLED = "uninstalled"  # the bot was removed from a conversation or team
    REFERENCE = "reference"  # the channel only told us about the conversation (store it, no reply)


class ConversationType(StrEnum):
    """Where the conversation takes place."""

    PERSONAL = "personal"
    GROUP = "groupChat"
    CHANNEL = "channel"


@dataclass(frozen=True)
class Person:
    """Who sent a message, as the channel identifies them."""

    channel: str  # "teams", "slack", "cli"
    user_id: str  # channel's id for the user (Teams: 29:..., CLI: local name)
    name: str = ""
    # The person's id in the organisation's directory when the channel tells it (Teams: the
    # Entra ID object id); the channel's PersonIdentity says how it is matched.
    directory_id: str | None = None
    tenant_id: str | None = None

    @property
    def first_name(self) -> str:
        """The first word of the display name ("" when the channel gave none)."""
        return self.name.split(" ")[0] if self.name else ""


@dataclass(frozen=True)
class Incoming:
    """One inbound event, already stripped of channel specifics (mentions removed)."""

    kind: IncomingKind
    person: Person
    conversation_id: str
    conversation_type: ConversationType = ConversationType.PERSONAL
    text: str = ""
    value: dict[str, Any] | None = None  # card submission data; value["verb"] names the action
    # How the channel reaches this conversation again: opaque to the core, written by the
    # channel's edge, stored as given and handed back to its transport.
    reference: dict[str, Any] | None = None
    endpoint: str | None = None  # the channel's service hosting the conversation, if it says
    # The channel's id of the message whose card was submitted (Teams: replyToId), so a
    # reply can replace that card; None when unknown or not a submission.
    submitted_message_id: str | None = None
    # The team (a group of conversations with one roster) the conversation belongs to, when
    # the channel says so: Teams' team of a channel conversation.
    team_id: str | None = None
    team_name: str = ""

    @property
    def verb(self) -> str | None:
        """The pressed button's verb (value["verb"]); None for anything but a card submission
        whose verb is text (a client may send a list or an object there)."""
        verb = (self.value or {}).get("verb") if self.kind == IncomingKind.SUBMIT else None
        return verb if isinstance(verb, str) else None


# The longest ids and names Kompas keeps (its database columns are this wide). An event that
# brings a longer one is malformed: the edges refuse it before anything is stored.
MAX_USER_ID_CHARS = 255
MAX_NAME_CHARS = 255
MAX_DIRECTORY_ID_CHARS = 255  # an Entra ID object id, or an e-mail address (Slack)
MAX_TENANT_ID_CHARS = 64
MAX_CONVERSATION_ID_CHARS = 512
MAX_ENDPOINT_CHARS = 512
MAX_TEAM_ID_CHARS = 255


def oversized_field(incoming: Incoming) -> str:
    """The first id or name of `incoming` longer than Kompas keeps, as "<what> is longer than
    <n> characters"; "" when everything fits."""
    person = incoming.person
    for what, value, limit in (
        ("the user id", person.user_id, MAX_USER_ID_CHARS),
        ("the name", person.name, MAX_NAME_CHARS),
        ("the directory id", person.directory_id, MAX_DIRECTORY_ID_CHARS),
        ("the tenant id", person.tenant_id, MAX_TENANT_ID_CHARS),
        ("the conversation id", incoming.conversation_id, MAX_CONVERSATION_ID_CHARS),
        ("the service URL", incoming.endpoint, MAX_ENDPOINT_CHARS),
        ("the team id", incoming.team_id, MAX_TEAM_ID_CHARS),
    ):
        if value is not None and len(value) > limit:
            return f"{what} is longer than {limit} characters"
    return ""


@dataclass(frozen=True)
class Action:
    """A button on a card. Pressing it sends a SUBMIT with data {"verb": verb, **data}."""

    title: str
    verb: str
    data: dict[str, Any] = field(default_factory=dict)
    with_inputs: bool = True  # False: pressing it ignores the card's inputs ("Intet at dele")


@dataclass(frozen=True)
class Fact:
    """A label/value line on a card, e.g. Kilde: Persondata."""

    label: str
    value: str


@dataclass(frozen=True)
class Section:
    """A block of Markdown text, optionally collapsed behind a toggle ("Læs mere")."""

    text: str
    title: str = ""
    collapsed: bool = False


@dataclass(frozen=True)
class Choice:
    """One option of a choice input."""

    title: str
    value: str


@dataclass(frozen=True)
class TextInput:
    """A free-text field; its value arrives in the submission under `id`."""

    id: str
    label: str
    placeholder: str = ""
    multiline: bool = False
    required: bool = False
    max_length: int = 1000
    error_message: str = ""  # shown under a required field left empty
    value: str = ""  # filled in beforehand; the person may change it


@dataclass(frozen=True)
class ChoiceInput:
    """A single or multiple choice; the value (comma-separated when multiple) arrives under `id`."""

    id: str
    label: str
    choices: tuple[Choice, ...]
    multiple: bool = False
    required: bool = False
    default: str = ""
    error_message: str = ""  # shown when a required choice is left empty
    compact: bool = False  # a drop-down list instead of buttons (for many choices)


CardInput = TextInput | ChoiceInput


@dataclass(frozen=True)
class Card:
    """A channel-neutral card: Teams renders it as an Adaptive Card, the CLI as text."""

    title: str
    sections: tuple[Section, ...] = ()
    facts: tuple[Fact, ...] = ()
    actions: tuple[Action, ...] = ()
    inputs: tuple[CardInput, ...] = ()  # submitted together with whichever action is pressed


@dataclass(frozen=True)
class Reply:
    """One outbound message: plain text, a card, or both."""

    text: str = ""
    card: Card | None = None
    # Deliver to another conversation the bot is in. The router queues such replies in the
    # durable outbox (never inline) under `outbox_key`, which makes the queueing idempotent.
    conversation_id: str | None = None
    outbox_key: str = ""
    # Replace the card that was submitted (Incoming.submitted_message_id) with this reply,
    # e.g. a read-only summary, instead of posting a new message.
    updates_submitted_card: bool = False
