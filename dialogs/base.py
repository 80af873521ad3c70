"""What every dialog gets and must provide."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from cases.desk import CaseDesk
from delivery.outbox import Outbox
from digests.digest_store import DigestStore
from experiences.personal_data import PersonalDataService
from ground.channels import Addressing, Channels
from ground.messages import Incoming, Reply
from ground.settings import Settings
from ground.texts import Texts
from knowledge.index import KnowledgeBase
from learning.service import Learning
from organisation.roles import RoleBook
from organisation.tree_store import OrganisationStore
from pilots.checkins import PilotCheckins
from storage.conversation_store import Store
from storage.database import Database
from storage.experience_store import ExperienceStore
from storage.handled_keys import HandledKeys
from storage.pilot_store import PilotStore
from storage.team_rosters import TeamRosterStore


@dataclass(frozen=True)
class DialogDeps:
    """The services dialogs use; built once per process by the composition root."""

    database: Database
    store: Store
    knowledge: KnowledgeBase
    texts: Texts
    settings: Settings
    clock: Callable[[], datetime]
    outbox: Outbox
    experiences: ExperienceStore
    pilots: PilotStore
    organisation: OrganisationStore  # keeps the newest imported tree
    handled: HandledKeys
    channels: Channels  # what each channel can do, its limits and how it names people
    roles: RoleBook  # roles against the newest tree, matched the way each channel says
    addressing: Mapping[str, Addressing]  # per channel: how to reach a conversation first
    personal_data: PersonalDataService  # a person's own data: show, export, erase
    digests: DigestStore  # stored digests and the installation's link key
    checkins: PilotCheckins  # pilot check-ins and final reflections (dialogs and the job)
    rosters: TeamRosterStore  # the teams Kompas is installed in and their members
    cases: CaseDesk  # the ambassadors' desk: questions handed on, as cases
    learning: Learning  # the idea bank and interest in its ideas


class Dialog(Protocol):
    """One user intent: takes an incoming event, returns the replies to send."""

    async def handle(self, incoming: Incoming) -> list[Reply]: ...


@dataclass(frozen=True)
class RouteTable:
    """The routes one feature area adds: whole-message commands, card verbs and its dialogs."""

    commands: Mapping[str, str]
    verbs: Mapping[str, str]
    build: Callable[[DialogDeps], Mapping[str, Dialog]]
