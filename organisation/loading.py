"""Read an organisation export (YAML or CSV), check it and report problems by file and line.

YAML (`content/org.yml`)::

    organisation: Eksempel Kommune
    units:                      # nested with `units:`, or flat with `parent:`
      - id: direktion
        name: Direktionen
        kind: direktion         # direktion, center (or forvaltning), enhed (or afdeling), team
        units:
          - id: c-social
            name: Center for Social og Sundhed
            kind: center
    people:
      - id: p001                # stable id from HR/AD (not shown to anyone)
        name: Anna Eksempel
        email: anna@eksempel.dk
        aad_object_id: 00000000-0000-4000-8000-000000000001   # optional
        teams_user_id: "29:…"   # optional
        unit: c-social          # the unit the person sits in
        roles: [leder]          # medarbejder (default), ambassadør, leder, admin
        leads: [c-social]       # units they lead; default: their own unit when `leder`
        focus: [sagsbehandling, skole]   # optional: an ambassador's focus areas

CSV (`content/org-example.csv`): one file, one row per unit or person, a `type` column::

    type,id,name,parent_id,kind,email,aad_object_id,teams_user_id,unit_id,roles,leads,focus
    organisation,,Eksempel Kommune,,,,,,,,,
    unit,direktion,Direktionen,,direktion,,,,,,,
    person,p001,Anna Eksempel,,,anna@eksempel.dk,0000…,,direktion,leder|admin,direktion,
    person,p002,Bo Eksempel,,,bo@eksempel.dk,0000…,,direktion,ambassadør,,"sagsbehandling, skole"

The delimiter may be `,` or `;` (Excel in Danish); `roles`, `leads` and `focus` hold several
values separated by `|`, `;`, `,` or spaces (quote a cell that holds the file's delimiter).
Someone listed as leder without `leads` leads their own unit; someone with `leads` but without
the role is a leder all the same. The `focus` column is optional: an AI-ambassador's focus
areas, words such as "sagsbehandling" or "skole" (at most 10 of up to 64 characters each).
When someone asks Kompas who their ambassador is, those whose focus matches the topic of the
person's last question are named first. The e-mail address doubles as the Teams sign-in name
(user principal name) that a link to a 1:1 chat with the person opens.
"""

from __future__ import annotations

import csv
import io
import logging
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from organisation.model import (
    ROLE_ALIASES,
    UNIT_KIND_ALIASES,
    OrgPerson,
    OrgTree,
    Role,
    Unit,
    UnitKind,
)

logger = logging.getLogger(__name__)

MAX_ID_LENGTH = 64
MAX_NAME_LENGTH = 200
MAX_FOCUS_AREAS = 10
MAX_FOCUS_LENGTH = 64
CSV_COLUMNS = (
    "type",
    "id",
    "name",
    "parent_id",
    "kind",
    "email",
    "aad_object_id",
    "teams_user_id",
    "unit_id",
    "roles",
    "leads",
    "focus",
)
_LIST_SEPARATORS = re.compile(r"[|;,\s]+")


@dataclass(frozen=True)
class OrgProblem:
    """One thing wrong with an organisation file, at a line (0 when it concerns the file)."""

    path: str
    line: int
    message: str

    def __str__(self) -> str:
        return (
            f"{self.path}:{self.line}: {self.message}"
            if self.line
            else f"{self.path}: {self.message}"
        )


class OrgImportError(Exception):
    """The organisation file has problems; nothing was imported."""

    def __init__(self, problems: Iterable[OrgProblem]) -> None:
        self.problems = tuple(problems)
        super().__init__("\n".join(str(problem) for problem in self.problems))


@dataclass
class _RawUnit:
    id: str
    name: str
    kind: str
    parent_id: str | None
    line: int


@dataclass
class _RawPerson:
    id: str
    name: str
    unit_id: str
    line: int
    email: str = ""
    aad_object_id: str = ""
    teams_user_id: str = ""
    roles: list[str] = field(default_factory=list)
    leads: list[str] = field(default_factory=list)
    focus: list[str] = field(default_factory=list)


