"""`kompas backup` / `kompas restore` on SQLite: a round trip, while writing, and refusals."""

from __future__ import annotations

import sqlite3
from contextlib import closing
from pathlib import Path

import pytest
from alembic.script import ScriptDirectory

from bot.main import main
from storage.database import sqlite_path
from storage.migrate import alembic_config, head

USERS = "SELECT channel_user_id FROM users ORDER BY id"


@pytest.fixture
def sqlite_file(database_url: str, monkeypatch: pytest.MonkeyPatch) -> Path:
    path = sqlite_path(database_url)
    if path is None:
        pytest.skip("backup and restore are for SQLite (PostgreSQL: pg_dump)")
    monkeypatch.setenv("DATABASE_URL", database_url)
    return path


def _execute(path: Path, *statements: str) -> list[tuple[object, ...]]:
    with closing(sqlite3.connect(path)) as connection, connection:
        rows: list[tuple[object, ...]] = []
        for statement in statements:
            rows = connection.execute(statement).fetchall()
        return rows


def _add_user(path: Path, name: str) -> None:
    _execute(
        path,
        "INSERT INTO users (channel, channel_user_id, display_name, created_at, last_seen_at) "
        f"VALUES ('teams', '{name}', '', '2026-12-01', '2026-12-01')",
    )


def test_round_trip(sqlite_file: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    _add_user(sqlite_file, "29:mette")
    out = tmp_path / "backups" / "kompas-2026-12-04.db"

    assert main(["backup", "--out", str(out)]) == 0
    assert f"backup written to {out} (schema {head()})" in capsys.readouterr().out
    _add_user(sqlite_file, "29:after-the-backup")
    _execute(sqlite_file, "DELETE FROM users WHERE channel_user_id = '29:mette'")

    assert main(["restore", str(out)]) == 0

    assert "database restored" in capsys.readouterr().out
    assert _execute(sqlite_file, USERS) == [("29:mette",)]


def test_a_backup_while_a_write_is_under_way_holds_what_was_committed(
    sqlite_file: Path, tmp_path: Path
) -> None:
    _add_user(sqlite_file, "29:committed")
    with closing(sqlite3.connect(sqlite_file)) as writer:
        writer.execute("BEGIN IMMEDIATE")
        writer.execute(
            "INSERT INTO users (channel, channel_user_id, display_name, created_at, "
            "last_seen_at) VALUES ('teams', '29:in-flight', '', '2026-12-01', '2026-12-01')"
        )
        assert main(["backup", "--out", str(tmp_path / "b.db")]) == 0
        writer.commit()
    assert _execute(tmp_path / "b.db", USERS) == [("29:committed",)]
    assert _execute(tmp_path / "b.db", "PRAGMA integrity_check") == [("ok",)]


def test_restore_refuses_a_backup_older_than_the_database(
    sqlite_file: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "old.db"
    assert main(["backup", "--out", str(out)]) == 0
    previous = ScriptDirectory.from_config(alembic_config()).get_revision(head()).down_revision
    _execute(out, f"UPDATE alembic_version SET version_num = '{previous}'")
    _add_user(sqlite_file, "29:kept")

    assert main(["restore", str(out)]) == 2

    assert "newer than the backup's" in capsys.readouterr().err
    assert _execute(sqlite_file, USERS) == [("29:kept",)]


def test_restore_refuses_a_backup_from_a_newer_kompas(
    sqlite_file: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "new.db"
    assert main(["backup", "--out", str(out)]) == 0
    _execute(out, "UPDATE alembic_version SET version_num = '9999_from_the_future'")

    assert main(["restore", str(out)]) == 2
    assert "newer than this Kompas knows" in capsys.readouterr().err


@pytest.mark.parametrize("content", [b"", b"not a database at all" * 100])
def test_restore_refuses_what_is_no_backup(
    sqlite_file: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], content: bytes
) -> None:
    junk = tmp_path / "junk.db"
    junk.write_bytes(content)
    assert main(["restore", str(junk)]) == 2
    assert "not a Kompas backup" in capsys.readouterr().err
    assert main(["restore", str(tmp_path / "missing.db")]) == 2
    assert "no backup file" in capsys.readouterr().err


def test_postgresql_is_pointed_at_pg_dump(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("DATABASE_URL", "postgresql://kompas@db.invalid/kompas")
    assert main(["backup", "--out", str(tmp_path / "x.db")]) == 2
    assert "pg_dump" in capsys.readouterr().err
