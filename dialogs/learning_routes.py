"""Routes of shared learning: the idea bank, the monthly post and the draft's buttons."""

from __future__ import annotations

from collections.abc import Mapping

from dialogs.base import Dialog, DialogDeps, RouteTable
from dialogs.idea_bank import IdeaBankDialog, IdeaPilotDialog
from dialogs.idea_try import IdeaTryDialog
from dialogs.learning_post import DraftAction, LearningDraftDialog, LearningPostDialog
from learning.cards import MORE_VERB, PILOT_VERB, TRY_VERB
from learning.post import EDIT_VERB, SAVE_VERB, SEND_VERB, SKIP_VERB

# Whole-message commands (normalised: lower case, no punctuation) → dialog name. "idéer" and
# "hvad bruger andre AI til?" are recognised as the idea_bank request of content/intents.yml.
COMMANDS: Mapping[str, str] = {
    "det har vi lært": "learning_post",
    "det har vi laert": "learning_post",
    "har vi lært": "learning_post",
}

# Card verbs → dialog name.
VERBS: Mapping[str, str] = {
    MORE_VERB: "idea_bank",
    TRY_VERB: "idea_try",
    PILOT_VERB: "idea_pilot",
    SEND_VERB: "learning_send",
    SKIP_VERB: "learning_skip",
    EDIT_VERB: "learning_edit",
    SAVE_VERB: "learning_save",
}


def _build(deps: DialogDeps) -> Mapping[str, Dialog]:
    dialogs: dict[str, Dialog] = {
        "idea_bank": IdeaBankDialog(deps),
        "idea_try": IdeaTryDialog(deps),
        "idea_pilot": IdeaPilotDialog(deps),
        "learning_post": LearningPostDialog(deps),
    }
    for action in DraftAction:
        dialogs[f"learning_{action.value}"] = LearningDraftDialog(deps, action)
    return dialogs


LEARNING_ROUTES = RouteTable(commands=COMMANDS, verbs=VERBS, build=_build)
