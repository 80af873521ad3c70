"""The complete schema: imports every model module so Base.metadata knows all tables."""

from __future__ import annotations

from sqlalchemy import MetaData

from storage import (
    models,
    models_cases,
    models_digests,
    models_experiences,
    models_learning,
    models_organisation,
    models_outbox,
    models_pilots,
    models_teams,
    models_turns,
)
from storage.models import Base

MODEL_MODULES = (
    models,
    models_outbox,
    models_experiences,
    models_pilots,
    models_organisation,
    models_digests,
    models_turns,
    models_teams,
    models_cases,
    models_learning,
)


def metadata() -> MetaData:
    """Base.metadata with every Kompas table registered."""
    return Base.metadata
