"""A loopback fake of the Bot Connector service (the Teams side of outbound messages)."""

from __future__ import annotations

import asyncio
import bisect
import itertools
import logging
import math
import time
from collections import Counter, deque
from dataclasses import dataclass, field
from types import TracebackType
from typing import Any

from aiohttp import web

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class FakeResponse:
    """A programmed answer: status, headers (e.g. Retry-After), optional delay in seconds."""

    status: int = 200
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0
    body: dict[str, Any] | None = None


TEAMS_CONVERSATION_WINDOWS = ((7, 1.0), (8, 2.0), (60, 30.0), (1800, 3600.0))


@dataclass(frozen=True)
class ConnectorLimits:
    """Throttling like Teams': a send over a limit is answered 429 with Retry-After.

    `conversation_windows` are (sends, seconds) per conversation; `overall_per_second`
    limits all sends together (None: no overall limit). Only accepted sends count.
    """

    conversation_windows: tuple[tuple[int, float], ...] = TEAMS_CONVERSATION_WINDOWS
    overall_per_second: float | None = 30.0


class _Throttle:
    """Sliding windows over the times of accepted sends, independent of Kompas's limiter."""

    def __init__(self, limits: ConnectorLimits) -> None:
        self._windows = limits.conversation_windows
        rate = limits.overall_per_second
        count = max(1, round(rate)) if rate else 0
        self._overall = (count, count / rate) if rate else None
        self._sends: dict[str, list[float]] = {}
        self._all: list[float] = []

    def retry_after(self, conversation_id: str, now: float) -> float:
        """0.0 when a send now is within every limit (and counts it); else seconds to wait."""
        sends = self._sends.setdefault(conversation_id, [])
        wait = max(
            [self._wait(sends, limit, seconds, now) for limit, seconds in self._windows]
            + ([self._wait(self._all, *self._overall, now)] if self._overall else [])
        )
        if wait > 0:
            return wait
        sends.append(now)
        self._all.append(now)
        return 0.0

    @staticmethod
    def _wait(times: list[float], limit: int, seconds: float, now: float) -> float:
        recent = len(times) - bisect.bisect_right(times, now - seconds)
        if recent < limit:
            return 0.0
        return times[-limit] + seconds - now


@dataclass(frozen=True)
class ReceivedRequest:
    """One request the bot made, as the fake saw it, with the status the fake answered."""

    method: str
    path: str
    conversation_id: str | None  # None for POST /v3/conversations
    reply_to_id: str | None
    body: dict[str, Any]
    headers: dict[str, str]
    status: int
    answered_at: float = 0.0  # time.monotonic() when the fake answered
    updated_activity_id: str | None = None  # PUT …/activities/{id}: the message replaced

    @property
    def activity(self) -> dict[str, Any]:
        """The activity sent (for send/reply calls)."""
        return self.body

    @property
    def ok(self) -> bool:
        return 200 <= self.status < 300

    @property
    def text(self) -> str:
        return str(self.body.get("text") or "")

    @property
    def cards(self) -> list[dict[str, Any]]:
        """The Adaptive Card contents attached to the activity."""
        return [
            attachment.get("content") or {}
            for attachment in self.body.get("attachments") or []
            if attachment.get("contentType") == "application/vnd.microsoft.card.adaptive"
        ]


