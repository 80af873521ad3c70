"""GET /digests/<id>: 200 with a valid link, 403 (Danish page) for anything else, never 500."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from bot.app import create_app
from digests.digest_store import Audience
from digests.links import link_signer
from digests.service import DigestService
from ground.settings import Settings
from ground.texts import Texts
from storage.database import Database
from tests.bot.conftest import RunningApp, StartApp
from tests.bot.test_cli import kompas
from tests.digests.support import MONTH, seed_world


@dataclass
class PageServices:
    """What the app needs for the digest page (and its probes)."""

    settings: Settings
    database: Database
    texts: Texts
    router: object = None
    count_inbound: object = None

    async def readiness(self) -> dict[str, bool]:
        return {"database": True, "content": True}

    async def close(self) -> None:
        return None


async def _served(
    start_app: StartApp, database: Database, texts: Texts, settings: Settings
) -> tuple[RunningApp, dict[str, str]]:
    await seed_world(database)
    computed = await DigestService(database, texts, settings).compute_month(MONTH)
    services = PageServices(settings, database, texts)
    running = await start_app(create_app(settings, services))  # type: ignore[arg-type]
    return running, dict(computed.ids)


async def _get(running: RunningApp, path: str) -> tuple[int, str, dict[str, str]]:
    async with running.session.get(running.url + path) as response:
        return response.status, await response.text(), dict(response.headers)


async def test_a_valid_link_shows_the_page(
    start_app: StartApp, database: Database, texts: Texts, settings: Settings
) -> None:
    running, ids = await _served(start_app, database, texts, settings)
    signer = await link_signer(settings, DigestService(database, texts, settings).store)

    status, body, headers = await _get(running, signer.path(ids["a"], datetime.now(UTC)))

    assert status == 200
    assert headers["Content-Type"].startswith("text/html")
    assert "default-src 'none'" in headers["Content-Security-Policy"]
    assert headers["Cache-Control"] == "private, no-store"
    assert "<h1>Center A</h1>" in body and "<svg" in body
    assert "http://" not in body.replace('xmlns="http://www.w3.org', "").replace(
        'xmlns:xlink="http://www.w3.org', ""
    ).replace("http://purl.org", "").replace("http://creativecommons.org", "").replace(
        "http://www.w3.org/1999/02/22-rdf-syntax-ns", ""
    )  # nothing loaded from elsewhere


async def test_tampered_expired_or_guessed_links_get_a_danish_403(
    start_app: StartApp, database: Database, texts: Texts, settings: Settings
) -> None:
    running, ids = await _served(start_app, database, texts, settings)
    signer = await link_signer(settings, DigestService(database, texts, settings).store)
    now = datetime.now(UTC)
    good = signer.path(ids["a"], now)
    other = signer.path(ids["k"], now).split("?")[1]

    for path in (
        good[:-2] + ("xx" if not good.endswith("xx") else "yy"),  # tampered signature
        signer.path(ids["a"], now - timedelta(days=60)),  # expired
        f"/digests/{ids['a']}",  # no token: guessing the URL
        f"/digests/{ids['a']}?{other}",  # another digest's token
        f"/digests/{ids['a']}?t=%00%ff",
        "/digests/does-not-exist?t=1.x",
    ):
        status, body, _ = await _get(running, path)
        assert status == 403, path
        assert 'lang="da"' in body and "Linket" in body
        assert "Center A" not in body
    status, body, _ = await _get(running, signer.path(ids["a"], now - timedelta(days=60)))
    assert "Linket er udløbet" in body


async def test_a_signed_link_to_a_digest_that_is_gone_gets_404(
    start_app: StartApp, database: Database, texts: Texts, settings: Settings
) -> None:
    running, _ = await _served(start_app, database, texts, settings)
    signer = await link_signer(settings, DigestService(database, texts, settings).store)

    status, body, _ = await _get(running, signer.path("gone", datetime.now(UTC)))

    assert status == 404 and "findes ikke længere" in body


async def test_an_admin_revokes_a_digests_links_and_the_page_answers_410(
    start_app: StartApp, database: Database, texts: Texts, settings: Settings, database_url: str
) -> None:
    running, ids = await _served(start_app, database, texts, settings)
    store = DigestService(database, texts, settings).store
    signer = await link_signer(settings, store)
    now = datetime.now(UTC)
    leaked = signer.path(ids["a"], now)
    assert (await _get(running, leaked))[0] == 200

    revoked = await asyncio.to_thread(
        kompas, "digest", "revoke", ids["a"], env={"DATABASE_URL": database_url}, timeout=120
    )

    assert revoked.returncode == 0, revoked.stderr
    assert "revoked" in revoked.stdout
    status, body, _ = await _get(running, leaked)
    assert status == 410
    assert 'lang="da"' in body and "Linket er trukket tilbage" in body
    assert "Center A" not in body
    again = await store.find("a", MONTH, Audience.LEADER)
    assert again is not None and again.id != ids["a"]  # the leader's next link opens it
    assert (await _get(running, signer.path(again.id, now)))[0] == 200
    unknown = await asyncio.to_thread(
        kompas, "digest", "revoke", "nope", env={"DATABASE_URL": database_url}, timeout=120
    )
    assert unknown.returncode == 1 and "no stored digest" in unknown.stderr


async def test_the_link_lifetime_is_a_setting(
    start_app: StartApp, database: Database, texts: Texts, settings: Settings
) -> None:
    short = settings.with_overrides(digest_link_days=7)
    running, ids = await _served(start_app, database, texts, short)
    signer = await link_signer(short, DigestService(database, texts, short).store)
    issued = datetime.now(UTC) - timedelta(days=8)

    status, body, _ = await _get(running, signer.path(ids["a"], issued))

    assert signer.lifetime == timedelta(days=7)
    assert status == 403 and "Linket er udløbet" in body
    assert Settings.from_env({"KOMPAS_DIGEST_LINK_DAYS": "14"}).digest_link_days == 14
