"""What the Teams edge needs of a Bot Framework SDK: one interface both SDKs implement."""

from __future__ import annotations

from typing import Any, Protocol

# An activity as JSON, the way it travels over the wire (camelCase keys).
ActivityJson = dict[str, Any]


class MalformedActivityError(ValueError):
    """The body is JSON but the SDK cannot read it as an Activity (the request gets 400)."""


class TokenRejectedError(PermissionError):
    """The request's bearer token is missing or not valid for this bot (401)."""


class TokenCheckUnavailableError(ConnectionError):
    """The token could not be checked: the signing keys are unreachable (503)."""


class TurnReplies(Protocol):
    """Sends into the conversation of the turn that is running."""

    async def send(self, activity: ActivityJson) -> None:
        """POST a new activity to the conversation."""
        ...

    async def update(self, message_id: str, activity: ActivityJson) -> None:
        """PUT `activity` in place of the earlier message `message_id`."""
        ...


class TurnEngine(Protocol):
    """One SDK's inbound checks: parse the Activity against its schema, validate the
    caller's token. The HTTP checks, tenants, the turn, its replies (bot.teams.turn_replies)
    and pacing are Kompas's own and the same for both."""

    name: str

    def parse(self, body: ActivityJson) -> object:
        """The SDK's Activity for a JSON body; MalformedActivityError when it has none."""
        ...

    async def authenticate(self, activity: object, authorization: str | None) -> object:
        """The caller's identity; TokenRejectedError or TokenCheckUnavailableError."""
        ...

    async def close(self) -> None:
        """Release what the engine holds (signing-key sessions)."""
        ...


class TokenSource(Protocol):
    """The bot's own bearer token for calls to the Bot Connector."""

    async def token(self) -> str:
        """A current token (the SDK caches and renews it)."""
        ...
