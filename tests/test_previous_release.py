"""Rolling updates: the previous release's code answers on the schema this version migrated to.

The README's upgrade steps run `kompas migrate` of the new version while the old instances
still serve; this checks that the old code really works on the new schema: the previous
release (the git revision below, taken from this repository's history) serves a question
over /api/messages and stores it in the database the current code migrated.
"""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
import tarfile
import time
import urllib.error
import urllib.request
from io import BytesIO
from pathlib import Path

import pytest
from sqlalchemy import select

from fakes.bot_connector import FakeBotConnector
from storage.database import Database
from storage.migrate import upgrade
from storage.models import QuestionRow
from tests.bot import activities as fx
from tests.bot.slack.test_serve import _free_port
from tests.paths import PROJECT_ROOT

# The release before this one: main as the previous session left it (schema 0013_cases).
# Move it forward when a release is made.
PREVIOUS_RELEASE = "8bc489d"
QUESTION = "må jeg bruge chatgpt til et mødereferat?"


@pytest.fixture(scope="module")
def previous_release(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The previous release's source tree, unpacked from git."""
    found = subprocess.run(
        ["git", "-C", str(PROJECT_ROOT), "archive", "--format=tar", PREVIOUS_RELEASE],
        capture_output=True,
        check=False,
    )
    if found.returncode != 0:
        pytest.skip(f"no git history with {PREVIOUS_RELEASE} here: {found.stderr.decode()[:200]}")
    target = tmp_path_factory.mktemp("previous-release")
    with tarfile.open(fileobj=BytesIO(found.stdout)) as archive:
        archive.extractall(target, filter="data")
    return target


def _ready(port: int, process: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AssertionError(f"the previous release exited: {log.read_text()}")
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/readyz", timeout=2) as answer:
                if answer.status == 200:
                    return
        except (OSError, urllib.error.HTTPError):
            pass
        time.sleep(0.3)
    raise AssertionError(f"the previous release never became ready: {log.read_text()}")


async def test_the_previous_release_answers_on_the_migrated_schema(
    previous_release: Path, database_url: str, database: Database, tmp_path: Path
) -> None:
    upgrade(database_url)  # this version's migrations (a no-op on the migrated test database)
    env = {k: v for k, v in os.environ.items() if not k.startswith(("MICROSOFT_", "KOMPAS_"))}
    env.update(
        PYTHONPATH=str(previous_release),
        DATABASE_URL=database_url,
        KOMPAS_SCHEDULER="off",
        KOMPAS_CONTENT_DIR=str(previous_release / "content"),
    )
    port = _free_port()
    log = tmp_path / "previous.log"
    async with FakeBotConnector() as connector:
        with log.open("wb") as output:
            process = subprocess.Popen(
                [sys.executable, "-m", "bot.main", "serve", "--dev", "--port", str(port)],
                cwd=previous_release, env=env, stdout=output, stderr=subprocess.STDOUT,
            )  # fmt: skip
        try:
            await asyncio.to_thread(_ready, port, process, log)
            activity = fx.personal_message(connector.url, QUESTION)
            request = urllib.request.Request(
                f"http://127.0.0.1:{port}/api/messages",
                data=json.dumps(activity).encode(),
                headers={"Content-Type": "application/json"},
                method="POST",
            )
            with await asyncio.to_thread(urllib.request.urlopen, request, timeout=30) as answer:
                assert answer.status == 200
            [reply] = await connector.wait_for(1, timeout=30)
        finally:
            process.terminate()
            process.wait(timeout=30)

    assert "Gode brugsscenarier" in str(reply.activity), log.read_text()[-2000:]  # answered
    async with database.transaction() as connection:
        stored = (await connection.execute(select(QuestionRow.text))).scalars().all()
    assert stored == [QUESTION]
