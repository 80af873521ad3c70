"""Stores the teams Kompas is installed in and who is in them, for reaching every member."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import delete, insert, or_, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from ground.clock import utc_now
from storage.database import Database
from storage.models_teams import MAX_TEAM_NAME_CHARS, TeamInstallRow, TeamMemberRow

logger = logging.getLogger(__name__)

NOT_MESSAGED_ROLES = frozenset({"guest", "anonymous"})  # Teams' userRole of outside people


@dataclass(frozen=True)
class TeamMember:
    """A member as a roster lists them: the channel's user id, the directory id, the role."""

    user_id: str
    directory_id: str | None = None
    role: str = ""
    name: str = ""  # as the roster lists it; used for a welcome, never stored

    @property
    def messaged(self) -> bool:
        """Whether Kompas may start a personal chat with them (guests are never messaged)."""
        return self.role not in NOT_MESSAGED_ROLES


@dataclass(frozen=True)
class InstalledTeam:
    """A team Kompas is installed in."""

    channel: str
    team_id: str
    name: str
    tenant_id: str | None
    endpoint: str | None  # the channel service hosting the team (Teams: its service URL)


@dataclass(frozen=True)
class RosterChange:
    """What replacing a team's roster changed: user ids that joined and that left."""

    joined: tuple[str, ...]
    left: tuple[str, ...]


