"""Reading a team's roster and creating personal chats, against the loopback fake connector."""

from __future__ import annotations

import pytest

from bot.teams.roster import RosterError, TeamsRoster
from delivery.transport import OutcomeKind
from fakes.bot_connector import ConnectorLimits, FakeBotConnector, FakeResponse

TEAM = "19:team@thread.tacv2"
TENANT = "tenant-1"


def _member(number: int, role: str = "user") -> dict[str, str]:
    return {
        "id": f"29:member-{number}",
        "name": f"Medarbejder {number}",
        "aadObjectId": f"aad-{number}",
        "tenantId": TENANT,
        "userRole": role,
    }


async def _no_token() -> dict[str, str]:
    return {}


async def test_every_page_of_a_large_team_is_read_and_guests_are_marked() -> None:
    members = [_member(n) for n in range(1, 1203)] + [_member(9000, role="guest")]
    async with FakeBotConnector() as fake:
        fake.set_roster(TEAM, members)
        roster = TeamsRoster(_no_token)
        try:
            found = await roster.members(fake.url, TEAM)
        finally:
            await roster.close()
    assert [m.user_id for m in found] == [m["id"] for m in members]
    assert len([r for r in fake.requests if r.path.endswith("/pagedmembers")]) == 3
    assert [m.user_id for m in found if not m.messaged] == ["29:member-9000"]
    assert found[0].aad_object_id == "aad-1" and found[0].tenant_id == TENANT


async def test_a_throttled_page_is_read_again_after_retry_after() -> None:
    async with FakeBotConnector() as fake:
        fake.set_roster(TEAM, [_member(1), _member(2)])
        fake.respond_with(FakeResponse(status=429, headers={"Retry-After": "0"}))
        roster = TeamsRoster(_no_token)
        try:
            found = await roster.members(fake.url, TEAM)
        finally:
            await roster.close()
    assert [m.name for m in found] == ["Medarbejder 1", "Medarbejder 2"]
    assert [r.status for r in fake.requests] == [429, 200]


async def test_a_team_the_bot_was_removed_from_is_an_error_not_an_empty_roster() -> None:
    async with FakeBotConnector() as fake:
        fake.respond_with(FakeResponse(status=403))
        roster = TeamsRoster(_no_token)
        try:
            with pytest.raises(RosterError, match="403"):
                await roster.members(fake.url, TEAM)
        finally:
            await roster.close()


async def test_creating_personal_chats_reports_created_blocked_and_throttled() -> None:
    limits = ConnectorLimits(overall_per_second=2.0)
    async with FakeBotConnector(limits=limits) as fake:
        fake.blocked.add("29:member-2")
        roster = TeamsRoster(_no_token)
        try:
            outcomes = [
                await roster.create_personal(
                    fake.url, bot_id="28:kompas", member_id=f"29:member-{n}", tenant_id=TENANT
                )
                for n in (1, 2, 3, 4)
            ]
        finally:
            await roster.close()
    first, blocked, second, throttled = outcomes
    assert first.outcome.kind is OutcomeKind.DELIVERED and first.conversation_id
    assert blocked.outcome.kind is OutcomeKind.GONE and blocked.conversation_id is None
    assert second.outcome.kind is OutcomeKind.DELIVERED
    assert second.conversation_id != first.conversation_id
    assert throttled.outcome.kind is OutcomeKind.RETRY and throttled.outcome.retry_after
    body = fake.created_conversations[0].body
    assert body["members"] == [{"id": "29:member-1"}]
    assert body["channelData"] == {"tenant": {"id": TENANT}}
