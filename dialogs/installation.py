"""Kompas added to or removed from a chat or team, and people joining or leaving a team."""

from __future__ import annotations

import logging

from dialogs.base import Dialog, DialogDeps
from ground.messages import Incoming, IncomingKind, Reply
from storage.team_rosters import InstalledTeam

logger = logging.getLogger(__name__)


class InstallationDialog:
    """Keeps the record of where Kompas is installed, then welcomes (through `welcome`).

    Added to a team: the team is recorded and its roster is read in the background (the
    roster refresh job opens a personal chat with each member). Someone joins or leaves the
    team: its roster is read again. Kompas removed: the conversation is no longer written
    to, and nobody is reached through that team any more.
    """

    def __init__(self, deps: DialogDeps, welcome: Dialog) -> None:
        self._rosters = deps.rosters
        self._store = deps.store
        self._welcome = welcome

    async def handle(self, incoming: Incoming) -> list[Reply]:
        channel = incoming.person.channel
        team_id = incoming.team_id
        if incoming.kind is IncomingKind.UNINSTALLED:
            await self._store.deactivate_reference(channel, incoming.conversation_id)
            if team_id:
                await self._rosters.removed(channel, team_id)
                logger.info("Kompas was removed from a team")
            return []
        if team_id and incoming.kind is IncomingKind.INSTALLED:
            await self._rosters.installed(
                InstalledTeam(
                    channel,
                    team_id,
                    incoming.team_name,
                    incoming.person.tenant_id,
                    incoming.endpoint,
                )
            )
            logger.info("Kompas was added to a team: its roster will be read")
        elif team_id and incoming.kind in (IncomingKind.MEMBER_ADDED, IncomingKind.MEMBER_REMOVED):
            await self._rosters.roster_changed(channel, team_id)
        if incoming.kind is IncomingKind.MEMBER_REMOVED:
            return []
        return await self._welcome.handle(incoming)