@dataclass
class _Reader:
    """Collects raw rows and problems for one file."""

    path: str
    organisation: str = ""
    units: list[_RawUnit] = field(default_factory=list)
    people: list[_RawPerson] = field(default_factory=list)
    problems: list[OrgProblem] = field(default_factory=list)

    def problem(self, line: int, message: str) -> None:
        self.problems.append(OrgProblem(self.path, line, message))


def load_organisation(path: Path) -> OrgTree:
    """Read and check a YAML (.yml/.yaml) or CSV (.csv) organisation file.

    Raises OrgImportError listing every problem found (by file and line).
    """
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as error:
        raise OrgImportError(
            [OrgProblem(str(path), 0, f"cannot read the file: {error}")]
        ) from error
    suffix = path.suffix.lower()
    if suffix in {".yml", ".yaml"}:
        return parse_yaml(text, str(path))
    if suffix == ".csv":
        return parse_csv(text, str(path))
    raise OrgImportError([OrgProblem(str(path), 0, "expected a .yml, .yaml or .csv file")])


# -- YAML ---------------------------------------------------------------------------------


class _LineDict(dict[str, Any]):
    """A YAML mapping that remembers the line it started on."""

    line = 0


class _LineLoader(yaml.SafeLoader):
    """SafeLoader whose mappings know their line numbers."""


def _construct_mapping(loader: _LineLoader, node: yaml.MappingNode) -> _LineDict:
    mapping = _LineDict(
        {str(key): value for key, value in loader.construct_mapping(node, deep=True).items()}
    )
    mapping.line = node.start_mark.line + 1
    return mapping


_LineLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)


def _text(value: Any) -> str:
    return "" if value is None else str(value).strip()


def _values(value: Any) -> list[str]:
    if value is None:
        return []
    if isinstance(value, list):
        return [_text(item) for item in value if _text(item)]
    return [part for part in _LIST_SEPARATORS.split(_text(value)) if part]


def parse_yaml(text: str, path: str = "<org.yml>") -> OrgTree:
    """Parse the YAML format (see the module docstring); raises OrgImportError."""
    reader = _Reader(path)
    try:
        data = yaml.load(text, Loader=_LineLoader)
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        line = mark.line + 1 if mark is not None else 0
        raise OrgImportError([OrgProblem(path, line, f"not valid YAML: {error}")]) from error
    if not isinstance(data, dict):
        raise OrgImportError([OrgProblem(path, 0, "expected a mapping with units: and people:")])
    reader.organisation = _text(data.get("organisation"))
    units = data.get("units") or []
    people = data.get("people") or []
    if not isinstance(units, list) or not isinstance(people, list):
        raise OrgImportError([OrgProblem(path, 0, "units: and people: must be lists")])
    _read_yaml_units(reader, units, None)
    for item in people:
        if not isinstance(item, _LineDict):
            reader.problem(0, f"a person must be a mapping, not {item!r}")
            continue
        reader.people.append(
            _RawPerson(
                id=_text(item.get("id")),
                name=_text(item.get("name")),
                unit_id=_text(item.get("unit", item.get("unit_id"))),
                line=item.line,
                email=_text(item.get("email")),
                aad_object_id=_text(item.get("aad_object_id")),
                teams_user_id=_text(item.get("teams_user_id")),
                roles=_values(item.get("roles")),
                leads=_values(item.get("leads")),
                focus=_values(item.get("focus")),
            )
        )
    return _check(reader)


def _read_yaml_units(reader: _Reader, items: list[Any], parent: str | None) -> None:
    for item in items:
        if not isinstance(item, _LineDict):
            reader.problem(0, f"a unit must be a mapping, not {item!r}")
            continue
        unit_id = _text(item.get("id"))
        declared = _text(item.get("parent", item.get("parent_id"))) or None
        if parent is not None and declared is not None and declared != parent:
            reader.problem(
                item.line,
                f"unit {unit_id!r} is nested under {parent!r} but names parent {declared!r}",
            )
        reader.units.append(
            _RawUnit(
                unit_id,
                _text(item.get("name")),
                _text(item.get("kind")),
                parent or declared,
                item.line,
            )
        )
        children = item.get("units") or []
        if not isinstance(children, list):
            reader.problem(item.line, f"units: of {unit_id!r} must be a list")
            continue
        _read_yaml_units(reader, children, unit_id or None)


