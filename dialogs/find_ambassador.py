"""Answers "hvem er AI-ambassadør hos os?": the nearest AI-ambassadors, each with a chat link."""

from __future__ import annotations

import logging
from typing import Any

from dialogs.base import DialogDeps
from dialogs.forwarding import PlainAddressing
from ground.channels import Addressing
from ground.messages import Card, Incoming, Person, Reply, Section
from knowledge.api import Topic
from organisation.ambassadors import AmbassadorSearch, FocusMatch, nearest_ambassadors
from organisation.roles import Roles

logger = logging.getLogger(__name__)


class FindAmbassadorDialog:
    """Names the AI-ambassadors of the person's own unit (else the nearest unit above with
    any) from the organisation tree, those whose focus matches the topic of the person's last
    question first, each with the channel's link to a chat. Without a match in the tree it
    says so and points to KOMPAS_CONTACT_AMBASSADORS."""

    def __init__(self, deps: DialogDeps) -> None:
        self._deps = deps

    async def handle(self, incoming: Incoming) -> list[Reply]:
        deps = self._deps
        person = incoming.person
        roles = await deps.roles.current()
        asker = roles.find(person)
        topic = await self._last_topic(person)
        focus_match: FocusMatch | None = None
        if topic is not None:
            topic_id = topic.id

            def focus_match(focus: tuple[str, ...]) -> bool:
                return deps.knowledge.names_topic(focus, topic_id)

        search = nearest_ambassadors(roles.tree, asker, focus_match)
        contact = deps.settings.contacts.ambassadors.strip()
        is_ambassador = roles.is_ambassador(person)
        if not search.found:
            reason = (
                "no_organisation"
                if not roles.tree.people
                else "not_in_tree"
                if asker is None
                else "none_found"
            )
            logger.info("no ambassador to name (%s) for %s", reason, person.channel)
            text = deps.texts.render(
                "find_ambassador_none",
                reason=reason,
                contact=contact,
                self_ambassador=is_ambassador,
            )
            return [Reply(text=text)]
        matched = sum(ambassador.focus_match for ambassador in search.ambassadors)
        logger.info(
            "named %d ambassador(s) of unit %s (own unit: %s, focus matches: %d)",
            len(search.ambassadors),
            search.unit.id if search.unit else "-",
            search.own_unit,
            matched,
        )
        listed = self._listed(search, roles, person.channel)
        text = deps.texts.render(
            "find_ambassador",
            own_unit=search.own_unit,
            unit=search.unit.name if search.unit else "",
            home=roles.tree.units[asker.unit_id].name if asker else "",
            ambassadors=listed,
            more=search.more,
            topic=topic.title if topic is not None and matched else "",
            contact=contact,
            links=any(entry["url"] or entry["mention"] for entry in listed),
            self_ambassador=is_ambassador,
        )
        card = Card(
            title=deps.texts.label("find_ambassador_card", "title"),
            sections=(Section(text=text),),
        )
        return [Reply(card=card)]

    async def _last_topic(self, person: Person) -> Topic | None:
        """The topic of the person's last question, when it had one still in the content."""
        last = await self._deps.store.last_question(person)
        if last is None or last.topic_id is None:
            return None
        return self._deps.knowledge.topic(last.topic_id)

    def _addressing(self, channel: str) -> Addressing:
        return self._deps.addressing.get(channel) or PlainAddressing()

    def _listed(self, search: AmbassadorSearch, roles: Roles, channel: str) -> list[dict[str, Any]]:
        """What the template shows of each ambassador, with the channel's way to chat."""
        addressing = self._addressing(channel)
        listed: list[dict[str, Any]] = []
        for ambassador in search.ambassadors:
            person = ambassador.person
            link = addressing.chat_link(roles.contact(person, channel))
            listed.append(
                {
                    "name": person.name,
                    "unit": ambassador.unit.name,
                    "focus": list(person.focus),
                    "focus_match": ambassador.focus_match,
                    "email": person.email,
                    "url": link.url,
                    "mention": link.mention,
                }
            )
        return listed
