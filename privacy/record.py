"""The facts of the record of processing (GDPR art. 30 and 13), taken from the settings."""

from __future__ import annotations

from typing import Any

from ground.operations_settings import EXPORT_LINK_LIFETIME
from ground.settings import Settings


def record_context(settings: Settings) -> dict[str, Any]:
    """The context of content/templates/privacy_record.md.j2 for the settings in force."""
    retention = settings.retention
    database = "PostgreSQL" if settings.database_url.startswith("postgresql") else "SQLite"
    channels = []
    if settings.teams.has_credentials or not settings.slack.configured:
        channels.append("Microsoft Teams")
    if settings.slack.configured:
        channels.append("Slack")
    return {
        "retention_months": retention.months,
        "outbox_days": retention.outbox_days,
        "case_months": retention.closed_case_months,
        "export_minutes": int(EXPORT_LINK_LIFETIME.total_seconds() // 60),
        "digest_link_days": settings.digest_link_days,
        "min_group": settings.min_group,
        "min_text_group": settings.min_text_group,
        "database": database,
        "channels": channels,
        "dpo": settings.contacts.dpo,
        "ambassadors_configured": bool(settings.ambassadors),
    }
