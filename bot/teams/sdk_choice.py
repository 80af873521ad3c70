"""The SDK KOMPAS_TEAMS_SDK chose: its turn engine and its outbound token, imported on use."""

from __future__ import annotations

from bot.teams.sdk import TokenSource, TurnEngine
from ground.settings import Settings


def turn_engine(settings: Settings) -> TurnEngine:
    """The engine of the SDK KOMPAS_TEAMS_SDK names (imported only when chosen)."""
    if settings.teams.sdk == "agents":
        from bot.teams.via_agents.engine import AgentsTurnEngine

        return AgentsTurnEngine(settings)
    from bot.teams.via_botbuilder.engine import BotbuilderTurnEngine

    return BotbuilderTurnEngine(settings)


def token_source(settings: Settings) -> TokenSource | None:
    """The chosen SDK's token for outbound calls; None without MICROSOFT_APP_ID."""
    if not settings.teams.has_credentials:
        return None
    if settings.teams.sdk == "agents":
        from bot.teams.via_agents.credentials import AgentsTokenSource

        return AgentsTokenSource(settings)
    from bot.teams.via_botbuilder.credentials import BotbuilderTokenSource

    return BotbuilderTokenSource(settings)
