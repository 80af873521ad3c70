"""Reach benchmark: read a team's roster and open a personal chat with each of N members.

Usage: python bench/reach.py [--members 10000] [--rate 30] [--concurrency 8]

A loopback fake Bot Connector lists the team's members page by page (500 per page) and
creates personal chats, enforcing `--rate` creates per second overall itself (429 with
Retry-After above it); one member in a thousand has blocked the bot (403) and one in fifty
is a guest (never messaged). Kompas reads the roster, stores it, opens the chats paced
at `--rate` and stores each as a conversation reference (SQLite in a temporary folder).
The floor is the chats to open / rate. Ends with one line:
`reach: members=N seconds=S floor=F created=C failed=X` (S from the first roster page to
the last chat opened; X counts blocked members and failures).
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bot.teams.chat_opener import TeamsChatOpener  # noqa: E402
from bot.teams.roster import TeamsRoster  # noqa: E402
from delivery.chat_opening import ChatOpening  # noqa: E402
from delivery.limits import DeliveryLimits  # noqa: E402
from fakes.bot_connector import ConnectorLimits, FakeBotConnector  # noqa: E402
from storage.conversation_store import Store  # noqa: E402
from storage.database import Database  # noqa: E402
from storage.migrate import upgrade  # noqa: E402
from storage.team_rosters import InstalledTeam, TeamMember, TeamRosterStore  # noqa: E402

TEAM = "19:bench-team@thread.tacv2"
TENANT = "bench-tenant"


def roster(members: int) -> list[dict[str, str]]:
    """The fake team: every 50th member a guest."""
    return [
        {
            "id": f"29:member-{n}",
            "name": f"Medarbejder {n}",
            "aadObjectId": f"aad-{n}",
            "tenantId": TENANT,
            "userRole": "guest" if n % 50 == 0 else "user",
        }
        for n in range(1, members + 1)
    ]


async def no_token() -> dict[str, str]:
    return {}


async def run(members: int, rate: float, concurrency: int, folder: Path) -> None:
    url = f"sqlite:///{folder / 'reach.db'}"
    upgrade(url)
    database = await Database.connect(url)
    limits = ConnectorLimits(overall_per_second=rate)
    async with FakeBotConnector(limits=limits) as fake:
        fake.set_roster(TEAM, roster(members))
        fake.blocked.update(f"29:member-{n}" for n in range(1, members + 1) if n % 1000 == 7)
        client = TeamsRoster(no_token)
        store, rosters = Store(database), TeamRosterStore(database)
        team = InstalledTeam("teams", TEAM, "Benchmark-teamet", TENANT, fake.url)
        opening = ChatOpening(
            "teams",
            TeamsChatOpener(client, "28:kompas-bench"),
            DeliveryLimits(rate),
            store,
            concurrency=concurrency,
        )
        try:
            started = time.monotonic()
            listed = await client.members(fake.url, TEAM)
            read = time.monotonic() - started
            await rosters.installed(team)
            await rosters.replace_members(
                "teams",
                TEAM,
                [TeamMember(m.user_id, m.aad_object_id, m.role) for m in listed],
            )
            stored = time.monotonic() - started

            def progress(result: object, total: int) -> None:
                done = getattr(result, "opened", 0)
                if done and done % 1000 == 0:
                    print(f"  {done} of {total} chats opened", flush=True)

            result = await opening.open_for(
                team, await rosters.members("teams", TEAM), progress=progress
            )
            seconds = time.monotonic() - started
        finally:
            await client.close()
            await database.dispose()
        to_open = members - result.not_messaged
        print(
            f"roster: {len(listed)} members read in {read:.2f} s, stored by {stored:.2f} s; "
            f"{result.not_messaged} guests skipped; {len(fake.throttled)} creates answered 429"
        )
        print(
            f"reach: members={members} seconds={seconds:.1f} floor={to_open / rate:.1f} "
            f"created={result.opened} failed={result.blocked + result.failed}"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--members", type=int, default=10_000)
    parser.add_argument("--rate", type=float, default=30.0, help="creates per second overall")
    parser.add_argument("--concurrency", type=int, default=8)
    args = parser.parse_args()
    logging.basicConfig(level=logging.WARNING)
    with tempfile.TemporaryDirectory(prefix="reach-") as folder:
        asyncio.run(run(args.members, args.rate, args.concurrency, Path(folder)))


if __name__ == "__main__":
    main()
