"""Backing up and restoring a SQLite database with SQLite's online backup API."""

from __future__ import annotations

import logging
import os
import sqlite3
from contextlib import closing
from pathlib import Path

from alembic.script import ScriptDirectory

from storage.database import SQLITE_BUSY_TIMEOUT_MS, StorageError, sqlite_path
from storage.migrate import alembic_config, current

logger = logging.getLogger(__name__)

PAGES_PER_STEP = 256  # copy in steps, so writers of a serving Kompas are only briefly held up


class BackupError(StorageError):
    """A backup or restore cannot be done (the reason is for the operator)."""


def _sqlite_file(database_url: str) -> Path:
    path = sqlite_path(database_url)
    if path is None:
        raise BackupError(
            "kompas backup and restore work on a SQLite file; for PostgreSQL use pg_dump and "
            "pg_restore (see the README)"
        )
    return path


def _connect(path: Path) -> sqlite3.Connection:
    connection = sqlite3.connect(path, timeout=SQLITE_BUSY_TIMEOUT_MS / 1000)
    connection.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
    return connection


def backup(database_url: str, out: Path) -> str:
    """Copy the database to `out` (replaced atomically); returns its schema revision.

    Safe while Kompas serves: the backup API copies a consistent snapshot (committed
    transactions only) and restarts by itself if a write changes pages it already copied.
    """
    source = _sqlite_file(database_url)
    if not source.is_file():
        raise BackupError(f"no database at {source}")
    revision = current(database_url)
    if revision is None:
        raise BackupError(f"{source} holds no Kompas schema (has `kompas migrate` run?)")
    out.parent.mkdir(parents=True, exist_ok=True)
    partial = out.with_name(f".{out.name}.partial")
    partial.unlink(missing_ok=True)
    with closing(_connect(source)) as reading, closing(sqlite3.connect(partial)) as writing:
        reading.backup(writing, pages=PAGES_PER_STEP)
        writing.execute("PRAGMA journal_mode=DELETE")  # one self-contained file
    os.replace(partial, out)
    logger.info("Backup of %s written to %s (schema %s)", source, out, revision)
    return revision


def backup_revision(path: Path) -> str:
    """The schema revision a backup file holds; BackupError if it is no Kompas backup."""
    if not path.is_file():
        raise BackupError(f"no backup file at {path}")
    try:
        with closing(sqlite3.connect(f"file:{path}?mode=ro", uri=True)) as connection:
            [check] = connection.execute("PRAGMA quick_check").fetchone()
            if check != "ok":
                raise BackupError(f"{path} is damaged: {check}")
            row = connection.execute("SELECT version_num FROM alembic_version").fetchone()
    except sqlite3.DatabaseError as error:
        raise BackupError(f"{path} is not a Kompas backup: {error}") from error
    if row is None:
        raise BackupError(f"{path} is not a Kompas backup: it has no schema revision")
    return str(row[0])


def _known_revisions() -> list[str]:
    """This code's revisions, newest first."""
    script = ScriptDirectory.from_config(alembic_config())
    return [revision.revision for revision in script.walk_revisions()]


def is_newer(revision: str, than: str) -> bool:
    """True when `revision` comes after `than` (both known to this code)."""
    known = _known_revisions()
    return known.index(revision) < known.index(than)


def restore(database_url: str, backup_file: Path) -> str:
    """Replace the database with `backup_file`; returns the restored schema revision.

    Refused when the backup holds a schema this version of Kompas does not know, or an
    older schema than the database it would overwrite (that database has been migrated
    since: restore the matching backup, or install the version the backup came from).
    Stop every Kompas process using the database first.
    """
    target = _sqlite_file(database_url)
    restored = backup_revision(backup_file)
    known = _known_revisions()
    if restored not in known:
        raise BackupError(
            f"the backup's schema ({restored}) is newer than this Kompas knows: install the "
            "version that wrote it before restoring"
        )
    try:
        existing = current(database_url)
    except StorageError:
        existing = None
    if existing is not None and existing in known and is_newer(existing, restored):
        raise BackupError(
            f"the database's schema ({existing}) is newer than the backup's ({restored}): "
            "refusing to overwrite it"
        )
    if existing is not None and existing not in known:
        raise BackupError(
            f"the database's schema ({existing}) is newer than this Kompas knows: refusing to "
            "overwrite it"
        )
    target.parent.mkdir(parents=True, exist_ok=True)
    try:
        with closing(sqlite3.connect(backup_file)) as reading, closing(_connect(target)) as writing:
            reading.backup(writing, pages=PAGES_PER_STEP)
    except sqlite3.DatabaseError as error:
        raise BackupError(f"restore failed: {error}") from error
    logger.info("Restored %s from %s (schema %s)", target, backup_file, restored)
    return restored
