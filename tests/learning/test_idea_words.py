"""The idea bank is asked for in words, not a fixed phrase; a task type is read from them."""

from __future__ import annotations

import pytest

from ground.settings import Contacts
from ground.texts import Texts
from knowledge.index import KnowledgeBase
from learning.service import task_words
from tests.knowledge.conftest import SHIPPED_CONTENT
from tests.paths import PROJECT_ROOT


@pytest.fixture(scope="module")
def shipped() -> KnowledgeBase:
    return KnowledgeBase.load(SHIPPED_CONTENT, Contacts())


@pytest.mark.parametrize(
    "text",
    [
        "idéer",
        "ideer",
        "Idéer til mødereferater",
        "hvad bruger andre AI til?",
        "Hvad bruger kolleger AI til",
        "vis idéer til sagsbehandling",
        "har du eksempler på AI til breve?",
        "inspiration",
    ],
)
def test_asking_for_ideas_opens_the_idea_bank(shipped: KnowledgeBase, text: str) -> None:
    assert shipped.intent(text) == "idea_bank"


@pytest.mark.parametrize(
    "text",
    [
        "må jeg bruge AI til mødereferater?",
        "Må andre bruge AI til referater?",
        "hvordan bruger andre AI?",
        "hvad kan jeg bruge AI til?",
        "må jeg skrive et CPR-nummer i ChatGPT?",
    ],
)
def test_questions_about_rules_stay_questions(shipped: KnowledgeBase, text: str) -> None:
    assert shipped.intent(text) != "idea_bank"


@pytest.mark.parametrize(
    ("text", "task_type"),
    [
        ("idéer til mødereferater", "moedereferater"),
        ("Idéer til referater", "moedereferater"),
        ("idéer til sagsbehandling", "sagsbehandling"),
        ("har du eksempler på AI til breve?", "kommunikation"),
        ("idéer til oversættelse", "oversaettelse"),
        ("idéer", None),
        ("hvad bruger andre AI til?", None),
    ],
)
def test_the_task_type_is_read_from_the_words(text: str, task_type: str | None) -> None:
    words = task_words(Texts(PROJECT_ROOT / "content" / "templates"))
    assert words.task_type_of(text) == task_type
