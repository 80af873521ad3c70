"""The team roster store on SQLite and PostgreSQL: installs, refreshes, leavers, erasure."""

from __future__ import annotations

import pytest

from storage.database import Database
from storage.team_rosters import InstalledTeam, TeamMember, TeamRosterStore

TEAM = InstalledTeam("teams", "19:hjemmepleje", "Hjemmeplejen", "tenant-1", "https://smba/")


async def test_a_refresh_adds_joiners_and_marks_leavers(database: Database) -> None:
    rosters = TeamRosterStore(database)
    await rosters.installed(TEAM)
    first = await rosters.replace_members(
        "teams", TEAM.team_id, [TeamMember("29:a", "aad-a"), TeamMember("29:b", None, "guest")]
    )
    assert sorted(first.joined) == ["29:a", "29:b"] and first.left == ()
    second = await rosters.replace_members(
        "teams", TEAM.team_id, [TeamMember("29:b", None, "guest"), TeamMember("29:c", "aad-c")]
    )
    assert (second.joined, second.left) == (("29:c",), ("29:a",))
    assert [m.user_id for m in await rosters.members("teams", TEAM.team_id)] == ["29:b", "29:c"]
    back = await rosters.replace_members("teams", TEAM.team_id, [TeamMember("29:a", "aad-a")])
    assert back.joined == ("29:a",) and sorted(back.left) == ["29:b", "29:c"]


async def test_removing_kompas_from_a_team_leaves_nobody_reached_through_it(
    database: Database,
) -> None:
    rosters = TeamRosterStore(database)
    await rosters.installed(TEAM)
    await rosters.replace_members("teams", TEAM.team_id, [TeamMember("29:a")])
    await rosters.removed("teams", TEAM.team_id)
    assert await rosters.teams("teams") == []
    assert await rosters.members("teams", TEAM.team_id) == []
    await rosters.installed(TEAM)  # added again
    assert await rosters.teams("teams") == [TEAM]


async def test_a_refresh_of_a_team_never_installed_is_refused(database: Database) -> None:
    with pytest.raises(LookupError):
        await TeamRosterStore(database).replace_members("teams", "19:other", [])


async def test_erasure_removes_the_person_from_every_roster(database: Database) -> None:
    rosters = TeamRosterStore(database)
    await rosters.installed(TEAM)
    await rosters.replace_members("teams", TEAM.team_id, [TeamMember("29:a"), TeamMember("29:b")])
    async with database.transaction() as connection:
        assert await rosters.forget_person(connection, ["29:a"]) == 1
    assert [m.user_id for m in await rosters.members("teams", TEAM.team_id)] == ["29:b"]
