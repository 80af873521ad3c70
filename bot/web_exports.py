"""GET /exports/<user id>: a person's own data as a JSON file, behind a signed, expiring link."""

from __future__ import annotations

import logging
from datetime import UTC, datetime
from typing import Any

from aiohttp import web

from digests.links import TOKEN_PARAMETER, LinkError
from experiences.export_links import export_signer, export_subject
from experiences.personal_data import PersonalDataService, export_json
from storage.database import StorageError

logger = logging.getLogger(__name__)

EXPORT_FILENAME = "kompas-mine-data.json"


def add_export_routes(app: web.Application, services_key: web.AppKey[Any]) -> None:
    """Register the download route; it reads the app's services under `services_key`."""

    async def download(request: web.Request) -> web.Response:
        services = request.app[services_key]
        user_text = request.match_info["user_id"]
        token = request.query.get(TOKEN_PARAMETER, "")
        if not user_text.isdigit():
            return _refused("Linket er ikke gyldigt.")
        user_id = int(user_text)
        try:
            signer = await export_signer(services.settings, services.database)
            signer.check(export_subject(user_id), token, datetime.now(UTC))
        except LinkError as error:
            logger.warning("export link refused for user %d: %s", user_id, error)
            return _refused("Linket er ugyldigt eller udløbet. Skriv eksportér mine data igen.")
        try:
            document = export_json(await PersonalDataService(services.database).collect(user_id))
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


def _refused(message: str) -> web.Response:
    return web.Response(status=403, text=message, charset="utf-8")
