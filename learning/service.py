"""The shared-learning services one Kompas process builds once (composition root)."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime

from delivery.outbox import Outbox
from digests.digest_store import DigestStore, scrub_withdrawn_quotes
from ground.channel_descriptions import built_in_channels
from ground.channels import Channels
from ground.clock import utc_now
from ground.settings import Settings
from ground.texts import Texts, TextsError
from knowledge.api import Topic
from learning.ideas import IdeaBank, TaskWords
from learning.interest import IdeaInterest
from learning.posts import LearningPosts
from organisation.roles import RoleBook
from organisation.tree_store import OrganisationStore
from pilots.checkins import working_hours_of
from storage.database import Database
from storage.experience_choices import TaskType
from storage.experience_store import ExperienceStore
from storage.idea_store import IdeaStore
from storage.learning_post_store import LearningPostStore

TASK_WORDS = "idea_task_words"


@dataclass(frozen=True)
class Learning:
    """The idea bank, interest in its ideas, the words that name a task type, and the
    monthly "Det har vi lært" post."""

    ideas: IdeaBank
    interest: IdeaInterest
    task_words: TaskWords
    posts: LearningPosts


def task_words(texts: Texts) -> TaskWords:
    """The task types' words from strings.yml (a type content leaves out is not recognised)."""
    listed = {}
    for task_type in TaskType:
        try:
            listed[task_type.value] = texts.label(TASK_WORDS, task_type.value)
        except TextsError:  # "andet", and any type a municipality removed
            continue
    return TaskWords(listed)


def build_learning(
    database: Database,
    texts: Texts,
    settings: Settings,
    *,
    outbox: Outbox,
    experiences: ExperienceStore,
    digests: DigestStore,
    roles: RoleBook,
    channels: Channels,
    topics: Callable[[], Iterable[Topic]],
    clock: Callable[[], datetime],
) -> Learning:
    """Everything shared learning needs, on the process's stores."""
    store = IdeaStore(database)
    ideas = IdeaBank(store, digests, roles, settings.timezone, clock)
    interest = IdeaInterest(
        store,
        digests,
        experiences,
        outbox,
        texts,
        working_hours_of(settings),
        settings.timezone,
        clock,
    )
    posts = LearningPosts(
        LearningPostStore(database),
        digests,
        roles,
        outbox,
        texts,
        settings,
        topics,
        channels,
        working_hours_of(settings),
        clock,
    )
    return Learning(ideas, interest, task_words(texts), posts)


def standalone_learning(
    database: Database,
    settings: Settings,
    texts: Texts,
    topics: Callable[[], Iterable[Topic]],
    clock: Callable[[], datetime] = utc_now,
) -> Learning:
    """Shared learning for a terminal command (`kompas trigger`, `kompas demo seed`): its own
    stores on `database`, the built-in channels."""
    channels = built_in_channels()
    roles = RoleBook(OrganisationStore(database), settings.ambassadors, channels)
    return build_learning(
        database,
        texts,
        settings,
        outbox=Outbox(database),
        experiences=ExperienceStore(database, scrub_withdrawn_quotes, channels),
        digests=DigestStore(database, channels),
        roles=roles,
        channels=channels,
        topics=topics,
        clock=clock,
    )
