"""Matching channel people to the organisation, and role questions."""

from __future__ import annotations

from dataclasses import replace

import pytest

from ground.channel_descriptions import built_in_channels
from ground.channels import Channel, Channels, Contact, PersonIdentity
from ground.messages import Person
from organisation.loading import load_organisation
from organisation.model import OrgTree, Role
from organisation.roles import NotAllowedError, Roles
from tests.paths import PROJECT_ROOT

TREE = load_organisation(PROJECT_ROOT / "content" / "org.yml")


def test_people_are_matched_by_aad_id_teams_id_and_cli_name() -> None:
    roles = Roles(TREE)
    anna = TREE.people["p001"]
    assert roles.find(Person("teams", "29:x", directory_id=anna.directory_id.upper())) == anna
    assert roles.find(Person("cli", anna.email)) == anna
    assert roles.find(Person("cli", anna.email.split("@")[0])) == anna
    assert roles.find(Person("teams", anna.email)) is None  # e-mail only counts in the CLI
    assert roles.find(Person("cli", "stranger")) is None


def test_leaders_see_their_units_and_everything_below() -> None:
    roles = Roles(TREE)
    centre_chief = TREE.people[TREE.leaders_of("c-social")[0]]
    person = Person("cli", centre_chief.email)
    assert roles.led_units(person) == {"c-social"}
    assert roles.units_visible_to(person) == TREE.subtree("c-social")
    assert roles.is_leader(person)
    assert roles.require_unit("t-hjem-nord", person) == centre_chief
    with pytest.raises(NotAllowedError):
        roles.require_unit("c-borger", person)


def test_roles_and_the_configured_ambassadors_fallback() -> None:
    roles = Roles(TREE, configured_ambassadors={"29:configured"})
    admin = next(p for p in TREE.people.values() if Role.ADMIN in p.roles)
    employee = next(p for p in TREE.people.values() if p.roles == {Role.EMPLOYEE})
    assert roles.is_admin(Person("cli", admin.email))
    assert not roles.is_admin(Person("cli", employee.email))
    assert roles.is_ambassador(Person("teams", "29:configured"))
    assert not roles.is_ambassador(Person("cli", employee.email))
    assert roles.has(Role.EMPLOYEE, Person("cli", "anyone"))
    assert roles.require(Role.ADMIN, Person("cli", admin.email)) == admin
    with pytest.raises(NotAllowedError) as error:
        roles.require(Role.ADMIN, Person("cli", employee.email))
    assert error.value.role is Role.ADMIN
    assert roles.units_visible_to(Person("cli", employee.email)) == frozenset()


def test_a_channel_names_how_its_people_are_found() -> None:
    workspace = Channel(
        "workspace",
        identity=PersonIdentity(lookups=(("email", "user_id"),), folded_keys=frozenset({"email"})),
    )
    roles = Roles(TREE, channels=Channels((*built_in_channels().values(), workspace)))
    anna = TREE.people["p001"]
    assert roles.find(Person("workspace", anna.email.upper())) == anna
    assert roles.find(Person("workspace", anna.email.split("@")[0])) is None  # not its way
    assert roles.find(Person("unknown", anna.email)) is None  # a channel nobody described


def test_a_contact_carries_the_id_each_channel_knows_the_person_by() -> None:
    maja = replace(TREE.people["p013"], teams_user_id="29:maja")
    roles = Roles(OrgTree.build(TREE.units.values(), [maja]))

    teams = roles.contact(maja, "teams")
    assert teams == Contact(maja.name, maja.email, maja.directory_id, "29:maja")
    assert roles.contact(maja, "cli").user_id == maja.email  # the terminal's name is the e-mail
    assert roles.contact(maja, "slack").user_id == ""  # nobody described how Slack finds her
    without = replace(maja, teams_user_id="")
    assert roles.contact(without, "teams").user_id == ""
