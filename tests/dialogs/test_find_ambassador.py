""" "Hvem er AI-ambassadør hos os?" through the real router: routing, the answer, the fallbacks."""

from __future__ import annotations

import pytest

from dialogs.router import Router
from ground.messages import Person, Reply
from ground.settings import Contacts
from organisation.model import OrgPerson, OrgTree, Role, Unit, UnitKind
from organisation.tree_store import OrganisationStore
from storage.database import Database
from tests.dialogs.conftest import MakeRouter
from tests.dialogs.helpers import MEDARBEJDER, message

AMBASSADOR = frozenset({Role.AMBASSADOR})
CONTACT = "Teams-kanalen AI-ambassadører"


def tree(mette_unit: str = "hs") -> OrgTree:
    """A kommune where Mette (MEDARBEJDER, found by her Teams user id) sits in `mette_unit`."""
    return OrgTree.build(
        [
            Unit("k", "Kommunen", UnitKind.DIRECTORATE),
            Unit("s", "Social og Sundhed", UnitKind.CENTRE, "k"),
            Unit("hn", "Hjemmepleje Nord", UnitKind.TEAM, "s"),
            Unit("hs", "Hjemmepleje Syd", UnitKind.TEAM, "s"),
            Unit("x", "Selvejende institution", UnitKind.UNIT),
        ],
        [
            OrgPerson("mette", "Mette Hansen", mette_unit, teams_user_id=MEDARBEJDER.user_id),
            OrgPerson(
                "rikke", "Rikke Prøvesen", "hs", "rikke.proevesen@k.example", roles=AMBASSADOR
            ),
            OrgPerson(
                "sofus",
                "Sofus Sørensen",
                "hs",
                "sofus@k.example",
                roles=AMBASSADOR,
                focus=("sagsbehandling", "persondata"),
            ),
            OrgPerson("maja", "Maja Modelby", "hn", "maja@k.example", roles=AMBASSADOR),
        ],
    )


async def import_tree(database: Database, org: OrgTree) -> None:
    await OrganisationStore(database).replace_tree(org, "test")


def text_of(reply: Reply) -> str:
    assert reply.card is not None
    return reply.card.sections[0].text


@pytest.mark.parametrize(
    ("text", "dialog"),
    [
        ("hvem er AI-ambassadør hos os?", "find_ambassador"),
        ("Hvem er vores AI-ambassadør", "find_ambassador"),
        ("findes der en AI-ambassadør i min afdeling", "find_ambassador"),
        ("hvem kan jeg spørge om AI her", "find_ambassador"),
        ("kontakt til ambassadør", "find_ambassador"),
        ("må en AI-ambassadør se mine data?", "ask"),
        ("hvad laver en AI-ambassadør?", "ask"),
        ("hvordan bliver jeg AI-ambassadør?", "ask"),
        ("hjælp", "help"),  # a command wins
    ],
)
def test_the_request_is_routed_by_its_words(router: Router, text: str, dialog: str) -> None:
    assert router.dialog_name(message(text)) == dialog


async def test_the_ambassadors_of_the_own_unit_with_chat_links(
    router: Router, database: Database
) -> None:
    await import_tree(database, tree("hs"))

    [reply] = await router.handle(message("hvem er AI-ambassadør hos os?"))

    assert reply.card is not None and reply.card.title == "AI-ambassadører tæt på dig"
    text = text_of(reply)
    assert "**Hjemmepleje Syd**" in text
    link = "https://teams.microsoft.com/l/chat/0/0?users=rikke.proevesen%40k.example"
    assert f"[Rikke Prøvesen]({link})" in text
    assert text.index("Rikke") < text.index("Sofus")  # the file's order without a last topic
    assert "Maja" not in text  # another team: not named when the own unit has some
    assert "sagsbehandling og persondata" in text


async def test_without_one_in_the_own_unit_the_nearest_above_and_its_name(
    router: Router, database: Database
) -> None:
    await import_tree(database, tree("s"))  # Mette sits in the centre itself: all below count
    [own] = await router.handle(message("hvem er vores ai-ambassadør"))
    assert "**Social og Sundhed**" in text_of(own) and "Maja Modelby" in text_of(own)

    moved = OrgTree.build(
        [*tree().units.values(), Unit("hv", "Hjemmepleje Vest", UnitKind.TEAM, "s")],
        [*(p for p in tree().people.values() if p.id != "mette"),
         OrgPerson("mette", "Mette Hansen", "hv", teams_user_id=MEDARBEJDER.user_id)],
    )  # fmt: skip
    await import_tree(database, moved)
    [reply] = await router.handle(message("findes der en AI-ambassadør i min afdeling"))

    text = text_of(reply)
    assert "ingen AI-ambassadør i **Hjemmepleje Vest**" in text
    assert "hører til **Social og Sundhed**" in text
    assert "Maja Modelby" in text and "Hjemmepleje Nord" in text  # each one's own unit


async def test_the_topic_of_the_last_question_puts_matching_focus_first(
    router: Router, database: Database
) -> None:
    await import_tree(database, tree("hs"))
    [answer] = await router.handle(message("Må jeg skrive et CPR-nummer i ChatGPT?"))
    assert answer.card is not None and answer.card.title == "Persondata og CPR-numre"

    [reply] = await router.handle(message("hvem kan jeg spørge om AI her"))

    text = text_of(reply)
    assert text.index("Sofus") < text.index("Rikke")  # persondata is Sofus's focus
    assert "**Persondata og CPR-numre**" in text


async def test_someone_not_in_the_tree_is_told_so_and_gets_the_contact(
    make_router: MakeRouter, database: Database
) -> None:
    router = make_router(contacts=Contacts(ambassadors=CONTACT))
    [empty] = await router.handle(message("hvem er AI-ambassadør hos os?"))
    await import_tree(database, tree("hs"))
    stranger = Person("teams", "29:stranger", "Ukendt Person", tenant_id="t1")
    [outside] = await router.handle(message("hvem er AI-ambassadør hos os?", stranger))

    assert empty.card is None and "kender ikke kommunens organisation" in empty.text
    assert outside.card is None and "kan ikke finde dig" in outside.text
    assert CONTACT in empty.text and CONTACT in outside.text


async def test_nobody_up_the_tree_points_to_the_leader_without_a_contact(
    router: Router, database: Database
) -> None:
    await import_tree(database, tree("x"))

    [reply] = await router.handle(message("hvem er AI-ambassadør hos os?"))

    assert reply.card is None
    assert "nogen AI-ambassadør i din enhed" in reply.text and "leder" in reply.text


async def test_in_the_terminal_the_e_mail_address_instead_of_a_link(
    router: Router, database: Database
) -> None:
    org = tree("hs")
    terminal = OrgPerson("ane", "Ane", "hs", "ane@k.example")
    await import_tree(database, OrgTree.build(org.units.values(), [*org.people.values(), terminal]))

    [reply] = await router.handle(message("hvem er AI-ambassadør hos os?", Person("cli", "ane")))

    text = text_of(reply)
    assert "**Rikke Prøvesen** (rikke.proevesen@k.example)" in text
    assert "https://" not in text
