"""`kompas reach` against a real database: people by unit, personal chat or via a team."""

from __future__ import annotations

from ground.messages import ConversationType, Incoming, IncomingKind, Person
from organisation.loading import load_organisation
from organisation.tree_store import OrganisationStore
from storage.conversation_store import Store
from storage.database import Database
from storage.team_rosters import InstalledTeam, TeamMember, TeamRosterStore
from tests.bot.test_cli import kompas
from tests.paths import PROJECT_ROOT

ANNA = "00000000-0000-4000-8000-000000000001"  # p001 in content/org.yml
P002 = "00000000-0000-4000-8000-000000000002"
P003 = "00000000-0000-4000-8000-000000000003"


async def test_reach_counts_each_person_once_by_the_best_way(
    database: Database, database_url: str
) -> None:
    tree = load_organisation(PROJECT_ROOT / "content" / "org.yml")
    await OrganisationStore(database).replace_tree(tree, "content/org.yml")
    store = Store(database)
    await store.save_reference(
        Incoming(
            IncomingKind.MESSAGE,
            Person("teams", "29:anna", "Anna", directory_id=ANNA),
            "a:anna",
            ConversationType.PERSONAL,
        )
    )
    rosters = TeamRosterStore(database)
    team = InstalledTeam("teams", "19:team", "Direktionen", None, "https://smba/")
    await rosters.installed(team)
    await rosters.replace_members(
        "teams",
        team.team_id,
        [
            TeamMember("29:anna", ANNA),  # counted as personal, not twice
            TeamMember("29:p2", P002),
            TeamMember("29:p3", P003, "guest"),  # never messaged: not reached
            TeamMember("29:stranger", "ffff"),  # not in the tree
        ],
    )

    result = kompas("reach", env={"DATABASE_URL": database_url})

    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0].split() == [
        "unit",
        "people",
        "personal",
        "via",
        "team",
        "not",
        "reached",
        "reached",
    ]
    top = lines[1].split()
    people = len(tree.people)
    assert top[-5:] == [str(people), "1", "1", str(people - 2), f"{round(200 / people)}%"]
    assert lines[-1] == "1 reachable people are not in the organisation tree."


def test_reach_without_an_organisation_says_what_to_do(database_url: str) -> None:
    result = kompas("reach", env={"DATABASE_URL": database_url})

    assert result.returncode == 0, result.stderr
    assert "kompas org import" in result.stdout
