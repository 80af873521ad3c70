"""The case's post in the ambassadors' conversation and the short messages to its askers."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from ground.clock import format_date
from ground.forms import Form
from ground.messages import Action, Card, Choice, ChoiceInput, Fact, Reply, Section
from ground.texts import Texts
from knowledge.answer_card import answer_reply
from knowledge.api import Topic
from storage.case_records import Case, CaseAsker, CaseState

TAKE_VERB = "case_take"
ANSWER_VERB = "case_answer"
REFER_VERB = "case_refer"
CLOSE_VERB = "case_close"
SPLIT_VERB = "case_split"
SUGGEST_VERB = "case_suggest"
FEEDBACK_VERB = "case_feedback"  # the asker's 👍/👎 on an ambassador's answer
INPUT_NAMES = ("answer", "topic", "reason")
POST_LABELS = "case_post"
ANSWER_LABELS = "case_answer_card"


@dataclass(frozen=True)
class Contact:
    """An asker who may be contacted: their name and a link that opens a chat ("": none)."""

    name: str
    link: str = ""


def card_id(case_id: int) -> str:
    """The card id of a case's post: the same for every version of it."""
    return f"{case_id:08x}"


def state_text(texts: Texts, state: CaseState) -> str:
    """The state in words ("taget", "besvaret" …)."""
    return texts.label("case_states", state.value)


def first_name(name: str) -> str:
    return name.split(" ")[0] if name else ""


def post_card(
    texts: Texts,
    case: Case,
    topics: Sequence[Topic],
    contacts: Mapping[int, Contact] | None = None,
) -> Card:
    """The post: the askers' redacted questions (who asked only for those who said yes to
    being contacted), when, the closest topics, the state, and while it is open the
    answer field, the topic list and the buttons."""
    contacts = contacts or {}
    titles = {topic.id: topic.title for topic in topics}
    askers = [
        {
            "number": number,
            "text": asker.text,
            "asked": format_date(asker.asked_at),
            "name": contacts[asker.id].name if asker.id in contacts else "",
            "link": contacts[asker.id].link if asker.id in contacts else "",
        }
        for number, asker in enumerate(case.askers, start=1)
    ]
    text = texts.render(
        "case_post",
        count=len(case.askers),
        askers=askers,
        closest=[titles[topic] for topic in case.topic_ids if topic in titles],
        state=case.state.value,
        assignee=first_name(case.assignee.name) if case.assignee else "",
        resolver=first_name(case.resolved_by.name) if case.resolved_by else "",
        answer=case.answer or "",
        topic=titles.get(case.referred_topic_id or "", case.referred_topic_id or ""),
        reason=case.close_reason or "",
        suggested=case.suggested_at is not None,
    )
    label = texts.label
    facts = [
        Fact(label(POST_LABELS, "number"), str(case.id)),
        Fact(label(POST_LABELS, "status"), state_text(texts, case.state)),
        Fact(label(POST_LABELS, "asked"), format_date(case.created_at)),
    ]
    if len(case.askers) > 1:
        facts.append(Fact(label(POST_LABELS, "askers"), str(len(case.askers))))
    form = Form(texts, POST_LABELS, card_id(case.id))
    data = {"case_id": case.id}
    if not case.is_open:
        actions: tuple[Action, ...] = ()
        if case.state in (CaseState.ANSWERED, CaseState.REFERRED) and case.suggested_at is None:
            actions = (Action(form.label("suggest"), SUGGEST_VERB, data, with_inputs=False),)
        return Card(
            title=label(POST_LABELS, "title"),
            sections=(Section(text),),
            facts=tuple(facts),
            actions=actions,
        )
    buttons: list[Action] = []
    if case.state is CaseState.NEW:
        buttons.append(Action(form.label("take"), TAKE_VERB, data, with_inputs=False))
    buttons += [
        form.submit("send_answer", ANSWER_VERB, data),
        form.submit("refer", REFER_VERB, data),
        form.submit("close", CLOSE_VERB, data),
    ]
    if len(case.askers) > 1:
        buttons += [
            Action(
                form.label("split", number=str(number)),
                SPLIT_VERB,
                {**data, "asker_id": asker.id},
                with_inputs=False,
            )
            for number, asker in enumerate(case.askers, start=1)
        ]
    return Card(
        title=label(POST_LABELS, "title"),
        sections=(Section(text),),
        facts=tuple(facts),
        actions=tuple(buttons),
        inputs=(
            form.text("answer", placeholder=True, max_length=2000),
            _topic_choice(form, case, topics),
            form.text("reason", placeholder=True, max_length=300),
        ),
    )


def _topic_choice(form: Form, case: Case, topics: Sequence[Topic]) -> ChoiceInput:
    """Every topic of the AI-kompas in a drop-down, the closest ones first."""
    rank = {topic_id: number for number, topic_id in enumerate(case.topic_ids)}
    ordered = sorted(topics, key=lambda topic: (rank.get(topic.id, len(rank)), topic.title))
    return ChoiceInput(
        id=form.text("topic").id,
        label=form.label("topic"),
        choices=tuple(Choice(topic.title, topic.id) for topic in ordered),
        compact=True,
    )


def taken_reply(texts: Texts, asker: CaseAsker) -> Reply:
    """To an asker: an ambassador has taken the question."""
    return Reply(text=texts.render("case_taken", question=asker.text))


def answered_reply(texts: Texts, case: Case, asker: CaseAsker, name: str, role: str) -> Reply:
    """To an asker: the ambassador's answer, who gave it, and 👍/👎."""
    label = texts.label
    signature = ", ".join(part for part in (name, role) if part)
    data = {"asker_id": asker.id}
    card = Card(
        title=label(ANSWER_LABELS, "title"),
        sections=(
            Section(texts.render("case_answer", question=asker.text, answer=case.answer or "")),
        ),
        facts=(Fact(label(ANSWER_LABELS, "from"), signature),),
        actions=(
            Action(label(ANSWER_LABELS, "helpful"), FEEDBACK_VERB, {**data, "helpful": True}),
            Action(label(ANSWER_LABELS, "not_helpful"), FEEDBACK_VERB, {**data, "helpful": False}),
        ),
    )
    return Reply(card=card)


def referred_reply(texts: Texts, asker: CaseAsker, topic: Topic, name: str, role: str) -> Reply:
    """To an asker: the topic's answer card (its 👍/👎 count for their own question)."""
    card = answer_reply(topic, asker.question_id, texts).card
    intro = texts.render("case_referred", question=asker.text, name=name, role=role)
    return Reply(text=intro, card=card)


def closed_reply(texts: Texts, asker: CaseAsker, reason: str, contact: str) -> Reply:
    """To an asker: a kind note that the question was closed, and why."""
    return Reply(
        text=texts.render("case_closed", question=asker.text, reason=reason, contact=contact)
    )
