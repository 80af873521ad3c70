"""Lists a Teams team's members and opens a personal chat with each (the roster edge)."""

from __future__ import annotations

from typing import Any

from bot.teams.roster import RosterError, TeamsRoster
from bot.teams.transport import ConnectorToken
from delivery.chat_opening import OpenedChat
from delivery.roster_sync import RosterUnavailableError
from delivery.transport import SendOutcome
from ground.settings import Settings
from storage.team_rosters import InstalledTeam, TeamMember


class TeamsChatOpener:
    """delivery.chat_opening.ChatOpener for Teams: POST /v3/conversations per member."""

    def __init__(self, roster: TeamsRoster, bot_id: str) -> None:
        self._roster = roster
        self._bot_id = bot_id

    async def open_chat(self, team: InstalledTeam, member: TeamMember) -> OpenedChat:
        if not team.endpoint:
            return OpenedChat(SendOutcome.rejected("the team's install has no service URL"))
        created = await self._roster.create_personal(
            team.endpoint,
            bot_id=self._bot_id,
            member_id=member.user_id,
            tenant_id=team.tenant_id,
        )
        if created.conversation_id is None:
            return OpenedChat(created.outcome)
        return OpenedChat(
            created.outcome,
            created.conversation_id,
            self.reference(team, member, created.conversation_id),
        )

    def reference(
        self, team: InstalledTeam, member: TeamMember, conversation_id: str
    ) -> dict[str, Any]:
        """A conversation reference like the one a turn in that chat would give."""
        conversation: dict[str, Any] = {"id": conversation_id, "conversationType": "personal"}
        if team.tenant_id:
            conversation["tenantId"] = team.tenant_id
        user: dict[str, Any] = {"id": member.user_id}
        if member.directory_id:
            user["aadObjectId"] = member.directory_id
        return {
            "bot": {"id": self._bot_id},
            "user": user,
            "conversation": conversation,
            "channelId": "msteams",
            "serviceUrl": team.endpoint,
        }


class TeamsRosterReader:
    """delivery.roster_sync.RosterReader for Teams: the team's paged member list."""

    def __init__(self, roster: TeamsRoster) -> None:
        self._roster = roster

    async def members(self, team: InstalledTeam) -> list[TeamMember]:
        if not team.endpoint:
            raise RosterUnavailableError("the team's install has no service URL")
        try:
            listed = await self._roster.members(team.endpoint, team.team_id)
        except RosterError as error:
            raise RosterUnavailableError(str(error)) from error
        return [TeamMember(m.user_id, m.aad_object_id, m.role, m.name) for m in listed]


class TeamsRosterEdge:
    """bot.channels.RosterEdge for Teams: one roster client for reading and opening.

    The bot's id in a new chat is 28:<MICROSOFT_APP_ID> (a fixed id in dev mode).
    """

    def __init__(self, settings: Settings) -> None:
        self._roster = TeamsRoster(ConnectorToken(settings).headers)
        self.reader = TeamsRosterReader(self._roster)
        self.opener = TeamsChatOpener(self._roster, f"28:{settings.teams.app_id or 'kompas-dev'}")

    async def close(self) -> None:
        await self._roster.close()
