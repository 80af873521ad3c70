"""Kompas edges: app factory, channel adapters, CLI and settings."""
