"""A loopback fake of Slack's Web API and response URLs (what Kompas sends to Slack)."""

from __future__ import annotations

import asyncio
import itertools
import json
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from types import TracebackType
from typing import Any
from urllib.parse import parse_qsl

from aiohttp import WSMsgType, web

BOT_USER_ID = "UKOMPAS01"
BOT_ID = "BKOMPAS01"
TEAM_ID = "T0KOMMUNE"

# Errors Slack answers when a person or conversation cannot be reached any more.
MESSAGE_METHODS = frozenset({"chat.postMessage", "chat.update", "response_url"})
GONE_ERRORS = (
    "channel_not_found",
    "account_inactive",
    "user_not_found",
    "is_archived",
    "not_in_channel",
)


@dataclass(frozen=True)
class SlackAnswer:
    """A programmed answer: an error code (HTTP 200, ok false, as Slack does), or a status
    with headers (429 with Retry-After), optionally after a delay in seconds."""

    error: str = ""
    status: int = 200
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0

    @classmethod
    def rate_limited(cls, retry_after: int = 1) -> SlackAnswer:
        """HTTP 429 "ratelimited" with Retry-After, as Slack throttles a workspace."""
        return cls("ratelimited", 429, {"Retry-After": str(retry_after)})


@dataclass(frozen=True)
class SlackCall:
    """One call Kompas made, as the fake saw it, with what the fake answered."""

    method: str  # "chat.postMessage", …; "response_url" for a POST to a response URL
    body: dict[str, Any]
    headers: dict[str, str]
    ok: bool
    error: str = ""
    status: int = 200
    answered_at: float = 0.0  # time.monotonic()
    response_id: str = ""  # which response URL (for "response_url" calls)
    answer: dict[str, Any] = field(default_factory=dict)  # what the fake answered

    @property
    def ts(self) -> str:
        """The id Slack gave the message posted or updated ("" for other calls)."""
        return str(self.answer.get("ts") or "")

    @property
    def channel(self) -> str:
        return str(self.body.get("channel") or "")

    @property
    def blocks(self) -> list[dict[str, Any]]:
        blocks = self.body.get("blocks") or []
        if isinstance(blocks, str):  # form-encoded calls carry blocks as JSON text
            blocks = json.loads(blocks)
        return list(blocks)

    @property
    def text(self) -> str:
        return str(self.body.get("text") or "")

    def all_text(self) -> str:
        """The fallback text and every text in the blocks, joined (for assertions)."""
        found = [self.text]
        pending: list[Any] = list(self.blocks)
        while pending:
            item = pending.pop(0)
            if isinstance(item, dict):
                if isinstance(item.get("text"), str):
                    found.append(item["text"])
                pending.extend(item.values())
            elif isinstance(item, list):
                pending.extend(item)
        return "\n".join(found)

    @property
    def view(self) -> dict[str, Any]:
        """The view of views.open or views.publish ({} for other calls)."""
        view = self.body.get("view") or {}
        if isinstance(view, str):
            view = json.loads(view)
        return dict(view)

    def buttons(self) -> list[dict[str, Any]]:
        """Every button element in the message's actions blocks."""
        return [
            element
            for block in self.blocks
            if block.get("type") == "actions"
            for element in block.get("elements", [])
            if element.get("type") == "button"
        ]


