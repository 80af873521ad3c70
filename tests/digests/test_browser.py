"""The digest page in a real headless Chromium: charts render, the page is not blank, no errors.

Chromium comes from Debian (`make test` installs it where it can). Without it the test fails on CI
(CI=true) and is skipped elsewhere, with the reason.
"""

from __future__ import annotations

import asyncio
import os
import re
import shutil
from datetime import UTC, datetime
from pathlib import Path

import pytest
from PIL import Image

from bot.app import create_app
from digests.links import link_signer
from digests.service import DigestService
from ground.settings import Settings
from ground.texts import Texts
from storage.database import Database
from tests.bot.conftest import StartApp
from tests.digests.support import MONTH, seed_world
from tests.digests.test_web import PageServices

CHROMIUM = "/usr/bin/chromium"
TIMEOUT_SECONDS = 90
ANSWERED_BARS = (0x0B, 0x53, 0x94)  # digests.charts.ANSWERED_COLOUR
_CONSOLE = re.compile(r":CONSOLE[:(]|Uncaught", re.IGNORECASE)


def chromium() -> str:
    """The Chromium to use; fails on CI and skips elsewhere when there is none."""
    found = CHROMIUM if Path(CHROMIUM).exists() else shutil.which("chromium")
    if found:
        return found
    reason = "Debian's chromium is not installed (apt-get install chromium chromium-driver)"
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(f"{reason}; .ci/run must install it")
    pytest.skip(reason)


async def run_chromium(url: str, profile: Path, *extra: str) -> tuple[str, list[str]]:
    """Load `url` headless; returns stdout and the console lines Chromium logged."""
    process = await asyncio.create_subprocess_exec(
        chromium(),
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--no-proxy-server",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        f"--user-data-dir={profile}",
        "--enable-logging=stderr",
        "--v=0",
        *extra,
        url,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    try:
        out, err = await asyncio.wait_for(process.communicate(), TIMEOUT_SECONDS)
    except TimeoutError:
        process.kill()
        await process.wait()
        raise
    console = [line for line in err.decode(errors="replace").splitlines() if _CONSOLE.search(line)]
    return out.decode(errors="replace"), console


async def test_the_console_check_sees_script_errors(tmp_path: Path) -> None:
    """Guards the check below: a page with an error must be caught."""
    page = tmp_path / "broken.html"
    page.write_text("<html><body><script>notDefined();</script></body></html>")

    _, console = await run_chromium(page.as_uri(), tmp_path / "profile", "--dump-dom")

    assert any("notDefined" in line for line in console), console


async def test_the_page_renders_its_charts_in_chromium_without_errors(
    start_app: StartApp,
    database: Database,
    texts: Texts,
    settings: Settings,
    tmp_path: Path,
) -> None:
    await seed_world(database)
    service = DigestService(database, texts, settings)
    computed = await service.compute_month(MONTH)
    running = await start_app(create_app(settings, PageServices(settings, database, texts)))  # type: ignore[arg-type]
    signer = await link_signer(settings, service.store)
    url = running.url + signer.path(computed.ids["a"], datetime.now(UTC))

    dom, console = await run_chromium(url, tmp_path / "p1", "--dump-dom")
    shot = tmp_path / "digest.png"
    _, shot_console = await run_chromium(
        url, tmp_path / "p2", f"--screenshot={shot}", "--window-size=390,2400"
    )

    assert console == [] and shot_console == []
    assert "<h1>Center A</h1>" in dom
    charts = re.findall(r'<svg[^>]*class="chart"[^>]*>(.*?)</svg>', dom, re.DOTALL)
    assert len(charts) == 3
    for chart in charts:
        assert len(re.findall(r"<(path|use|rect|text)\b", chart)) >= 5  # drawn, not empty
    assert not re.search(r'(src|href)="https?://', dom)  # nothing from elsewhere
    image = Image.open(shot).convert("RGB")
    assert image.size == (390, 2400)
    pixels = list(image.getdata())
    not_white = sum(1 for p in pixels if p != (255, 255, 255))
    assert not_white > len(pixels) * 0.03  # not blank
    assert any(all(abs(c - w) <= 12 for c, w in zip(p, ANSWERED_BARS, strict=True)) for p in pixels)
