"""Shared learning given back to everyone: the idea bank and the monthly "Det har vi lært" post."""
