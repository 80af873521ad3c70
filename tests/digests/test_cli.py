"""`kompas demo seed`, `kompas digest` and `digest` in `kompas chat`, as a newcomer runs them."""

from __future__ import annotations

import asyncio
import re
from pathlib import Path

from storage.database import Database
from tests.bot.test_cli import kompas
from tests.digests.support import seed_world

LINK = re.compile(r"http://127\.0\.0\.1:3978/digests/[\w-]+\?t=\d+\.[\w-]+")


def test_demo_seed_then_chat_and_page_files(database_url: str, tmp_path: Path) -> None:
    env = {"DATABASE_URL": database_url}

    seeded = kompas("demo", "seed", env=env, timeout=180)
    again = kompas("demo", "seed", env=env, timeout=180)
    leader = kompas("chat", "--user", "bo.testrup", stdin="digest\n/quit\n", env=env, timeout=120)
    employee = kompas(
        "chat", "--user", "testperson005", stdin="digest\n/quit\n", env=env, timeout=120
    )
    page = tmp_path / "social.html"
    written = kompas("digest", "--unit", "c-social", "--out", str(page), env=env, timeout=120)
    no_engine = kompas(
        "digest", "--unit", "c-social", "--format", "pdf", "--out", str(tmp_path / "x.pdf"),
        env={**env, "PATH": "/nonexistent"}, timeout=120,
    )  # fmt: skip

    assert seeded.returncode == 0, seeded.stderr
    assert "Demo data for Eksempel Kommune written" in seeded.stdout
    assert len(LINK.findall(seeded.stdout)) >= 10
    assert "Center for Social og Sundhed [c-social]" in seeded.stdout
    assert again.returncode == 0 and "already there" in again.stdout
    assert leader.returncode == 0, leader.stderr
    assert "== AI-erfaringer" in leader.stdout and "Center for Social og Sundhed" in leader.stdout
    assert LINK.search(leader.stdout.replace("\n        ", ""))
    assert "for ledere" in employee.stdout and not LINK.search(employee.stdout)
    assert written.returncode == 0, written.stderr
    html = page.read_text(encoding="utf-8")
    assert "<h1>Center for Social og Sundhed</h1>" in html and html.count('class="chart"') == 3
    assert no_engine.returncode == 1
    assert "no PDF engine is installed" in no_engine.stderr
    assert "apt-get install chromium" in no_engine.stderr


def test_a_pdf_when_chromium_is_there(database_url: str, tmp_path: Path) -> None:
    from tests.digests.test_browser import chromium

    chromium()  # fails on CI without it, skips elsewhere
    env = {"DATABASE_URL": database_url}
    assert kompas("demo", "seed", env=env, timeout=180).returncode == 0
    out = tmp_path / "digest.pdf"

    result = kompas(
        "digest", "--unit", "direktion", "--format", "pdf", "--out", str(out), env=env,
        timeout=180,
    )  # fmt: skip

    assert result.returncode == 0, result.stderr
    assert out.read_bytes().startswith(b"%PDF") and out.stat().st_size > 10_000


def test_demo_seed_leaves_a_real_organisation_alone(database_url: str) -> None:
    async def real_organisation() -> None:
        database = await Database.connect(database_url)
        try:
            await seed_world(database)
        finally:
            await database.dispose()

    asyncio.run(real_organisation())
    env = {"DATABASE_URL": database_url}

    refused = kompas("demo", "seed", env=env, timeout=120)
    reset = kompas("demo", "seed", "--reset", env=env, timeout=120)
    unknown = kompas("digest", "--unit", "nope", "--out", "/tmp/x.html", env=env, timeout=120)

    assert refused.returncode == 1 and "only fills an empty database" in refused.stderr
    assert reset.returncode == 1 and "more than demo data" in reset.stderr
    assert unknown.returncode == 1 and "unknown unit 'nope'" in unknown.stderr
