"""The "Det har vi lært" post: drafted from the month's organisation-wide digest, as cards.

Every figure and quote of a post is copied from the month's stored organisation-wide digest
(the top unit's, which the direktion and the ambassadors already get): that digest holds only
what insights/ made safe to show, against every other digest and earlier month. The post
counts nothing itself, so it can never show more than the digest does; it shows less.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from ground.messages import Action, Card, Choice, ChoiceInput, Reply, Section, TextInput
from ground.texts import Texts, TextsError
from insights.digest import Digest, Series
from knowledge.api import Topic

TOP_OPTIONS = 3  # uses, gains and barriers named
MAX_QUOTES = 3
MAX_PILOTS = 3
MAX_INTRO_CHARS = 1500
MAX_CHOICE_TITLE = 70  # Slack shows at most 75 characters of an option

SEND_VERB = "learning_send"
EDIT_VERB = "learning_edit"
SAVE_VERB = "learning_save"
SKIP_VERB = "learning_skip"
LABELS = "learning_post"
BARRIER_TOPICS = "learning_barrier_topics"  # strings.yml: barrier → topic ids that help
RULES_BARRIER = "regler"  # "usikkerhed om reglerne": also the month's most asked topics


def _top(series: Sequence[Series], leave_out: Iterable[str] = ()) -> list[tuple[str, int]]:
    """(label, people) of the options shown with a positive count, most first."""
    skipped = set(leave_out)
    found = [
        (s.label, s.current)
        for s in series
        if s.key not in skipped and isinstance(s.current, int) and s.current > 0
    ]
    found.sort(key=lambda item: -item[1])
    return found[:TOP_OPTIONS]


def _barrier_topics(texts: Texts, key: str, topics: Mapping[str, Topic]) -> list[str]:
    try:
        listed = texts.label(BARRIER_TOPICS, key).split()
    except TextsError:
        return []
    return [topics[topic_id].title for topic_id in listed if topic_id in topics]


def draft_payload(
    texts: Texts,
    digest: Digest,
    month_name: str,
    topics: Mapping[str, Topic],
    answered: Sequence[str] = (),
    most_asked: Sequence[str] = (),
    answered_questions: Sequence[str] = (),
) -> dict[str, Any]:
    """A post's intro and items, from one organisation-wide digest; `answered`: the topics
    handed-on questions were answered with that month (names of approved topics, no figure);
    `most_asked`: the topics most people asked Kompas about that month, which are where
    uncertainty about the rules points (RULES_BARRIER); `answered_questions`: questions the
    ambassadors answered in their own words, each asked by at least min_text_group people."""
    items: list[dict[str, Any]] = []
    now = digest.current
    if isinstance(now.answered, int) and isinstance(now.asked, int) and now.answered > 0:
        items.append(
            {"key": "participation", "kind": "participation", "count": now.answered,
             "total": now.asked}
        )  # fmt: skip
    for number, (label, count) in enumerate(_top(digest.task_types)):
        items.append({"key": f"use:{number}", "kind": "use", "label": label, "count": count})
    for number, (label, count) in enumerate(_top(digest.gains, leave_out=("ingen_endnu",))):
        items.append({"key": f"gain:{number}", "kind": "gain", "label": label, "count": count})
    barrier_keys = {s.label: s.key for s in digest.barriers}
    for number, (label, count) in enumerate(_top(digest.barriers)):
        helps = _barrier_topics(texts, barrier_keys[label], topics)
        if barrier_keys[label] == RULES_BARRIER:
            asked = [topics[t].title for t in most_asked if t in topics]
            helps = list(dict.fromkeys([*asked, *helps]))[:TOP_OPTIONS]
        items.append(
            {"key": f"barrier:{number}", "kind": "barrier", "label": label, "count": count,
             "topics": helps}
        )  # fmt: skip
    if isinstance(digest.quotes, tuple):
        quotes = sorted(digest.quotes, key=lambda q: q.source != "pilot")[:MAX_QUOTES]
        for number, quote in enumerate(quotes):
            items.append(
                {"key": f"quote:{number}", "kind": "quote", "text": quote.text,
                 "author": quote.author, "source": quote.source,
                 "pilot_title": quote.pilot_title}
            )  # fmt: skip
    finished = [p for p in digest.pilots.pilots if p.status == "finished"][:MAX_PILOTS]
    for pilot in finished:
        yes, respondents = pilot.figures.recommend_yes, pilot.figures.respondents
        shown = isinstance(yes, int) and isinstance(respondents, int) and respondents > 0
        items.append(
            {"key": f"pilot:{pilot.pilot_id}", "kind": "pilot", "label": pilot.title,
             "unit": pilot.unit.name, "recommend_yes": yes if shown else None,
             "respondents": respondents if shown else None}
        )  # fmt: skip
    titles = [topics[topic_id].title for topic_id in answered if topic_id in topics]
    if titles or answered_questions:
        now_answered: dict[str, Any] = {"key": "answered", "kind": "answered"}
        now_answered["topics"] = titles[:MAX_PILOTS]
        if answered_questions:
            now_answered["questions"] = list(answered_questions)[:MAX_PILOTS]
        items.append(now_answered)
    intro = texts.render("learning_post_intro", month=month_name)
    return {"month_name": month_name, "intro": intro, "items": items}


def post_text(texts: Texts, payload: Mapping[str, Any]) -> str:
    """The post's Markdown, as everyone receives it."""
    return texts.render(
        "learning_post",
        intro=payload.get("intro", ""),
        items=list(payload.get("items", ())),
    )


