"""Connection limit of `kompas serve`: idle connections make way, refusals logged per interval."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from aiohttp import web

logger = logging.getLogger(__name__)

REPORT_INTERVAL_SECONDS = 60.0
REFUSAL = (
    b"HTTP/1.1 503 Service Unavailable\r\nContent-Length: 0\r\nConnection: close\r\n"
    b"Retry-After: 1\r\n\r\n"
)


class GuardedRequestHandler(web.RequestHandler):
    """aiohttp's connection handler, telling the guard when it closes and when it is busy."""

    def __init__(self, manager: web.Server, guard: ConnectionGuard, **options: Any) -> None:
        super().__init__(manager, **options)
        self.guard = guard
        self.busy = False
        self.idle_since = asyncio.get_running_loop().time()

    def connection_lost(self, exc: BaseException | None) -> None:
        super().connection_lost(exc)
        self.guard.forget(self)


@contextmanager
def serving(protocol: object) -> Iterator[None]:
    """Marks the connection busy while one request is handled (only busy ones are never
    closed to make room)."""
    if not isinstance(protocol, GuardedRequestHandler):
        yield
        return
    protocol.busy = True
    try:
        yield
    finally:
        protocol.busy = False
        protocol.idle_since = asyncio.get_running_loop().time()


class _Refusal(asyncio.Protocol):
    """Answers 503 and closes: the connection's file descriptor is freed at once."""

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        if isinstance(transport, asyncio.WriteTransport):
            transport.write(REFUSAL)
        transport.close()


class _LimitReport:
    """Logs reaching the limit once, then one summary per interval while it lasts."""

    def __init__(self, limit: int, interval: float) -> None:
        self._limit = limit
        self._interval = interval
        self._refused = 0
        self._closed = 0
        self._window: asyncio.TimerHandle | None = None

    def note(self, *, refused: bool) -> None:
        if refused:
            self._refused += 1
        else:
            self._closed += 1
        if self._window is None:
            logger.warning(
                "Connection limit of %d reached (KOMPAS_MAX_CONNECTIONS): idle connections are "
                "closed to make room, new ones refused while all are busy",
                self._limit,
            )
            self._refused = self._closed = 0
            self._window = asyncio.get_running_loop().call_later(self._interval, self._flush)

    def _flush(self) -> None:
        self._window = None
        if not self._refused and not self._closed:
            return
        logger.warning(
            "Connection limit of %d: %d connections refused, %d idle connections closed "
            "in the last %gs",
            self._limit,
            self._refused,
            self._closed,
            self._interval,
        )
        self._refused = self._closed = 0
        self._window = asyncio.get_running_loop().call_later(self._interval, self._flush)

    def close(self) -> None:
        if self._window is not None:
            self._window.cancel()
            self._window = None


class ConnectionGuard:
    """The protocol factory of the listening socket: at most `limit` open connections.

    At the limit, the connection idle longest (waiting for its request or the next one on a
    keep-alive connection; never one whose request is being handled) is closed to make
    room, so slow clients cannot crowd out a health probe; when every connection is busy
    the new one gets 503 and is closed.
    """

    def __init__(
        self,
        server: web.Server,
        limit: int,
        handler_options: dict[str, Any],
        report_interval: float = REPORT_INTERVAL_SECONDS,
    ) -> None:
        self._server = server
        self._limit = limit
        self._options = handler_options
        self._open: dict[GuardedRequestHandler, None] = {}
        self._report = _LimitReport(limit, report_interval)

    @property
    def open_connections(self) -> int:
        """Connections accepted and not closed yet."""
        return len(self._open)

    def __call__(self) -> asyncio.BaseProtocol:
        if len(self._open) >= self._limit and not self._make_room():
            self._report.note(refused=True)
            return _Refusal()
        loop = asyncio.get_running_loop()
        handler = GuardedRequestHandler(self._server, self, loop=loop, **self._options)
        self._open[handler] = None
        return handler

    def forget(self, handler: GuardedRequestHandler) -> None:
        """The connection closed."""
        self._open.pop(handler, None)

    def close(self) -> None:
        """Stop the interval report."""
        self._report.close()

    def _make_room(self) -> bool:
        idle = [h for h in self._open if not h.busy and h.transport is not None]
        if not idle:
            return False
        oldest = min(idle, key=lambda handler: handler.idle_since)
        self._open.pop(oldest, None)
        oldest.force_close()
        self._report.note(refused=False)
        return True
