"""`kompas chat`: talk to the bot in the terminal, in-process, with the same database."""

from __future__ import annotations

import getpass
import logging
import sys
from typing import TextIO

from bot.cli_render import render_reply
from bot.services import open_services
from bot.settings import Settings
from dialogs.messages import Action, ConversationType, Incoming, IncomingKind, Person, Reply

logger = logging.getLogger(__name__)

CLI_CHANNEL = "cli"
QUIT_WORDS = frozenset({"/quit", "/exit", "/afslut", "exit", "quit"})


def _incoming(
    person: Person, kind: IncomingKind, text: str = "", action: Action | None = None
) -> Incoming:
    value = {"verb": action.verb, **action.data} if action else None
    return Incoming(
        kind=kind,
        person=person,
        conversation_id=f"cli:{person.user_id}",
        conversation_type=ConversationType.PERSONAL,
        text=text,
        value=value,
    )


async def run_chat(settings: Settings, user: str | None, stdin: TextIO, stdout: TextIO) -> int:
    """Read lines from stdin; a number presses that button on the last replies."""
    services = await open_services(settings)
    name = user or getpass.getuser()
    person = Person(channel=CLI_CHANNEL, user_id=name, name=name)
    interactive = stdin.isatty()
    buttons: list[Action] = []

    def show(replies: list[Reply]) -> None:
        nonlocal buttons
        buttons = []
        for reply in replies:
            if reply.conversation_id:
                stdout.write(f"(sendt til samtalen {reply.conversation_id})\n")
            text, actions = render_reply(reply, first_number=len(buttons) + 1)
            buttons.extend(actions)
            stdout.write(f"kompas> {text}\n\n".replace("\n", "\n        ").rstrip(" "))
        stdout.flush()

    try:
        show(await services.router.handle(_incoming(person, IncomingKind.INSTALLED)))
        while True:
            if interactive:
                stdout.write("du> ")
                stdout.flush()
            line = stdin.readline()
            if not line:
                break
            text = line.strip()
            if text.lower() in QUIT_WORDS:
                break
            if not interactive:
                stdout.write(f"du> {text}\n")
            if text.isdigit() and 1 <= int(text) <= len(buttons):
                incoming = _incoming(person, IncomingKind.SUBMIT, action=buttons[int(text) - 1])
            else:
                incoming = _incoming(person, IncomingKind.MESSAGE, text=text)
            show(await services.router.handle(incoming))
    finally:
        await services.close()
    return 0


def main_chat(settings: Settings, user: str | None) -> int:
    """Entry for the CLI."""
    import asyncio

    return asyncio.run(run_chat(settings, user, sys.stdin, sys.stdout))
