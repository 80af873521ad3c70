"""`kompas chat`: talk to the bot in the terminal, in-process, with the same database."""

from __future__ import annotations

import getpass
import logging
from collections.abc import Awaitable, Callable
from typing import TextIO

from bot.cli.render import input_prompt, parse_input_answer, render_reply
from delivery.outbox import Outbox
from dialogs.services import Services
from ground.channel_descriptions import CLI_NAME
from ground.clock import utc_now
from ground.messages import (
    Action,
    CardInput,
    ConversationType,
    Incoming,
    IncomingKind,
    Person,
    Reply,
)

logger = logging.getLogger(__name__)

CLI_CHANNEL = CLI_NAME
QUIT_WORDS = frozenset({"/quit", "/exit", "/afslut", "exit", "quit"})
MAX_INPUT_TRIES = 3

# Fetches proactive messages waiting for this terminal conversation (the outbox's cli rows).
PendingMessages = Callable[[Services, str], Awaitable[list[Reply]]]


async def outbox_messages(services: Services, conversation_id: str) -> list[Reply]:
    """Deliver this terminal's queued proactive messages (prompts, reminders, check-ins).

    The terminal is its own channel: the person reading it is present, so messages that
    wait for working hours (to spare colleagues' evenings) are shown at once here.
    """
    waiting = await services.deps.outbox.pending_for(CLI_CHANNEL, conversation_id)
    if not waiting:
        return []
    latest = max(entry.not_before for entry in waiting)
    outbox = Outbox(services.database, clock=lambda: max(utc_now(), latest))
    claimed = await outbox.claim([CLI_CHANNEL], limit=len(waiting), conversation_id=conversation_id)
    replies = []
    for message in sorted(claimed, key=lambda item: item.id):
        replies.append(message.reply())
        await outbox.mark_sent(message)
    return replies


class ChatSession:
    """One person's terminal conversation: shows replies, numbers buttons, asks card inputs."""

    def __init__(
        self,
        services: Services,
        person: Person,
        stdin: TextIO,
        stdout: TextIO,
        pending: PendingMessages = outbox_messages,
    ) -> None:
        self._services = services
        self._person = person
        self._stdin = stdin
        self._stdout = stdout
        self._pending = pending
        self._interactive = stdin.isatty()
        self._buttons: list[tuple[Action, tuple[CardInput, ...]]] = []
        self.conversation_id = f"cli:{person.user_id}"

    def incoming(
        self,
        kind: IncomingKind,
        text: str = "",
        action: Action | None = None,
        inputs: dict[str, str] | None = None,
    ) -> Incoming:
        """An event from this terminal, shaped like any channel's."""
        value = {**(inputs or {}), "verb": action.verb, **action.data} if action else None
        return Incoming(
            kind=kind,
            person=self._person,
            conversation_id=self.conversation_id,
            conversation_type=ConversationType.PERSONAL,
            text=text,
            value=value,
            reference={"channel": CLI_CHANNEL, "conversation": {"id": self.conversation_id}},
        )

    def show(self, replies: list[Reply]) -> None:
        """Print replies; their buttons replace the previous ones."""
        self._buttons = []
        for reply in replies:
            if reply.conversation_id and reply.conversation_id != self.conversation_id:
                # The router queues these in the outbox; one here is a bug, not a message.
                logger.error("Refused to show a reply for conversation %s", reply.conversation_id)
                continue
            text, actions = render_reply(reply, first_number=len(self._buttons) + 1)
            inputs = reply.card.inputs if reply.card else ()
            self._buttons.extend((action, inputs) for action in actions)
            self._stdout.write(f"kompas> {text}\n\n".replace("\n", "\n        ").rstrip(" "))
        self._stdout.flush()

    def _read(self, prompt: str) -> str | None:
        if self._interactive:
            self._stdout.write(prompt)
            self._stdout.flush()
        line = self._stdin.readline()
        if not line:
            return None
        if not self._interactive:
            self._stdout.write(f"{prompt}{line.rstrip()}\n")
        return line.rstrip("\n")

    def _ask_inputs(self, inputs: tuple[CardInput, ...]) -> dict[str, str] | None:
        answers: dict[str, str] = {}
        for card_input in inputs:
            self._stdout.write(input_prompt(card_input) + "\n")
            for _ in range(MAX_INPUT_TRIES):
                line = self._read("du> ")
                if line is None:
                    return None
                value = parse_input_answer(card_input, line)
                if value is not None:
                    break
                self._stdout.write("Det forstod jeg ikke – skriv nummeret på et af valgene.\n")
            else:
                return None
            if value:
                answers[card_input.id] = value
        return answers

    async def _show_pending(self) -> None:
        replies = await self._pending(self._services, self.conversation_id)
        if replies:
            self.show(replies)

    async def run(self) -> int:
        """The read–answer loop until end of input or /quit."""
        router = self._services.router
        self.show(await router.handle(self.incoming(IncomingKind.INSTALLED)))
        while True:
            await self._show_pending()
            line = self._read("du> ")
            if line is None:
                break
            text = line.strip()
            if text.lower() in QUIT_WORDS:
                break
            if text.isdigit() and 1 <= int(text) <= len(self._buttons):
                action, inputs = self._buttons[int(text) - 1]
                answers = self._ask_inputs(inputs) if inputs and action.with_inputs else {}
                if answers is None:
                    break
                incoming = self.incoming(IncomingKind.SUBMIT, action=action, inputs=answers)
            else:
                incoming = self.incoming(IncomingKind.MESSAGE, text=text)
            self.show(await router.handle(incoming))
        return 0


async def run_chat(
    services: Services,
    user: str | None,
    stdin: TextIO,
    stdout: TextIO,
    pending: PendingMessages = outbox_messages,
) -> int:
    """Chat as `user` (default: the login name) until the input ends."""
    name = user or getpass.getuser()
    person = Person(channel=CLI_CHANNEL, user_id=name, name=name)
    return await ChatSession(services, person, stdin, stdout, pending).run()
