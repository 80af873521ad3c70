"""GET /digests/<id>?t=<token>: the leaders' digest page, opened only by a signed, expiring link.

A missing, tampered or expired token gets 403 with a short Danish page, a revoked link
(`kompas digest revoke ID`) 410, a digest that no longer exists 404, a database that does
not answer 503; the page itself is rendered from the stored digest (no raw answers are
read). Responses are never cached and forbid scripts, frames and outside resources
(Content-Security-Policy).
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import logging
import re
from collections import OrderedDict
from datetime import UTC, datetime
from typing import Any, Protocol
from zoneinfo import ZoneInfo

from aiohttp import web

from bot.web.exports import ascii_token
from digests.digest_store import DigestStore
from digests.links import TOKEN_PARAMETER, LinkError, link_signer
from digests.page import DigestPages
from digests.serial import SerialError
from ground.settings import Settings
from ground.texts import Texts
from organisation.tree_store import OrganisationStore
from storage.database import Database, StorageError

logger = logging.getLogger(__name__)

CACHED_PAGES = 64
DIGEST_ID = re.compile(r"[A-Za-z0-9_-]{1,64}")  # what digests.digest_store generates, with room
SECURITY_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'none'; style-src 'unsafe-inline'; img-src data:; "
        "base-uri 'none'; form-action 'none'; frame-ancestors 'none'"
    ),
    "Cache-Control": "private, no-store",
    "Referrer-Policy": "no-referrer",
    "X-Content-Type-Options": "nosniff",
    "X-Robots-Tag": "noindex, nofollow",
}


class PageServices(Protocol):
    """What the page needs of bot.composition.Services."""

    settings: Settings
    database: Database
    texts: Texts


def _fingerprint(payload: Any) -> str:
    """A short hash of a stored digest's payload."""
    text = json.dumps(payload, sort_keys=True, ensure_ascii=False, default=str)
    return hashlib.sha256(text.encode()).hexdigest()[:16]


class DigestWeb:
    """The page handler; renders one page at a time in a worker thread (matplotlib state)."""

    def __init__(self, services_key: web.AppKey[Any]) -> None:
        self._services_key = services_key
        self._pages: DigestPages | None = None
        self._lock: asyncio.Lock | None = None
        self._cache: OrderedDict[tuple[str, str], str] = OrderedDict()
        self._stores: tuple[Database, DigestStore, OrganisationStore] | None = None

    def _stores_for(self, services: PageServices) -> tuple[DigestStore, OrganisationStore]:
        """The digest and organisation stores, built once for the process's database."""
        if self._stores is None or self._stores[0] is not services.database:
            self._stores = (
                services.database,
                DigestStore(services.database),
                OrganisationStore(services.database),
            )
        return self._stores[1], self._stores[2]

    def _pages_for(self, services: PageServices) -> DigestPages:
        if self._pages is None:
            self._pages = DigestPages(services.settings.content_dir / "templates", services.texts)
        return self._pages

    async def page(self, request: web.Request) -> web.Response:
        services: PageServices = request.app[self._services_key]
        pages = self._pages_for(services)
        digest_id = request.match_info["digest_id"]
        token = ascii_token(request.query.get(TOKEN_PARAMETER, ""))
        if not DIGEST_ID.fullmatch(digest_id):
            logger.info("digest page refused: malformed id (%d characters)", len(digest_id))
            return _html(pages.error("missing"), 404)
        store, _ = self._stores_for(services)
        now = datetime.now(UTC)
        try:
            signer = await link_signer(services.settings, store)
            expires = signer.check(digest_id, token, now)
            stored = await store.get(digest_id)
        except LinkError as error:
            logger.info("digest page refused: %s link", error.problem.value)
            return _html(pages.error(error.problem.value), 403)
        except StorageError as error:
            logger.error("digest page: %s", error)
            return _html(pages.error("unavailable"), 503)
        if stored is None:
            revoked = await _revoked(store, digest_id)
            return _html(pages.error("revoked" if revoked else "missing"), 410 if revoked else 404)
        # The payload's fingerprint is in the key: a digest rewritten by an erasure (or a
        # withdrawn quote) is rendered again, never served from the cache as it was.
        key = (f"{stored.id}:{_fingerprint(stored.payload)}", expires.date().isoformat())
        body = self._cache.get(key)
        if body is None:
            try:
                body = await self._render(
                    services, pages, stored.digest(), expires, stored.created_at
                )
            except SerialError as error:
                logger.error("digest %s cannot be read: %s", stored.id, error)
                return _html(pages.error("unavailable"), 503)
            self._cache[key] = body
            while len(self._cache) > CACHED_PAGES:
                self._cache.popitem(last=False)
        else:
            self._cache.move_to_end(key)
        return _html(body, 200)

    async def _render(
        self,
        services: PageServices,
        pages: DigestPages,
        digest: Any,
        expires: datetime,
        made: datetime,
    ) -> str:
        try:
            info = await self._stores_for(services)[1].last_import()
        except StorageError:
            info = None
        if self._lock is None:
            self._lock = asyncio.Lock()
        async with self._lock:
            return await asyncio.to_thread(
                pages.render,
                digest,
                organisation=info.organisation if info else "",
                expires=expires,
                now=made,
                tz=ZoneInfo(services.settings.timezone),
            )


async def _revoked(store: DigestStore, digest_id: str) -> bool:
    try:
        return await store.revoked(digest_id)
    except StorageError:
        return False


def _html(body: str, status: int) -> web.Response:
    return web.Response(
        text=body,
        status=status,
        content_type="text/html",
        charset="utf-8",
        headers=SECURITY_HEADERS,
    )


DIGEST_WEB_KEY = web.AppKey("digest_web", DigestWeb)


def add_digest_routes(app: web.Application, services_key: web.AppKey[Any]) -> None:
    """Register GET /digests/{digest_id}; the page reads the app's services under `services_key`."""
    handler = DigestWeb(services_key)
    app[DIGEST_WEB_KEY] = handler
    app.router.add_get("/digests/{digest_id}", handler.page)
