"""The Teams channel: validates POST /api/messages, runs a botbuilder turn, sends replies."""

from __future__ import annotations

import json
import logging
from typing import Any, Protocol

from aiohttp import web
from botbuilder.core import TurnContext
from botbuilder.integration.aiohttp import CloudAdapter
from botbuilder.schema import Activity, ActivityTypes
from botframework.connector.auth import AuthenticateRequestResult

from bot.settings import Settings
from bot.teams.activities import tenant_id, to_incoming
from bot.teams.auth import create_authentication
from bot.teams.cards import to_activity
from bot.teams.replies import Outbound, ReplyPacer
from delivery.limits import DeliveryLimits
from dialogs.messages import Incoming, Reply
from privacy.redaction import redact_text

logger = logging.getLogger(__name__)

MAX_LOGGED_ERROR = 300  # characters of a deserialisation error that reach the log

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
    """Bot Framework edge: one POST /api/messages request is one botbuilder turn."""

    def __init__(
        self, settings: Settings, router: TurnRouter, limits: DeliveryLimits | None = None
    ) -> None:
        self._settings = settings
        self._router = router
        # Per-conversation send limits; share them with the process's outbox sender.
        self.limits = limits or DeliveryLimits(settings.delivery.rate_per_second)
        self._replies = ReplyPacer(self.limits)
        self._authentication = create_authentication(settings)
        self._adapter = CloudAdapter(self._authentication)
        self._adapter.on_turn_error = self._on_turn_error
        if not settings.has_credentials:
            logger.warning("No MICROSOFT_APP_ID: inbound Teams requests are NOT authenticated")

    async def handle(self, request: web.Request) -> web.Response:
        """Handle one inbound Activity; 4xx for bad or unauthorised requests."""
        try:
            activity = await self._read_activity(request)
            authentication = await self._authenticate(request, activity)
            self._check_tenant(activity)
        except _RejectedError as rejected:
            return rejected.response
        invoke_response = await self._adapter.process_activity(
            authentication, activity, self.on_turn
        )
        if invoke_response is not None and invoke_response.body is not None:
            return web.json_response(invoke_response.body, status=int(invoke_response.status))
        return web.Response(status=200)  # also for invokes Kompas does not implement

    async def close(self) -> None:
        """Release cached connector clients."""
        await self._authentication.close()

    async def _read_activity(self, request: web.Request) -> Activity:
        if request.content_type != JSON_CONTENT_TYPE:
            logger.warning("Rejected /api/messages: content type %r", request.content_type)
            raise _RejectedError(error_response(415, "expected application/json"))
        try:
            raw = await request.read()
        except web.HTTPRequestEntityTooLarge:
            logger.warning("Rejected /api/messages: body over %d bytes", request.client_max_size)
            raise _RejectedError(error_response(413, "body too large")) from None
        try:
            body: Any = json.loads(raw)
        except ValueError:
            logger.warning("Rejected /api/messages: body is not JSON (%d bytes)", len(raw))
            raise _RejectedError(error_response(400, "body is not valid JSON")) from None
        problem = _activity_problem(body)
        if problem:
            logger.warning("Rejected /api/messages: %s", problem)
            raise _RejectedError(error_response(400, f"not a Bot Framework activity: {problem}"))
        try:
            return Activity().deserialize(body)
        except Exception as error:  # msrest raises several types for malformed fields
            logger.warning(
                "Rejected /api/messages: activity does not deserialise: %s", _described(error)
            )
            raise _RejectedError(error_response(400, "malformed activity")) from None

    async def _authenticate(
        self, request: web.Request, activity: Activity
    ) -> AuthenticateRequestResult:
        header = request.headers.get("Authorization") or None  # None: "no header" to botbuilder
        try:
            return await self._authentication.authenticate_request(activity, header)
        except PermissionError as error:
            reason: object = error
        except OSError as error:  # requests' errors: the OpenID metadata could not be fetched
            logger.error("Cannot validate Bot Framework token: %s", error)
            raise _RejectedError(error_response(503, "token validation unavailable")) from None
        except Exception as error:  # jwt decode errors, unknown key ids, bad endorsements
            reason = f"{type(error).__name__}: {error}"
        logger.warning("Rejected /api/messages from %s: unauthorised (%s)", request.remote, reason)
        raise _RejectedError(error_response(401, "unauthorized"))

    def _check_tenant(self, activity: Activity) -> None:
        allowed = self._settings.allowed_tenants
        if not allowed:
            return
        tenant = tenant_id(activity)
        if tenant not in allowed:
            logger.warning(
                "Rejected %s activity from tenant %r: not in KOMPAS_ALLOWED_TENANTS",
                activity.type,
                tenant,
            )
            raise _RejectedError(error_response(403, "tenant not allowed"))

    async def on_turn(self, turn_context: TurnContext) -> None:
        """The bot logic of one turn: Activity → Incoming events → router → replies."""
        for incoming in to_incoming(turn_context.activity):
            replies = _own_conversation(incoming, await self._router.handle(incoming))
            outbound = [
                Outbound(to_activity(reply), incoming.submitted_message_id)
                if reply.updates_submitted_card
                else Outbound(to_activity(reply))
                for reply in replies
                if incoming.submitted_message_id or not reply.updates_submitted_card
            ]
            if outbound:
                await self._replies.send(turn_context, incoming.conversation_id, outbound)

    async def _on_turn_error(self, turn_context: TurnContext, error: Exception) -> None:
        activity = turn_context.activity
        conversation = activity.conversation.id if activity.conversation else None
        logger.error(
            "Turn failed: %s activity %s in conversation %s",
            activity.type,
            activity.id,
            conversation,
            exc_info=error,
        )
        if activity.type != ActivityTypes.message:
            return  # nobody asked anything; an apology in a channel would only confuse
        try:  # paced and retried like any reply: the 429 that failed the turn may still hold
            await self._replies.send(
                turn_context, conversation or "", [to_activity(self._router.apology())]
            )
        except Exception:
            logger.exception("Could not send the apology to conversation %s", conversation)


def _own_conversation(incoming: Incoming, replies: list[Reply]) -> list[Reply]:
    """The replies for the turn's own conversation; others are refused (the router queues
    replies for other conversations in the outbox, so none should ever arrive here)."""
    own = []
    for reply in replies:
        if reply.conversation_id and reply.conversation_id != incoming.conversation_id:
            logger.error(
                "Refused to send a reply for conversation %s inline in conversation %s",
                reply.conversation_id,
                incoming.conversation_id,
            )
            continue
        own.append(reply)
    return own


def _described(error: Exception) -> str:
    """An error about a request body, fit for the log: msrest quotes the offending data, so
    personal data is redacted and the text cut short."""
    text = redact_text(f"{type(error).__name__}: {error}")
    return text if len(text) <= MAX_LOGGED_ERROR else text[: MAX_LOGGED_ERROR - 1] + "…"


def _activity_problem(body: object) -> str:
    """Why a JSON body is not an inbound Activity, or "" when it looks like one."""
    if not isinstance(body, dict):
        return "body is not a JSON object"
    kind = body.get("type")
    if not isinstance(kind, str) or not kind:
        return "missing 'type'"
    service_url = body.get("serviceUrl")
    if not isinstance(service_url, str) or not service_url.startswith(("https://", "http://")):
        return "missing or invalid 'serviceUrl'"
    conversation = body.get("conversation")
    if not isinstance(conversation, dict) or not isinstance(conversation.get("id"), str):
        return "missing 'conversation.id'"
    return ""
