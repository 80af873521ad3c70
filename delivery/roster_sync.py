"""Keeps the rosters of the teams Kompas is in fresh and opens a chat with each new member."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Protocol

from delivery.api import OutgoingMessage, welcome_key
from delivery.chat_opening import ChatOpening
from delivery.outbox import Outbox
from ground.messages import Person, Reply
from ground.texts import Texts
from storage.team_rosters import InstalledTeam, TeamMember, TeamRosterStore

logger = logging.getLogger(__name__)

REFRESH_EVERY = timedelta(days=1)


class RosterUnavailableError(Exception):
    """The channel would not list the team's members (removed, gone, or failing)."""


class RosterReader(Protocol):
    """A channel's way of listing everyone in a team it is installed in."""

    async def members(self, team: InstalledTeam) -> list[TeamMember]:
        """Every member; raises RosterUnavailableError when the channel will not say."""
        ...


@dataclass
class SyncReport:
    """What one refresh did, over all the teams that were due."""

    teams: int = 0
    unavailable: int = 0
    joined: int = 0
    left: int = 0
    opened: int = 0
    welcomed: int = 0
    failed: int = 0
    problems: list[str] = field(default_factory=list)


class RosterSync:
    """Reads the rosters that are due, stores them, opens chats and queues one welcome each.

    A team is due when Kompas was just added to it, when someone joined or left it, and
    once a day. People who left are no longer counted as reached through the team; guests
    are never messaged. The welcome goes through the outbox, paced like any message.
    """

    def __init__(
        self,
        channel: str,
        rosters: TeamRosterStore,
        reader: RosterReader,
        opening: ChatOpening,
        outbox: Outbox,
        texts: Texts,
        clock: Callable[[], datetime],
    ) -> None:
        self._channel = channel
        self._rosters = rosters
        self._reader = reader
        self._opening = opening
        self._outbox = outbox
        self._texts = texts
        self._clock = clock

    async def refresh_due(self) -> SyncReport:
        """Refresh every team whose roster is due; one failing team does not stop the rest."""
        report = SyncReport()
        for team in await self._rosters.due(self._channel, self._clock() - REFRESH_EVERY):
            report.teams += 1
            try:
                members = await self._reader.members(team)
            except RosterUnavailableError as error:
                report.unavailable += 1
                report.problems.append(f"{team.name or team.team_id}: {error}")
                logger.warning("the roster of a team could not be read: %s", error)
                continue
            change = await self._rosters.replace_members(self._channel, team.team_id, members)
            report.joined += len(change.joined)
            report.left += len(change.left)
            result = await self._opening.open_for(team, members)
            report.opened += result.opened
            report.failed += result.blocked + result.failed
            report.welcomed += await self._welcome(result.chats)
        if report.teams:
            logger.info(
                "rosters: %d teams read (%d unavailable), %d joined, %d left, %d chats opened, "
                "%d welcomes queued", report.teams, report.unavailable, report.joined,
                report.left, report.opened, report.welcomed,
            )  # fmt: skip
        return report

    async def _welcome(self, chats: list[tuple[TeamMember, str, int]]) -> int:
        messages = []
        for member, conversation_id, user_row_id in chats:
            first_name = Person(self._channel, member.user_id, member.name).first_name
            text = self._texts.render("welcome", name=first_name, conversation_type="personal")
            messages.append(
                OutgoingMessage(
                    key=welcome_key(self._channel, conversation_id, member.user_id),
                    channel=self._channel,
                    conversation_id=conversation_id,
                    reply=Reply(text=text),
                    user_id=user_row_id,
                )
            )
        return await self._outbox.enqueue(messages) if messages else 0
