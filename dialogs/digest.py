"""`digest` and `digest abonnement til/fra`: a leader's monthly overview, and its delivery."""

from __future__ import annotations

import logging
from enum import StrEnum
from zoneinfo import ZoneInfo

from dialogs.base import DialogDeps
from digests.card import digest_card
from digests.links import link_signer
from digests.service import DigestService
from ground.messages import ConversationType, Incoming, Reply
from organisation.model import OrgPerson, OrgTree
from storage.database import NotFoundError, StorageError

logger = logging.getLogger(__name__)


class DigestAction(StrEnum):
    """What the person asked for."""

    SHOW = "show"
    SUBSCRIBE = "subscribe"
    UNSUBSCRIBE = "unsubscribe"


def units_for(tree: OrgTree, person: OrgPerson | None, is_ambassador: bool) -> list[str]:
    """The units whose digest someone gets: the top units they lead; an AI-ambassador who
    leads nothing gets the organisation-wide one; everyone else nothing."""
    if person is not None and person.leads:
        return list(tree.top_led_units(person.id))
    if is_ambassador:
        return list(tree.roots)
    return []


class DigestDialog:
    """Shows the newest digest of the asker's units (personal chat only), or switches delivery."""

    def __init__(self, deps: DialogDeps, service: DigestService, action: DigestAction) -> None:
        self._deps = deps
        self._service = service
        self._action = action
        self._tz = ZoneInfo(deps.settings.timezone)

    def _say(self, template: str, **context: object) -> list[Reply]:
        return [Reply(text=self._deps.texts.render(template, **context))]

    async def handle(self, incoming: Incoming) -> list[Reply]:
        try:
            roles = await self._service.roles.current()
            tree = roles.tree
            person = roles.find(incoming.person)
            ambassador = roles.is_ambassador(incoming.person)
            if self._action is DigestAction.SHOW:
                if incoming.conversation_type != ConversationType.PERSONAL:
                    return self._say("digest_private")
                units = units_for(tree, person, ambassador)
                if not units and ambassador:
                    logger.info("digest: an ambassador asked, but no organisation is imported")
                    return self._say("digest_no_organisation")
                if not units:
                    logger.info("digest refused: %s leads no unit", incoming.person.channel)
                    return self._say("digest_not_leader", ambassador=False)
                return await self._show(tree, units)
            if person is None or not person.leads:
                return self._say("digest_not_leader", ambassador=ambassador)
            return await self._subscribe(person, self._action is DigestAction.SUBSCRIBE)
        except StorageError as error:
            logger.error("digest: %s", error)
            return self._say("digest_unavailable")

    async def _show(self, tree: OrgTree, units: list[str]) -> list[Reply]:
        service = self._service
        month = await service.store.latest_month()
        if month is None:
            return self._say("digest_none", units=[tree.units[u].name for u in units])
        now = self._deps.clock()
        signer = await link_signer(self._deps.settings, service.store)
        replies = []
        for unit_id in units:
            stored = await service.for_unit(tree, unit_id, month)
            card = digest_card(
                self._deps.texts,
                stored.digest(),
                signer.url(stored.id, now),
                signer.expires(now),
                self._tz,
            )
            replies.append(Reply(card=card))
        logger.info("digest shown: %d unit(s), %s", len(units), month)
        return replies

    async def _subscribe(self, person: OrgPerson, enabled: bool) -> list[Reply]:
        organisation = self._service.organisation
        before = (await organisation.digest_subscriptions()).get(person.id, True)
        try:
            await organisation.set_digest_subscription(person.id, enabled)
        except NotFoundError:
            return self._say("digest_not_leader", ambassador=False)
        return self._say("digest_subscription", enabled=enabled, changed=before != enabled)