class FakeBotConnector:
    """Records what the bot sends to /v3/conversations…; answers 2xx unless told otherwise.

    Point an activity's serviceUrl at `url`. Program failures with `respond_with(...)`:
    each queued FakeResponse answers one request, in order; then normal service resumes.
    With `limits`, sends over Teams-like rate limits are answered 429 with Retry-After.
    """

    def __init__(self, host: str = "127.0.0.1", limits: ConnectorLimits | None = None) -> None:
        self._host = host
        self._throttle = _Throttle(limits) if limits is not None else None
        self._runner: web.AppRunner | None = None
        self._port = 0
        self._queue: deque[FakeResponse] = deque()
        self._queues: dict[str, deque[FakeResponse]] = {}
        self._delivered = 0
        self._arrived = 0
        self._ids = itertools.count(1)
        self._changed = asyncio.Condition()
        self.requests: list[ReceivedRequest] = []  # every request, failed ones included
        self.rosters: dict[str, list[dict[str, Any]]] = {}  # team id → its members
        self.blocked: set[str] = set()  # member ids that blocked the bot (create → 403)

    @property
    def url(self) -> str:
        """The service URL (with trailing slash, like Teams')."""
        if not self._port:
            raise RuntimeError("FakeBotConnector is not started")
        return f"http://{self._host}:{self._port}/"

    @property
    def activities(self) -> list[ReceivedRequest]:
        """Activities successfully sent to or replied in a conversation (not updates)."""
        return [
            r
            for r in self.requests
            if r.ok and r.conversation_id is not None and r.updated_activity_id is None
        ]

    @property
    def updates(self) -> list[ReceivedRequest]:
        """Successful updates of earlier messages (PUT …/activities/{activityId})."""
        return [r for r in self.requests if r.ok and r.updated_activity_id is not None]

    async def wait_for_updates(self, count: int, timeout: float = 5.0) -> list[ReceivedRequest]:
        """Wait until at least `count` messages were updated; return every update."""
        async with self._changed:
            try:
                await asyncio.wait_for(
                    self._changed.wait_for(lambda: len(self.updates) >= count), timeout
                )
            except TimeoutError:
                raise AssertionError(
                    f"expected {count} updates within {timeout}s, got {len(self.updates)}"
                ) from None
        return self.updates

    @property
    def created_conversations(self) -> list[ReceivedRequest]:
        """Successful POST /v3/conversations calls."""
        return [
            r for r in self.requests if r.ok and r.conversation_id is None and r.method == "POST"
        ]

    def respond_with(self, *responses: FakeResponse) -> None:
        """Queue programmed responses for the next requests (429, 5xx, 403, delays …)."""
        self._queue.extend(responses)

    def respond_in(self, conversation_id: str, *responses: FakeResponse) -> None:
        """Queue programmed responses for the next sends to one conversation only.

        They take precedence over `respond_with` and the limits for that conversation.
        """
        self._queues.setdefault(conversation_id, deque()).extend(responses)

    @property
    def delivered_count(self) -> int:
        """How many activities were delivered (cheap; for polling during long runs)."""
        return self._delivered

    def in_conversation(self, conversation_id: str) -> list[ReceivedRequest]:
        return [r for r in self.activities if r.conversation_id == conversation_id]

    def delivered_per_conversation(self) -> Counter[str]:
        """How many activities each conversation received (successful sends only)."""
        return Counter(r.conversation_id for r in self.activities if r.conversation_id)

    @property
    def throttled(self) -> list[ReceivedRequest]:
        """Requests answered 429 (programmed or by the limits)."""
        return [r for r in self.requests if r.status == 429]

    async def wait_for(self, count: int, timeout: float = 5.0) -> list[ReceivedRequest]:
        """Wait until at least `count` activities were delivered; return them all."""
        async with self._changed:
            try:
                await asyncio.wait_for(
                    self._changed.wait_for(lambda: self._delivered >= count), timeout
                )
            except TimeoutError:
                raise AssertionError(
                    f"expected {count} activities at the fake connector within {timeout}s, "
                    f"got {len(self.activities)}: {[r.text for r in self.activities]}"
                ) from None
        return self.activities

    async def wait_for_arrivals(self, count: int, timeout: float = 5.0) -> None:
        """Wait until at least `count` sends have arrived (answered or not yet)."""
        async with self._changed:
            try:
                await asyncio.wait_for(
                    self._changed.wait_for(lambda: self._arrived >= count), timeout
                )
            except TimeoutError:
                raise AssertionError(
                    f"expected {count} sends to arrive within {timeout}s, got {self._arrived}"
                ) from None

    async def start(self) -> FakeBotConnector:
        app = web.Application()
        app.router.add_post("/v3/conversations", self._create_conversation)
        app.router.add_get("/v3/conversations/{conversation_id}/pagedmembers", self._members)
        app.router.add_post("/v3/conversations/{conversation_id}/activities", self._send)
        app.router.add_post(
            "/v3/conversations/{conversation_id}/activities/{activity_id}", self._send
        )
        app.router.add_put(
            "/v3/conversations/{conversation_id}/activities/{activity_id}", self._update
        )
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        await web.TCPSite(self._runner, self._host, 0).start()
        self._port = int(self._runner.addresses[0][1])
        return self

    async def close(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def __aenter__(self) -> FakeBotConnector:
        return await self.start()

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        await self.close()

    async def _send(self, request: web.Request) -> web.Response:
        conversation_id = request.match_info["conversation_id"]
        reply_to = request.match_info.get("activity_id")
        async with self._changed:
            self._arrived += 1
            self._changed.notify_all()
        own_queue = self._queues.get(conversation_id)
        preset = own_queue.popleft() if own_queue else self._pop_programmed()
        programmed, body = await self._next(request, preset)
        if preset is None and self._throttle is not None:
            wait = self._throttle.retry_after(conversation_id, time.monotonic())
            if wait > 0:
                retry_after = str(max(1, math.ceil(wait)))
                programmed = FakeResponse(status=429, headers={"Retry-After": retry_after})
        new_id = f"activity-{next(self._ids)}"
        await self._record(request, conversation_id, reply_to, body, programmed.status)
        return self._answer(programmed, {"id": new_id})

    async def _update(self, request: web.Request) -> web.Response:
        """PUT: replace an earlier message (Teams answers with the message's id)."""
        conversation_id = request.match_info["conversation_id"]
        activity_id = request.match_info["activity_id"]
        own_queue = self._queues.get(conversation_id)
        preset = own_queue.popleft() if own_queue else self._pop_programmed()
        programmed, body = await self._next(request, preset)
        await self._record(
            request, conversation_id, None, body, programmed.status, updated=activity_id
        )
        return self._answer(programmed, {"id": activity_id})

    def set_roster(self, team_id: str, members: list[dict[str, Any]]) -> None:
        """The members GET …/pagedmembers lists for a team (Teams' TeamsChannelAccount JSON)."""
        self.rosters[team_id] = list(members)

    async def _members(self, request: web.Request) -> web.Response:
        """GET /v3/conversations/{teamId}/pagedmembers: a page and a continuation token."""
        team_id = request.match_info["conversation_id"]
        preset = self._pop_programmed()
        if preset is not None and preset.status >= 300:
            await self._record(request, None, None, {}, preset.status)
            return self._answer(preset, {})
        if team_id not in self.rosters:
            await self._record(request, None, None, {}, 404)
            return web.json_response({"error": {"code": "NotFound"}}, status=404)
        try:
            size = max(1, min(500, int(request.query.get("pageSize", "200"))))
            start = int(request.query.get("continuationToken") or "0")
        except ValueError:
            return web.json_response({"error": {"code": "BadArgument"}}, status=400)
        members = self.rosters[team_id][start : start + size]
        page: dict[str, Any] = {"members": members}
        if start + size < len(self.rosters[team_id]):
            page["continuationToken"] = str(start + size)
        await self._record(request, None, None, {}, 200)
        return web.json_response(page)

    async def _create_conversation(self, request: web.Request) -> web.Response:
        programmed, body = await self._next(request, self._pop_programmed())
        members = body.get("members")
        member = members[0] if isinstance(members, list) and members else {}
        if isinstance(member, dict) and member.get("id") in self.blocked:
            programmed = FakeResponse(status=403)
        elif self._throttle is not None and programmed.status < 300:
            # creates count against the overall limit (a new conversation has no window yet)
            wait = self._throttle.retry_after(f"\0create:{member.get('id')}", time.monotonic())
            if wait > 0:
                retry_after = str(max(1, math.ceil(wait)))
                programmed = FakeResponse(status=429, headers={"Retry-After": retry_after})
        number = next(self._ids)
        await self._record(request, None, None, body, programmed.status)
        return self._answer(
            programmed,
            {"id": f"a:conversation-{number}", "activityId": f"activity-{number}"},
        )

    def _pop_programmed(self) -> FakeResponse | None:
        return self._queue.popleft() if self._queue else None

    async def _next(
        self, request: web.Request, preset: FakeResponse | None
    ) -> tuple[FakeResponse, dict[str, Any]]:
        programmed = preset or FakeResponse()
        try:
            body = await request.json()
        except ValueError:
            body = {"_invalid_json": (await request.text())[:200]}
        if programmed.delay:
            await asyncio.sleep(programmed.delay)
        return programmed, body if isinstance(body, dict) else {"_json": body}

    async def _record(
        self,
        request: web.Request,
        conversation_id: str | None,
        reply_to: str | None,
        body: dict[str, Any],
        status: int,
        *,
        updated: str | None = None,
    ) -> None:
        received = ReceivedRequest(
            method=request.method,
            path=request.path,
            conversation_id=conversation_id,
            reply_to_id=reply_to,
            body=body,
            headers=dict(request.headers),
            status=status,
            answered_at=time.monotonic(),
            updated_activity_id=updated,
        )
        async with self._changed:
            self.requests.append(received)
            if received.ok and conversation_id is not None and updated is None:
                self._delivered += 1
            self._changed.notify_all()

    @staticmethod
    def _answer(programmed: FakeResponse, success: dict[str, Any]) -> web.Response:
        if 200 <= programmed.status < 300:
            body = programmed.body if programmed.body is not None else success
        else:
            body = programmed.body or {
                "error": {"code": f"HTTP{programmed.status}", "message": "programmed failure"}
            }
        return web.json_response(body, status=programmed.status, headers=programmed.headers)
