"""Who of the organisation tree Kompas can reach, read from the stored chats and team rosters."""

from __future__ import annotations

from dataclasses import dataclass

from organisation.model import OrgTree
from organisation.reach import ReachKind, reach_of
from storage.conversation_store import Store
from storage.database import Database
from storage.team_rosters import TeamRosterStore

CHANNEL = "teams"  # team rosters and Entra ID object ids
SLACK = "slack"  # people found by their profile's e-mail (bot/slack/people.py)


@dataclass(frozen=True)
class Reached:
    """The tree's person ids reached personally and via a team, and reachable people the tree
    does not know (not matched to any person of it)."""

    personal: frozenset[str]
    team: frozenset[str]
    outside: int

    def kinds(self, tree: OrgTree) -> dict[str, ReachKind]:
        """How each person of the tree is reached (the best way there is)."""
        return {person: reach_of(person, self.personal, self.team) for person in tree.people}


async def reached(database: Database, tree: OrgTree) -> Reached:
    """Everyone Kompas can reach: on Teams matched to the tree by directory id or user id, on
    Slack by e-mail address."""
    store = Store(database)
    personal_people = await store.personal_people(CHANNEL)
    slack_people = await store.personal_people(SLACK)
    rosters = TeamRosterStore(database)
    team_members = [
        member
        for team in await rosters.teams(CHANNEL)
        for member in await rosters.members(CHANNEL, team.team_id)
        if member.messaged
    ]
    by_directory = {p.directory_id.lower(): p.id for p in tree.people.values() if p.directory_id}
    by_user = {p.teams_user_id: p.id for p in tree.people.values() if p.teams_user_id}

    def person_of(user_id: str, directory_id: str | None) -> str | None:
        if directory_id and directory_id.lower() in by_directory:
            return by_directory[directory_id.lower()]
        return by_user.get(user_id)

    by_email = {p.email.lower(): p.id for p in tree.people.values() if p.email}
    known = {*personal_people, *((m.user_id, m.directory_id) for m in team_members)}
    personal = {person_of(u, d) for u, d in personal_people}
    personal |= {by_email.get((email or "").lower()) for _, email in slack_people}
    team = {person_of(m.user_id, m.directory_id) for m in team_members}
    outside = len({u for u, d in known if person_of(u, d) is None})
    outside += len({u for u, email in slack_people if (email or "").lower() not in by_email})
    return Reached(
        personal=frozenset(p for p in personal if p),
        team=frozenset(p for p in team if p),
        outside=outside,
    )
