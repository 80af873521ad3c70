"""`kompas serve`: runs the aiohttp app, refusing unsafe combinations of settings."""

from __future__ import annotations

import ipaddress
import logging

from aiohttp import web

from bot.app import create_app
from bot.settings import Settings

logger = logging.getLogger(__name__)

SHUTDOWN_TIMEOUT_SECONDS = 30.0


class UnsafeServeError(ValueError):
    """Serving with these options would expose an unauthenticated bot."""


def is_loopback(host: str) -> bool:
    """True for localhost and 127.0.0.0/8 / ::1."""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def check_serve_options(settings: Settings, host: str, dev: bool) -> None:
    """Without credentials only --dev on loopback is allowed; --dev is always loopback-only."""
    if dev and not is_loopback(host):
        raise UnsafeServeError(
            f"--dev binds to loopback only; refusing host {host!r} (use 127.0.0.1 or localhost)"
        )
    if not settings.has_credentials and not dev:
        raise UnsafeServeError(
            "No Bot Framework credentials (MICROSOFT_APP_ID/MICROSOFT_APP_PASSWORD) are set. "
            "Set them, or start with --dev to run unauthenticated on 127.0.0.1 for development."
        )
    problem = settings.tenant_policy_problem()
    if problem:
        raise UnsafeServeError(problem)


def serve(settings: Settings, host: str, port: int, dev: bool) -> None:
    """Start the server; SIGINT/SIGTERM stop it gracefully."""
    check_serve_options(settings, host, dev)
    if dev and not settings.has_credentials:
        logger.warning("DEV MODE: requests are not authenticated; listening on %s only", host)
    logger.info("Kompas listening on http://%s:%d/api/messages", host, port)
    web.run_app(
        create_app(settings),
        host=host,
        port=port,
        shutdown_timeout=SHUTDOWN_TIMEOUT_SECONDS,
        access_log=None,
        print=None,
    )
