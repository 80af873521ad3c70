"""The Teams channel: validates POST /api/messages, runs a turn on the chosen SDK, replies."""

from __future__ import annotations

import asyncio
import json
import logging
from typing import Any, Protocol
from urllib.parse import urlsplit

from aiohttp import web

from bot.teams.activities import tenant_id, to_incoming
from bot.teams.cards import to_activity
from bot.teams.replies import Outbound, ReplyPacer
from bot.teams.sdk import (
    ActivityJson,
    MalformedActivityError,
    TokenCheckUnavailableError,
    TokenRejectedError,
    TurnReplies,
)
from bot.teams.sdk_choice import turn_engine
from bot.teams.turn_replies import TurnReplySender
from delivery.limits import DeliveryLimits, channel_limits
from dialogs.forwarding import own_conversation
from ground.channel_descriptions import TEAMS
from ground.messages import Incoming, Reply, oversized_field
from ground.settings import Settings, is_loopback
from privacy.redaction import redact_text

logger = logging.getLogger(__name__)

MAX_LOGGED_ERROR = 300  # characters of a deserialisation error that reach the log
MAX_JSON_DEPTH = 64  # nesting of arrays and objects; real Teams activities stay far below

JSON_CONTENT_TYPE = "application/json"


class TurnRouter(Protocol):
    """What the Teams channel needs from the router (dialogs.router.Router fits)."""

    async def handle(self, incoming: Incoming) -> list[Reply]:
        """The replies to one incoming event, in order."""
        ...

    def apology(self) -> Reply:
        """The reply sent when a turn failed unexpectedly."""
        ...


def error_response(status: int, message: str) -> web.Response:
    """A short JSON error body for HTTP-level failures."""
    return web.json_response({"error": message}, status=status)


class _RejectedError(Exception):
    """The request is refused before any turn runs; carries the HTTP response."""

    def __init__(self, response: web.Response) -> None:
        super().__init__(response.status)
        self.response = response


