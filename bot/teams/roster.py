"""A team's roster and new personal chats, through the Bot Connector's REST API (aiohttp)."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

import aiohttp
import yarl

from delivery.transport import SendOutcome, retry_after_seconds
from ground.clock import utc_now
from storage.team_rosters import NOT_MESSAGED_ROLES

logger = logging.getLogger(__name__)

PAGE_SIZE = 500  # the most Teams returns per page
MAX_PAGE_ATTEMPTS = 5
MAX_WAIT_SECONDS = 30.0
DEFAULT_TIMEOUT_SECONDS = 15.0

Headers = Callable[[], Awaitable[dict[str, str]]]


class RosterError(Exception):
    """The roster could not be read (the bot was removed, the team is gone, or Teams failed)."""


@dataclass(frozen=True)
class RosterMember:
    """One member of a team as Teams lists them."""

    user_id: str
    name: str
    aad_object_id: str | None
    tenant_id: str | None
    role: str  # "user", "guest" or "anonymous" (Teams' userRole); "" when Teams says nothing

    @property
    def messaged(self) -> bool:
        """Whether Kompas may start a personal chat with them (guests are never messaged)."""
        return self.role not in NOT_MESSAGED_ROLES


@dataclass(frozen=True)
class Created:
    """The outcome of creating one personal chat; `conversation_id` when it was created."""

    outcome: SendOutcome
    conversation_id: str | None = None


def _member(raw: Mapping[str, Any]) -> RosterMember | None:
    user_id = raw.get("id")
    if not isinstance(user_id, str) or not user_id:
        return None

    def text(key: str) -> str:
        value = raw.get(key)
        return value if isinstance(value, str) else ""

    return RosterMember(
        user_id=user_id,
        name=text("name"),
        aad_object_id=text("aadObjectId") or None,
        tenant_id=text("tenantId") or None,
        role=text("userRole").lower(),
    )


class TeamsRoster:
    """Reads team rosters (paged) and creates personal chats with members.

    `headers` gives the Authorization header (empty without credentials). Reading a page
    retries 429 and 5xx after Retry-After; creating a chat is tried once and reports an
    outcome like a send, so the outbox can pace and retry it as it does messages.
    """

    def __init__(self, headers: Headers, *, timeout_seconds: float = DEFAULT_TIMEOUT_SECONDS):
        self._headers = headers
        self._timeout_seconds = timeout_seconds
        self._session: aiohttp.ClientSession | None = None

    async def members(self, service_url: str, team_id: str) -> list[RosterMember]:
        """Every member of the team, all pages read."""
        found: list[RosterMember] = []
        token: str | None = None
        base = f"{service_url.rstrip('/')}/v3/conversations/{quote(team_id, safe='')}/pagedmembers"
        while True:
            query = {"pageSize": str(PAGE_SIZE)} | ({"continuationToken": token} if token else {})
            page = await self._page(yarl.URL(base, encoded=True).with_query(query))
            members = page.get("members")
            for raw in members if isinstance(members, list) else []:
                member = _member(raw) if isinstance(raw, Mapping) else None
                if member is not None:
                    found.append(member)
            next_token = page.get("continuationToken")
            if not isinstance(next_token, str) or not next_token or next_token == token:
                return found
            token = next_token

    async def _page(self, url: yarl.URL) -> dict[str, Any]:
        for attempt in range(1, MAX_PAGE_ATTEMPTS + 1):
            try:
                async with self._http().get(url, headers=await self._headers()) as response:
                    if 200 <= response.status < 300:
                        body = await response.json(content_type=None)
                        return body if isinstance(body, dict) else {}
                    status = response.status
                    wait = retry_after_seconds(response.headers.get("Retry-After"), utc_now())
            except (TimeoutError, aiohttp.ClientError) as error:
                status, wait = 0, None
                logger.info("roster page failed (%s), attempt %d", type(error).__name__, attempt)
            if status and status != 429 and status < 500:
                raise RosterError(f"HTTP {status} reading the team's members")
            if attempt < MAX_PAGE_ATTEMPTS:
                await asyncio.sleep(min(MAX_WAIT_SECONDS, wait if wait is not None else attempt))
        raise RosterError(f"the team's members could not be read in {MAX_PAGE_ATTEMPTS} tries")

    async def create_personal(
        self, service_url: str, *, bot_id: str, member_id: str, tenant_id: str | None
    ) -> Created:
        """POST /v3/conversations: a personal chat between the bot and one member."""
        body: dict[str, Any] = {
            "isGroup": False,
            "bot": {"id": bot_id},
            "members": [{"id": member_id}],
        }
        if tenant_id:
            body["tenantId"] = tenant_id
            body["channelData"] = {"tenant": {"id": tenant_id}}
        url = yarl.URL(f"{service_url.rstrip('/')}/v3/conversations", encoded=True)
        try:
            async with self._http().post(url, json=body, headers=await self._headers()) as response:
                status = response.status
                if 200 <= status < 300:
                    answer = await response.json(content_type=None)
                    conversation = answer.get("id") if isinstance(answer, dict) else None
                    if isinstance(conversation, str) and conversation:
                        return Created(SendOutcome.delivered(), conversation)
                    return Created(SendOutcome.rejected("no conversation id in the answer"))
                wait = retry_after_seconds(response.headers.get("Retry-After"), utc_now())
        except TimeoutError:
            return Created(SendOutcome.retry(f"no answer within {self._timeout_seconds:g} s"))
        except aiohttp.ClientError as error:
            return Created(SendOutcome.retry(f"connection error: {type(error).__name__}"))
        reason = f"HTTP {status} creating a personal chat"
        if status in (401, 408, 412, 429) or status >= 500:
            return Created(SendOutcome.retry(reason, wait))
        if status in (403, 404):
            return Created(SendOutcome.gone(reason))  # blocked the bot, or left the tenant
        return Created(SendOutcome.rejected(reason))

    def _http(self) -> aiohttp.ClientSession:
        if self._session is None or self._session.closed:
            self._session = aiohttp.ClientSession(
                timeout=aiohttp.ClientTimeout(total=self._timeout_seconds)
            )
        return self._session

    async def close(self) -> None:
        """Close the HTTP session."""
        if self._session is not None:
            await self._session.close()
            self._session = None
