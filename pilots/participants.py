"""Who takes part in a pilot: the people in this conversation and/or people named on the card."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

from ground.channel_descriptions import built_in_channels
from ground.channels import Channels
from ground.messages import Incoming, Person
from storage.conversation_store import Store
from storage.pilot_records import KnownPerson
from storage.pilot_store import PilotStore

logger = logging.getLogger(__name__)


class ConversationMembers(Protocol):
    """The people in the conversation an event came from (a channel's roster, or who we saw)."""

    async def members(self, incoming: Incoming) -> list[KnownPerson]:
        """Everyone known to be in `incoming`'s conversation."""
        ...


class SeenMembers:
    """Conversation members as Kompas has seen them: whoever wrote, pressed or joined there."""

    def __init__(self, pilots: PilotStore) -> None:
        self._pilots = pilots

    async def members(self, incoming: Incoming) -> list[KnownPerson]:
        return await self._pilots.people_in_conversation(
            incoming.person.channel, incoming.conversation_id
        )


class RosterMembers:
    """Conversation members in a team channel: the team's stored roster (everyone in the
    team who may be messaged, whether or not they ever wrote) and whoever Kompas saw there;
    elsewhere (group chats, no roster yet) only who Kompas saw."""

    def __init__(self, pilots: PilotStore) -> None:
        self._pilots = pilots
        self._seen = SeenMembers(pilots)

    async def members(self, incoming: Incoming) -> list[KnownPerson]:
        seen = await self._seen.members(incoming)
        if not incoming.team_id:
            return seen
        roster = await self._pilots.people_in_team(incoming.person.channel, incoming.team_id)
        known = {person.user_id for person in roster}
        return roster + [person for person in seen if person.user_id not in known]


@dataclass(frozen=True)
class ResolvedParticipants:
    """The participants found, and the names that fit nobody or more than one person."""

    people: tuple[KnownPerson, ...]
    unknown: tuple[str, ...] = ()
    ambiguous: tuple[str, ...] = ()

    @property
    def complete(self) -> bool:
        """True when every name was matched to exactly one person."""
        return not self.unknown and not self.ambiguous


def _matches(candidate: KnownPerson, name: str) -> bool:
    person = candidate.person
    folded = name.casefold()
    return person.user_id == name or person.directory_id == name or person.name.casefold() == folded


class ParticipantResolver:
    """Turns the creation card's participant choices into users rows."""

    def __init__(
        self,
        pilots: PilotStore,
        store: Store,
        members: ConversationMembers,
        channels: Channels | None = None,
    ) -> None:
        self._pilots = pilots
        self._store = store
        self._members = members
        self._channels = channels if channels is not None else built_in_channels()

    async def resolve(
        self, incoming: Incoming, everyone_here: bool, names: Sequence[str]
    ) -> ResolvedParticipants:
        """Everyone here (when asked) plus each named person of the sender's channel.

        In the terminal an unknown name becomes a new CLI user (remember_person); elsewhere
        it is reported, so the ambassador can correct the card.
        """
        found: dict[int, KnownPerson] = {}
        if everyone_here:
            for known in await self._members.members(incoming):
                found[known.user_id] = known
        channel = incoming.person.channel
        candidates = await self._pilots.find_people(channel, names)
        unknown: list[str] = []
        ambiguous: list[str] = []
        for name in names:
            matching = [known for known in candidates if _matches(known, name)]
            exact = [known for known in matching if known.person.user_id == name]
            if exact:
                matching = exact
            if len(matching) == 1:
                found[matching[0].user_id] = matching[0]
            elif matching:
                ambiguous.append(name)
            elif self._channels.of(channel).capabilities.names_are_ids:
                person = Person(channel=channel, user_id=name, name=name)
                user_id = await self._store.remember_person(person)
                found[user_id] = KnownPerson(user_id=user_id, person=person)
            else:
                unknown.append(name)
        if unknown or ambiguous:
            logger.info(
                "pilot participants: %d names unknown, %d ambiguous", len(unknown), len(ambiguous)
            )
        return ResolvedParticipants(
            people=tuple(sorted(found.values(), key=lambda known: known.user_id)),
            unknown=tuple(unknown),
            ambiguous=tuple(ambiguous),
        )