class TeamsChannel:
    """Bot Framework edge: one POST /api/messages request is one turn. The SDK that
    KOMPAS_TEAMS_SDK chose (bot.teams.sdk) reads the Activity and validates the token; the
    turn and its replies (over one shared aiohttp session) are Kompas's own."""

    def __init__(
        self, settings: Settings, router: TurnRouter, limits: DeliveryLimits | None = None
    ) -> None:
        self._settings = settings
        self._router = router
        # Per-conversation send limits; share them with the process's outbox sender.
        self.limits = limits or channel_limits(TEAMS.limits, settings.delivery.rate_per_second)
        self._replies = ReplyPacer(self.limits)
        self._engine = turn_engine(settings)
        self._turn_replies = TurnReplySender(settings)
        logger.info("Teams turns run on %s", self._engine.name)
        if not settings.teams.has_credentials:
            logger.warning("No MICROSOFT_APP_ID: inbound Teams requests are NOT authenticated")
            logger.warning("Dev mode: only activities with a loopback serviceUrl are answered")
        elif settings.teams.allowed_tenants:
            logger.info("Allowed tenants: %s", ", ".join(sorted(settings.teams.allowed_tenants)))
        else:
            logger.warning("Allowed tenants: any (KOMPAS_ALLOWED_TENANTS is empty)")

    async def handle(self, request: web.Request) -> web.Response:
        """Handle one inbound Activity; 4xx for bad or unauthorised requests."""
        try:
            body = await self._read_activity(request)
            activity = self._parse(body)
            self._check_service_url(body)
            await self._authenticate(request, activity)
            self._check_tenant(body)
            events = self._events(body)
        except _RejectedError as rejected:
            return rejected.response

        replies = self._turn_replies.for_turn(body)
        try:
            await self.on_turn(replies, events)
        except Exception as error:
            await self._turn_failed(replies, body, error)
        return web.Response(status=200)  # also for invokes Kompas does not implement

    async def start(self) -> None:
        """Nothing to open: Teams calls in."""

    async def close(self) -> None:
        """Close the replies' HTTP session and what the SDK holds."""
        await self._engine.close()
        await self._turn_replies.close()

    async def _read_activity(self, request: web.Request) -> ActivityJson:
        if request.content_type != JSON_CONTENT_TYPE:
            logger.warning("Rejected /api/messages: content type %r", request.content_type)
            raise _RejectedError(error_response(415, "expected application/json"))
        raw = await self._read_body(request)
        try:
            body: Any = json.loads(raw)
        except (ValueError, RecursionError):  # RecursionError: arrays nested ~1,000 deep
            logger.warning("Rejected /api/messages: body is not JSON (%d bytes)", len(raw))
            raise _RejectedError(error_response(400, "body is not valid JSON")) from None
        problem = _activity_problem(body)
        if problem:
            logger.warning("Rejected /api/messages: %s", problem)
            raise _RejectedError(error_response(400, f"not a Bot Framework activity: {problem}"))
        return dict(body)

    def _parse(self, body: ActivityJson) -> object:
        try:
            return self._engine.parse(body)
        except MalformedActivityError as error:
            logger.warning(
                "Rejected /api/messages: activity does not deserialise: %s", _described(error)
            )
            raise _RejectedError(error_response(400, "malformed activity")) from None

    async def _read_body(self, request: web.Request) -> bytes:
        """The whole body within KOMPAS_BODY_TIMEOUT; 413 when too large, 408 when too slow."""
        timeout = self._settings.server.body_timeout
        try:
            async with asyncio.timeout(timeout):
                return await request.read()
        except web.HTTPRequestEntityTooLarge:
            logger.warning("Rejected /api/messages: body over %d bytes", request.client_max_size)
            raise _RejectedError(error_response(413, "body too large")) from None
        except TimeoutError:
            logger.info(
                "Rejected /api/messages from %s: body not sent within %gs", request.remote, timeout
            )
            response = error_response(408, "request body timeout")
            response.force_close()
            raise _RejectedError(response) from None
        except ConnectionError:  # the client went away mid-body; nobody to answer
            logger.info("Client %s disconnected while sending /api/messages", request.remote)
            raise _RejectedError(error_response(400, "incomplete body")) from None

    def _check_service_url(self, body: ActivityJson) -> None:
        """Dev mode only answers loopback service URLs (a token binds it otherwise)."""
        service_url = str(body.get("serviceUrl") or "")
        if self._settings.teams.has_credentials or is_loopback_url(service_url):
            return
        logger.warning(
            "Rejected %r activity in dev mode: serviceUrl %r is not loopback",
            str(body.get("type"))[:40],
            service_url[:200],
        )
        raise _RejectedError(error_response(400, "dev mode answers loopback serviceUrl only"))

    async def _authenticate(self, request: web.Request, activity: object) -> None:
        header = request.headers.get("Authorization") or None  # None: "no header"
        try:
            await self._engine.authenticate(activity, header)
        except TokenCheckUnavailableError as error:  # the signing keys could not be fetched
            logger.error("Cannot validate Bot Framework token: %s", error)
            raise _RejectedError(error_response(503, "token validation unavailable")) from None
        except TokenRejectedError as error:
            logger.warning(
                "Rejected /api/messages from %s: unauthorised (%s)", request.remote, error
            )
            raise _RejectedError(error_response(401, "unauthorized")) from None

    def _check_tenant(self, body: ActivityJson) -> None:
        allowed = self._settings.teams.allowed_tenants
        if not allowed:
            return
        tenant = tenant_id(body)
        if tenant not in allowed:
            logger.warning(
                "Rejected %r activity from tenant %r: not in KOMPAS_ALLOWED_TENANTS",
                str(body.get("type"))[:40],
                tenant,
            )
            raise _RejectedError(error_response(403, "tenant not allowed"))

    def _events(self, body: ActivityJson) -> list[Incoming]:
        """The activity's events; 400 when one brings an id or a name longer than Kompas
        keeps (nothing of it is stored)."""
        try:
            events = to_incoming(body)
        except (TypeError, ValueError, AttributeError, KeyError) as error:
            logger.warning("Rejected /api/messages: activity not understood: %s", _described(error))
            raise _RejectedError(error_response(400, "malformed activity")) from None
        problem = next((found for event in events if (found := oversized_field(event))), "")
        if problem:
            logger.warning("Rejected /api/messages: %s", problem)
            raise _RejectedError(error_response(400, f"not a usable activity: {problem}"))
        return events

    async def on_turn(self, replies: TurnReplies, events: list[Incoming]) -> None:
        """The bot logic of one turn: the activity's Incoming events → router → replies."""
        for incoming in events:
            answers = own_conversation(incoming, await self._router.handle(incoming))
            outbound = [
                Outbound(to_activity(reply), incoming.submitted_message_id)
                if reply.updates_submitted_card
                else Outbound(to_activity(reply))
                for reply in answers
                if incoming.submitted_message_id or not reply.updates_submitted_card
            ]
            if outbound:
                await self._replies.send(replies, incoming.conversation_id, outbound)

    async def _turn_failed(
        self, replies: TurnReplies, activity: ActivityJson, error: Exception
    ) -> None:
        """A turn raised: log it, and apologise when someone wrote."""
        kind = str(activity.get("type"))[:40]
        conversation = activity.get("conversation", {}).get("id")
        logger.error(
            "Turn failed: %s activity %s in conversation %s",
            kind,
            str(activity.get("id"))[:100],
            conversation,
            exc_info=error,
        )
        if kind != "message":
            return  # nobody asked anything; an apology in a channel would only confuse
        try:  # paced and retried like any reply: the 429 that failed the turn may still hold
            await self._replies.send(
                replies, conversation or "", [to_activity(self._router.apology())]
            )
        except Exception:
            logger.exception("Could not send the apology to conversation %s", conversation)


