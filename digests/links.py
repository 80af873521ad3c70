"""Signed, expiring links to digest pages: /digests/<id>?t=<expiry>.<HMAC-SHA256>.

The token binds the digest id and the expiry time with HMAC-SHA256 under a secret:
KOMPAS_LINK_SECRET when set, else a key generated once and kept in the database (so the
server, `kompas chat` and `kompas demo seed` sign alike), and only when the database
cannot be reached a random key for this process (links then die on restart). Anyone
holding a valid link can open that one digest until it expires (KOMPAS_DIGEST_LINK_DAYS)
or an admin revokes it (`kompas digest revoke ID`); nothing else opens it.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import logging
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from functools import cache
from urllib.parse import quote

from digests.digest_store import DigestStore
from ground.settings import Settings
from storage.database import StorageError

logger = logging.getLogger(__name__)

LINK_LIFETIME = timedelta(days=45)  # KOMPAS_DIGEST_LINK_DAYS overrides it (link_signer)
DEV_BASE_URL = "http://127.0.0.1:3978"
TOKEN_PARAMETER = "t"
MIN_SECRET_LENGTH = 16
_SIGNATURE_CHARS = 43  # the whole SHA-256 MAC, base64url without padding


class LinkProblem(StrEnum):
    """Why a link does not open its digest."""

    INVALID = "invalid"  # malformed, tampered with, or for another digest
    EXPIRED = "expired"


class LinkError(Exception):
    """A digest link that must not open the page."""

    def __init__(self, problem: LinkProblem) -> None:
        self.problem = problem
        super().__init__(problem.value)


def base_url(settings: Settings) -> str:
    """https://KOMPAS_PUBLIC_HOST, or the dev server on loopback when no host is set."""
    host = settings.public_host.strip().rstrip("/")
    if not host:
        return DEV_BASE_URL
    if host.startswith(("http://", "https://")):
        return host
    return f"https://{host}"


@dataclass(frozen=True)
class LinkSigner:
    """Makes and checks digest links."""

    secret: bytes
    base: str = DEV_BASE_URL
    lifetime: timedelta = LINK_LIFETIME

    def _signature(self, digest_id: str, expires: int) -> str:
        mac = hmac.new(self.secret, f"digest:{digest_id}:{expires}".encode(), hashlib.sha256)
        return base64.urlsafe_b64encode(mac.digest()).decode().rstrip("=")

    def token(self, digest_id: str, expires: datetime) -> str:
        """`<expiry as Unix seconds>.<signature>` for one digest."""
        stamp = int(expires.timestamp())
        return f"{stamp}.{self._signature(digest_id, stamp)}"

    def path(self, digest_id: str, now: datetime) -> str:
        """/digests/<id>?t=<token>, valid for `lifetime` from `now`."""
        token = self.token(digest_id, now + self.lifetime)
        return f"/digests/{quote(digest_id, safe='')}?{TOKEN_PARAMETER}={token}"

    def url(self, digest_id: str, now: datetime) -> str:
        """The full link a leader gets."""
        return self.base + self.path(digest_id, now)

    def expires(self, now: datetime) -> datetime:
        """When a link made at `now` stops working."""
        return now + self.lifetime

    def check(self, digest_id: str, token: str, now: datetime) -> datetime:
        """The link's expiry; LinkError when the token is not valid for this digest now."""
        stamp_text, dot, signature = token.partition(".")
        if not dot or not stamp_text.isdigit() or len(stamp_text) > 12:
            raise LinkError(LinkProblem.INVALID)
        stamp = int(stamp_text)
        expected = self._signature(digest_id, stamp)
        if len(signature) != _SIGNATURE_CHARS or not hmac.compare_digest(signature, expected):
            raise LinkError(LinkProblem.INVALID)
        expires = datetime.fromtimestamp(stamp, UTC)
        if expires <= now:
            raise LinkError(LinkProblem.EXPIRED)
        return expires


@cache
def _process_secret() -> bytes:
    logger.warning(
        "KOMPAS_LINK_SECRET is not set and the database cannot keep a key: digest links are "
        "signed with a random key of this process and stop working when it restarts"
    )
    return secrets.token_bytes(32)


@cache
def _warn_generated_key() -> None:
    logger.warning(
        "KOMPAS_LINK_SECRET is not set: digest links are signed with a key generated and kept "
        "in the database; set KOMPAS_LINK_SECRET (32+ random characters) in production"
    )


async def link_signer(settings: Settings, store: DigestStore) -> LinkSigner:
    """The signer for this installation (see the module docstring for where the key is)."""
    base = base_url(settings)
    lifetime = timedelta(days=settings.digest_link_days)
    if settings.link_secret:
        if len(settings.link_secret) < MIN_SECRET_LENGTH:
            logger.warning(
                "KOMPAS_LINK_SECRET is shorter than %d characters; use a long random value",
                MIN_SECRET_LENGTH,
            )
        return LinkSigner(settings.link_secret.encode(), base, lifetime)
    try:
        key = await store.link_key()
    except StorageError as error:
        logger.error("cannot read the digest link key: %s", error)
        return LinkSigner(_process_secret(), base, lifetime)
    _warn_generated_key()
    return LinkSigner(key.encode(), base, lifetime)
