"""The month's cases of the ambassadors' desk as insights records (who asked, state, hours)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection, Mapping
from datetime import datetime, tzinfo

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncConnection

from insights.inputs import CaseRecord
from organisation.model import OrgPerson
from storage.models_cases import CaseAskerRow, CaseRow

_ANSWERED = frozenset({"besvaret", "henvist"})
HOUR_SECONDS = 3600


async def case_records(
    connection: AsyncConnection,
    people: Mapping[int, OrgPerson],
    months: Collection[str],
    since: datetime,
    until: datetime,
    tz: tzinfo,
) -> list[CaseRecord]:
    """Cases opened in `months`, with the tree ids of the askers Kompas knows in the tree."""
    query = (
        select(
            CaseRow.id,
            CaseRow.state,
            CaseRow.created_at,
            CaseRow.resolved_at,
            CaseAskerRow.user_id,
        )
        .join(CaseAskerRow, CaseAskerRow.case_id == CaseRow.id)
        .where(CaseRow.created_at >= since, CaseRow.created_at < until)
        .order_by(CaseRow.id)
    )
    askers: defaultdict[int, set[str]] = defaultdict(set)
    cases: dict[int, tuple[str, datetime, datetime | None]] = {}
    for case_id, state, created, resolved, user_id in (await connection.execute(query)).all():
        cases[case_id] = (state, created, resolved)
        person = people.get(user_id)
        if person is not None:
            askers[case_id].add(person.id)
    found = []
    for case_id, (state, created, resolved) in cases.items():
        month = f"{created.astimezone(tz):%Y-%m}"
        if month not in months or not askers[case_id]:
            continue
        hours = None
        if state in _ANSWERED and resolved is not None:
            hours = (resolved - created).total_seconds() / HOUR_SECONDS
        found.append(CaseRecord(month, state, frozenset(askers[case_id]), hours))
    return found
