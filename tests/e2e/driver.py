"""The people of the scripts and what every channel's driver does for them, channel-neutral."""

from __future__ import annotations

import asyncio
import time
import uuid
from abc import ABC, abstractmethod
from collections.abc import Mapping
from dataclasses import dataclass
from urllib.parse import urlsplit

import aiohttp

from ground.settings import Settings
from tests.e2e.views import Pick, Received

# Timing-sensitive waits allow a loaded machine (five test processes on two cores) ≥ 2 s.
WAIT_SECONDS = 15.0
LINK_SECRET = "e2e-conversations-link-secret-0123456789"


@dataclass(frozen=True)
class Someone:
    """A person of the scripts; each channel's driver gives them that channel's ids."""

    key: str  # short, lower-case, unique: "mette"
    name: str
    email: str

    @property
    def first_name(self) -> str:
        return self.name.split()[0]

    @property
    def directory_id(self) -> str:
        """Their Entra ID object id (what Teams sends as aadObjectId)."""
        return str(uuid.uuid5(uuid.NAMESPACE_DNS, f"{self.key}.e2e.kompas"))


@dataclass(frozen=True)
class Page:
    """What GET of a link Kompas sent answered."""

    status: int
    content_type: str
    headers: Mapping[str, str]
    body: str


class Driver(ABC):
    """Kompas running with one channel's edge, and the people writing to it there.

    Every message Kompas sent (or replaced) is kept in arrival order; `wait_for_messages`
    hands out the ones that arrived since it was last called.
    """

    channel: str
    ambassadors_place: str  # where questions for the AI-ambassadors are posted

    def __init__(
        self, url: str, session: aiohttp.ClientSession, settings: Settings, people: list[Someone]
    ) -> None:
        self.url = url
        self.session = session
        self.settings = settings
        self.people = {person.key: person for person in people}
        self._seen = 0

    # --- what a person does ------------------------------------------------------------

    @abstractmethod
    async def say(self, person: Someone, text: str) -> None:
        """`person` writes `text` in their personal chat with Kompas."""

    @abstractmethod
    async def welcome(self, person: Someone) -> None:
        """`person` opens Kompas for the first time (Teams: installs it; Slack: opens its DM)."""

    @abstractmethod
    async def answer_card(self, message: Received, inputs: Mapping[str, str], button: str) -> None:
        """The person the message went to fills in `inputs` (by plain name) and presses the
        button titled `button` (a prefix)."""

    async def press(self, message: Received, button: str) -> None:
        """The person the message went to presses its button titled `button` (a prefix)."""
        await self.answer_card(message, {}, button)

    # --- who is who on the channel -------------------------------------------------------

    @abstractmethod
    def user_id(self, person: Someone) -> str:
        """The id the channel knows `person` by (users.channel_user_id)."""

    @abstractmethod
    def ambassador_id(self, person: Someone) -> str:
        """How KOMPAS_AMBASSADORS names `person` on this channel."""

    @abstractmethod
    def participant_name(self, person: Someone) -> str:
        """How an ambassador names `person` on a pilot's creation card."""

    def person_in(self, place: str) -> str:
        """The key of the person whose chat `place` is; "" for a shared place."""
        return ""

    # --- what arrives --------------------------------------------------------------------

    @abstractmethod
    def _messages(self) -> list[Received]:
        """Every message that arrived so far, in order."""

    @abstractmethod
    async def _wait_for_more(self, than: int, timeout: float) -> None:
        """Return when more than `than` messages have arrived (TimeoutError after `timeout`)."""

    @property
    def received(self) -> list[Received]:
        """Every message that arrived so far, handed out or not."""
        return self._messages()

    async def wait_for_messages(
        self, count: int = 1, *, pick: Pick | None = None, timeout: float = WAIT_SECONDS
    ) -> list[Received]:
        """Wait until `count` new messages (those `pick` accepts, if given) have arrived since
        the last call; return every message that arrived since then."""
        deadline = time.monotonic() + timeout
        while True:
            arrived = self._messages()
            new = arrived[self._seen :]
            if len([message for message in new if pick is None or pick(message)]) >= count:
                self._seen = len(arrived)
                return new
            try:
                await self._wait_for_more(len(arrived), max(0.0, deadline - time.monotonic()))
            except TimeoutError:
                shown = [(m.where, m.title or m.text[:60]) for m in new]
                raise AssertionError(
                    f"{self.channel}: expected {count} new messages within {timeout}s, got {shown}"
                ) from None

    async def expect(self, pick: Pick, timeout: float = WAIT_SECONDS) -> Received:
        """Wait for the message `pick` accepts (the others that arrived meanwhile are passed)."""
        arrived = await self.wait_for_messages(pick=pick, timeout=timeout)
        return next(message for message in arrived if pick(message))

    async def open(self, link: str) -> Page:
        """GET a link Kompas sent, on this app (whatever public host the link names)."""
        parts = urlsplit(link)
        path = f"{parts.path}?{parts.query}" if parts.query else parts.path
        async with self.session.get(self.url + path) as response:
            body = await response.text()
            return Page(response.status, response.content_type, dict(response.headers), body)


async def first_done(*waits: asyncio.Future[object], timeout: float) -> None:
    """Return when the first of `waits` is done; cancel the rest (TimeoutError when none is)."""
    done, pending = await asyncio.wait(waits, timeout=timeout, return_when=asyncio.FIRST_COMPLETED)
    for wait in pending:
        wait.cancel()
    if not done:
        raise TimeoutError
