"""The content shipped in content/: it validates, and canonical questions find their topics."""

from __future__ import annotations

import pytest

from ground.settings import Contacts
from knowledge.index import KnowledgeBase
from knowledge.validation import REQUIRED_TOPIC_IDS, check_content
from tests.knowledge.conftest import SHIPPED_CONTENT

pytestmark = pytest.mark.skipif(
    not any((SHIPPED_CONTENT / "kompas").glob("*.md")), reason="no shipped content yet"
)


@pytest.fixture(scope="module")
def shipped() -> KnowledgeBase:
    return KnowledgeBase.load(SHIPPED_CONTENT, Contacts())


def test_shipped_content_has_no_errors_and_every_required_topic() -> None:
    problems = check_content(SHIPPED_CONTENT, Contacts(dpo="a", it_security="b", ambassadors="c"))
    assert [str(p) for p in problems if p.severity == "error"] == []
    ids = {path.stem for path in (SHIPPED_CONTENT / "kompas").glob("*.md")}
    assert set(REQUIRED_TOPIC_IDS) <= ids


@pytest.mark.parametrize(
    ("question", "topic_id"),
    [
        ("Må jeg skrive et CPR-nummer i ChatGPT?", "persondata"),
        ("Må jeg skrive et cprnummer i chatgtp?", "persondata"),
        ("Hvilke AI-værktøjer er godkendt i kommunen?", "godkendte-vaerktoejer"),
        (
            "Jeg er kommet til at indsætte en borgers journal i ChatGPT – hvad nu?",
            "sikkerhedshaendelse",
        ),
        ("Må jeg lægge et fortroligt udbudsmateriale ind i Copilot?", "fortrolige-oplysninger"),
        ("Hvordan tjekker jeg, om AI's svar er rigtigt?", "kvalitetssikring"),
        ("Kan AI være fordomsfuld over for nogle grupper?", "bias"),
        ("Skal jeg fortælle modtageren, at teksten er skrevet med AI?", "gennemsigtighed"),
        ("Må AI træffe afgørelser i en borgers sag?", "menneskelig-beslutning"),
        ("Hvordan kommer vi i gang med et lille forsøg med AI i teamet?", "lokal-afproevning"),
        ("Hvordan deler vi vores erfaringer med AI?", "erfaringsdeling"),
        ("Hvad er AI-ambassadørernes rolle?", "roller-og-ansvar"),
        ("Hvor kan jeg lære mere om at bruge AI?", "kompetenceudvikling"),
        ("Mister jeg mit job på grund af AI?", "jobsikkerhed"),
        ("Må vi lave en chatbot, der svarer borgerne?", "borgerrettet-brug"),
        ("Hvordan skriver jeg en god prompt?", "prompting"),
        ("Må jeg bruge AI-genererede billeder på kommunens hjemmeside?", "billeder-og-ophavsret"),
    ],
)
def test_canonical_questions_find_their_topic(
    shipped: KnowledgeBase, question: str, topic_id: str
) -> None:
    result = shipped.search(question)
    assert result.best is not None, [m.topic.id for m in result.suggestions]
    assert result.best.topic.id == topic_id


@pytest.mark.parametrize(
    "question",
    [
        "Hvornår har kantinen åbent?",
        "Hvordan nulstiller jeg min adgangskode?",
        "Hvem vandt Tour de France?",
    ],
)
def test_questions_outside_the_kompas_get_no_answer(shipped: KnowledgeBase, question: str) -> None:
    result = shipped.search(question)
    assert result.best is None
    assert len(result.suggestions) <= 2
