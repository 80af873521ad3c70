"""GET /exports/<user id>: a person's own data as a JSON file, behind a signed, expiring link."""

from __future__ import annotations

import logging
import re
from datetime import UTC, datetime
from typing import Any

from aiohttp import web

from digests.links import TOKEN_PARAMETER, LinkError
from experiences.export_links import export_signer, export_subject
from experiences.personal_data import export_json
from storage.database import StorageError

logger = logging.getLogger(__name__)

EXPORT_FILENAME = "kompas-mine-data.json"
USER_ID = re.compile(r"[0-9]{1,18}")  # ASCII digits only, and below 2**63 (a BIGINT)


def add_export_routes(app: web.Application, services_key: web.AppKey[Any]) -> None:
    """Register the download route; it reads the app's services under `services_key`."""

    async def download(request: web.Request) -> web.Response:
        services = request.app[services_key]
        user_text = request.match_info["user_id"]
        token = ascii_token(request.query.get(TOKEN_PARAMETER, ""))
        if not USER_ID.fullmatch(user_text):
            logger.info("export link refused: malformed user id (%d characters)", len(user_text))
            return web.Response(status=404, text="Linket findes ikke.", charset="utf-8")
        user_id = int(user_text)
        try:
            signer = await export_signer(services.settings, services.deps.digests)
            signer.check(export_subject(user_id), token, datetime.now(UTC))
        except LinkError as error:
            logger.warning("export link refused for user %d: %s", user_id, error)
            return _refused("Linket er ugyldigt eller udløbet. Skriv eksportér mine data igen.")
        try:
            document = export_json(await services.deps.personal_data.collect(user_id))
        except StorageError:
            logger.exception("export of user %d failed", user_id)
            return web.Response(status=503, text="Prøv igen om lidt.", charset="utf-8")
        logger.info("user %d downloaded their data", user_id)
        return web.Response(
            text=document,
            content_type="application/json",
            charset="utf-8",
            headers={
                "Content-Disposition": f'attachment; filename="{EXPORT_FILENAME}"',
                "Cache-Control": "no-store",
            },
        )

    app.router.add_get("/exports/{user_id}", download)


def ascii_token(token: str) -> str:
    """The link token, or "" when it holds anything but printable ASCII (never a valid one):
    "²" is a digit to str.isdigit() but not to int()."""
    return token if token.isascii() and token.isprintable() else ""


def _refused(message: str) -> web.Response:
    return web.Response(status=403, text=message, charset="utf-8")
