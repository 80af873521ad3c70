"""Socket Mode that reads Slack's requests as /slack/events does before bolt sees them."""

from __future__ import annotations

import logging
from collections.abc import Callable

from slack_bolt.adapter.socket_mode.aiohttp import AsyncSocketModeHandler
from slack_bolt.async_app import AsyncApp
from slack_sdk.socket_mode.aiohttp import SocketModeClient
from slack_sdk.socket_mode.request import SocketModeRequest
from slack_sdk.socket_mode.response import SocketModeResponse
from slack_sdk.web.async_client import AsyncWebClient

from bot.slack.payloads import payload_problem

logger = logging.getLogger(__name__)

CountRejected = Callable[[], None]


class CheckedSocketModeHandler(AsyncSocketModeHandler):
    """A request Kompas cannot read is acknowledged (unacknowledged, Slack sends it again)
    and dropped with a log line; bolt only sees requests that pass the edge's checks."""

    def __init__(
        self,
        app: AsyncApp,
        *,
        app_token: str,
        web_client: AsyncWebClient,
        bolt_logger: logging.Logger,
        rejected: CountRejected | None = None,
    ) -> None:
        super().__init__(app, app_token=app_token, web_client=web_client, logger=bolt_logger)
        self._rejected = rejected

    async def handle(self, client: SocketModeClient, req: SocketModeRequest) -> None:  # type: ignore[override]
        problem = payload_problem(req.payload)
        if not problem:
            await super().handle(client, req)
            return
        logger.warning("Ignored a Slack request over Socket Mode: %s", problem)
        if self._rejected is not None:
            self._rejected()
        await client.send_socket_mode_response(SocketModeResponse(envelope_id=req.envelope_id))
