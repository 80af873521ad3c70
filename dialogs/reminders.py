"""`pause` / `stop påmindelser` and `start påmindelser`: the person's opt-out of prompts."""

from __future__ import annotations

import logging

from dialogs.base import DialogDeps
from experiences.withdrawal import withdraw_prompts
from ground.messages import Incoming, Reply
from storage.experience_store import ExperienceStore

logger = logging.getLogger(__name__)

PAUSE_VERB = "reminders_pause"  # a button that pauses the monthly questions
RESUME_VERB = "reminders_resume"


class RemindersDialog:
    """Pauses (or resumes) monthly prompts, their reminders and pilot check-ins."""

    def __init__(self, deps: DialogDeps, experiences: ExperienceStore, *, pause: bool) -> None:
        self._deps = deps
        self._experiences = experiences
        self._pause = pause

    async def handle(self, incoming: Incoming) -> list[Reply]:
        deps = self._deps
        user_id = await deps.store.remember_person(incoming.person)
        changed = await self._experiences.set_opted_out(user_id, self._pause, deps.clock())
        if self._pause:
            withdrawn = await withdraw_prompts(deps.outbox, user_id)
            logger.info(
                "prompts paused for user %d; %d queued message(s) withdrawn", user_id, withdrawn
            )
        template = "reminders_paused" if self._pause else "reminders_resumed"
        return [Reply(text=deps.texts.render(template, changed=changed))]
