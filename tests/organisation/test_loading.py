"""Reading organisation files: the shipped examples, both formats, and problems by line."""

from __future__ import annotations

from pathlib import Path

import pytest

from organisation.loading import OrgImportError, load_organisation, parse_csv, parse_yaml
from organisation.model import Role, UnitKind
from tests.paths import PROJECT_ROOT

CONTENT = PROJECT_ROOT / "content"


def _problems(error: pytest.ExceptionInfo[OrgImportError]) -> list[str]:
    return [str(problem) for problem in error.value.problems]


def test_the_example_municipality_loads_the_same_from_yaml_and_csv() -> None:
    from_yaml = load_organisation(CONTENT / "org.yml")
    from_csv = load_organisation(CONTENT / "org-example.csv")

    assert from_yaml.name == from_csv.name == "Eksempel Kommune"
    assert from_yaml.units == from_csv.units
    assert from_yaml.people == from_csv.people
    kinds = [unit.kind for unit in from_yaml.units.values()]
    assert kinds.count(UnitKind.DIRECTORATE) == 1
    assert kinds.count(UnitKind.CENTRE) == 3
    assert kinds.count(UnitKind.UNIT) == 8
    assert 14 <= kinds.count(UnitKind.TEAM) <= 16
    assert 35 <= len(from_yaml.people) <= 45
    roles = {role for person in from_yaml.people.values() for role in person.roles}
    assert roles == set(Role)
    assert all(p.email.endswith(".example") for p in from_yaml.people.values())
    focused = [p for p in from_yaml.people.values() if p.focus]
    assert focused and all(Role.AMBASSADOR in p.roles for p in focused)
    assert from_yaml.people["p021"].focus == ("sagsbehandling", "persondata")


def test_nested_and_flat_units_and_leader_defaults() -> None:
    tree = parse_yaml(
        """
organisation: Test
units:
  - id: top
    name: Top
    kind: direktion
    units:
      - {id: a, name: A, kind: forvaltning}
  - {id: b, name: B, kind: team, parent: a}
people:
  - {id: p1, name: Leder, unit: a, roles: [leder]}
  - {id: p2, name: Chef, unit: top, leads: [top, b]}
  - {id: p3, name: Ambassadør, unit: b, roles: "ambassadoer admin"}
"""
    )
    assert tree.units["a"].kind is UnitKind.CENTRE
    assert tree.units["b"].parent_id == "a"
    assert tree.people["p1"].leads == {"a"}  # a leder without leads leads their own unit
    assert Role.LEADER in tree.people["p2"].roles  # leads without the role is a leder too
    assert tree.people["p3"].roles == {Role.EMPLOYEE, Role.AMBASSADOR, Role.ADMIN}


def test_focus_areas_are_read_from_both_formats_like_roles() -> None:
    csv_tree = parse_csv(
        "type;id;name;kind;unit_id;roles;focus\n"
        "unit;top;Top;direktion;;;\n"
        "person;p1;Ane;;top;ambassadør;sagsbehandling, skole\n"
        'person;p2;Bo;;top;ambassadør;"Skole|persondata skole"\n'
        "person;p3;Cai;;top;;\n",
        "org.csv",
    )
    comma_tree = parse_csv(
        "type,id,name,kind,unit_id,roles,focus\n"
        "unit,top,Top,direktion,,,\n"
        'person,p1,Ane,,top,ambassadør,"sagsbehandling, skole"\n',
        "org.csv",
    )
    yaml_tree = parse_yaml(
        """
units: [{id: top, name: Top, kind: direktion}]
people:
  - {id: p1, name: Ane, unit: top, roles: [ambassadør], focus: [sagsbehandling, skole]}
  - {id: p2, name: Bo, unit: top, roles: [ambassadør], focus: "sagsbehandling; skole"}
"""
    )

    assert csv_tree.people["p1"].focus == ("sagsbehandling", "skole")
    assert csv_tree.people["p2"].focus == ("Skole", "persondata")  # a repeat counts once
    assert csv_tree.people["p3"].focus == ()
    assert comma_tree.people["p1"].focus == ("sagsbehandling", "skole")
    both = ("sagsbehandling", "skole")
    assert yaml_tree.people["p1"].focus == yaml_tree.people["p2"].focus == both


