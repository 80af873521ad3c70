"""The channel registry: each channel's description, its way in and its way out, in one place."""

from __future__ import annotations

import logging
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable, Iterator, Mapping
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol, TextIO

from aiohttp import web

from bot.slack.addresses import SlackAddressing
from bot.teams.addresses import TeamsAddressing
from delivery.chat_opening import ChatOpener, ChatOpening
from delivery.limits import Clock, DeliveryLimits, channel_limits
from delivery.outbox import Outbox
from delivery.roster_sync import RosterReader, RosterSync
from delivery.sender import OutboxSender
from delivery.transport import Transport
from dialogs.services import Services
from ground.channel_descriptions import CLI, TEAMS, slack_channel
from ground.channels import Addressing, Channel, Channels
from ground.messages import Incoming, Reply
from ground.settings import DeliverySettings, Settings
from scheduling.tasks import RosterRefresher
from storage.conversation_store import Store
from storage.database import Database

if TYPE_CHECKING:
    from bot.teams.transport import TeamsTransport

logger = logging.getLogger(__name__)


class ClosingTransport(Transport, Protocol):
    """A transport that holds connections until closed."""

    async def close(self) -> None: ...


class TurnRouter(Protocol):
    """What an inbound edge hands each event to (dialogs.router.Router fits)."""

    async def handle(self, incoming: Incoming) -> list[Reply]: ...

    def apology(self) -> Reply: ...


class WebEdge(Protocol):
    """An inbound edge served by the aiohttp app: one request in, one response out; `start`
    once the app runs (Slack's Socket Mode connects there), `close` when it stops."""

    async def start(self) -> None: ...

    async def handle(self, request: web.Request) -> web.Response: ...

    async def close(self) -> None: ...


class RosterEdge(Protocol):
    """A channel's team rosters: list a team's members and open a chat with each."""

    @property
    def reader(self) -> RosterReader: ...

    @property
    def opener(self) -> ChatOpener: ...

    async def close(self) -> None: ...


class ClosingRefresher(RosterRefresher, Protocol):
    """A roster job's reader with a connection to close (a channel's directory)."""

    async def close(self) -> None: ...


TransportFactory = Callable[[Settings], ClosingTransport]
RosterEdgeFactory = Callable[[Settings], RosterEdge]
DirectoryFactory = Callable[[Settings, Store], ClosingRefresher]
# An edge gets the process's services (its router above all) and the channel's pacing,
# shared with the outbox sender of the process.
WebEdgeFactory = Callable[[Settings, Services, DeliveryLimits], WebEdge]
TerminalEdge = Callable[[Services, str | None, TextIO, TextIO], Awaitable[int]]


@dataclass(frozen=True)
class ChannelEntry:
    """One channel: what it is (description) and the edge code that receives and sends.

    `transport` sends the channel's outbox rows (None: the edge fetches them itself, as the
    terminal does); `web_path` and `web_edge` serve its inbound requests in the aiohttp app;
    `terminal` runs it in the foreground (`kompas chat`); `addressing` lets the router
    address a conversation of the channel nobody has written from yet; `rosters` lists the
    members of teams it is installed in, and `directory` everyone in the workspace, to reach
    people who never wrote first.
    """

    channel: Channel
    transport: TransportFactory | None = None
    web_path: str = ""
    web_edge: WebEdgeFactory | None = None
    terminal: TerminalEdge | None = None
    addressing: Addressing | None = None
    rosters: RosterEdgeFactory | None = None
    # Everyone the channel's directory lists (Slack's users.list), read by the roster job.
    directory: DirectoryFactory | None = None

    @property
    def name(self) -> str:
        return self.channel.name


