"""The Teams edge: the only package that knows a Bot Framework SDK runs (botbuilder in
via_botbuilder/, the Microsoft 365 Agents SDK in via_agents/, chosen by KOMPAS_TEAMS_SDK)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from bot.teams.adapter import TeamsChannel, TurnRouter

__all__ = ["TeamsChannel", "TurnRouter"]


def __getattr__(name: str) -> Any:
    """TeamsChannel and TurnRouter, imported on first use: the SDKs are slow to import, and
    the parts the composition root needs (bot.teams.addresses) do without it."""
    if name in __all__:
        from bot.teams import adapter

        return getattr(adapter, name)
    raise AttributeError(f"module 'bot.teams' has no attribute {name!r}")
