"""The Slack channel: POST /slack/events through slack-bolt; acknowledged at once, turns after."""

from __future__ import annotations

import asyncio
import logging
import re
import time
from collections.abc import Awaitable, Callable, Coroutine
from dataclasses import replace
from typing import Any

import aiohttp
from aiohttp import web
from slack_bolt.adapter.aiohttp import to_aiohttp_response
from slack_bolt.async_app import AsyncAck, AsyncApp
from slack_bolt.authorization import AuthorizeResult
from slack_bolt.request.async_request import AsyncBoltRequest
from slack_bolt.response import BoltResponse
from slack_sdk.errors import SlackApiError

from bot.slack.blocks import MAX_MESSAGE_BLOCKS, message, share_block, split_message
from bot.slack.client import web_client
from bot.slack.home import SlackHome
from bot.slack.modals import FORM_CALLBACK, form_view
from bot.slack.payloads import (
    CHANNEL,
    SLASH_COMMAND,
    Answer,
    FormOpening,
    SlackTurn,
    action_turn,
    command_turn,
    event_turn,
    form_opening,
    form_turn,
    home_opened,
    payload_problem,
    workspaces,
)
from bot.slack.people import SlackPeople
from bot.slack.replies import Outbound, SlackReplies
from bot.slack.socket_mode import CheckedSocketModeHandler
from delivery.limits import DeliveryLimits
from dialogs.forwarding import own_conversation
from dialogs.services import Services
from ground.channel_settings import SlackSettings
from ground.messages import Incoming, IncomingKind, Reply, oversized_field
from ground.settings import Settings, is_loopback
from storage.handled_keys import EVENT_KEY_PREFIX

logger = logging.getLogger(__name__)

PATH = "/slack/events"
CONTENT_TYPES = frozenset({"application/json", "application/x-www-form-urlencoded"})
SIGNATURE_WINDOW_SECONDS = 300  # Slack's: a request older than five minutes is refused
CLOSE_TIMEOUT_SECONDS = 10.0  # turns in flight when the app stops
# handled_keys: an event_id is handled once, in any process (pruned after a day).
HANDLED_PREFIX = f"{EVENT_KEY_PREFIX}slack:"
HELP_VERB = "help"  # the card verb of the help dialog (dialogs.router.VERBS)
REFUSED_STATUS = 403  # how a request from another workspace counts (Slack is told 200)


