"""Whether words (an ambassador's focus areas) name what a topic is about."""

from __future__ import annotations

import pytest

from ground.settings import Contacts
from knowledge.index import KnowledgeBase
from tests.knowledge.conftest import SHIPPED_CONTENT


@pytest.fixture(scope="module")
def shipped() -> KnowledgeBase:
    return KnowledgeBase.load(SHIPPED_CONTENT, Contacts())


@pytest.mark.parametrize(
    ("words", "topic_id", "named"),
    [
        (["persondata"], "persondata", True),  # the title
        (["Prompting"], "prompting", True),
        (["sagsbehandling", "skole"], "menneskelig-beslutning", True),  # a keyword
        (["kurser"], "kompetenceudvikling", True),  # an inflection of a keyword
        (["personoplysninger"], "persondata", True),  # a synonym of the title
        (["værktøjer", "copilot"], "godkendte-vaerktoejer", True),
        (["skole"], "persondata", False),
        (["ældrepleje"], "prompting", False),
        ([], "persondata", False),
        (["persondata"], "no-such-topic", False),
    ],
)
def test_focus_words_name_a_topic_by_its_title_and_keywords(
    shipped: KnowledgeBase, words: list[str], topic_id: str, named: bool
) -> None:
    assert shipped.names_topic(words, topic_id) is named
