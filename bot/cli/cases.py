"""`kompas cases list|show|answer|close`: the ambassadors' desk for admins in the terminal."""

from __future__ import annotations

import argparse
import asyncio
import sys
from collections.abc import Awaitable, Callable
from datetime import datetime
from functools import partial
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from ground.clock import utc_now
from ground.settings import Settings

if TYPE_CHECKING:  # the desk and the services are imported when a subcommand runs
    from cases.desk import Actor, CaseDesk, Result
    from dialogs.services import Services
    from storage.case_records import Case

# Opens the process's services (the composition root, handed over by the app layer).
OpenServices = Callable[[Settings], Awaitable["Services"]]

PAGE_SIZE = 20
TEXT_WIDTH = 70


def register(commands: Any, open_services: OpenServices) -> None:
    """Add the `cases` command and its subcommands to the CLI."""
    cases = commands.add_parser(
        "cases",
        help="questions handed to the AI-ambassadors (list, show, answer, close)",
        description=(
            "The ambassadors' desk from the terminal. Askers are never named unless they "
            "agreed to be contacted. `answer` and `close` act as an admin: the case's post in "
            "the ambassadors' conversation is updated and every asker is told, as in Teams."
        ),
    )
    actions = cases.add_subparsers(dest="cases_command", required=True)
    listing = actions.add_parser("list", help="open cases, newest first (--all: every case)")
    listing.add_argument("--all", action="store_true", help="also answered, referred, closed")
    listing.add_argument("--page", type=int, default=1, help=f"page of {PAGE_SIZE} (default 1)")
    listing.set_defaults(handler=partial(run, command=_list, open_services=open_services))
    show = actions.add_parser("show", help="one case: its questions, state and answer")
    show.add_argument("case_id", type=int, metavar="ID")
    show.set_defaults(handler=partial(run, command=_show, open_services=open_services))
    answer = actions.add_parser("answer", help="answer a case; every asker gets the answer")
    answer.add_argument("case_id", type=int, metavar="ID")
    answer.add_argument("text", help="the answer (personal data is removed before it is stored)")
    answer.add_argument("--by", default="", help="your first name, shown to the askers")
    answer.set_defaults(handler=partial(run, command=_answer, open_services=open_services))
    close = actions.add_parser("close", help="close a case without an answer, with a reason")
    close.add_argument("case_id", type=int, metavar="ID")
    close.add_argument("reason", help="a short reason; the askers see it")
    close.add_argument("--by", default="", help="your first name, shown on the post")
    close.set_defaults(handler=partial(run, command=_close, open_services=open_services))


Command = Callable[[argparse.Namespace, "CaseDesk", Settings], Awaitable[int]]


def run(
    args: argparse.Namespace, settings: Settings, command: Command, open_services: OpenServices
) -> int:
    """Open the services, run one subcommand, close them; 1 on database errors."""
    from storage.database import StorageError  # sqlalchemy: not for every `kompas` command

    async def go() -> int:
        services = await open_services(settings)
        try:
            return await command(args, services.deps.cases, settings)
        finally:
            await services.close()

    try:
        return asyncio.run(go())
    except StorageError as error:
        print(f"kompas cases: {error} (has `kompas migrate` run?)", file=sys.stderr)
        return 1


def _short(text: str, width: int = TEXT_WIDTH) -> str:
    text = " ".join(text.split()) or "(the asker deleted their data)"
    return text if len(text) <= width else text[: width - 1] + "…"


def _age(moment: datetime, now: datetime) -> str:
    days = (now - moment).days
    return "today" if days < 1 else "1 day" if days == 1 else f"{days} days"


