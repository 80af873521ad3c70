"""`kompas trigger pilot-checkins` runs the job now and says how many cards it queued."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import datetime, timedelta

from digests.digest_store import scrub_withdrawn_quotes
from ground.messages import ConversationType, Incoming, IncomingKind
from pilots.schedule import planned_end
from storage.conversation_store import Store
from storage.database import Database
from storage.pilot_records import NewPilot
from storage.pilot_store import PilotStore
from tests.paths import PROJECT_ROOT
from tests.pilots.support import ANNE, CPH, JONAS, METTE


def _kompas(*args: str, database_url: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("MICROSOFT_", "KOMPAS_"))}
    return subprocess.run(
        [sys.executable, "-m", "bot.main", *args],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=PROJECT_ROOT,
        env={**env, "DATABASE_URL": database_url},
        check=False,
    )


async def _pilot_three_weeks_in(database: Database, store: Store) -> None:
    """A weekly pilot that started three weeks ago: a check-in is due whatever today is."""
    for person in (ANNE, METTE, JONAS):
        conversation = f"a:{person.user_id}"
        await store.save_reference(
            Incoming(IncomingKind.MESSAGE, person, conversation, ConversationType.PERSONAL)
        )
    start = datetime.now(CPH).date() - timedelta(weeks=3)
    await PilotStore(database, scrub_withdrawn_quotes).create_pilot(
        ANNE,
        NewPilot(
            "AI til mødereferater", "", "", "", "Klar samme dag", start, 5, 7, planned_end(start, 5)
        ),
        [await store.remember_person(person) for person in (METTE, JONAS)],
    )


async def test_trigger_queues_the_due_check_ins_once(
    database: Database, store: Store, database_url: str
) -> None:
    await _pilot_three_weeks_in(database, store)

    first = _kompas("trigger", "pilot-checkins", database_url=database_url)
    again = _kompas("trigger", "pilot-checkins", database_url=database_url)

    assert first.returncode == 0, first.stderr
    assert first.stdout.startswith("pilot check-ins ")
    assert first.stdout.strip().endswith(": 2 messages queued")
    assert again.stdout.strip().endswith(": 0 messages queued")
