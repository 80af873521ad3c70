""" "Det har vi lært": the newest monthly post on request, and the ambassadors' draft buttons."""

from __future__ import annotations

import logging
from enum import StrEnum

from dialogs.base import DialogDeps
from dialogs.roles import roles_of
from ground.messages import Incoming, Reply
from learning.post import draft_reply, edit_reply, post_reply
from learning.posts import Decided
from storage.learning_post_store import LearningPost

logger = logging.getLogger(__name__)


class DraftAction(StrEnum):
    """The buttons of the draft and of its edit card."""

    SEND = "send"
    SKIP = "skip"
    EDIT = "edit"
    SAVE = "save"


class LearningPostDialog:
    """`det har vi lært`: the newest post that went out, also to people who stopped reminders;
    an AI-ambassador also gets a draft that is waiting for someone to send or skip it."""

    def __init__(self, deps: DialogDeps) -> None:
        self._deps = deps

    async def handle(self, incoming: Incoming) -> list[Reply]:
        posts = self._deps.learning.posts
        roles = await roles_of(self._deps, incoming.person)
        replies = []
        if roles.ambassador or roles.admin:
            draft = await posts.store.waiting_draft()
            if draft is not None:
                channels = bool(self._deps.settings.learning_channels)
                replies.append(
                    draft_reply(
                        self._deps.texts, draft.id, draft.state, draft.payload, channels=channels
                    )
                )
        post = await posts.latest()
        if post is None and replies:
            return replies
        if post is None:
            return [Reply(text=self._deps.texts.render("learning_none"))]
        return [*replies, post_reply(self._deps.texts, post.payload)]


class LearningDraftDialog:
    """One button of the draft: only AI-ambassadors (and admins) may use them."""

    def __init__(self, deps: DialogDeps, action: DraftAction) -> None:
        self._deps = deps
        self._action = action

    async def handle(self, incoming: Incoming) -> list[Reply]:
        texts = self._deps.texts
        roles = await roles_of(self._deps, incoming.person)
        if not (roles.ambassador or roles.admin):
            logger.info("learning post %s refused: not an ambassador", self._action.value)
            return [Reply(text=texts.render("learning_decided", result="not_allowed"))]
        value = incoming.value or {}
        post_id = value.get("post_id")
        if not isinstance(post_id, int) or isinstance(post_id, bool):
            return [Reply(text=texts.render("unknown_action"))]
        posts = self._deps.learning.posts
        outcome_post: LearningPost | None
        if self._action is DraftAction.EDIT:
            post = await posts.store.get(post_id)
            if post is None:
                return [Reply(text=texts.render("learning_decided", result="unknown"))]
            if post.state == "udkast":
                return [edit_reply(texts, post.id, post.payload)]
            outcome_post = post
            result = Decided.DECIDED
            count = 0
        else:
            if self._action is DraftAction.SAVE:
                intro = value.get("intro")
                remove = value.get("remove")
                outcome = await posts.edit(
                    post_id,
                    intro if isinstance(intro, str) else "",
                    remove.split(",") if isinstance(remove, str) and remove else (),
                )
            else:
                user_id = await self._deps.store.remember_person(incoming.person)
                outcome = await posts.decide(
                    post_id, self._action is DraftAction.SEND, user_id, incoming.person.name
                )
            outcome_post, result, count = outcome.post, outcome.result, outcome.count
        decision = posts.decision(outcome_post) if outcome_post is not None else ""
        return [
            Reply(
                text=texts.render(
                    "learning_decided",
                    result=result.value,
                    count=count,
                    state=outcome_post.state if outcome_post is not None else "",
                    decision=decision if result is Decided.DECIDED else "",
                    channels=bool(self._deps.settings.learning_channels),
                )
            )
        ]
