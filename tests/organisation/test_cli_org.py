"""`kompas org import` and `kompas org show` as an operator runs them."""

from __future__ import annotations

from pathlib import Path

from tests.bot.test_cli import kompas


def test_import_then_show_the_example(tmp_path: Path) -> None:
    env = {"DATABASE_URL": f"sqlite:///{tmp_path / 'kompas.db'}"}

    imported = kompas("org", "import", "content/org-example.csv", env=env)
    shown = kompas("org", "show", env=env)

    assert imported.returncode == 0, imported.stderr
    assert "Imported Eksempel Kommune from content/org-example.csv" in imported.stdout
    assert "units:  28 (1 direktion, 3 center, 8 enhed, 16 team)" in imported.stdout
    assert "digests: 12 leaders, 12 new subscription(s)" in imported.stdout
    assert shown.returncode == 0, shown.stderr
    lines = shown.stdout.splitlines()
    assert lines[0] == "Eksempel Kommune: 28 units, 40 people"
    assert lines[1].startswith("Direktionen [direktion, direktion] 1 here, 40 in all  leder: ")
    assert any(line.startswith("      Hjemmepleje Nord [team") for line in lines)
    assert "Vibeke Modelby (sagsbehandling, persondata)" in lines[-2]  # ambassadors' focus


def test_a_broken_file_is_reported_by_line_and_nothing_is_stored(tmp_path: Path) -> None:
    env = {"DATABASE_URL": f"sqlite:///{tmp_path / 'kompas.db'}"}
    broken = tmp_path / "org.csv"
    broken.write_text(
        "type,id,name,parent_id,kind,unit_id,roles\n"
        "unit,top,Top,,direktion,,\n"
        "person,p1,P,,,nowhere,\n",
        encoding="utf-8",
    )

    result = kompas("org", "import", str(broken), env=env)
    checked = kompas("org", "import", "--check", "content/org.yml", env=env)
    shown = kompas("org", "show", env=env)

    assert result.returncode == 1
    assert f"{broken}:3: person 'p1' is in unknown unit 'nowhere'" in result.stderr
    assert "1 problem(s); nothing imported" in result.stderr
    assert checked.returncode == 0 and "OK (28 units, 40 people)" in checked.stdout
    assert "No organisation imported yet" in shown.stdout