def _described(error: Exception) -> str:
    """An error about a request body, fit for the log: msrest quotes the offending data, so
    personal data is redacted and the text cut short."""
    text = redact_text(f"{type(error).__name__}: {error}")
    text = text.encode("utf-8", "backslashreplace").decode("utf-8")  # lone surrogates
    return text if len(text) <= MAX_LOGGED_ERROR else text[: MAX_LOGGED_ERROR - 1] + "…"


def is_loopback_url(url: str) -> bool:
    """True for http(s) URLs on localhost, 127.0.0.0/8 or ::1."""
    try:
        parts = urlsplit(url)
        host = parts.hostname or ""
    except ValueError:
        return False
    return parts.scheme in {"http", "https"} and is_loopback(host)


def json_depth(value: object) -> int:
    """How deeply arrays and objects nest in a parsed JSON value (without recursion)."""
    deepest = 0
    pending: list[tuple[object, int]] = [(value, 0)]
    while pending:
        item, depth = pending.pop()
        if isinstance(item, dict):
            children: Any = item.values()
        elif isinstance(item, list):
            children = item
        else:
            continue
        depth += 1
        deepest = max(deepest, depth)
        if depth > MAX_JSON_DEPTH:
            return depth
        pending.extend((child, depth) for child in children)
    return deepest


def _activity_problem(body: object) -> str:
    """Why a JSON body is not an inbound Activity, or "" when it looks like one."""
    if not isinstance(body, dict):
        return "body is not a JSON object"
    if json_depth(body) > MAX_JSON_DEPTH:
        return f"nested more than {MAX_JSON_DEPTH} levels deep"
    kind = body.get("type")
    if not isinstance(kind, str) or not kind:
        return "missing 'type'"
    service_url = body.get("serviceUrl")
    if not isinstance(service_url, str) or not service_url.startswith(("https://", "http://")):
        return "missing or invalid 'serviceUrl'"
    conversation = body.get("conversation")
    if not isinstance(conversation, dict) or not isinstance(conversation.get("id"), str):
        return "missing 'conversation.id'"
    broken = [name for name, value in _identifiers(body) if not _valid_unicode(value)]
    if broken:  # replies could not even be addressed (URLs and logs need valid UTF-8)
        return f"invalid characters in {', '.join(broken)}"
    return ""


IDENTIFIER_PATHS = (
    ("type",),
    ("id",),
    ("serviceUrl",),
    ("channelId",),
    ("replyToId",),
    ("conversation", "id"),
    ("conversation", "tenantId"),
    ("from", "id"),
    ("from", "aadObjectId"),
    ("recipient", "id"),
    ("channelData", "tenant", "id"),
)


def _identifiers(body: dict[str, Any]) -> list[tuple[str, str]]:
    """The activity's ids and addresses that are strings, by dotted name."""
    found = []
    for path in IDENTIFIER_PATHS:
        value: Any = body
        for key in path:
            value = value.get(key) if isinstance(value, dict) else None
        if isinstance(value, str):
            found.append((".".join(path), value))
    return found


def _valid_unicode(text: str) -> bool:
    """False when the text holds a lone surrogate (JSON allows "\\ud800"; UTF-8 does not)."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True
