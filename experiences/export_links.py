"""Signed, short-lived download links for a person's own data export (`eksportér mine data`)."""

from __future__ import annotations

from datetime import datetime
from urllib.parse import quote

from digests.digest_store import DigestStore
from digests.links import TOKEN_PARAMETER, LinkSigner, link_signer
from ground.operations_settings import EXPORT_LINK_LIFETIME
from ground.settings import Settings

__all__ = ["EXPORT_LINK_LIFETIME", "export_signer", "export_subject", "export_url"]
EXPORT_PATH = "/exports/{user_id}"


def export_subject(user_id: int) -> str:
    """What the link's signature binds: this person's export, never a digest."""
    return f"export-{user_id}"


async def export_signer(settings: Settings, digests: DigestStore) -> LinkSigner:
    """The installation's link signer (same key as digest links, kept in the digest store)."""
    return await link_signer(settings, digests)


async def export_url(settings: Settings, digests: DigestStore, user_id: int, now: datetime) -> str:
    """A link that downloads the person's data as JSON for the next hour."""
    signer = await export_signer(settings, digests)
    token = signer.token(export_subject(user_id), now + EXPORT_LINK_LIFETIME)
    path = EXPORT_PATH.format(user_id=quote(str(user_id), safe=""))
    return f"{signer.base}{path}?{TOKEN_PARAMETER}={token}"