class _RejectedError(Exception):
    """The request is refused before bolt sees it; carries the HTTP response."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.response = web.json_response({"error": message}, status=status)


def bolt_logger() -> logging.Logger:
    """The logger bolt's own loggers copy their level from: ERROR unless configured. Bolt
    writes request bodies (people's words) at INFO, e.g. with a bad signature, and warns
    about settings Kompas chose on purpose; Kompas logs what it refuses itself."""
    found = logging.getLogger(f"{__name__}.bolt")
    if found.level == logging.NOTSET:
        found.setLevel(logging.ERROR)
    return found


class SlackChannel:
    """Slack's Events API, slash command and interactivity on one endpoint.

    slack-bolt checks the signature (SLACK_SIGNING_SECRET, five-minute window) and answers
    url_verification; Kompas reads and bounds the body, refuses other workspaces, and runs
    each turn after the acknowledgement (Slack waits 3 s at most). An event is handled once
    however often Slack sends it (event_id in handled_keys). Without a signing secret (dev
    mode only) requests are accepted unsigned from loopback.
    """

    def __init__(self, settings: Settings, services: Services, limits: DeliveryLimits) -> None:
        self._settings = settings
        self._router = services.router
        self._handled = services.deps.handled
        self._texts = services.texts
        self._session = aiohttp.ClientSession()
        self._client = web_client(settings, self._session)
        self._replies = SlackReplies(self._client, self._session, limits)
        self._people = SlackPeople(self._client)
        self._home = SlackHome(self._client, services)
        self._turns: set[asyncio.Task[None]] = set()
        self._count_inbound = services.count_inbound
        self._app = self._bolt_app()
        self._socket: CheckedSocketModeHandler | None = None
        slack = settings.slack
        if slack.socket_mode:
            logger.info("Slack in Socket Mode: requests come over Kompas's own WebSocket")
        elif not slack.signed:
            logger.warning("No SLACK_SIGNING_SECRET: Slack requests are NOT verified")
            logger.warning("Dev mode: only Slack requests from loopback addresses are answered")
        if slack.allowed_teams:
            logger.info("Allowed Slack workspaces: %s", ", ".join(sorted(slack.allowed_teams)))
        else:
            logger.warning("Allowed Slack workspaces: any (KOMPAS_SLACK_ALLOWED_TEAMS is empty)")

    def _bolt_app(self) -> AsyncApp:
        """Bolt with Kompas's checks and listeners. Bolt hands listeners the arguments their
        parameter names ask for, so they are plain functions here (not bound methods)."""
        slack = self._settings.slack

        async def authorize(
            enterprise_id: str | None, team_id: str | None, user_id: str | None
        ) -> AuthorizeResult:
            return self._authorize(enterprise_id, team_id, user_id)

        async def check_workspace(
            body: dict[str, Any], req: AsyncBoltRequest, next: Callable[[], Awaitable[None]]
        ) -> BoltResponse | None:
            refused = await self._check_workspace(body, next)
            if req.mode == "socket_mode" and self._count_inbound is not None:
                self._count_inbound(CHANNEL, REFUSED_STATUS if refused else 200)
            return refused

        async def on_event(body: dict[str, Any]) -> None:
            self._on_event(body)

        async def on_command(ack: AsyncAck, body: dict[str, Any]) -> None:
            await ack()
            self._on_command(body)

        async def on_action(ack: AsyncAck, body: dict[str, Any], action: dict[str, Any]) -> None:
            await ack()
            self._on_action(body, action)

        async def on_form(ack: AsyncAck, body: dict[str, Any]) -> None:
            await ack()  # the modal closes; the answer comes where the form was opened
            self._on_form(body)

        # Bolt's per-request clients are never used to send: Kompas sends with its own.
        app = AsyncApp(
            name="kompas",
            logger=bolt_logger(),
            signing_secret=slack.signing_secret,
            client=web_client(self._settings.with_overrides(slack=_without_token(slack))),
            authorize=authorize,
            before_authorize=check_workspace,
            request_verification_enabled=slack.signed,
        )
        app.event(re.compile(".+"))(on_event)  # every event is acknowledged (else: retries)
        app.command(SLASH_COMMAND)(on_command)
        app.action(re.compile(".+"))(on_action)
        app.view(FORM_CALLBACK)(on_form)
        return app

    async def handle(self, request: web.Request) -> web.Response:
        """One request from Slack: 4xx for unreadable or unverified ones, else bolt's answer
        (at once; the turn runs afterwards)."""
        try:
            self._check_sender(request)
            bolt_request = await self._read(request)
        except _RejectedError as rejected:
            return rejected.response
        retry = request.headers.get("X-Slack-Retry-Num")
        if retry:
            logger.info(
                "Slack retried a request (attempt %s, %s)",
                retry[:10],
                request.headers.get("X-Slack-Retry-Reason", "no reason given")[:40],
            )
        response = await self._app.async_dispatch(bolt_request)
        if response.status >= 500:  # bolt could not read the request (it logged why)
            logger.error("Rejected %s: Slack's library could not handle the request", PATH)
            return web.json_response({"error": "not a Slack request Kompas can read"}, status=400)
        if response.status == 401:
            logger.warning(
                "Rejected %s from %s: %s", PATH, request.remote, signature_problem(request)
            )
        elif response.status == 404:
            logger.info("Ignored a Slack request no part of Kompas answers (%s)", PATH)
        return await to_aiohttp_response(response)

    async def start(self) -> None:
        """In Socket Mode, open the WebSocket to Slack (apps.connections.open with the app-level
        token); bolt reconnects when Slack asks it to."""
        slack = self._settings.slack
        if not slack.socket_mode:
            return
        count = self._count_inbound
        self._socket = CheckedSocketModeHandler(
            self._app,
            app_token=slack.app_token,
            web_client=web_client(self._settings.with_overrides(slack=_without_token(slack))),
            bolt_logger=bolt_logger(),
            rejected=None if count is None else lambda: count(CHANNEL, 400),
        )
        await self._socket.connect_async()
        logger.info("Slack Socket Mode connected")

    async def close(self) -> None:
        """Close the WebSocket (Socket Mode), let turns in flight finish (bounded), then close
        the HTTP session."""
        if self._socket is not None:
            await self._socket.close_async()
            self._socket = None
        if self._turns:
            _, late = await asyncio.wait(set(self._turns), timeout=CLOSE_TIMEOUT_SECONDS)
            for task in late:
                task.cancel()
            if late:
                logger.warning("Stopped with %d Slack turns unfinished", len(late))
        await self._session.close()

    # --- reading the request -------------------------------------------------------------

    def _check_sender(self, request: web.Request) -> None:
        slack = self._settings.slack
        if slack.signed:
            return
        if slack.socket_mode:  # nothing may come in unsigned beside the WebSocket
            logger.warning("Rejected %s from %s: Slack uses Socket Mode", PATH, request.remote)
            raise _RejectedError(404, "Slack uses Socket Mode here")
        if is_loopback(request.remote or ""):
            return
        logger.warning(
            "Rejected unsigned %s from %s: dev mode is loopback only", PATH, request.remote
        )
        raise _RejectedError(403, "dev mode answers loopback only")

    async def _read(self, request: web.Request) -> AsyncBoltRequest:
        if request.content_type not in CONTENT_TYPES:
            logger.warning("Rejected %s: content type %r", PATH, request.content_type[:80])
            raise _RejectedError(415, "expected JSON or a form")
        raw = await self._read_body(request)
        try:
            text = raw.decode("utf-8")
            bolt_request = AsyncBoltRequest(
                body=text,
                query=request.query_string,
                headers=request.headers,  # type: ignore[arg-type]
            )
        except (ValueError, TypeError, AttributeError, KeyError, IndexError, RecursionError):
            logger.warning("Rejected %s: the body does not parse (%d bytes)", PATH, len(raw))
            raise _RejectedError(400, "body is not a Slack request") from None
        problem = payload_problem(bolt_request.body)
        if problem:
            logger.warning("Rejected %s: %s", PATH, problem)
            raise _RejectedError(400, f"not a Slack request: {problem}")
        return bolt_request

    async def _read_body(self, request: web.Request) -> bytes:
        """The whole body within KOMPAS_BODY_TIMEOUT; 413 when too large, 408 when too slow."""
        timeout = self._settings.server.body_timeout
        try:
            async with asyncio.timeout(timeout):
                return await request.read()
        except web.HTTPRequestEntityTooLarge:
            logger.warning("Rejected %s: body over %d bytes", PATH, request.client_max_size)
            raise _RejectedError(413, "body too large") from None
        except TimeoutError:
            logger.info(
                "Rejected %s from %s: body not sent within %gs", PATH, request.remote, timeout
            )
            raise _RejectedError(408, "request body timeout") from None
        except ConnectionError:
            logger.info("Client %s disconnected while sending %s", request.remote, PATH)
            raise _RejectedError(400, "incomplete body") from None

    # --- bolt's middleware and listeners -------------------------------------------------

    async def _check_workspace(
        self, body: dict[str, Any], next: Callable[[], Awaitable[None]]
    ) -> BoltResponse | None:
        """Requests from workspaces outside KOMPAS_SLACK_ALLOWED_TEAMS are acknowledged (so
        Slack does not retry them) and dropped."""
        allowed = self._settings.slack.allowed_teams
        teams = workspaces(body)
        if not allowed or not teams or teams & allowed:
            await next()
            return None
        logger.warning(
            "Refused a Slack request from workspace %s: not in KOMPAS_SLACK_ALLOWED_TEAMS",
            ", ".join(sorted(teams)),
        )
        return BoltResponse(status=200, body="")

    def _authorize(
        self, enterprise_id: str | None, team_id: str | None, user_id: str | None
    ) -> AuthorizeResult:
        """Kompas has one bot token; nothing is asked of Slack (no auth.test)."""
        return AuthorizeResult(
            enterprise_id=enterprise_id,
            team_id=team_id,
            user_id=user_id,
            bot_token=self._settings.slack.bot_token or None,
        )

    def _on_event(self, body: dict[str, Any]) -> None:
        """Bolt acknowledged the event already; DMs and @mentions become turns, and an opened
        Home tab is published."""
        home = home_opened(body)
        if home is not None:
            if _oversized(home):
                return
            self._track(self._publish_home(home))
            # The first open of the Home tab welcomes too (once per DM, as the Messages tab).
            self._start(SlackTurn(replace(home, kind=IncomingKind.INSTALLED), home.conversation_id))
            return
        turn = event_turn(body)
        if turn is not None:
            self._start(turn)

    async def _publish_home(self, incoming: Incoming) -> None:
        try:
            person = await self._people.resolve(incoming.person)
            await self._home.publish(replace(incoming, person=person))
        except Exception:
            logger.exception("Publishing a Slack Home tab failed")

    def _on_command(self, body: dict[str, Any]) -> None:
        turn = command_turn(body)
        if not turn.incoming.text:  # a bare /kompas shows what Kompas can do
            bare = replace(turn.incoming, kind=IncomingKind.SUBMIT, value={"verb": HELP_VERB})
            turn = replace(turn, incoming=bare, question="")
        self._start(turn)

    def _on_action(self, body: dict[str, Any], action: dict[str, Any]) -> None:
        opening = form_opening(body, action)
        if opening is not None:
            self._track(self._open_form(opening))
            return
        turn = action_turn(body, action)
        if turn is not None:
            self._start(turn)

    async def _open_form(self, opening: FormOpening) -> None:
        """views.open at once: the press's trigger id is valid for three seconds."""
        close = self._texts.label("slack", "cancel")
        try:
            await self._client.views_open(
                trigger_id=opening.trigger_id, view=form_view(opening.form, opening.place, close)
            )
        except (SlackApiError, aiohttp.ClientError, TimeoutError) as error:
            logger.warning("A form was not opened in %s: %s", opening.place.channel, error)

    def _on_form(self, body: dict[str, Any]) -> None:
        turn = form_turn(body)
        if turn is None:
            logger.warning("A submitted Slack form could not be read; nothing was done")
            return
        self._start(turn)

    # --- turns ---------------------------------------------------------------------------

    def _start(self, turn: SlackTurn) -> None:
        if not _oversized(turn.incoming):
            self._track(self._run(turn))

    def _track(self, work: Coroutine[Any, Any, None]) -> None:
        task = asyncio.create_task(work)
        self._turns.add(task)
        task.add_done_callback(self._turns.discard)

    async def _run(self, turn: SlackTurn) -> None:
        incoming = turn.incoming
        try:
            if turn.delivery_id and not await self._handled.claim(
                f"{HANDLED_PREFIX}{turn.delivery_id}"[:255], None
            ):
                logger.info("Slack event %s was handled already; not again", turn.delivery_id)
                return
            incoming = replace(incoming, person=await self._people.resolve(incoming.person))
            replies = own_conversation(incoming, await self._router.handle(incoming))
            await self._replies.send(turn, self._outbound(turn, replies))
            if turn.home:  # what was pressed there may have changed it (e.g. reminders)
                await self._home.publish(incoming)
        except Exception as error:
            await self._turn_failed(turn, error)

    def _outbound(self, turn: SlackTurn, replies: list[Reply]) -> list[Outbound]:
        incoming = turn.incoming
        # Posted into the conversation, a card's "Læs mere" goes in the thread under it;
        # through a response_url (ephemeral, or shared) there is no thread to put it in.
        threads = turn.answer is Answer.POST
        outbound = []
        for reply in replies:
            # A reply in place of a card pressed on the Home tab goes in the DM as a message.
            replaces = reply.updates_submitted_card and not turn.home
            if replaces and not incoming.submitted_message_id:
                continue
            whole = replaces or not threads
            first, *thread = split_message(reply, details_in_thread=not whole)
            outbound.append(Outbound(first, replaces, tuple(thread)))
        if turn.question and outbound:
            share = share_block(self._texts.label("slack", "share"), turn.question)
            last = outbound[-1].message
            if share is not None and len(last["blocks"]) < MAX_MESSAGE_BLOCKS:
                outbound[-1] = replace(
                    outbound[-1], message={**last, "blocks": [*last["blocks"], share]}
                )
        return outbound

    async def _turn_failed(self, turn: SlackTurn, error: Exception) -> None:
        """A turn raised: log it, and apologise to whoever wrote or pressed."""
        logger.error(
            "Slack turn failed: %s in conversation %s",
            turn.incoming.kind,
            turn.channel,
            exc_info=error,
        )
        if turn.incoming.kind not in (IncomingKind.MESSAGE, IncomingKind.SUBMIT):
            return
        try:
            await self._replies.send(turn, [Outbound(message(self._router.apology()))])
        except Exception:
            logger.exception("Could not send the apology in conversation %s", turn.channel)


def _oversized(incoming: Incoming) -> bool:
    """True (and logged) when the request brings an id longer than Kompas keeps: it was
    acknowledged, and nothing of it is stored or answered."""
    problem = oversized_field(incoming)
    if problem:
        logger.warning("Ignored a Slack request: %s", problem)
    return bool(problem)


def signature_problem(request: web.Request) -> str:
    """Why bolt refused a request's signature, for the log (never the body)."""
    signature = request.headers.get("X-Slack-Signature")
    stamp = request.headers.get("X-Slack-Request-Timestamp")
    if not signature or not stamp:
        return "no signature"
    try:
        age = abs(time.time() - int(stamp))
    except ValueError:
        return "unreadable timestamp"
    if age > SIGNATURE_WINDOW_SECONDS:
        return f"stale signature ({age:.0f} s old)"
    return "wrong signature"


def _without_token(slack: SlackSettings) -> SlackSettings:
    return replace(slack, bot_token="")
