"""Routes of the pilot feature area: commands, card verbs and dialogs."""

from __future__ import annotations

from collections.abc import Mapping

from dialogs.base import Dialog, DialogDeps, RouteTable
from dialogs.pilot_checkin import PilotCheckinDialog
from dialogs.pilot_common import PilotServices
from dialogs.pilot_create import PilotCreateDialog
from dialogs.pilot_manage import PilotManageDialog
from dialogs.pilot_note import PilotNoteDialog
from dialogs.pilot_reflection import PilotReflectionDialog
from dialogs.pilot_status import PilotStatusDialog
from pilots.cards import (
    CHECKIN_VERB,
    CREATE_VERB,
    END_VERB,
    EXTEND_VERB,
    NOTE_VERB,
    PAUSE_VERB,
    REFLECTION_VERB,
    RESUME_VERB,
)
from pilots.manage import PilotChange, PilotSteering
from pilots.participants import ParticipantResolver, RosterMembers

# Whole-message commands (normalised: lower case, no punctuation) → dialog name.
COMMANDS: Mapping[str, str] = {
    "ny pilot": "pilot_create",
    "opret pilot": "pilot_create",
    "opret en pilot": "pilot_create",
    "pilot status": "pilot_status",
    "pilotstatus": "pilot_status",
    "status pilot": "pilot_status",
    "mine piloter": "pilot_status",
    "piloter": "pilot_status",
    "refleksion": "pilot_note",
    "ny refleksion": "pilot_note",
    "skriv refleksion": "pilot_note",
}

# Card verbs → dialog name.
VERBS: Mapping[str, str] = {
    CREATE_VERB: "pilot_create",
    CHECKIN_VERB: "pilot_checkin",
    REFLECTION_VERB: "pilot_reflection",
    NOTE_VERB: "pilot_note",
    PAUSE_VERB: "pilot_pause",
    RESUME_VERB: "pilot_resume",
    EXTEND_VERB: "pilot_extend",
    END_VERB: "pilot_end",
}


def _build(deps: DialogDeps) -> Mapping[str, Dialog]:
    pilots = deps.pilots
    checkins = deps.checkins
    services = PilotServices(
        pilots=pilots,
        participants=ParticipantResolver(pilots, deps.store, RosterMembers(pilots), deps.channels),
        steering=PilotSteering(pilots, checkins.calendar),
        checkins=checkins,
    )
    return {
        "pilot_create": PilotCreateDialog(deps, services),
        "pilot_checkin": PilotCheckinDialog(deps, services),
        "pilot_reflection": PilotReflectionDialog(deps, services),
        "pilot_status": PilotStatusDialog(deps, services),
        "pilot_note": PilotNoteDialog(deps, services),
        "pilot_pause": PilotManageDialog(deps, services, PilotChange.PAUSE),
        "pilot_resume": PilotManageDialog(deps, services, PilotChange.RESUME),
        "pilot_extend": PilotManageDialog(deps, services, PilotChange.EXTEND),
        "pilot_end": PilotManageDialog(deps, services, PilotChange.END),
    }


PILOT_ROUTES = RouteTable(commands=COMMANDS, verbs=VERBS, build=_build)
