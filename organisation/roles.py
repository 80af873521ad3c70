"""Who may do what: matches a channel Person to the organisation and answers role questions."""

from __future__ import annotations

import logging
from collections.abc import Iterable
from types import MappingProxyType

from ground.messages import Person
from organisation.model import OrgPerson, OrgTree, Role

logger = logging.getLogger(__name__)

CLI_CHANNEL = "cli"


class NotAllowedError(Exception):
    """Someone tried an action their role does not allow (the edges answer politely)."""

    def __init__(self, role: Role, person: Person) -> None:
        self.role = role
        self.person = person
        super().__init__(f"{person.channel}:{person.user_id} is not {role.value}")


class Roles:
    """Role answers for channel people, from the organisation tree.

    A Person is matched to an org person by AAD object id, then by Teams user id, and in the
    CLI channel by e-mail address or the part before the @. `configured_ambassadors`
    (Settings.ambassadors: Teams user ids, AAD object ids or CLI names) stay a fallback for
    the ambassador role, so Kompas works before the first organisation import.
    """

    def __init__(self, tree: OrgTree, configured_ambassadors: Iterable[str] = ()) -> None:
        self.tree = tree
        self._ambassadors = frozenset(configured_ambassadors)
        by_aad: dict[str, OrgPerson] = {}
        by_teams: dict[str, OrgPerson] = {}
        by_cli: dict[str, OrgPerson] = {}
        for person in tree.people.values():
            if person.aad_object_id:
                by_aad[person.aad_object_id.lower()] = person
            if person.teams_user_id:
                by_teams[person.teams_user_id] = person
            if person.email:
                email = person.email.lower()
                by_cli[email] = person
                by_cli.setdefault(email.split("@", 1)[0], person)
        self._by_aad = MappingProxyType(by_aad)
        self._by_teams = MappingProxyType(by_teams)
        self._by_cli = MappingProxyType(by_cli)

    def find(self, person: Person) -> OrgPerson | None:
        """The org person behind a channel Person, None when they are not in the tree."""
        if person.aad_object_id:
            found = self._by_aad.get(person.aad_object_id.lower())
            if found is not None:
                return found
        if person.channel == CLI_CHANNEL:
            return self._by_cli.get(person.user_id.lower())
        return self._by_teams.get(person.user_id)

    def has(self, role: Role, person: Person) -> bool:
        """True when `person` holds `role` (everyone is a medarbejder)."""
        if role is Role.EMPLOYEE:
            return True
        if role is Role.AMBASSADOR and self._configured_ambassador(person):
            return True
        found = self.find(person)
        return found is not None and found.has(role)

    def _configured_ambassador(self, person: Person) -> bool:
        identities = (person.user_id, person.aad_object_id)
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