# -- CSV ----------------------------------------------------------------------------------


def parse_csv(text: str, path: str = "<org.csv>") -> OrgTree:
    """Parse the one-file CSV format (see the module docstring); raises OrgImportError."""
    reader = _Reader(path)
    first_line = text.split("\n", 1)[0]
    delimiter = ";" if first_line.count(";") > first_line.count(",") else ","
    rows = csv.reader(io.StringIO(text), delimiter=delimiter)
    try:
        header = [column.strip().lower() for column in next(rows)]
    except StopIteration:
        raise OrgImportError([OrgProblem(path, 0, "the file is empty")]) from None
    missing = [column for column in ("type", "id", "name") if column not in header]
    if missing:
        raise OrgImportError(
            [
                OrgProblem(
                    path,
                    1,
                    f"missing column(s) {', '.join(missing)}; expected {','.join(CSV_COLUMNS)}",
                )
            ]
        )
    for row in rows:
        line = rows.line_num
        if not any(cell.strip() for cell in row):
            continue
        record = {
            column: (row[i].strip() if i < len(row) else "") for i, column in enumerate(header)
        }
        kind = record.get("type", "").lower()
        if kind in {"organisation", "organization", "kommune"}:
            reader.organisation = record.get("name", "")
        elif kind in {"unit", "enhed"}:
            reader.units.append(
                _RawUnit(
                    record.get("id", ""),
                    record.get("name", ""),
                    record.get("kind", ""),
                    record.get("parent_id", record.get("parent", "")) or None,
                    line,
                )
            )
        elif kind == "person":
            reader.people.append(
                _RawPerson(
                    id=record.get("id", ""),
                    name=record.get("name", ""),
                    unit_id=record.get("unit_id", record.get("unit", "")),
                    line=line,
                    email=record.get("email", ""),
                    aad_object_id=record.get("aad_object_id", ""),
                    teams_user_id=record.get("teams_user_id", ""),
                    roles=_values(record.get("roles")),
                    leads=_values(record.get("leads")),
                    focus=_values(record.get("focus")),
                )
            )
        else:
            reader.problem(line, f"unknown type {kind!r}: use unit or person")
    return _check(reader)


# -- checks -------------------------------------------------------------------------------


def _check_id(reader: _Reader, line: int, what: str, value: str) -> bool:
    if not value:
        reader.problem(line, f"{what} has no id")
        return False
    if len(value) > MAX_ID_LENGTH:
        reader.problem(line, f"{what} id {value!r} is longer than {MAX_ID_LENGTH} characters")
        return False
    return True


def _check_units(reader: _Reader) -> dict[str, Unit]:
    units: dict[str, Unit] = {}
    lines: dict[str, int] = {}
    for raw in reader.units:
        if not _check_id(reader, raw.line, "a unit", raw.id):
            continue
        if raw.id in units:
            reader.problem(
                raw.line, f"duplicate unit id {raw.id!r} (first on line {lines[raw.id]})"
            )
            continue
        if not raw.name or len(raw.name) > MAX_NAME_LENGTH:
            reader.problem(
                raw.line, f"unit {raw.id!r} needs a name of 1–{MAX_NAME_LENGTH} characters"
            )
        kind = UNIT_KIND_ALIASES.get(raw.kind.lower())
        if kind is None:
            reader.problem(
                raw.line,
                f"unit {raw.id!r} has unknown kind {raw.kind!r}: "
                "use direktion, center, enhed or team",
            )
            kind = UnitKind.UNIT
        units[raw.id] = Unit(raw.id, raw.name or raw.id, kind, raw.parent_id)
        lines[raw.id] = raw.line
    for unit in list(units.values()):
        if unit.parent_id is not None and unit.parent_id not in units:
            reader.problem(
                lines[unit.id], f"unit {unit.id!r} has unknown parent {unit.parent_id!r}"
            )
            units[unit.id] = Unit(unit.id, unit.name, unit.kind, None)
    for unit_id in _units_in_cycles(units):
        reader.problem(lines[unit_id], f"unit {unit_id!r} is in a cycle of parents")
    if not units and not reader.problems:
        reader.problem(0, "no units found")
    return units


