"""Opens a personal Teams chat with a team member and shapes its conversation reference."""

from __future__ import annotations

from typing import Any

from bot.teams.roster import TeamsRoster
from delivery.chat_opening import OpenedChat
from delivery.transport import SendOutcome
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
