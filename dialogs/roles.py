"""Which roles the person behind an incoming event has (organisation import + settings)."""

from __future__ import annotations

from dataclasses import dataclass

from dialogs.base import DialogDeps
from ground.messages import Person


@dataclass(frozen=True)
class PersonRoles:
    """The roles that unlock commands beyond a medarbejder's."""

    ambassador: bool
    leader: bool
    admin: bool


async def roles_of(deps: DialogDeps, person: Person) -> PersonRoles:
    """Look the person up in the stored organisation; KOMPAS_AMBASSADORS also count."""
    configured = deps.settings.is_ambassador(person.user_id, person.directory_id)
    roles = await deps.roles.current()
    return PersonRoles(
        ambassador=configured or roles.is_ambassador(person),
        leader=roles.is_leader(person),
        admin=roles.is_admin(person),
    )
