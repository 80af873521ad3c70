"""A quote can't be narrowed to fewer than min_text_group writers by comparing the digests of
one month (issue 8, item 15)."""

from __future__ import annotations

from ground.texts import Texts
from insights.aggregate import DigestBuilder
from insights.anonymity import AnonymityRules
from insights.index import InsightsIndex
from insights.inputs import AnswerRecord, Consent, PromptRecord
from organisation.model import OrgPerson, OrgTree, Unit, UnitKind
from tests.insights.attacks import possible_authors

MONTH = "2026-10"
SIBLING_QUOTE = "Copilot skrev udkastet til handleplanen på ti minutter"
UNIT_QUOTE = "Referatet fra personalemødet var klar med det samme"


def _world() -> tuple[OrgTree, InsightsIndex]:
    """Kommunen → Center C → Team U (12 writers) and Team S (6 writers)."""
    units = [
        Unit("k", "Kommunen", UnitKind.DIRECTORATE),
        Unit("c", "Center C", UnitKind.CENTRE, "k"),
        Unit("u", "Team U", UnitKind.TEAM, "c"),
        Unit("s", "Team S", UnitKind.TEAM, "c"),
    ]
    people = [OrgPerson(f"u{n}", f"Navn U{n}", "u") for n in range(12)]
    people += [OrgPerson(f"s{n}", f"Navn S{n}", "s") for n in range(6)]
    tree = OrgTree.build(units, people)
    prompts = [PromptRecord(p.id, MONTH) for p in people]
    answers = [
        AnswerRecord(p.id, MONTH, task_types=("andet",), text="Copilot hjalp med et notat")
        for p in people
        if p.id not in ("u0", "s0")
    ]
    answers.append(AnswerRecord("u0", MONTH, text=UNIT_QUOTE, consent=Consent.QUOTE_ANONYMOUS))
    answers.append(AnswerRecord("s0", MONTH, text=SIBLING_QUOTE, consent=Consent.QUOTE_ANONYMOUS))
    return tree, InsightsIndex(tree, AnonymityRules(5, 10), prompts, answers)


def test_a_quote_is_never_narrowed_to_a_sibling_with_few_writers(texts: Texts) -> None:
    tree, index = _world()
    builder = DigestBuilder(index, texts)
    digests = [builder.digest(unit_id, MONTH) for unit_id in tree.units]
    writers = dict(index.writers(MONTH))

    shown = {q.text for d in digests if isinstance(d.quotes, tuple) for q in d.quotes}
    assert SIBLING_QUOTE in shown  # the organisation and the centre still celebrate it
    for text in shown:
        authors = possible_authors(tree, writers, digests, text)
        assert len(authors) >= 10, (text, sorted(authors))
