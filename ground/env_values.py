"""Parsing environment values into typed settings, with errors that name the variable."""

from __future__ import annotations

from datetime import time


class SettingsError(ValueError):
    """A setting has a value Kompas cannot use."""


def parse_split(value: str | None) -> frozenset[str]:
    """A comma-separated list as a set, blanks dropped."""
    if not value:
        return frozenset()
    return frozenset(part.strip() for part in value.split(",") if part.strip())


def parse_int(name: str, value: str, default: int, minimum: int = 0) -> int:
    """A whole number of at least `minimum`; `default` when empty."""
    if not value:
        return default
    try:
        number = int(value)
    except ValueError as error:
        raise SettingsError(f"{name}={value!r}: expected a whole number") from error
    if number < minimum:
        raise SettingsError(f"{name}={value!r}: must be at least {minimum}")
    return number


def parse_clock(name: str, value: str) -> time:
    """A time of day written HH:MM."""
    try:
        hours, minutes = value.split(":")
        return time(int(hours), int(minutes))
    except ValueError as error:
        raise SettingsError(f"{name}={value!r}: expected a time like 09:30") from error


def parse_seconds(name: str, value: str, default: float, minimum: float = 0.1) -> float:
    """A number of seconds of at least `minimum`; `default` when empty."""
    if not value:
        return default
    try:
        number = float(value)
    except ValueError as error:
        raise SettingsError(f"{name}={value!r}: expected a number of seconds") from error
    if not number >= minimum:  # also refuses nan
        raise SettingsError(f"{name}={value!r}: must be at least {minimum}")
    return number


def parse_flag(name: str, value: str) -> bool:
    """true/false, yes/no, on/off or 1/0; empty is false."""
    text = value.lower()
    if text in {"", "false", "no", "0", "off"}:
        return False
    if text in {"true", "yes", "1", "on"}:
        return True
    raise SettingsError(f"{name}={value!r}: use true or false")