def post_reply(texts: Texts, payload: Mapping[str, Any]) -> Reply:
    """The post as everyone gets it."""
    title = texts.label(LABELS, "title", month=str(payload.get("month_name", "")))
    return Reply(card=Card(title=title, sections=(Section(post_text(texts, payload)),)))


def draft_reply(
    texts: Texts,
    post_id: int,
    state: str,
    payload: Mapping[str, Any],
    decision: str = "",
    channels: bool = False,
) -> Reply:
    """The draft in the ambassadors' conversation: the full text, and while it is a draft
    "Send til alle", "Ret" and "Spring over denne måned"; afterwards who decided, and when."""
    title = texts.label(LABELS, "draft_title", month=str(payload.get("month_name", "")))
    status = texts.render(
        "learning_draft_status", state=state, decision=decision, channels=channels
    )
    sections = (Section(post_text(texts, payload)), Section(status))
    actions: tuple[Action, ...] = ()
    if state == "udkast":
        data = {"post_id": post_id}
        actions = (
            Action(texts.label(LABELS, "send"), SEND_VERB, data, with_inputs=False),
            Action(texts.label(LABELS, "edit"), EDIT_VERB, data, with_inputs=False),
            Action(texts.label(LABELS, "skip"), SKIP_VERB, data, with_inputs=False),
        )
    return Reply(card=Card(title=title, sections=sections, actions=actions))


def item_title(texts: Texts, item: Mapping[str, Any]) -> str:
    """One line naming an item, for the list of items that can be removed."""
    line = " ".join(texts.render("learning_item", item=dict(item)).split())
    return line if len(line) <= MAX_CHOICE_TITLE else line[: MAX_CHOICE_TITLE - 1] + "…"


def edit_reply(texts: Texts, post_id: int, payload: Mapping[str, Any]) -> Reply:
    """ "Ret": a new intro (empty keeps the current one) and the items to remove."""
    items = list(payload.get("items", ()))
    inputs: list[TextInput | ChoiceInput] = [
        TextInput(
            "intro",
            texts.label(LABELS, "intro"),
            texts.label(LABELS, "intro_placeholder"),
            multiline=True,
            max_length=MAX_INTRO_CHARS,
        )
    ]
    if items:
        inputs.append(
            ChoiceInput(
                "remove",
                texts.label(LABELS, "remove"),
                tuple(Choice(item_title(texts, item), str(item["key"])) for item in items),
                multiple=True,
            )
        )
    return Reply(
        card=Card(
            title=texts.label(LABELS, "edit_title"),
            sections=(Section(texts.render("learning_edit_intro", intro=payload.get("intro"))),),
            inputs=tuple(inputs),
            actions=(Action(texts.label(LABELS, "save"), SAVE_VERB, {"post_id": post_id}),),
        )
    )


def edited(payload: Mapping[str, Any], intro: str, remove: Iterable[str]) -> dict[str, Any]:
    """The payload with a new intro (when one was written) and without the removed items."""
    gone = set(remove)
    return {
        **payload,
        "intro": intro.strip() or payload.get("intro", ""),
        "items": [item for item in payload.get("items", ()) if item.get("key") not in gone],
    }
