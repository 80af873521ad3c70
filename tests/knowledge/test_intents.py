"""Requests Kompas answers itself (content/intents.yml): the rules, the file, the shipped words."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from ground.settings import Contacts
from knowledge.index import KnowledgeBase
from knowledge.intents import IntentRule, intent_problems, load_intents
from knowledge.topics import ContentError
from knowledge.validation import check_content
from tests.knowledge.conftest import SHIPPED_CONTENT
from tests.paths import PROJECT_ROOT

FIND_AMBASSADOR = "find_ambassador"
IDEA_BANK = "idea_bank"


@pytest.fixture(scope="module")
def shipped() -> KnowledgeBase:
    return KnowledgeBase.load(SHIPPED_CONTENT, Contacts())


# -- the shipped wording: who is our AI-ambassador, and questions that only mention one ------

ASKS_FOR_AN_AMBASSADOR = [
    "hvem er AI-ambassadør hos os?",
    "hvem er vores ai-ambassadør",
    "Hvem er vores AI ambassadører?",
    "findes der en AI-ambassadør i min afdeling",
    "hvem kan jeg spørge om AI her",
    "hvem kan jeg spørge om kunstig intelligens",  # a synonym of AI
    "kontakt til ambassadør",
    "kan du give mig kontakt til en ambassadør",
    "Hvem er AI-ambassadøren i mit team?",
    "hvor finder jeg en ai ambassadør",
    "jeg vil gerne tale med en AI-ambassadør",
    "har vi en ambassadør i afdelingen?",
    "hvem er ambasadør hos os",  # a typo
    "Hvem er AI ambassadoer paa min arbejdsplads",  # no Danish keyboard
    "er der en superbruger i teamet",  # a synonym of ambassadør
    "hvem kan hjælpe mig med AI",
    "hvem kan jeg kontakte om AI",
    "hvem er kontaktperson for AI i min afdeling",
    "Kan jeg få navnet på vores AI-ambassadør?",
    "hej, hvem er min nærmeste ai-ambassadør?",
    "AI-ambassadør?",
    "ambassadører",
]

GUIDELINE_QUESTIONS = [
    "må en AI-ambassadør se mine data?",
    "maa en ambassadør læse mine erfaringer",
    "hvad laver en AI-ambassadør?",
    "hvad er en ai ambassadør og hvad laver de",
    "hvordan bliver jeg AI-ambassadør?",
    "kan jeg blive ai-ambassadør",
    "Vil du være AI-ambassadør?",
    "hvorfor har vi AI-ambassadører",
    "skal ai-ambassadørerne godkende, hvad vi bruger ai til",
    "skal jeg spørge en ambassadør før jeg bruger ChatGPT til en borgersag?",
    "kan en ambassadør hjælpe os med at sætte et forsøg op",
    "hvad er egentlig ai-ambassadørernes opgave, og er de it-support",
    "hvem kan jeg spørge, når jeg er i tvivl om reglerne for ai",
    "hvem skal jeg kontakte hvis jeg ved en fejl har delt fortrolige oplysninger med en ai",
    "hvem har ansvaret for ai hos os",
    "hvem godkender et nyt ai værktøj",
    "hvem kan hjælpe mig med at skrive en god prompt",
    "hvem må bruge copilot",
    "må jeg bruge chatgpt",
    "Hvornår har kantinen åbent?",
    "AI",
    "hej",
]


@pytest.mark.parametrize("text", ASKS_FOR_AN_AMBASSADOR)
def test_wordings_that_ask_for_an_ambassador_are_recognised(
    shipped: KnowledgeBase, text: str
) -> None:
    assert shipped.intent(text) == FIND_AMBASSADOR


@pytest.mark.parametrize("text", GUIDELINE_QUESTIONS)
def test_questions_that_merely_mention_an_ambassador_stay_questions(
    shipped: KnowledgeBase, text: str
) -> None:
    assert shipped.intent(text) is None


def test_no_listed_question_nor_development_question_is_taken_for_a_request(
    shipped: KnowledgeBase,
) -> None:
    listed = [question for topic in shipped.topics for question in topic.questions]
    lines = (PROJECT_ROOT / "tests" / "data" / "qa_dev.jsonl").read_text("utf-8").splitlines()
    development = [json.loads(line)["question"] for line in lines if line.strip()]
    assert len(listed) > 300 and len(development) > 400
    assert [q for q in [*listed, *development] if shipped.intent(q)] == []


def test_the_shipped_intents_are_what_the_router_knows() -> None:
    assert [rule.name for rule in load_intents(SHIPPED_CONTENT)] == [FIND_AMBASSADOR, IDEA_BANK]
    assert intent_problems(SHIPPED_CONTENT) == []


# -- the rules, on the fixture content's request ------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("hvem er superbrugeren i mit team", "find_helper"),  # inflected
        ("superbrugere?", "find_helper"),  # one entry of needs is enough
        ("hvem kan hjælpe mig med copilot", "find_helper"),  # copilot: a synonym of chatbot
        ("hvem kan jeg spørge", "find_helper"),
        ("hvem", None),  # only one of the entry's two groups
        ("kan du hjælpe mig", None),
        ("hvem kan hjælpe mig med ophavsret", None),  # a word the request does not explain
        ("hvad er en superbruger", None),  # a never word
        ("maa superbrugeren hjælpe", None),  # … also typed without å
        ("hvem er superbruger " + "for mit team " * 7, None),  # too long to be a request
        ("", None),
    ],
)
def test_needs_also_and_never(fixture_kb: KnowledgeBase, text: str, expected: str | None) -> None:
    assert fixture_kb.intent(text) == expected


def test_without_intents_every_message_is_a_question(fixture_kb: KnowledgeBase) -> None:
    bare = KnowledgeBase(fixture_kb.topics)
    assert bare.intent_names == () and bare.intent("hvem er superbrugeren") is None
    rule = IntentRule("only", needs=((("ophavsret",),),))
    assert KnowledgeBase(fixture_kb.topics, intents=[rule]).intent("ophavsret") == "only"


@pytest.mark.parametrize(
    ("text", "line", "message"),
    [
        ("intents:\n  x:\n    needs: [[a]\n", 4, "not valid YAML"),
        ("- a\n", 1, "intents:"),
        ("intents:\n  x:\n    also: [a]\n", 3, "lacks needs"),
        ("intents:\n  x:\n    needs: [[a]]\n    nope: [b]\n", 4, "unknown key 'nope'"),
        ("intents:\n  x:\n    needs: [[[a], []]]\n", 3, "non-empty list"),
        ("intents:\n  x:\n    needs: [[[a]]]\n    never: b\n", 4, "never of 'x'"),
    ],
)
def test_a_broken_intents_file_is_reported_by_line(
    content_copy: Path, text: str, line: int, message: str
) -> None:
    path = content_copy / "intents.yml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ContentError) as error:
        load_intents(content_copy)
    assert error.value.line == line and message in error.value.message
    [problem] = [p for p in check_content(content_copy, Contacts()) if p.path == path]
    assert (problem.line, problem.severity) == (line, "error")


def test_a_missing_intents_file_is_a_warning(content_copy: Path) -> None:
    (content_copy / "intents.yml").unlink()
    assert load_intents(content_copy) == ()
    [problem] = intent_problems(content_copy)
    assert problem.severity == "warning"
