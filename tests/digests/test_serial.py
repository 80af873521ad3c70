"""Digests and month tables survive JSON unchanged; unreadable payloads are clear errors."""

from __future__ import annotations

import json

import pytest

from digests.serial import (
    SerialError,
    digest_from_json,
    digest_to_json,
    tables_from_json,
    tables_to_json,
)
from insights.aggregate import DigestBuilder, previous_months
from insights.anonymity import AnonymityRules
from insights.index import InsightsIndex
from tests.insights.conftest import build_tree
from tests.insights.test_digest_examples import _records


def _index() -> InsightsIndex:
    tree = build_tree()
    prompts, answers = _records(tree)
    return InsightsIndex(
        tree, AnonymityRules(), prompts, answers, months=previous_months("2026-11", 6)
    )


def test_a_digest_and_its_month_tables_round_trip_through_json() -> None:
    index = _index()
    digest = DigestBuilder(index).digest("a", "2026-11")

    stored = json.loads(json.dumps(digest_to_json(digest)))
    tables = json.loads(json.dumps(tables_to_json(index.tables("2026-11"))))

    assert digest_from_json(stored) == digest
    seeded = _index()
    for month in previous_months("2026-11", 6):
        seeded.seed(tables_from_json(json.loads(json.dumps(tables_to_json(index.tables(month))))))
    assert DigestBuilder(seeded).digest("a", "2026-11") == digest
    assert tables_from_json(tables).layout == index.tables("2026-11").layout


def test_no_person_level_pilot_answers_are_stored_with_the_tables() -> None:
    text = json.dumps(tables_to_json(_index().tables("2026-11")))

    assert "ratings" not in text and "decisions" not in text


@pytest.mark.parametrize(
    "payload",
    [{"version": 99, "digest": {}}, {"version": 1, "digest": {"unit": 3}}, {"version": 1}],
)
def test_an_unreadable_digest_is_a_serial_error(payload: dict[str, object]) -> None:
    with pytest.raises(SerialError):
        digest_from_json(payload)
