"""Routes of the pilot feature area: commands, card verbs and dialogs."""

from __future__ import annotations

from collections.abc import Mapping

from dialogs.base import Dialog, DialogDeps, RouteTable


def _build(deps: DialogDeps) -> Mapping[str, Dialog]:
    return {}


PILOT_ROUTES = RouteTable(commands={}, verbs={}, build=_build)