def test_too_many_or_too_long_focus_areas_are_problems() -> None:
    many = ", ".join(f"emne{n}" for n in range(11))
    with pytest.raises(OrgImportError) as error:
        parse_yaml(
            f"""units: [{{id: top, name: Top, kind: direktion}}]
people:
  - {{id: p1, name: Ane, unit: top, focus: "{many}"}}
  - {{id: p2, name: Bo, unit: top, focus: [{"x" * 65}]}}
""",
            "org.yml",
        )
    assert _problems(error) == [
        "org.yml:3: person 'p1' has more than 10 focus areas",
        "org.yml:4: person 'p2' has a focus area longer than 64 characters",
    ]


def test_yaml_problems_are_reported_by_line() -> None:
    text = """units:
  - id: top
    name: Top
    kind: direktion
  - id: top
    name: Again
    kind: team
  - id: lost
    name: Lost
    kind: team
    parent: nowhere
  - id: odd
    name: Odd
    kind: kontor
people:
  - id: p1
    name: A
    unit: ghost
  - id: p2
    name: B
    unit: top
    roles: [chef]
  - id: p3
    name: C
    unit: top
    leads: [gone]
  - id: p3
    name: D
    unit: top
"""
    with pytest.raises(OrgImportError) as error:
        parse_yaml(text, "org.yml")
    assert _problems(error) == [
        "org.yml:5: duplicate unit id 'top' (first on line 2)",
        "org.yml:8: unit 'lost' has unknown parent 'nowhere'",
        "org.yml:12: unit 'odd' has unknown kind 'kontor': use direktion, center, enhed or team",
        "org.yml:16: person 'p1' is in unknown unit 'ghost'",
        "org.yml:19: person 'p2' has unknown role 'chef': "
        "use medarbejder, ambassadør, leder or admin",
        "org.yml:23: person 'p3' is leader of unit 'gone', which does not exist",
        "org.yml:27: duplicate id 'p3' (first on line 23)",
    ]


def test_cycles_are_found_in_csv_with_semicolons() -> None:
    text = (
        "type;id;name;parent_id;kind;email;aad_object_id;unit_id;roles;leads\n"
        "unit;a;A;c;center;;;;;\n"
        "unit;b;B;a;enhed;;;;;\n"
        "unit;c;C;b;team;;;;;\n"
        "unit;root;Root;;direktion;;;;;\n"
        "person;p1;P;;;p@x.example;;root;leder;\n"
        "person;p2;Q;;;P@X.example;;root;;\n"
        "thing;x;X;;;;;;;\n"
    )
    with pytest.raises(OrgImportError) as error:
        parse_csv(text, "org.csv")
    assert _problems(error) == [
        "org.csv:2: unit 'a' is in a cycle of parents",
        "org.csv:3: unit 'b' is in a cycle of parents",
        "org.csv:4: unit 'c' is in a cycle of parents",
        "org.csv:7: duplicate e-mail 'p@x.example' (first on line 6)",
        "org.csv:8: unknown type 'thing': use unit or person",
    ]


def test_a_csv_without_the_needed_columns_and_other_files(tmp_path: Path) -> None:
    with pytest.raises(OrgImportError, match="missing column"):
        parse_csv("id,name\nx,y\n", "bad.csv")
    other = tmp_path / "org.txt"
    other.write_text("x", encoding="utf-8")
    with pytest.raises(OrgImportError, match=r"\.yml, \.yaml or \.csv"):
        load_organisation(other)
    with pytest.raises(OrgImportError, match="cannot read"):
        load_organisation(tmp_path / "missing.yml")
    with pytest.raises(OrgImportError, match="not valid YAML"):
        parse_yaml("units: [\n", "x.yml")
