"""The composition root: builds the long-lived services of one Kompas process once."""

from __future__ import annotations

import logging

from bot.channels import ChannelRegistry, built_in_registry
from cases.desk import CaseDesk
from delivery.outbox import Outbox
from dialogs.base import DialogDeps
from dialogs.features import feature_routes
from dialogs.router import Router
from dialogs.services import Services
from digests.digest_store import DigestStore, scrub_withdrawn_quotes
from experiences.personal_data import PersonalDataService
from ground.clock import Clock, utc_now
from ground.settings import Settings, require_content
from ground.texts import Texts
from knowledge.index import KnowledgeBase
from knowledge.index_cache import load_knowledge
from learning.service import build_learning
from organisation.roles import RoleBook
from organisation.tree_store import OrganisationStore
from pilots.checkins import PilotCheckins, working_hours_of
from storage.case_store import CaseStore
from storage.conversation_store import Store
from storage.database import Database
from storage.experience_store import ExperienceStore
from storage.handled_keys import HandledKeys
from storage.pilot_store import PilotStore
from storage.team_rosters import TeamRosterStore

logger = logging.getLogger(__name__)


def compose(
    settings: Settings,
    database: Database,
    knowledge: KnowledgeBase,
    texts: Texts,
    *,
    clock: Clock = utc_now,
    registry: ChannelRegistry | None = None,
) -> DialogDeps:
    """Every store and service the dialogs use, each built once for the process.

    The channels are the `registry`'s (default: the built-in one, Teams and the terminal).
    """
    registry = registry if registry is not None else built_in_registry(settings)
    channels = registry.channels
    organisation = OrganisationStore(database)
    roles = RoleBook(organisation, settings.ambassadors, channels)
    outbox = Outbox(database)
    experiences = ExperienceStore(database, scrub_withdrawn_quotes, channels)
    pilots = PilotStore(database, scrub_withdrawn_quotes)
    checkins = PilotCheckins(
        pilots, outbox, texts, working_hours_of(settings), opt_outs=experiences, clock=clock
    )
    store = Store(database)
    digests = DigestStore(database, channels)
    cases = CaseDesk(
        CaseStore(database), store, outbox, knowledge, texts, settings, roles, channels, clock
    )
    return DialogDeps(
        database=database,
        store=store,
        knowledge=knowledge,
        texts=texts,
        settings=settings,
        clock=clock,
        outbox=outbox,
        experiences=experiences,
        pilots=pilots,
        organisation=organisation,
        handled=HandledKeys(database),
        channels=channels,
        roles=roles,
        addressing=registry.addressing,
        personal_data=PersonalDataService(database, roles),
        digests=digests,
        checkins=checkins,
        rosters=TeamRosterStore(database),
        cases=cases,
        learning=build_learning(
            database,
            texts,
            settings,
            outbox=outbox,
            experiences=experiences,
            digests=digests,
            roles=roles,
            channels=channels,
            topics=lambda: knowledge.topics,
            clock=clock,
        ),
    )


async def open_services(settings: Settings, registry: ChannelRegistry | None = None) -> Services:
    """Connect to the database (already migrated), load the content and compose, once.

    Raises ContentMissingError when the content directory holds no AI-kompas.
    """
    require_content(settings.content_dir)
    database = await Database.connect(settings.database_url)
    knowledge = load_knowledge(settings.content_dir, settings.contacts, settings.cache_dir)
    deps = compose(
        settings, database, knowledge, Texts(settings.content_dir / "templates"), registry=registry
    )
    router = Router(deps, feature_routes())
    logger.info("Kompas ready: %d topics, database %s", len(knowledge.topics), database.engine.url)
    return Services(deps, router)