class ChannelRegistry(Mapping[str, ChannelEntry]):
    """The channels of this process by name; the outbox sender is assembled from it."""

    def __init__(self, entries: Iterable[ChannelEntry]) -> None:
        found: dict[str, ChannelEntry] = {}
        for entry in entries:
            if entry.name in found:
                raise ValueError(f"channel {entry.name!r} is registered twice")
            found[entry.name] = entry
        self._entries = found
        self.channels = Channels(entry.channel for entry in found.values())
        self.addressing = {
            name: entry.addressing for name, entry in found.items() if entry.addressing is not None
        }

    def __getitem__(self, name: str) -> ChannelEntry:
        return self._entries[name]

    def __iter__(self) -> Iterator[str]:
        return iter(self._entries)

    def __len__(self) -> int:
        return len(self._entries)

    def sending(self) -> tuple[ChannelEntry, ...]:
        """The channels whose outbox rows a sender delivers (those with a transport)."""
        return tuple(entry for entry in self._entries.values() if entry.transport is not None)

    def limits(
        self, delivery: DeliverySettings, *, clock: Clock = time.monotonic
    ) -> dict[str, DeliveryLimits]:
        """Fresh pacing per channel, from its description (one set per process, shared by
        the channel's inbound edge and the outbox sender)."""
        return {
            entry.name: channel_limits(entry.channel.limits, delivery.rate_per_second, clock=clock)
            for entry in self._entries.values()
        }

    @asynccontextmanager
    async def outbox_sender(
        self,
        settings: Settings,
        database: Database,
        store: Store,
        *,
        limits: Mapping[str, DeliveryLimits] | None = None,
    ) -> AsyncIterator[OutboxSender]:
        """An OutboxSender (not started) for every channel with a transport, each paced by its
        own limits; the transports close on exit.

        Pass the `limits` the channels' inbound edges use, so replies in turns and proactive
        sends to one conversation are paced together.
        """
        transports: dict[str, ClosingTransport] = {}
        try:
            for entry in self.sending():
                assert entry.transport is not None
                transports[entry.name] = entry.transport(settings)
            outbox = Outbox(database, lease_seconds=settings.delivery.lease_seconds)
            yield OutboxSender(
                outbox,
                transports,
                settings.delivery,
                store=store,
                limits=limits if limits is not None else self.limits(settings.delivery),
                channels=self.channels,
            )
        finally:
            for transport in transports.values():
                await transport.close()

    @asynccontextmanager
    async def roster_syncs(
        self, settings: Settings, services: Services, limits: Mapping[str, DeliveryLimits]
    ) -> AsyncIterator[list[RosterRefresher]]:
        """A RosterSync per channel with team rosters, each opening chats at its channel's
        pace (the same limits as its sender), and a reader per channel directory; their
        connections close on exit."""
        deps = services.deps
        edges: list[RosterEdge | ClosingRefresher] = []
        syncs: list[RosterRefresher] = []
        try:
            for entry in self._entries.values():
                if entry.directory is not None:
                    directory = entry.directory(settings, deps.store)
                    edges.append(directory)
                    syncs.append(directory)
                if entry.rosters is None:
                    continue
                edge = entry.rosters(settings)
                edges.append(edge)
                opening = ChatOpening(entry.name, edge.opener, limits[entry.name], deps.store)
                syncs.append(
                    RosterSync(
                        entry.name,
                        deps.rosters,
                        edge.reader,
                        opening,
                        deps.outbox,
                        deps.texts,
                        deps.clock,
                    )
                )
            yield syncs
        finally:
            for closing in edges:
                await closing.close()


def _teams_transport(settings: Settings) -> TeamsTransport:
    from bot.teams.transport import TeamsTransport  # botbuilder: slow, load it when sending

    return TeamsTransport(settings)


def _slack_transport(settings: Settings) -> ClosingTransport:
    from bot.slack.transport import SlackTransport

    return SlackTransport(settings)


def _slack_directory(settings: Settings, store: Store) -> ClosingRefresher:
    from bot.slack.directory import SlackDirectory

    return SlackDirectory(settings, store)


def _teams_rosters(settings: Settings) -> RosterEdge:
    from bot.teams.chat_opener import TeamsRosterEdge

    return TeamsRosterEdge(settings)


def _teams_edge(settings: Settings, services: Services, limits: DeliveryLimits) -> WebEdge:
    from bot.teams import TeamsChannel

    return TeamsChannel(settings, services.router, limits)


def _slack_edge(settings: Settings, services: Services, limits: DeliveryLimits) -> WebEdge:
    from bot.slack.edge import SlackChannel  # slack_bolt: load it only when Slack runs

    return SlackChannel(settings, services, limits)


async def _terminal(services: Services, user: str | None, stdin: TextIO, stdout: TextIO) -> int:
    from bot.cli.chat import run_chat

    return await run_chat(services, user, stdin, stdout)


def runs_teams(settings: Settings, dev: bool) -> bool:
    """Teams runs with its credentials, in dev mode, and when Slack is not configured either
    (then its edge is in dev mode, as `kompas serve` allows only with --dev on loopback). A
    Slack-only deployment has no unauthenticated /api/messages."""
    return settings.teams.has_credentials or dev or not settings.slack.configured


def runs_slack(settings: Settings, dev: bool) -> bool:
    """Slack runs when configured (a bot token and a signing secret), and in dev mode."""
    return settings.slack.configured or dev


def built_in_registry(settings: Settings | None = None, *, dev: bool = False) -> ChannelRegistry:
    """The channels `settings` configure (see runs_teams, runs_slack) and the terminal
    (`kompas chat`); without settings, Teams and the terminal."""
    teams = settings is None or runs_teams(settings, dev)
    entries = []
    if teams:
        entries.append(
            ChannelEntry(
                TEAMS,
                transport=_teams_transport,
                web_path="/api/messages",
                web_edge=_teams_edge,
                addressing=TeamsAddressing(),
                rosters=_teams_rosters,
            )
        )
    if settings is not None and runs_slack(settings, dev):
        entries.append(
            ChannelEntry(
                slack_channel(settings.slack.rate_per_second),
                transport=_slack_transport,
                web_path="/slack/events",
                web_edge=_slack_edge,
                addressing=SlackAddressing(),
                directory=_slack_directory,
            )
        )
    # The terminal shows its queued messages itself while the person is there.
    entries.append(ChannelEntry(CLI, terminal=_terminal))
    return ChannelRegistry(entries)


@asynccontextmanager
async def open_outbox_sender(
    settings: Settings, database: Database, store: Store
) -> AsyncIterator[OutboxSender]:
    """The outbox sender of the channels `settings` configure (`kompas outbox drain`)."""
    async with built_in_registry(settings).outbox_sender(settings, database, store) as sender:
        yield sender
