"""Bot Framework signing keys fetched without blocking the event loop, bounded and cached."""

from __future__ import annotations

import asyncio
import json
import logging
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

import aiohttp
from jwt.algorithms import RSAAlgorithm

logger = logging.getLogger(__name__)

# Where the Bot Connector service publishes the keys that sign its tokens (public cloud).
CHANNEL_METADATA_URL = "https://login.botframework.com/v1/.well-known/openidconfiguration"
REFRESH_AFTER_SECONDS = 24 * 3600.0  # the SDKs refresh daily as well
UNKNOWN_KEY_REFETCH_SECONDS = 300.0  # an unknown key id refetches at most this often
FAILURE_CACHE_SECONDS = 30.0  # after a failed fetch, answer "unavailable" at once for this long
MAX_DOCUMENT_BYTES = 1024 * 1024


class SigningKeysUnavailableError(ConnectionError):
    """The signing keys could not be fetched in time (the request gets 503)."""


class UnknownSigningKeyError(ValueError):
    """The token names a key id the published keys do not have (the request gets 401)."""


@dataclass(frozen=True)
class SigningKey:
    """What token validation reads of a key: the public key and the channels it endorses."""

    public_key: Any
    endorsements: list[str]


class SigningKeys:
    """The keys of one OpenID metadata document, for both SDKs. Replaces botbuilder's
    _OpenIdMetadata (same `get(key_id)`), which fetches with a blocking `requests.get` and
    no timeout inside the event loop, on every request while the endpoint fails, and the
    Agents SDK's PyJWKClient, which cannot be pointed at a test's keys.

    Here the fetch is asynchronous and bounded by `timeout`; a failure is remembered for
    FAILURE_CACHE_SECONDS (requests meanwhile get "unavailable" at once); keys already
    fetched keep being used while a refresh runs in the background or fails.
    """

    def __init__(
        self, url: str, timeout: float, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.url = url
        self.timeout = timeout
        self._clock = clock
        self._keys: dict[str, SigningKey] = {}
        self._fetched_at: float | None = None
        self._failed_at: float | None = None
        self._failure = ""
        self._refresh: asyncio.Task[bool] | None = None

    async def get(self, key_id: str | None) -> SigningKey:
        """The key `key_id` names; fetches (bounded) when it is not known yet."""
        now = self._clock()
        if self._fetched_at is not None and now - self._fetched_at > REFRESH_AFTER_SECONDS:
            self._start_refresh()  # in the background: the cached keys answer meanwhile
        key = self._keys.get(key_id or "")
        if key is not None:
            return key
        if self._fetched_at is not None and now - self._fetched_at < UNKNOWN_KEY_REFETCH_SECONDS:
            raise UnknownSigningKeyError(f"unknown signing key id {key_id!r}")
        if self._failed_at is not None and now - self._failed_at < FAILURE_CACHE_SECONDS:
            raise SigningKeysUnavailableError(f"signing keys unavailable: {self._failure}")
        if not await self._wait_for_refresh():
            raise SigningKeysUnavailableError(f"signing keys unavailable: {self._failure}")
        key = self._keys.get(key_id or "")
        if key is None:
            raise UnknownSigningKeyError(f"unknown signing key id {key_id!r}")
        return key

    async def _wait_for_refresh(self) -> bool:
        task = self._start_refresh()
        try:  # shielded: a cancelled request does not cancel the fetch others wait for
            return await asyncio.wait_for(asyncio.shield(task), self.timeout + 1.0)
        except TimeoutError:
            return False

    def _start_refresh(self) -> asyncio.Task[bool]:
        loop = asyncio.get_running_loop()
        task = self._refresh
        if task is None or task.done() or task.get_loop() is not loop:
            task = loop.create_task(self._fetch())
            self._refresh = task
        return task

    async def _fetch(self) -> bool:
        try:
            async with asyncio.timeout(self.timeout):
                keys = await _download_keys(self.url)
        except Exception as error:  # network, HTTP status, JSON shape: all mean "no keys"
            self._failed_at = self._clock()
            self._failure = "timed out" if isinstance(error, TimeoutError) else str(error)[:200]
            logger.error(
                "Cannot fetch Bot Framework signing keys from %s within %gs: %s",
                self.url,
                self.timeout,
                self._failure or type(error).__name__,
            )
            return False
        self._keys = keys
        self._fetched_at = self._clock()
        self._failed_at = None
        logger.info("Fetched %d Bot Framework signing keys from %s", len(keys), self.url)
        return True


async def _download_keys(url: str) -> dict[str, SigningKey]:
    async with aiohttp.ClientSession(trust_env=True) as session:  # trust_env: HTTPS_PROXY
        metadata = await _get_json(session, url)
        keys_url = metadata.get("jwks_uri") if isinstance(metadata, dict) else None
        if not isinstance(keys_url, str):
            raise ValueError("OpenID metadata without jwks_uri")
        document = await _get_json(session, keys_url)
    entries = document.get("keys") if isinstance(document, dict) else None
    if not isinstance(entries, list):
        raise ValueError("key set without keys")
    keys = dict(_parsed(entries))
    if not keys:
        raise ValueError("key set without usable keys")
    return keys


async def _get_json(session: aiohttp.ClientSession, url: str) -> Any:
    async with session.get(url) as response:
        response.raise_for_status()
        body = await response.content.read(MAX_DOCUMENT_BYTES + 1)
    if len(body) > MAX_DOCUMENT_BYTES:
        raise ValueError(f"{url} answered more than {MAX_DOCUMENT_BYTES} bytes")
    return json.loads(body)


def _parsed(entries: list[Any]) -> Iterable[tuple[str, SigningKey]]:
    for entry in entries:
        if not isinstance(entry, dict) or not isinstance(entry.get("kid"), str):
            continue
        try:
            public_key = RSAAlgorithm.from_jwk(json.dumps(entry))
        except Exception:  # another key type or a broken key: skip it, keep the others
            logger.debug("Skipping signing key %r", entry.get("kid"))
            continue
        endorsements = entry.get("endorsements", [])
        yield entry["kid"], SigningKey(public_key, [e for e in endorsements if isinstance(e, str)])
