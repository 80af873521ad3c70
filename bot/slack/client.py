"""slack_sdk's Web API client as Kompas uses it: its token, KOMPAS_SLACK_API_URL, no retries."""

from __future__ import annotations

import logging
from urllib.parse import urlsplit

import aiohttp
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from delivery.transport import retry_after_seconds
from ground.clock import utc_now
from ground.settings import Settings, is_loopback

logger = logging.getLogger(__name__)

DEFAULT_TIMEOUT_SECONDS = 15
SLACK_API_URL = "https://slack.com/api/"


def web_client(settings: Settings, session: aiohttp.ClientSession | None = None) -> AsyncWebClient:
    """A client for Slack's Web API (or the loopback fake KOMPAS_SLACK_API_URL names).

    It retries nothing itself: a message sent twice cannot be taken back, so the callers
    decide (replies in a turn wait out a 429, the outbox retries what failed).
    """
    base_url = settings.slack.api_url or SLACK_API_URL
    client = AsyncWebClient(
        token=settings.slack.bot_token or None,
        base_url=base_url,
        timeout=DEFAULT_TIMEOUT_SECONDS,
        session=session,
        retry_handlers=[],
        logger=logging.getLogger("slack_sdk.web"),
    )
    if is_loopback(urlsplit(base_url).hostname or ""):
        client.proxy = None  # slack_sdk takes HTTPS_PROXY from the environment; not for loopback
    return client


def error_code(error: SlackApiError) -> str:
    """Slack's error code ("ratelimited", "channel_not_found" …), or "http_<status>"."""
    response = error.response
    data = response.data if isinstance(response.data, dict) else {}
    code = data.get("error")
    return code if isinstance(code, str) and code else f"http_{response.status_code}"


def retry_after(error: SlackApiError) -> float | None:
    """The seconds Slack asked to wait (Retry-After), when it said so."""
    headers = error.response.headers or {}
    value = next((v for k, v in headers.items() if k.lower() == "retry-after"), None)
    if isinstance(value, list):
        value = value[0] if value else None
    return retry_after_seconds(value if isinstance(value, str) else None, utc_now())


def is_rate_limited(error: SlackApiError) -> bool:
    """True for HTTP 429 or Slack's "ratelimited" error."""
    return error.response.status_code == 429 or error_code(error) == "ratelimited"