class FakeSlackApi:
    """Records what Kompas calls at `url` (KOMPAS_SLACK_API_URL) and at response URLs
    (`response_url(…)`); answers like Slack unless programmed otherwise.

    `respond_with(...)` queues answers for the next calls of any method, `respond_in(channel,
    ...)` for the next posts to one channel; then normal service resumes. Calls without the
    bot token (when one is set) are answered not_authed/invalid_auth, as Slack does.
    """

    def __init__(
        self,
        token: str = "",
        host: str = "127.0.0.1",
        app_token: str = "",
        posts_per_second: float | None = None,
    ) -> None:
        self._token = token
        # Slack's own rate limit on posting, when set: above it chat.postMessage answers 429
        # with Retry-After (the fan-out benchmark); None: no limit (the tests).
        self._rate = posts_per_second
        self._sent_at: deque[float] = deque()
        self._app_token = app_token
        self._host = host
        self._sockets: list[web.WebSocketResponse] = []
        self.socket_acks: list[dict[str, Any]] = []  # what Kompas answered on the WebSocket
        self._runner: web.AppRunner | None = None
        self._port = 0
        self._queue: deque[SlackAnswer] = deque()
        self._queues: dict[str, deque[SlackAnswer]] = {}
        self._ts = itertools.count(1)
        self._changed = asyncio.Condition()
        self.calls: list[SlackCall] = []
        # users.info answers from `profiles` (user id → {"real_name": …, "email": …}; others get
        # an empty profile), never from the programmed answers, and is recorded in `lookups`
        # (a read: the message counts of `calls` stay as they were).
        self.profiles: dict[str, dict[str, str]] = {}
        self.lookups: list[str] = []
        self.lookup_error = ""  # set: users.info fails with this error (e.g. missing_scope)
        # users.list: the workspace's members (Slack's user objects), a page per call;
        # conversations.members: channel id → member ids. Reads like users.info.
        self.directory: list[dict[str, Any]] = []
        self.channel_members: dict[str, list[str]] = {}
        self.directory_calls: list[str] = []

    @property
    def url(self) -> str:
        """The Web API base URL, with the trailing slash slack_sdk expects."""
        if not self._port:
            raise RuntimeError("FakeSlackApi is not started")
        return f"http://{self._host}:{self._port}/api/"

    def response_url(self, name: str) -> str:
        """A response URL as Slack puts in slash commands and button presses."""
        return f"http://{self._host}:{self._port}/response/{name}"

    def respond_with(self, *answers: SlackAnswer) -> None:
        """Queue answers for the next calls (any method)."""
        self._queue.extend(answers)

    def respond_in(self, channel: str, *answers: SlackAnswer) -> None:
        """Queue answers for the next posts to `channel` (before the general queue)."""
        self._queues.setdefault(channel, deque()).extend(answers)

    def made(self, method: str) -> list[SlackCall]:
        """The successful calls of `method` ("response_url" for response URLs)."""
        return [call for call in self.calls if call.method == method and call.ok]

    @property
    def posted(self) -> list[SlackCall]:
        """Messages that arrived: chat.postMessage and posts to response URLs."""
        return [c for c in self.calls if c.ok and c.method in {"chat.postMessage", "response_url"}]

    @property
    def messages(self) -> list[SlackCall]:
        """Every message that arrived or changed: posts, updates, response URLs."""
        return [c for c in self.calls if c.ok and c.method in MESSAGE_METHODS]

    async def wait_until(
        self, arrived: Callable[[list[SlackCall]], bool], timeout: float = 5.0
    ) -> None:
        """Wait until `arrived(calls)` holds (calls: everything recorded so far)."""
        async with self._changed:
            await asyncio.wait_for(self._changed.wait_for(lambda: arrived(self.calls)), timeout)

    async def wait_for(self, count: int, method: str = "", timeout: float = 5.0) -> list[SlackCall]:
        """Wait until `count` calls of `method` succeeded (default: messages posted, "*":
        messages posted or updated); return them all."""

        def found() -> list[SlackCall]:
            if method == "*":
                return self.messages
            return self.made(method) if method else self.posted

        async with self._changed:
            try:
                await asyncio.wait_for(
                    self._changed.wait_for(lambda: len(found()) >= count), timeout
                )
            except TimeoutError:
                raise AssertionError(
                    f"expected {count} {method or 'posts'} within {timeout}s, got "
                    f"{[(c.method, c.error, c.text[:60]) for c in self.calls]}"
                ) from None
        return found()

    async def start(self) -> FakeSlackApi:
        app = web.Application()
        app.router.add_post("/api/{method}", self._api)
        app.router.add_get("/api/{method}", self._api)  # slack_sdk reads users.info with GET
        app.router.add_post("/response/{name}", self._response_url)
        app.router.add_get("/socket", self._socket)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        await web.TCPSite(self._runner, self._host, 0).start()
        self._port = int(self._runner.addresses[0][1])
        return self

    async def close(self) -> None:
        for socket in list(self._sockets):
            await socket.close()
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def __aenter__(self) -> FakeSlackApi:
        return await self.start()

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        await self.close()

    # --- Socket Mode -------------------------------------------------------------------

    async def wait_for_socket(self, timeout: float = 10.0) -> None:
        """Wait until Kompas has opened its Socket Mode WebSocket (and got "hello")."""
        async with self._changed:
            try:
                await asyncio.wait_for(self._changed.wait_for(lambda: bool(self._sockets)), timeout)
            except TimeoutError:
                raise AssertionError(f"no Socket Mode connection within {timeout}s") from None

    async def socket_send(self, kind: str, payload: dict[str, Any], retry: int = 0) -> str:
        """Send an envelope ("events_api", "slash_commands", "interactive") as Slack does;
        returns its envelope_id (Kompas must acknowledge it, see `wait_for_ack`)."""
        envelope_id = f"envelope-{next(self._ts)}"
        envelope = {
            "envelope_id": envelope_id,
            "type": kind,
            "payload": payload,
            "accepts_response_payload": kind != "events_api",
            "retry_attempt": retry,
            "retry_reason": "timeout" if retry else "",
        }
        for socket in self._sockets:
            await socket.send_json(envelope)
        return envelope_id

    async def wait_for_ack(self, envelope_id: str, timeout: float = 5.0) -> dict[str, Any]:
        """The acknowledgement Kompas sent for an envelope."""

        def found() -> list[dict[str, Any]]:
            return [ack for ack in self.socket_acks if ack.get("envelope_id") == envelope_id]

        async with self._changed:
            try:
                await asyncio.wait_for(self._changed.wait_for(lambda: bool(found())), timeout)
            except TimeoutError:
                raise AssertionError(f"{envelope_id} not acknowledged within {timeout}s") from None
        return found()[0]

    async def _socket(self, request: web.Request) -> web.WebSocketResponse:
        socket = web.WebSocketResponse(autoping=True)
        await socket.prepare(request)
        await socket.send_json({"type": "hello", "num_connections": 1, "debug_info": {}})
        async with self._changed:
            self._sockets.append(socket)
            self._changed.notify_all()
        try:
            async for received in socket:
                if received.type is not WSMsgType.TEXT:
                    continue
                async with self._changed:
                    self.socket_acks.append(json.loads(received.data))
                    self._changed.notify_all()
        finally:
            self._sockets.remove(socket)
        return socket

    # --- handlers ----------------------------------------------------------------------

    async def _api(self, request: web.Request) -> web.Response:
        method = request.match_info["method"]
        body = await _body(request)
        if method in {"users.list", "conversations.members"}:
            return web.json_response(self._directory_page(method, body))
        if method == "users.info":
            user = str(body.get("user") or "")
            self.lookups.append(user)
            if self.lookup_error:
                return web.json_response({"ok": False, "error": self.lookup_error})
            profile = dict(self.profiles.get(user, {}))
            return web.json_response({"ok": True, "user": {"id": user, "profile": profile}})
        channel = str(body.get("channel") or "")
        own = self._queues.get(channel)
        programmed = own.popleft() if own else (self._queue.popleft() if self._queue else None)
        if programmed is not None and programmed.delay:
            await asyncio.sleep(programmed.delay)
        auth = request.headers.get("Authorization", "")
        # apps.connections.open takes the app-level token (Socket Mode), the rest the bot's.
        expected = self._app_token if method == "apps.connections.open" else self._token
        if expected and auth != f"Bearer {expected}":
            programmed = SlackAnswer("not_authed" if not auth else "invalid_auth")
        if programmed is None and method == "views.open" and not body.get("trigger_id"):
            programmed = SlackAnswer("invalid_trigger_id")
        if programmed is None and method == "chat.postMessage" and self._over_rate():
            programmed = SlackAnswer("ratelimited", status=429, headers={"Retry-After": "1"})
        if programmed is not None and (programmed.error or programmed.status != 200):
            await self._record(method, body, request, programmed.error, programmed.status)
            return web.json_response(
                {"ok": False, "error": programmed.error or "fatal_error"},
                status=programmed.status,
                headers=programmed.headers,
            )
        success = self._success(method, body)
        await self._record(method, body, request, "", 200, answer=success)
        return web.json_response(success)

    def _over_rate(self) -> bool:
        """True when one more post would exceed `posts_per_second` over the last second."""
        if self._rate is None:
            return False
        now = time.monotonic()
        while self._sent_at and now - self._sent_at[0] >= 1.0:
            self._sent_at.popleft()
        if len(self._sent_at) >= self._rate:
            return True
        self._sent_at.append(now)
        return False

    def _directory_page(self, method: str, body: dict[str, Any]) -> dict[str, Any]:
        """One page of users.list or conversations.members (cursor: the next index)."""
        self.directory_calls.append(method)
        items: list[Any] = (
            self.directory
            if method == "users.list"
            else self.channel_members.get(str(body.get("channel") or ""), [])
        )
        start = int(body.get("cursor") or 0)
        size = int(body.get("limit") or 100)
        end = start + size
        page = {"members": items[start:end]}
        return {
            "ok": True,
            **page,
            "response_metadata": {"next_cursor": str(end) if end < len(items) else ""},
        }

    async def _response_url(self, request: web.Request) -> web.Response:
        body = await _body(request)
        programmed = self._queue.popleft() if self._queue else None
        if programmed is not None and programmed.status != 200:
            await self._record("response_url", body, request, programmed.error, programmed.status)
            return web.Response(
                status=programmed.status, text=programmed.error, headers=programmed.headers
            )
        await self._record(
            "response_url", body, request, "", 200, response_id=request.match_info["name"]
        )
        return web.Response(text="ok")

    def _success(self, method: str, body: dict[str, Any]) -> dict[str, Any]:
        channel = str(body.get("channel") or "")
        if method == "auth.test":
            return {
                "ok": True,
                "team_id": TEAM_ID,
                "user_id": BOT_USER_ID,
                "bot_id": BOT_ID,
                "team": "Kommunen",
                "user": "kompas",
                "url": "https://kommunen.slack.com/",
            }
        if method in {"chat.postMessage", "chat.update"}:
            ts = str(body.get("ts") or f"{1_700_000_000 + next(self._ts)}.000100")
            # Posted to a user id, a message lands in the app's DM with that person.
            where = f"D{channel[1:]}" if channel.startswith(("U", "W")) else channel
            return {"ok": True, "channel": where, "ts": ts, "message": {"text": body.get("text")}}
        if method == "apps.connections.open":
            return {"ok": True, "url": f"ws://{self._host}:{self._port}/socket"}
        if method in {"views.open", "views.publish"}:
            view = body.get("view") or {}
            view = json.loads(view) if isinstance(view, str) else view
            return {"ok": True, "view": {**view, "id": f"V0{next(self._ts):08d}"}}
        if method == "chat.postEphemeral":
            return {"ok": True, "message_ts": f"{1_700_000_000 + next(self._ts)}.000200"}
        return {"ok": True}

    async def _record(
        self,
        method: str,
        body: dict[str, Any],
        request: web.Request,
        error: str,
        status: int,
        *,
        response_id: str = "",
        answer: dict[str, Any] | None = None,
    ) -> None:
        call = SlackCall(
            method=method,
            body=body,
            headers=dict(request.headers),
            ok=not error and status == 200,
            error=error,
            status=status,
            answered_at=time.monotonic(),
            response_id=response_id,
            answer=answer or {},
        )
        async with self._changed:
            self.calls.append(call)
            self._changed.notify_all()


async def _body(request: web.Request) -> dict[str, Any]:
    """A call's parameters, from JSON, a form or the query string (slack_sdk sends all three)."""
    if request.method == "GET":
        return dict(request.query)
    text = await request.text()
    if request.content_type == "application/json":
        try:
            parsed = json.loads(text or "{}")
        except ValueError:
            return {"_invalid_json": text[:200]}
        return parsed if isinstance(parsed, dict) else {"_json": parsed}
    return dict(parse_qsl(text, keep_blank_values=True))