async def _list(args: argparse.Namespace, desk: CaseDesk, settings: Settings) -> int:
    from storage.case_records import OPEN_STATES

    states = None if args.all else OPEN_STATES
    page = max(1, args.page)
    cases = await desk.cases.page((page - 1) * PAGE_SIZE, PAGE_SIZE, states)
    total = await desk.cases.count(states)
    kind = "cases" if args.all else "open cases"
    if not cases:
        print(f"No {kind}." if total == 0 else f"No {kind} on page {page} ({total} in all).")
        return 0
    now = utc_now()
    print(f"{total} {kind}, newest first (page {page}):")
    for case in cases:
        taken = f", taken by {case.assignee.first_name}" if case.assignee else ""
        askers = f", {case.askers} askers" if case.askers > 1 else ""
        print(
            f"  #{case.id:<5} {case.state.value:<9} {_age(case.created_at, now):>8}"
            f"{askers}{taken}  {_short(case.text)}"
        )
    if page * PAGE_SIZE < total:
        print(f"More: kompas cases list{' --all' if args.all else ''} --page {page + 1}")
    return 0


async def _show(args: argparse.Namespace, desk: CaseDesk, settings: Settings) -> int:
    case = await desk.cases.get(args.case_id)
    if case is None:
        print(f"kompas cases: no case #{args.case_id}", file=sys.stderr)
        return 1
    print(describe(case, ZoneInfo(settings.timezone)))
    return 0


def describe(case: Case, zone: ZoneInfo) -> str:
    """A case as the admin reads it; askers named only when they agreed to be contacted."""

    def when(moment: datetime | None) -> str:
        return moment.astimezone(zone).strftime("%d.%m.%Y %H:%M") if moment else "-"

    lines = [f"Case #{case.id}: {case.state.value}, opened {when(case.created_at)}"]
    for number, asker in enumerate(case.askers, start=1):
        who = f" (may be contacted: {asker.person.name})" if asker.contact_ok else ""
        feedback = f" [rated {asker.feedback}]" if asker.feedback else ""
        lines.append(f"  {number}. {when(asker.asked_at)}: {asker.text}{who}{feedback}")
    if not case.askers:
        lines.append("  (every asker deleted their data)")
    if case.topic_ids:
        lines.append(f"Closest topics: {', '.join(case.topic_ids)}")
    if case.assignee:
        lines.append(f"Taken by {case.assignee.name} at {when(case.assigned_at)}")
    resolver = case.resolved_by.name if case.resolved_by else "an admin"
    if case.answer:
        lines.append(f"Answered by {resolver} at {when(case.resolved_at)}: {case.answer}")
    if case.referred_topic_id:
        lines.append(f"Referred by {resolver} to the topic {case.referred_topic_id}")
    if case.close_reason:
        lines.append(f"Closed by {resolver} at {when(case.resolved_at)}: {case.close_reason}")
    if case.suggested_at:
        lines.append(f"Suggested for the AI-kompas at {when(case.suggested_at)}")
    return "\n".join(lines)


async def _answer(args: argparse.Namespace, desk: CaseDesk, settings: Settings) -> int:
    result = await desk.answer(args.case_id, _admin(args), args.text)
    return _report(args.case_id, "answered", result)


async def _close(args: argparse.Namespace, desk: CaseDesk, settings: Settings) -> int:
    result = await desk.close(args.case_id, _admin(args), args.reason)
    return _report(args.case_id, "closed", result)


def _admin(args: argparse.Namespace) -> Actor:
    from cases.desk import Actor, Role

    return Actor(None, str(args.by).strip().split(" ")[0], Role.ADMIN)


def _report(case_id: int, done: str, result: Result) -> int:
    from cases.desk import Outcome

    case = result.case
    if result.outcome is Outcome.DONE and case is not None:
        print(f"Case #{case_id} {done}; {len(case.askers)} asker(s) will be told.")
        return 0
    if result.outcome is Outcome.ALREADY:
        print(f"Case #{case_id} was {done} already; nothing changed.")
        return 0
    reasons = {
        Outcome.UNKNOWN: f"no case #{case_id}",
        Outcome.INVALID: "the text is empty",
        Outcome.NOT_OPEN: f"case #{case_id} is {case.state.value if case else 'not open'}",
        Outcome.TAKEN_BY_OTHER: f"case #{case_id} is taken by someone else",
    }
    print(f"kompas cases: {reasons.get(result.outcome, result.outcome.value)}", file=sys.stderr)
    return 1
