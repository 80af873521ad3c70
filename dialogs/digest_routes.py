"""Routes of the digest feature area: the `digest` commands and their dialogs."""

from __future__ import annotations

from collections.abc import Mapping

from dialogs.base import Dialog, DialogDeps, RouteTable
from dialogs.digest import DigestAction, DigestDialog
from digests.service import DigestService

# Whole-message commands (normalised: lower case, no punctuation) → dialog name.
COMMANDS: Mapping[str, str] = {
    "digest": "digest_show",
    "digests": "digest_show",
    "vis digest": "digest_show",
    "mit digest": "digest_show",
    "månedens digest": "digest_show",
    "ledelsesoverblik": "digest_show",
    "digest abonnement til": "digest_subscribe",
    "digest abonnement på": "digest_subscribe",
    "digest til": "digest_subscribe",
    "digest abonnement fra": "digest_unsubscribe",
    "digest fra": "digest_unsubscribe",
}


def _build(deps: DialogDeps) -> Mapping[str, Dialog]:
    service = DigestService(deps.database, deps.texts, deps.settings, deps.roles)
    return {
        "digest_show": DigestDialog(deps, service, DigestAction.SHOW),
        "digest_subscribe": DigestDialog(deps, service, DigestAction.SUBSCRIBE),
        "digest_unsubscribe": DigestDialog(deps, service, DigestAction.UNSUBSCRIBE),
    }


DIGEST_ROUTES = RouteTable(commands=COMMANDS, verbs={}, build=_build)
