"""`kompas trigger monthly|reminders` against the configured database (real subprocesses)."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import datetime
from zoneinfo import ZoneInfo

from tests.paths import PROJECT_ROOT


def kompas(*args: str, database_url: str, stdin: str = "") -> subprocess.CompletedProcess[str]:
    base = {k: v for k, v in os.environ.items() if not k.startswith(("MICROSOFT_", "KOMPAS_"))}
    return subprocess.run(
        [sys.executable, "-m", "bot.main", *args],
        input=stdin,
        capture_output=True,
        text=True,
        timeout=60,
        cwd=PROJECT_ROOT,
        env={**base, "DATABASE_URL": database_url},
        check=False,
    )


def _this_month() -> str:
    return f"{datetime.now(ZoneInfo('Europe/Copenhagen')):%Y-%m}"


def test_monthly_migrates_a_new_database_and_finds_nobody_to_ask(empty_database_url: str) -> None:
    result = kompas("trigger", "monthly", database_url=empty_database_url)

    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == f"monthly campaign {_this_month()}: 0 messages queued"


def test_monthly_asks_a_chat_user_once_and_reminders_run(database_url: str) -> None:
    chat = kompas("chat", "--user", "mette", stdin="hej\n/quit\n", database_url=database_url)
    assert chat.returncode == 0, chat.stderr

    first = kompas("trigger", "monthly", database_url=database_url)
    again = kompas("trigger", "monthly", database_url=database_url)
    reminders = kompas("trigger", "reminders", database_url=database_url)

    assert first.stdout.strip() == f"monthly campaign {_this_month()}: 1 messages queued"
    assert again.stdout.strip() == f"monthly campaign {_this_month()}: 0 messages queued"
    assert reminders.returncode == 0, reminders.stderr
    assert reminders.stdout.startswith("campaign reminders ")
    assert reminders.stdout.strip().endswith(": 0 messages queued")


def test_an_unreachable_database_is_a_clear_error() -> None:
    result = kompas("trigger", "monthly", database_url="postgresql://postgres@127.0.0.1:1/none")

    assert result.returncode == 2
    assert "kompas trigger monthly:" in result.stderr
