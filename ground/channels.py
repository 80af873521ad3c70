"""What a channel is, channel-neutrally: its capabilities, send limits and how it names people."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol
from urllib.parse import quote

from ground.messages import ConversationType, Incoming


@dataclass(frozen=True)
class Window:
    """At most `limit` sends in any `seconds`-long stretch of time."""

    limit: int
    seconds: float

    def __post_init__(self) -> None:
        if self.limit < 1 or not self.seconds > 0:
            raise ValueError(f"a window needs limit >= 1 and seconds > 0, not {self}")


@dataclass(frozen=True)
class Capabilities:
    """What a channel can show and do; dialogs and renderers ask instead of assuming Teams."""

    cards: bool = False  # interactive cards with inputs and buttons
    modals: bool = False  # dialogs that open over the conversation (Slack modals, task modules)
    threads: bool = False  # replies can go into a thread under a message
    ephemeral: bool = False  # a message only one person in a shared conversation sees
    updates_messages: bool = False  # a sent message (a submitted card) can be replaced
    proactive: bool = True  # Kompas may write first (monthly prompts, reminders, check-ins)
    # A name is a person's id: anyone named (a pilot participant) is reachable under it at
    # once, before they ever wrote (the terminal: `kompas chat --user <name>`).
    names_are_ids: bool = False
    max_message_bytes: int | None = None  # the largest message the channel accepts (None: any)


@dataclass(frozen=True)
class SendLimits:
    """How fast Kompas may send on a channel: windows per conversation and an overall rate.

    `per_second` None means the deployment's KOMPAS_DELIVERY_RATE (DeliverySettings).
    """

    conversation_windows: tuple[Window, ...] = ()
    per_second: float | None = None


@dataclass(frozen=True)
class PersonIdentity:
    """How a channel's person is found in the organisation tree, tried in this order.

    Each entry names an organisation-tree key (organisation.roles knows them, e.g.
    "directory_id", "channel_user_id", "email") and which of the Person's ids is looked up
    under it ("directory_id" or "user_id"). Lookups under `folded_keys` ignore case.
    """

    lookups: tuple[tuple[str, str], ...] = ()
    folded_keys: frozenset[str] = frozenset()


@dataclass(frozen=True)
class Channel:
    """One channel as the core sees it: a name, what it can do, its limits and identities."""

    name: str
    capabilities: Capabilities = field(default_factory=Capabilities)
    limits: SendLimits = field(default_factory=SendLimits)
    identity: PersonIdentity = field(default_factory=PersonIdentity)
    # A link that opens a one-to-one chat with a person: "{user}" stands for their address
    # in the directory (e-mail or user principal name, else directory id). "": none.
    chat_link: str = ""

    def chat_link_to(self, address: str) -> str:
        """The link that opens a chat with the person at `address` ("" when none)."""
        if not self.chat_link or not address:
            return ""
        return self.chat_link.format(user=quote(address, safe="@"))


class Channels(Mapping[str, Channel]):
    """The channels this process knows, by name (built once by the composition root)."""

    def __init__(self, channels: Iterable[Channel] = ()) -> None:
        found: dict[str, Channel] = {}
        for channel in channels:
            if channel.name in found:
                raise ValueError(f"channel {channel.name!r} is described twice")
            found[channel.name] = channel
        self._channels = found

    def __getitem__(self, name: str) -> Channel:
        return self._channels[name]

    def __iter__(self) -> Iterator[str]:
        return iter(self._channels)

    def __len__(self) -> int:
        return len(self._channels)

    def of(self, name: str) -> Channel:
        """The channel called `name`; an unknown one is a bare Channel (no capabilities)."""
        return self._channels.get(name) or Channel(name)

    def proactive(self) -> tuple[str, ...]:
        """The names of the channels Kompas may write to first (campaigns, reminders)."""
        return tuple(name for name, c in self._channels.items() if c.capabilities.proactive)


@dataclass(frozen=True)
class Contact:
    """Someone a reply points to for a chat, by what the organisation knows of them.

    `email` is also the sign-in name (Teams: the user principal name); `user_id` is the
    person's id on the channel of the reply, when known (Slack: U…). Any may be empty.
    """

    name: str
    email: str = ""
    directory_id: str = ""
    user_id: str = ""


@dataclass(frozen=True)
class ChatLink:
    """How a message lets its reader start a chat with a Contact on one channel: a link that
    opens the chat (Teams' deep link) or the channel's own mention markup (Slack's <@U…>).
    Both empty: the channel cannot point to the person; name them in words."""

    url: str = ""
    mention: str = ""


class Addressing(Protocol):
    """How a channel addresses a conversation nobody has written from yet, from a turn in
    another conversation (the edge knows its id shapes and references; the core does not),
    and how its messages point to a person to chat with."""

    def conversation_type(self, conversation_id: str) -> ConversationType:
        """A best guess at the kind of conversation from its id."""
        ...

    def derive(self, incoming: Incoming, conversation_id: str) -> dict[str, Any]:
        """A reference for `conversation_id`, made from the turn's own (nothing of the person)."""
        ...

    def chat_link(self, contact: Contact) -> ChatLink:
        """How a message on this channel opens a 1:1 chat with `contact` (empty when it can't)."""
        ...
