"""The card that shows one approved guideline answer, and the verbs of its buttons."""

from __future__ import annotations

from ground.clock import format_date
from ground.messages import Action, Card, Fact, Reply, Section
from ground.texts import Texts
from knowledge.api import Topic

FEEDBACK_VERB = "feedback"
ASK_AMBASSADOR_VERB = "ask_ambassador"
SHOW_TOPIC_VERB = "show_topic"


def answer_reply(topic: Topic, question_id: int, texts: Texts) -> Reply:
    """The short answer, the details behind "Læs mere", the source and 👍/👎 buttons."""
    label = texts.label
    sections = [Section(text=topic.short_answer)]
    if topic.details:
        sections.append(
            Section(text=topic.details, title=label("answer_card", "read_more"), collapsed=True)
        )
    facts = (
        Fact(label("answer_card", "source"), f"AI-kompasset: {topic.title}"),
        Fact(label("answer_card", "owner"), topic.owner),
        Fact(label("answer_card", "reviewed"), format_date(topic.reviewed)),
    )
    actions = (
        Action(
            label("answer_card", "helpful"),
            FEEDBACK_VERB,
            {"question_id": question_id, "helpful": True},
        ),
        Action(
            label("answer_card", "not_helpful"),
            FEEDBACK_VERB,
            {"question_id": question_id, "helpful": False},
        ),
    )
    card = Card(title=topic.title, sections=tuple(sections), facts=facts, actions=actions)
    return Reply(card=card)
