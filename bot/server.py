"""`kompas serve`: runs the aiohttp app with connection limits, refusing unsafe settings."""

from __future__ import annotations

import asyncio
import logging
import resource
import signal

from aiohttp import web

from bot.app import create_app
from bot.channels import ChannelRegistry, built_in_registry
from bot.connections import ConnectionGuard
from ground.settings import ServerSettings, Settings, is_loopback

logger = logging.getLogger(__name__)

SHUTDOWN_TIMEOUT_SECONDS = 30.0
BACKLOG = 128
# Kept free under the open-file limit: asyncio accepts up to BACKLOG sockets before the guard
# sees them, closed connections free theirs a moment later, and the database, log files and
# outgoing HTTPS need some too.
RESERVED_FILE_DESCRIPTORS = 2 * BACKLOG + 64
LINGERING_SECONDS = 5.0  # reading (and discarding) a body nobody asked for, before closing


class UnsafeServeError(ValueError):
    """Serving with these options would expose an unauthenticated bot."""


def check_serve_options(settings: Settings, host: str, dev: bool) -> None:
    """Without a configured channel (Teams credentials, or Slack's bot token and signing
    secret) only --dev on loopback is allowed; --dev is always loopback-only."""
    if dev and not is_loopback(host):
        raise UnsafeServeError(
            f"--dev binds to loopback only; refusing host {host!r} (use 127.0.0.1 or localhost)"
        )
    if not dev:
        slack_problem = settings.slack.problem()
        if slack_problem:
            raise UnsafeServeError(slack_problem)
        if not settings.teams.has_credentials and not settings.slack.configured:
            raise UnsafeServeError(
                "No channel is configured: set Bot Framework credentials (MICROSOFT_APP_ID/"
                "MICROSOFT_APP_PASSWORD) for Teams, or SLACK_BOT_TOKEN and SLACK_SIGNING_SECRET "
                "for Slack, or both. Or start with --dev to run unauthenticated on 127.0.0.1 "
                "for development."
            )
    problem = settings.teams.tenant_policy_problem()
    if problem:
        raise UnsafeServeError(problem)


class GuardedSite(web.BaseSite):
    """A TCP site whose connections go through a ConnectionGuard, with header timeouts."""

    def __init__(self, runner: web.AppRunner, host: str, port: int, limits: ServerSettings) -> None:
        super().__init__(runner, backlog=BACKLOG)
        self._host = host
        self._port = port
        self._limits = limits
        self.guard: ConnectionGuard | None = None

    @property
    def name(self) -> str:
        return f"http://{self._host}:{self._port}"

    async def start(self) -> None:
        await super().start()
        server = self._runner.server
        if server is None:
            raise RuntimeError("call runner.setup() before starting the site")
        limit = connection_limit(self._limits.max_connections)
        self.guard = ConnectionGuard(server, limit, handler_options(self._limits))
        logger.info(
            "Limits: %d connections, request headers within %gs, bodies within %gs",
            limit,
            self._limits.header_timeout,
            self._limits.body_timeout,
        )
        loop = asyncio.get_running_loop()
        self._server = await loop.create_server(
            self.guard, self._host, self._port, backlog=self._backlog, reuse_address=True
        )

    async def stop(self) -> None:
        if self.guard is not None:
            self.guard.close()
        await super().stop()


def handler_options(limits: ServerSettings) -> dict[str, object]:
    """aiohttp's per-connection options. Its keep-alive timer also runs from the moment a
    connection opens until a request's headers are complete (and does not restart while
    headers trickle in), so it is the header timeout as well as the idle timeout."""
    return {
        "keepalive_timeout": limits.header_timeout,
        "lingering_time": min(LINGERING_SECONDS, limits.body_timeout),
        "access_log": None,
    }


def raise_open_file_limit() -> int:
    """Raise the soft limit of open files to the hard limit; the soft limit now in force."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if hard == resource.RLIM_INFINITY or soft < hard:
        wanted = hard if hard != resource.RLIM_INFINITY else max(soft, 65536)
        try:
            resource.setrlimit(resource.RLIMIT_NOFILE, (wanted, hard))
            soft = wanted
        except (ValueError, OSError) as error:
            logger.warning("Cannot raise the open-file limit from %d: %s", soft, error)
    return soft


def connection_limit(configured: int) -> int:
    """KOMPAS_MAX_CONNECTIONS, lowered to what the open-file limit leaves room for."""
    soft, _ = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft == resource.RLIM_INFINITY:
        return configured
    room = max(2, soft - RESERVED_FILE_DESCRIPTORS)
    if configured > room:
        logger.warning(
            "KOMPAS_MAX_CONNECTIONS=%d lowered to %d: the open-file limit (ulimit -n) is %d",
            configured,
            room,
            soft,
        )
        return room
    return configured


async def start_server(
    app: web.Application, limits: ServerSettings, host: str, port: int
) -> tuple[web.AppRunner, GuardedSite]:
    """Run `app` on host:port with the limits; stop it with `runner.cleanup()`."""
    runner = web.AppRunner(
        app, access_log=None, shutdown_timeout=SHUTDOWN_TIMEOUT_SECONDS, handle_signals=False
    )
    await runner.setup()
    site = GuardedSite(runner, host, port, limits)
    try:
        await site.start()
    except BaseException:
        await runner.cleanup()
        raise
    return runner, site


def serve(settings: Settings, host: str, port: int, dev: bool) -> None:
    """Start the server with the channels the settings configure (all of them with --dev);
    SIGINT/SIGTERM stop it gracefully."""
    check_serve_options(settings, host, dev)
    if dev and not (settings.teams.has_credentials and settings.slack.signed):
        logger.warning("DEV MODE: requests are not authenticated; listening on %s only", host)
    files = raise_open_file_limit()
    logger.info("Open-file limit: %d", files)
    asyncio.run(_serve(settings, host, port, built_in_registry(settings, dev=dev)))


async def _serve(settings: Settings, host: str, port: int, registry: ChannelRegistry) -> None:
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signal_number in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signal_number, stop.set)
    app = create_app(settings, registry=registry)
    runner, _ = await start_server(app, settings.server, host, port)
    for entry in registry.values():
        if entry.web_edge is not None:
            logger.info(
                "Kompas listening on http://%s:%d%s (%s)", host, port, entry.web_path, entry.name
            )
    try:
        await stop.wait()
    finally:
        logger.info(
            "Stopping: finishing requests in flight (at most %gs)", SHUTDOWN_TIMEOUT_SECONDS
        )
        await runner.cleanup()