class TeamRosterStore:
    """team_installs and team_members; a member who leaves keeps a row with left_at set."""

    def __init__(self, database: Database) -> None:
        self._database = database

    async def installed(self, team: InstalledTeam) -> None:
        """Record (or renew) an installation in a team; its roster is due to be read."""
        async with self._database.transaction() as connection:
            row_id = await self._team_id(connection, team.channel, team.team_id)
            values = {
                "name": team.name[:MAX_TEAM_NAME_CHARS],  # a name is shown, not matched
                "tenant_id": team.tenant_id,
                "service_url": team.endpoint,
                "removed_at": None,
                "refreshed_at": None,
            }
            if row_id is None:
                await connection.execute(
                    insert(TeamInstallRow).values(
                        channel=team.channel, team_id=team.team_id, installed_at=utc_now(), **values
                    )
                )
            else:
                await connection.execute(
                    update(TeamInstallRow).where(TeamInstallRow.id == row_id).values(**values)
                )

    async def removed(self, channel: str, team_id: str) -> None:
        """Kompas was removed from the team: nobody is reached through it any more."""
        now = utc_now()
        async with self._database.transaction() as connection:
            row_id = await self._team_id(connection, channel, team_id)
            if row_id is None:
                return
            await connection.execute(
                update(TeamInstallRow).where(TeamInstallRow.id == row_id).values(removed_at=now)
            )
            await connection.execute(
                update(TeamMemberRow)
                .where(TeamMemberRow.team_install_id == row_id, TeamMemberRow.left_at.is_(None))
                .values(left_at=now)
            )

    async def roster_changed(self, channel: str, team_id: str) -> bool:
        """Someone joined or left the team: its roster is due to be read again.

        False when Kompas is not installed in that team.
        """
        statement = (
            update(TeamInstallRow)
            .where(
                TeamInstallRow.channel == channel,
                TeamInstallRow.team_id == team_id,
                TeamInstallRow.removed_at.is_(None),
            )
            .values(refreshed_at=None)
        )
        async with self._database.transaction() as connection:
            result = await connection.execute(statement)
        return bool(result.rowcount)

    async def due(self, channel: str, read_before: datetime) -> list[InstalledTeam]:
        """Installed teams whose roster was never read, or last read before `read_before`."""
        query = select(TeamInstallRow).where(
            TeamInstallRow.channel == channel,
            TeamInstallRow.removed_at.is_(None),
            or_(
                TeamInstallRow.refreshed_at.is_(None),
                TeamInstallRow.refreshed_at < read_before,
            ),
        )
        async with self._database.transaction() as connection:
            rows = (await connection.execute(query.order_by(TeamInstallRow.id))).all()
        return [_team(row) for row in rows]

    async def teams(self, channel: str) -> list[InstalledTeam]:
        """The teams Kompas is installed in now."""
        query = select(TeamInstallRow).where(
            TeamInstallRow.channel == channel, TeamInstallRow.removed_at.is_(None)
        )
        async with self._database.transaction() as connection:
            rows = (await connection.execute(query)).all()
        return [_team(row) for row in rows]

    async def replace_members(
        self, channel: str, team_id: str, members: Sequence[TeamMember]
    ) -> RosterChange:
        """The team's roster is now `members`: new ones are added, absent ones have left."""
        now = utc_now()
        listed = {member.user_id: member for member in members if member.user_id}
        async with self._database.transaction() as connection:
            row_id = await self._team_id(connection, channel, team_id)
            if row_id is None:
                raise LookupError(f"Kompas is not installed in team {team_id!r}")
            stored = {
                row.user_id: row
                for row in (
                    await connection.execute(
                        select(TeamMemberRow).where(TeamMemberRow.team_install_id == row_id)
                    )
                ).all()
            }
            joined = []
            for user_id, member in listed.items():
                row = stored.get(user_id)
                values = {"directory_id": member.directory_id, "role": member.role}
                if row is None:
                    await connection.execute(
                        insert(TeamMemberRow).values(
                            team_install_id=row_id, user_id=user_id, added_at=now, **values
                        )
                    )
                    joined.append(user_id)
                    continue
                if row.left_at is not None:
                    joined.append(user_id)
                await connection.execute(
                    update(TeamMemberRow)
                    .where(TeamMemberRow.id == row.id)
                    .values(left_at=None, **values)
                )
            left = [u for u, row in stored.items() if u not in listed and row.left_at is None]
            if left:
                await connection.execute(
                    update(TeamMemberRow)
                    .where(TeamMemberRow.team_install_id == row_id, TeamMemberRow.user_id.in_(left))
                    .values(left_at=now)
                )
            await connection.execute(
                update(TeamInstallRow).where(TeamInstallRow.id == row_id).values(refreshed_at=now)
            )
        logger.info(
            "team roster refreshed: %d members, %d joined, %d left", len(listed), len(joined),
            len(left),
        )  # fmt: skip
        return RosterChange(tuple(joined), tuple(left))

    async def members(self, channel: str, team_id: str) -> list[TeamMember]:
        """The team's current members (not those who left), guests included."""
        query = (
            select(TeamMemberRow)
            .join(TeamInstallRow, TeamInstallRow.id == TeamMemberRow.team_install_id)
            .where(
                TeamInstallRow.channel == channel,
                TeamInstallRow.team_id == team_id,
                TeamInstallRow.removed_at.is_(None),
                TeamMemberRow.left_at.is_(None),
            )
            .order_by(TeamMemberRow.id)
        )
        async with self._database.transaction() as connection:
            rows = (await connection.execute(query)).all()
        return [TeamMember(row.user_id, row.directory_id, row.role) for row in rows]

    async def forget_person(self, connection: AsyncConnection, user_ids: Sequence[str]) -> int:
        """Delete every roster row of a person (erasure), inside the caller's transaction."""
        if not user_ids:
            return 0
        result = await connection.execute(
            delete(TeamMemberRow).where(TeamMemberRow.user_id.in_(list(user_ids)))
        )
        return int(result.rowcount or 0)

    @staticmethod
    async def _team_id(connection: AsyncConnection, channel: str, team_id: str) -> int | None:
        query = select(TeamInstallRow.id).where(
            TeamInstallRow.channel == channel, TeamInstallRow.team_id == team_id
        )
        return (await connection.execute(query)).scalar_one_or_none()


def _team(row: Any) -> InstalledTeam:
    return InstalledTeam(row.channel, row.team_id, row.name, row.tenant_id, row.service_url)
