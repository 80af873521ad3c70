"""Incoming events as a Teams user would produce them, for dialog tests."""

from __future__ import annotations

from ground.messages import Action, ConversationType, Incoming, IncomingKind, Person

MEDARBEJDER = Person(channel="teams", user_id="29:mette", name="Mette Hansen", tenant_id="t1")
KOLLEGA = Person(channel="teams", user_id="29:jonas", name="Jonas Berg", tenant_id="t1")


def message(text: str, person: Person = MEDARBEJDER) -> Incoming:
    return Incoming(
        kind=IncomingKind.MESSAGE,
        person=person,
        conversation_id=f"a:{person.user_id}",
        conversation_type=ConversationType.PERSONAL,
        text=text,
        reference={"conversation": {"id": f"a:{person.user_id}"}},
        endpoint="http://127.0.0.1:1/",
    )


def press(action: Action, person: Person = MEDARBEJDER) -> Incoming:
    return Incoming(
        kind=IncomingKind.SUBMIT,
        person=person,
        conversation_id=f"a:{person.user_id}",
        value={"verb": action.verb, **action.data},
    )
