"""Persistence: SQLAlchemy models, migrations and the store used by dialogs."""
