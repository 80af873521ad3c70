"""'Everyone here' in a team channel means the team's roster, not only who Kompas has met."""

from __future__ import annotations

from digests.digest_store import scrub_withdrawn_quotes
from ground.messages import ConversationType, Incoming, IncomingKind, Person
from pilots.participants import ParticipantResolver, RosterMembers
from storage.conversation_store import Store
from storage.database import Database
from storage.pilot_store import PilotStore
from storage.team_rosters import InstalledTeam, TeamMember, TeamRosterStore

TEAM = "19:hjemmeplejen@thread.tacv2"
CHANNEL_THREAD = f"{TEAM};messageid=1"
METTE = Person("teams", "29:mette", "Mette Jensen", "aad-mette", "tenant")
ANNE = Person("teams", "29:anne", "Anne Holm", "aad-anne", "tenant")  # never wrote in the team
GUEST = Person("teams", "29:gaest", "Gæst Udefra", "aad-gaest", "tenant")
OUTSIDER = Person("teams", "29:ole", "Ole Udenfor", "aad-ole", "tenant")  # not in the team


def event(who: Person, conversation: str, kind: ConversationType, team: str | None) -> Incoming:
    return Incoming(
        kind=IncomingKind.MESSAGE,
        person=who,
        conversation_id=conversation,
        conversation_type=kind,
        text="ny pilot",
        reference={"serviceUrl": "http://127.0.0.1:9/"},
        team_id=team,
    )


async def test_everyone_in_a_team_channel_includes_roster_members_who_never_wrote_there(
    database: Database, store: Store
) -> None:
    rosters = TeamRosterStore(database)
    await rosters.installed(InstalledTeam("teams", TEAM, "Hjemmeplejen", "tenant", "http://x/"))
    await rosters.replace_members(
        "teams",
        TEAM,
        [
            TeamMember(METTE.user_id, METTE.directory_id, "user"),
            TeamMember(ANNE.user_id, ANNE.directory_id, "user"),
            TeamMember(GUEST.user_id, GUEST.directory_id, "guest"),
        ],
    )
    # The roster job opened Anne's and the guest's personal chats would never be opened;
    # Ole has a chat with Kompas but is not in the team. Mette writes in the channel.
    for person in (ANNE, OUTSIDER):
        await store.save_reference(
            event(person, f"a:{person.user_id}", ConversationType.PERSONAL, None)
        )
    mette_in_channel = event(METTE, CHANNEL_THREAD, ConversationType.CHANNEL, TEAM)
    await store.save_reference(mette_in_channel)

    pilots = PilotStore(database, scrub_withdrawn_quotes)
    resolver = ParticipantResolver(pilots, store, RosterMembers(pilots))
    found = await resolver.resolve(mette_in_channel, everyone_here=True, names=())
    names = sorted(known.person.name for known in found.people)
    assert names == ["Anne Holm", "Mette Jensen"]  # not the guest, not Ole
    anne = next(known for known in found.people if known.person.user_id == ANNE.user_id)
    assert anne.personal_conversation_id == f"a:{ANNE.user_id}"  # her check-ins can go there

    # Anne leaves the team: she is no longer "everyone here".
    await rosters.replace_members("teams", TEAM, [TeamMember(METTE.user_id, "aad-mette", "user")])
    again = await resolver.resolve(mette_in_channel, everyone_here=True, names=())
    assert [known.person.name for known in again.people] == ["Mette Jensen"]


async def test_a_group_chat_without_a_team_is_still_who_kompas_saw(
    database: Database, store: Store
) -> None:
    group = event(METTE, "19:group-chat", ConversationType.GROUP, None)
    await store.save_reference(group)
    await store.save_reference(event(ANNE, "19:group-chat", ConversationType.GROUP, None))
    await store.save_reference(event(OUTSIDER, "a:ole", ConversationType.PERSONAL, None))
    pilots = PilotStore(database, scrub_withdrawn_quotes)
    found = await ParticipantResolver(pilots, store, RosterMembers(pilots)).resolve(
        group, everyone_here=True, names=()
    )
    assert sorted(known.person.name for known in found.people) == ["Anne Holm", "Mette Jensen"]
