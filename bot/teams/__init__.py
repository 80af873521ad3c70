"""The Teams edge: the only package that imports the Bot Framework SDK (botbuilder)."""

from bot.teams.adapter import TeamsChannel, TurnRouter

__all__ = ["TeamsChannel", "TurnRouter"]
