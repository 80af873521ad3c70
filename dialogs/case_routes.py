"""Routes of the ambassadors' desk: the case list command, the case buttons and their dialogs."""

from __future__ import annotations

from collections.abc import Mapping

from cases.cards import (
    ANSWER_VERB,
    CLOSE_VERB,
    FEEDBACK_VERB,
    REFER_VERB,
    SPLIT_VERB,
    SUGGEST_VERB,
    TAKE_VERB,
)
from dialogs.base import Dialog, DialogDeps, RouteTable
from dialogs.case_action import CaseAction, CaseActionDialog
from dialogs.case_feedback import CaseFeedbackDialog
from dialogs.open_cases import MORE_VERB, SHOW_VERB, OpenCasesDialog, ShowCaseDialog

# Whole-message commands (normalised: lower case, no punctuation) → dialog name.
COMMANDS: Mapping[str, str] = {
    "åbne spørgsmål": "open_cases",
    "aabne spoergsmaal": "open_cases",
    "åbne sager": "open_cases",
    "sager": "open_cases",
    "spørgsmål til ambassadørerne": "open_cases",
}

# Card verbs → dialog name.
VERBS: Mapping[str, str] = {
    TAKE_VERB: "case_take",
    ANSWER_VERB: "case_answer",
    REFER_VERB: "case_refer",
    CLOSE_VERB: "case_close",
    SPLIT_VERB: "case_split",
    SUGGEST_VERB: "case_suggest",
    FEEDBACK_VERB: "case_feedback",
    MORE_VERB: "open_cases",
    SHOW_VERB: "case_show",
}


def _build(deps: DialogDeps) -> Mapping[str, Dialog]:
    dialogs: dict[str, Dialog] = {
        f"case_{action.value}": CaseActionDialog(deps, action) for action in CaseAction
    }
    dialogs["case_feedback"] = CaseFeedbackDialog(deps)
    dialogs["open_cases"] = OpenCasesDialog(deps)
    dialogs["case_show"] = ShowCaseDialog(deps)
    return dialogs


CASE_ROUTES = RouteTable(commands=COMMANDS, verbs=VERBS, build=_build)
