"""The feature areas whose routes are added to the core routing table."""

from __future__ import annotations

from dialogs.base import RouteTable
from dialogs.case_routes import CASE_ROUTES
from dialogs.digest_routes import DIGEST_ROUTES
from dialogs.experience_routes import EXPERIENCE_ROUTES
from dialogs.learning_routes import LEARNING_ROUTES
from dialogs.pilot_routes import PILOT_ROUTES


def feature_routes() -> tuple[RouteTable, ...]:
    """Experiences (monthly prompt, reminders, my data), pilots, digests, the
    ambassadors' desk and shared learning (the idea bank)."""
    return (EXPERIENCE_ROUTES, PILOT_ROUTES, DIGEST_ROUTES, CASE_ROUTES, LEARNING_ROUTES)
