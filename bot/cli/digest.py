"""`kompas digest …`: write a unit's digest page, run the monthly digest now, or revoke links."""

from __future__ import annotations

import argparse
import asyncio
import re
import sys
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from ground.settings import Settings

if TYPE_CHECKING:  # sqlalchemy: imported when a digest is made, not for every command
    from digests.service import DigestService
    from storage.database import Database

MONTH = re.compile(r"^\d{4}-(0[1-9]|1[0-2])$")


class DigestCommandError(Exception):
    """Something the operator must fix; the message says what."""


def _month(text: str) -> str:
    if not MONTH.match(text):
        raise argparse.ArgumentTypeError(f"{text!r} is not a month like 2026-10")
    return text


def previous_month(today: date) -> str:
    """The month before `today`'s, "YYYY-MM"."""
    year, month = (today.year - 1, 12) if today.month == 1 else (today.year, today.month - 1)
    return f"{year:04d}-{month:02d}"


def register(commands: Any) -> None:
    """Add the `digest` command to the CLI."""
    digest = commands.add_parser(
        "digest",
        help="write a digest page (HTML/PDF), run the monthly digest now, or revoke links",
        description=(
            "With --unit: write the unit's digest page for --month (default: the newest "
            "month with stored digests, else last month) to --out. With --run: compute and "
            "store every digest of --month, queue the subscribed leaders' cards and print "
            "the links. `revoke ID`: revoke every link to one digest."
        ),
    )
    digest.add_argument(
        "action",
        nargs="?",
        choices=("revoke",),
        help="revoke ID: every link to that digest stops working (the page answers 410)",
    )
    digest.add_argument(
        "digest_id",
        nargs="?",
        metavar="ID",
        help="the digest id (from its link; an older id that begins with '-' goes after --)",
    )
    what = digest.add_mutually_exclusive_group()
    what.add_argument("--unit", help="unit id from the organisation tree (see `kompas org show`)")
    what.add_argument(
        "--run", action="store_true", help="run the monthly digest job for --month now"
    )
    digest.add_argument("--month", type=_month, help="YYYY-MM")
    digest.add_argument("--out", type=Path, help="file to write (with --unit)")
    digest.add_argument(
        "--format", choices=("html", "pdf"), default="html", help="html (default) or pdf"
    )
    digest.set_defaults(handler=run_digest)


def run_digest(args: argparse.Namespace, settings: Settings) -> int:
    """Write a page (exit 0), or run the job; 1 on problems the operator can fix, 2 on errors."""
    from storage.database import StorageError

    try:
        if args.action == "revoke":
            if not args.digest_id:
                raise DigestCommandError("revoke needs the digest id: kompas digest revoke ID")
            print(asyncio.run(_revoke(settings, args.digest_id)))
            return 0
        if args.digest_id:
            raise DigestCommandError(f"unknown command {args.digest_id!r}; did you mean revoke?")
        if not args.run and args.unit is None:
            raise DigestCommandError("one of --unit U, --run or revoke ID is needed")
        if args.run:
            lines = asyncio.run(_run_job(settings, args.month))
            for line in lines:
                print(line)
            return 0
        if args.out is None:
            raise DigestCommandError("--out FILE is needed with --unit")
        message = asyncio.run(_write(settings, args.unit, args.month, args.out, args.format))
        print(message)
        return 0
    except DigestCommandError as error:
        print(f"kompas digest: {error}", file=sys.stderr)
        return 1
    except StorageError as error:
        print(f"kompas digest: {error}", file=sys.stderr)
        return 2


@dataclass(frozen=True)
class _Opened:
    database: Database
    texts: Any


async def _open(settings: Settings) -> _Opened:
    from ground.texts import Texts
    from storage.database import Database
    from storage.migrate import upgrade

    await asyncio.to_thread(upgrade, settings.database_url)
    database = await Database.connect(settings.database_url)
    return _Opened(database, Texts(settings.content_dir / "templates"))


def _today(settings: Settings) -> date:
    return datetime.now(ZoneInfo(settings.timezone)).date()


async def _write(settings: Settings, unit_id: str, month: str | None, out: Path, kind: str) -> str:
    from digests.page import DigestPages
    from digests.pdf import NO_ENGINE, PdfError, engines, write_pdf
    from digests.service import DigestService, audience_of

    if kind == "pdf" and not engines():
        raise DigestCommandError(f"--format pdf: {NO_ENGINE}")
    opened = await _open(settings)
    try:
        service = DigestService(opened.database, opened.texts, settings)
        tree = await service.organisation.load_tree()
        if unit_id not in tree.units:
            known = ", ".join(list(tree.units)[:8]) or "none: run `kompas org import FILE` first"
            raise DigestCommandError(f"unknown unit {unit_id!r} (units: {known} …)")
        month = month or await service.store.latest_month() or previous_month(_today(settings))
        stored = await service.store.find(unit_id, month, audience_of(tree, unit_id))
        digest = stored.digest() if stored else await service.compute(tree, unit_id, month)
        info = await service.organisation.last_import()
    finally:
        await opened.database.dispose()
    pages = DigestPages(settings.content_dir / "templates", opened.texts)
    html = pages.render(
        digest,
        organisation=info.organisation if info else "",
        now=stored.created_at if stored else datetime.now(UTC),
        tz=ZoneInfo(settings.timezone),
    )
    if kind == "pdf":
        try:
            engine = write_pdf(html, out)
        except PdfError as error:
            raise DigestCommandError(f"--format pdf: {error}") from error
        return f"digest of {unit_id} for {month} written to {out} (PDF, {engine})"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(html, encoding="utf-8")
    source = "stored" if stored else "computed now"
    return f"digest of {unit_id} for {month} ({source}) written to {out}"


async def _revoke(settings: Settings, digest_id: str) -> str:
    from digests.digest_store import DigestStore

    digest_id = digest_id.strip().split("?", 1)[0].rstrip("/").rsplit("/", 1)[-1]
    opened = await _open(settings)
    try:
        store = DigestStore(opened.database)
        if await store.revoked(digest_id):
            return f"the links to digest {digest_id} were already revoked"
        new_id = await store.revoke(digest_id)
    finally:
        await opened.database.dispose()
    if new_id is None:
        raise DigestCommandError(f"no stored digest has the id {digest_id!r}")
    return (
        f"digest {digest_id}: every link to it is revoked (the page answers 410). The digest "
        "is kept under a new id; its leader gets a new link by writing `digest` in chat."
    )


async def _run_job(settings: Settings, month: str | None) -> list[str]:
    from digests.job import MonthlyDigest, due_month

    opened = await _open(settings)
    try:
        month = month or due_month(_today(settings), settings.schedule.campaign_window_working_days)
        job = MonthlyDigest(opened.database, opened.texts, settings)
        queued = await job.run_monthly_digest(month)
        lines = [f"digest {month}: {queued} card(s) queued"]
        lines += await digest_links(job.service, month)
        return lines
    finally:
        await opened.database.dispose()


async def digest_links(service: DigestService, month: str) -> list[str]:
    """One line per stored digest of `month`: the unit and a fresh signed link."""
    from digests.links import link_signer
    from digests.service import audience_of, digest_units

    tree = await service.organisation.load_tree()
    signer = await link_signer(service.settings, service.store)
    now = datetime.now(UTC)
    lines = []
    for unit_id in digest_units(tree):
        stored = await service.store.find(unit_id, month, audience_of(tree, unit_id))
        if stored is not None:
            name = tree.units[unit_id].name
            lines.append(f"  {name} [{unit_id}]: {signer.url(stored.id, now)}")
    return lines
