"""Routes of shared learning: the idea bank's buttons and dialogs (its request is an intent)."""

from __future__ import annotations

from collections.abc import Mapping

from dialogs.base import Dialog, DialogDeps, RouteTable
from dialogs.idea_bank import IdeaBankDialog
from dialogs.idea_try import IdeaTryDialog
from learning.cards import MORE_VERB, TRY_VERB

# Whole-message commands (normalised: lower case, no punctuation) → dialog name. "idéer" and
# "hvad bruger andre AI til?" are recognised as the idea_bank request of content/intents.yml.
COMMANDS: Mapping[str, str] = {}

# Card verbs → dialog name.
VERBS: Mapping[str, str] = {
    MORE_VERB: "idea_bank",
    TRY_VERB: "idea_try",
}


def _build(deps: DialogDeps) -> Mapping[str, Dialog]:
    return {"idea_bank": IdeaBankDialog(deps), "idea_try": IdeaTryDialog(deps)}


LEARNING_ROUTES = RouteTable(commands=COMMANDS, verbs=VERBS, build=_build)
