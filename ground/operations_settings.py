"""Settings for running Kompas in production: metrics, log format and retention."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta

from ground.env_values import SettingsError, parse_int

# How long the download link of `eksportér mine data` works (the export is made anew each time).
EXPORT_LINK_LIFETIME = timedelta(hours=1)

LOG_FORMATS = ("text", "json")
DEFAULT_RETENTION_MONTHS = 24
DEFAULT_OUTBOX_RETENTION_DAYS = 30
DEFAULT_CLOSED_CASE_RETENTION_MONTHS = 12


@dataclass(frozen=True)
class RetentionSettings:
    """How long personal data is kept (GDPR art. 5(1)(e), storage limitation).

    `months`: raw questions and free-text answers (experiences), counted from when they were
    written; `outbox_days`: sent, failed and withdrawn outbox rows, from their last change;
    `closed_case_months`: cases the ambassadors answered, referred or closed, from then.
    Exports are links that open for an hour (experiences.export_links) and are never stored.
    """

    months: int = DEFAULT_RETENTION_MONTHS
    outbox_days: int = DEFAULT_OUTBOX_RETENTION_DAYS
    closed_case_months: int = DEFAULT_CLOSED_CASE_RETENTION_MONTHS

    @classmethod
    def parse(cls, get: Callable[[str, str], str]) -> RetentionSettings:
        """Read KOMPAS_RETENTION_MONTHS, KOMPAS_OUTBOX_RETENTION_DAYS and
        KOMPAS_CASE_RETENTION_MONTHS (each at least 1)."""
        return cls(
            months=parse_int(
                "KOMPAS_RETENTION_MONTHS",
                get("KOMPAS_RETENTION_MONTHS", ""),
                DEFAULT_RETENTION_MONTHS,
                1,
            ),
            outbox_days=parse_int(
                "KOMPAS_OUTBOX_RETENTION_DAYS",
                get("KOMPAS_OUTBOX_RETENTION_DAYS", ""),
                DEFAULT_OUTBOX_RETENTION_DAYS,
                1,
            ),
            closed_case_months=parse_int(
                "KOMPAS_CASE_RETENTION_MONTHS",
                get("KOMPAS_CASE_RETENTION_MONTHS", ""),
                DEFAULT_CLOSED_CASE_RETENTION_MONTHS,
                1,
            ),
        )


@dataclass(frozen=True)
class OperationsSettings:
    """How operators watch Kompas: /metrics behind a bearer token, the log format."""

    metrics_token: str = ""  # KOMPAS_METRICS_TOKEN; empty: /metrics answers 404
    log_format: str = "text"  # KOMPAS_LOG_FORMAT: text, or json (one object per line)

    @classmethod
    def parse(cls, get: Callable[[str, str], str]) -> OperationsSettings:
        """Read KOMPAS_METRICS_TOKEN and KOMPAS_LOG_FORMAT."""
        log_format = get("KOMPAS_LOG_FORMAT", "text").lower() or "text"
        if log_format not in LOG_FORMATS:
            raise SettingsError(f"KOMPAS_LOG_FORMAT={log_format!r}: use text or json")
        token = get("KOMPAS_METRICS_TOKEN", "")
        if token and len(token) < 16:
            raise SettingsError("KOMPAS_METRICS_TOKEN must be at least 16 characters")
        return cls(metrics_token=token, log_format=log_format)
