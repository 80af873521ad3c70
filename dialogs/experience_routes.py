"""Routes of the experience feature area: commands, card verbs and dialogs."""

from __future__ import annotations

from collections.abc import Mapping

from dialogs.base import Dialog, DialogDeps, RouteTable
from dialogs.monthly_prompt import MonthlyPromptDialog
from dialogs.my_data import (
    CANCEL_DELETE_VERB,
    CONFIRM_DELETE_VERB,
    DELETE_VERB,
    EXPORT_VERB,
    SHOW_VERB,
    MyDataAction,
    MyDataDialog,
)
from dialogs.reminders import PAUSE_VERB, RESUME_VERB, RemindersDialog
from dialogs.share_experience import ShareExperienceDialog
from experiences.prompt_card import NOTHING_VERB, SHARE_VERB, SUBMIT_VERB
from storage.experience_choices import AnswerKind

# Whole-message commands (normalised: lower case, no punctuation) → dialog name.
COMMANDS: Mapping[str, str] = {
    "del erfaring": "experience_card",
    "del en erfaring": "experience_card",
    "ny erfaring": "experience_card",
    "pause": "reminders_pause",
    "pause påmindelser": "reminders_pause",
    "stop påmindelser": "reminders_pause",
    "stop paamindelser": "reminders_pause",
    "stop pamindelser": "reminders_pause",
    "start påmindelser": "reminders_resume",
    "start paamindelser": "reminders_resume",
    "start pamindelser": "reminders_resume",
    "mine data": "my_data",
    "eksportér mine data": "my_data_export",
    "eksporter mine data": "my_data_export",
    "slet mine data": "my_data_delete_ask",
}

# Card verbs → dialog name.
VERBS: Mapping[str, str] = {
    SHARE_VERB: "experience_card",
    SUBMIT_VERB: "share_experience",
    NOTHING_VERB: "nothing_to_share",
    PAUSE_VERB: "reminders_pause",
    RESUME_VERB: "reminders_resume",
    SHOW_VERB: "my_data",
    EXPORT_VERB: "my_data_export",
    DELETE_VERB: "my_data_delete_ask",
    CONFIRM_DELETE_VERB: "my_data_delete",
    CANCEL_DELETE_VERB: "my_data_delete_cancel",
}


def _build(deps: DialogDeps) -> Mapping[str, Dialog]:
    experiences = deps.experiences
    personal_data = deps.personal_data
    return {
        "experience_card": MonthlyPromptDialog(deps),
        "share_experience": ShareExperienceDialog(deps, experiences, AnswerKind.SHARED),
        "nothing_to_share": ShareExperienceDialog(deps, experiences, AnswerKind.NOTHING),
        "reminders_pause": RemindersDialog(deps, experiences, pause=True),
        "reminders_resume": RemindersDialog(deps, experiences, pause=False),
        "my_data": MyDataDialog(deps, personal_data, MyDataAction.SHOW),
        "my_data_export": MyDataDialog(deps, personal_data, MyDataAction.EXPORT),
        "my_data_delete_ask": MyDataDialog(deps, personal_data, MyDataAction.ASK_DELETE),
        "my_data_delete": MyDataDialog(deps, personal_data, MyDataAction.DELETE),
        "my_data_delete_cancel": MyDataDialog(deps, personal_data, MyDataAction.CANCEL_DELETE),
    }


EXPERIENCE_ROUTES = RouteTable(commands=COMMANDS, verbs=VERBS, build=_build)
