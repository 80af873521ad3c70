"""Who may do what: matches a channel Person to the organisation and answers role questions."""

from __future__ import annotations

import logging
from collections.abc import Iterable
from types import MappingProxyType

from ground.channel_descriptions import built_in_channels
from ground.channels import Channels, Contact
from ground.messages import Person
from organisation.model import OrgPerson, OrgTree, Role
from organisation.tree_store import OrganisationStore

logger = logging.getLogger(__name__)


def org_keys(person: OrgPerson) -> dict[str, str]:
    """The keys a channel may find `person` under (PersonIdentity names them), when set."""
    keys = {
        "directory_id": person.directory_id,
        "teams_user_id": person.teams_user_id,
        "email": person.email,
        "email_name": person.email.split("@", 1)[0],
    }
    return {key: value for key, value in keys.items() if value}


def _person_id(person: Person, which: str) -> str | None:
    return person.directory_id if which == "directory_id" else person.user_id


class NotAllowedError(Exception):
    """Someone tried an action their role does not allow (the edges answer politely)."""

    def __init__(self, role: Role, person: Person) -> None:
        self.role = role
        self.person = person
        super().__init__(f"{person.channel}:{person.user_id} is not {role.value}")


class Roles:
    """Role answers for channel people, from the organisation tree.

    A Person is matched to an org person the way their channel says (Channel.identity):
    Teams by directory (Entra ID object) id, then Teams user id; the terminal by e-mail
    address or the part before the @. `configured_ambassadors` (Settings.ambassadors: user
    ids, directory ids or CLI names) stay a fallback for the ambassador role, so Kompas
    works before the first organisation import.
    """

    def __init__(
        self,
        tree: OrgTree,
        configured_ambassadors: Iterable[str] = (),
        channels: Channels | None = None,
    ) -> None:
        self.tree = tree
        channels = channels if channels is not None else built_in_channels()
        self._channels = channels
        self._ambassadors = frozenset(configured_ambassadors)
        folded: frozenset[str] = frozenset().union(
            *(channel.identity.folded_keys for channel in channels.values())
        )
        self._folded = folded
        index: dict[str, dict[str, OrgPerson]] = {}
        for person in tree.people.values():
            for key, value in org_keys(person).items():
                by_value = index.setdefault(key, {})
                value = value.lower() if key in folded else value
                if key == "email_name":  # the first person with that name keeps it
                    by_value.setdefault(value, person)
                else:
                    by_value[value] = person
        self._index = MappingProxyType(index)

    def find(self, person: Person) -> OrgPerson | None:
        """The org person behind a channel Person, None when they are not in the tree."""
        identity = self._channels.of(person.channel).identity
        for key, which in identity.lookups:
            value = _person_id(person, which)
            if not value:
                continue
            if key in self._folded:
                value = value.lower()
            found = self._index.get(key, {}).get(value)
            if found is not None:
                return found
        return None

    def contact(self, person: OrgPerson, channel: str) -> Contact:
        """`person` as someone to chat with on `channel`: e-mail, directory id, and the id the
        channel knows them by (the org key its identity looks user ids up under, if set)."""
        keys = org_keys(person)
        lookups = self._channels.of(channel).identity.lookups
        user_id = next(
            (keys[key] for key, which in lookups if which == "user_id" and key in keys), ""
        )
        return Contact(person.name, person.email, person.directory_id, user_id)

    def has(self, role: Role, person: Person) -> bool:
        """True when `person` holds `role` (everyone is a medarbejder)."""
        if role is Role.EMPLOYEE:
            return True
        if role is Role.AMBASSADOR and self._configured_ambassador(person):
            return True
        found = self.find(person)
        return found is not None and found.has(role)

    def _configured_ambassador(self, person: Person) -> bool:
        identities = (person.user_id, person.directory_id)
        return any(identity in self._ambassadors for identity in identities if identity)

    def is_ambassador(self, person: Person) -> bool:
        """An AI-ambassador in the tree, or configured in KOMPAS_AMBASSADORS."""
        return self.has(Role.AMBASSADOR, person)

    def is_admin(self, person: Person) -> bool:
        """An admin (digitaliseringskonsulent) in the tree."""
        return self.has(Role.ADMIN, person)

    def is_leader(self, person: Person) -> bool:
        """Leads at least one unit."""
        return bool(self.led_units(person))

    def led_units(self, person: Person) -> frozenset[str]:
        """The units `person` is the leader of (empty for everyone else)."""
        found = self.find(person)
        return found.leads if found is not None else frozenset()

    def units_visible_to(self, person: Person) -> frozenset[str]:
        """The units whose digest `person` may see: the units they lead and all below them."""
        visible: set[str] = set()
        for unit_id in self.led_units(person):
            visible |= self.tree.subtree(unit_id)
        return frozenset(visible)

    def require(self, role: Role, person: Person) -> OrgPerson | None:
        """Raise NotAllowedError unless `person` holds `role`; returns their org person."""
        if not self.has(role, person):
            logger.info("refused %s:%s the role %s", person.channel, person.user_id, role.value)
            raise NotAllowedError(role, person)
        return self.find(person)

    def require_unit(self, unit_id: str, person: Person) -> OrgPerson:
        """Raise NotAllowedError unless `unit_id` is visible to `person` (a leader above it)."""
        found = self.find(person)
        if found is None or unit_id not in self.units_visible_to(person):
            raise NotAllowedError(Role.LEADER, person)
        return found


class RoleBook:
    """The roles of channel people against the newest imported tree; built once per process.

    The Roles index is rebuilt only when an import replaced the tree.
    """

    def __init__(
        self,
        organisation: OrganisationStore,
        configured_ambassadors: Iterable[str] = (),
        channels: Channels | None = None,
    ) -> None:
        self.organisation = organisation
        self.channels = channels if channels is not None else built_in_channels()
        self._ambassadors = frozenset(configured_ambassadors)
        self._roles: Roles | None = None

    async def current(self) -> Roles:
        """Roles over the newest imported tree."""
        return self.of(await self.organisation.load_tree())

    def of(self, tree: OrgTree) -> Roles:
        """Roles over `tree` (reused while the tree is the same)."""
        roles = self._roles
        if roles is None or roles.tree is not tree:
            roles = self._roles = Roles(tree, self._ambassadors, self.channels)
        return roles