def _units_in_cycles(units: dict[str, Unit]) -> list[str]:
    state: dict[str, int] = {}  # 1 = on the current path, 2 = done
    cyclic: set[str] = set()
    for start in units:
        path: list[str] = []
        current: str | None = start
        while current is not None and state.get(current, 0) == 0:
            state[current] = 1
            path.append(current)
            current = units[current].parent_id
        if current is not None and state.get(current) == 1:
            cyclic.update(path[path.index(current) :])
        for unit_id in path:
            state[unit_id] = 2
    return [unit_id for unit_id in units if unit_id in cyclic]


def _check_people(reader: _Reader, units: dict[str, Unit]) -> list[OrgPerson]:
    people: list[OrgPerson] = []
    seen: dict[tuple[str, str], int] = {}
    for raw in reader.people:
        if not _check_id(reader, raw.line, "a person", raw.id):
            continue
        ok = True
        for label, value in (
            ("id", raw.id),
            ("e-mail", raw.email.lower()),
            ("AAD object id", raw.aad_object_id.lower()),
            ("Teams user id", raw.teams_user_id),
        ):
            if not value:
                continue
            if (label, value) in seen:
                reader.problem(
                    raw.line, f"duplicate {label} {value!r} (first on line {seen[label, value]})"
                )
                ok = False
            else:
                seen[label, value] = raw.line
        if not raw.name or len(raw.name) > MAX_NAME_LENGTH:
            reader.problem(
                raw.line, f"person {raw.id!r} needs a name of 1–{MAX_NAME_LENGTH} characters"
            )
        if raw.unit_id not in units:
            reader.problem(raw.line, f"person {raw.id!r} is in unknown unit {raw.unit_id!r}")
            ok = False
        roles = {Role.EMPLOYEE}
        for name in raw.roles:
            role = ROLE_ALIASES.get(name.lower())
            if role is None:
                reader.problem(
                    raw.line,
                    f"person {raw.id!r} has unknown role {name!r}: "
                    "use medarbejder, ambassadør, leder or admin",
                )
                ok = False
            else:
                roles.add(role)
        for unit_id in raw.leads:
            if unit_id not in units:
                reader.problem(
                    raw.line,
                    f"person {raw.id!r} is leader of unit {unit_id!r}, which does not exist",
                )
                ok = False
        focus = _check_focus(reader, raw)
        leads = set(raw.leads)
        if leads:
            roles.add(Role.LEADER)
        elif Role.LEADER in roles:
            leads.add(raw.unit_id)
        if ok:
            people.append(
                OrgPerson(
                    id=raw.id,
                    name=raw.name or raw.id,
                    unit_id=raw.unit_id,
                    email=raw.email,
                    directory_id=raw.aad_object_id,
                    teams_user_id=raw.teams_user_id,
                    roles=frozenset(roles),
                    leads=frozenset(leads),
                    focus=focus,
                )
            )
    return people


def _check_focus(reader: _Reader, raw: _RawPerson) -> tuple[str, ...]:
    """The person's focus areas without repeats (first spelling kept); problems when there
    are too many or one is too long."""
    focus: dict[str, str] = {}
    for word in raw.focus:
        if len(word) > MAX_FOCUS_LENGTH:
            reader.problem(
                raw.line,
                f"person {raw.id!r} has a focus area longer than {MAX_FOCUS_LENGTH} characters",
            )
            continue
        focus.setdefault(word.casefold(), word)
    if len(focus) > MAX_FOCUS_AREAS:
        reader.problem(raw.line, f"person {raw.id!r} has more than {MAX_FOCUS_AREAS} focus areas")
    return tuple(focus.values())


def _check(reader: _Reader) -> OrgTree:
    units = _check_units(reader)
    people = _check_people(reader, units)
    if reader.problems:
        raise OrgImportError(sorted(reader.problems, key=lambda problem: problem.line))
    tree = OrgTree.build(units.values(), people, name=reader.organisation)
    logger.info(
        "read %d units and %d people from %s", len(tree.units), len(tree.people), reader.path
    )
    return tree
