"""Digests and protected month tables as JSON, and back (what the digests tables store)."""

from __future__ import annotations

import dataclasses
import types
import typing
from collections.abc import Mapping
from functools import cache
from typing import Any

import numpy as np

from insights import digest as digest_module
from insights.anonymity import Layout, ProtectedTable, TableSpec
from insights.changes import MonthMembers
from insights.digest import Digest, Suppressed, SuppressionKind
from insights.index import MonthTables
from insights.inputs import PilotRecord, PilotStatus
from insights.reach import ReachTables

DIGEST_VERSION = 1
TABLES_VERSION = 1


class SerialError(ValueError):
    """A stored digest or month table is not what this version of Kompas can read."""


# -- digests ------------------------------------------------------------------------------


def _encode(value: Any) -> Any:
    if isinstance(value, Suppressed):
        return {"suppressed": value.kind.value, "reason": value.reason}
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: _encode(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, tuple | list):
        return [_encode(item) for item in value]
    if isinstance(value, bool | int | float | str) or value is None:
        return value
    raise SerialError(f"cannot store a {type(value).__name__} in a digest")


@cache
def _hints(cls: type) -> dict[str, Any]:
    return typing.get_type_hints(cls, vars(digest_module))


def _has_default(field: dataclasses.Field[Any]) -> bool:
    return field.default is not dataclasses.MISSING or field.default_factory is not (
        dataclasses.MISSING
    )


def _decode(kind: Any, value: Any) -> Any:
    origin = typing.get_origin(kind)
    if origin in (typing.Union, types.UnionType):
        options = typing.get_args(kind)
        if value is None and type(None) in options:
            return None
        if isinstance(value, dict) and "suppressed" in value and Suppressed in options:
            return _decode(Suppressed, value)
        rest = [o for o in options if o not in (Suppressed, type(None))]
        for option in rest:
            try:
                return _decode(option, value)
            except (SerialError, TypeError, KeyError, ValueError):
                continue
        raise SerialError(f"{value!r} is none of {options}")
    if origin is tuple:
        args = typing.get_args(kind)
        if not isinstance(value, list):
            raise SerialError(f"expected a list, got {value!r}")
        if len(args) == 2 and args[1] is Ellipsis:
            return tuple(_decode(args[0], item) for item in value)
        if len(args) != len(value):
            raise SerialError(f"expected {len(args)} items, got {len(value)}")
        return tuple(_decode(arg, item) for arg, item in zip(args, value, strict=True))
    if kind is Suppressed:
        if not isinstance(value, dict) or "suppressed" not in value:
            raise SerialError(f"expected a withheld figure, got {value!r}")
        return Suppressed(SuppressionKind(value["suppressed"]), str(value["reason"]))
    if dataclasses.is_dataclass(kind) and isinstance(kind, type):
        if not isinstance(value, dict):
            raise SerialError(f"expected an object for {kind.__name__}, got {value!r}")
        hints = _hints(kind)
        return kind(
            **{
                f.name: _decode(hints[f.name], value[f.name])
                for f in dataclasses.fields(kind)
                if f.name in value or not _has_default(f)  # newer fields: their default
            }
        )
    if kind is float:
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise SerialError(f"expected a number, got {value!r}")
        return float(value)
    if kind in (int, str, bool):
        if not isinstance(value, kind) or (kind is int and isinstance(value, bool)):
            raise SerialError(f"expected {kind.__name__}, got {value!r}")
        return value
    if kind is type(None):
        if value is not None:
            raise SerialError(f"expected null, got {value!r}")
        return None
    raise SerialError(f"cannot read a {kind!r}")


def digest_to_json(digest: Digest) -> dict[str, Any]:
    """The digest as plain JSON (every Suppressed marker kept with its Danish reason)."""
    return {"version": DIGEST_VERSION, "digest": _encode(digest)}


def digest_from_json(data: Mapping[str, Any]) -> Digest:
    """The Digest stored by digest_to_json; SerialError when the data is not one."""
    if data.get("version") != DIGEST_VERSION:
        raise SerialError(f"unknown digest version {data.get('version')!r}")
    try:
        found = _decode(Digest, data["digest"])
    except (KeyError, TypeError, ValueError) as error:
        if isinstance(error, SerialError):
            raise
        raise SerialError(f"malformed digest: {type(error).__name__}: {error}") from error
    if not isinstance(found, Digest):  # pragma: no cover - _decode returns the asked type
        raise SerialError("not a digest")
    return found


# -- month tables ---------------------------------------------------------------------------


def _spec_to_json(spec: TableSpec) -> dict[str, Any]:
    return {
        "columns": list(spec.columns),
        "partitions": [[base, list(parts)] for base, parts in spec.partitions],
        "groups": [list(group) for group in spec.groups],
        "people_of": dict(spec.people_of),
    }


def _spec_from_json(data: Mapping[str, Any]) -> TableSpec:
    return TableSpec(
        columns=tuple(data["columns"]),
        partitions=tuple((base, tuple(parts)) for base, parts in data["partitions"]),
        groups=tuple(tuple(group) for group in data["groups"]),
        people_of=dict(data["people_of"]),
    )


def _table_to_json(table: ProtectedTable) -> dict[str, Any]:
    return {
        "spec": _spec_to_json(table.spec),
        "units": list(table.units),
        "values": table.values.astype(np.int64).tolist(),
        "hidden": table.hidden.astype(bool).tolist(),
    }


def _table_from_json(data: Mapping[str, Any]) -> ProtectedTable:
    spec = _spec_from_json(data["spec"])
    width = len(spec.columns)
    units = tuple(data["units"])
    values = np.array(data["values"], dtype=np.int64).reshape(len(units), width)
    hidden = np.array(data["hidden"], dtype=np.bool_).reshape(len(units), width)
    return ProtectedTable(spec=spec, units=units, values=values, hidden=hidden)


def _layout_to_json(layout: Layout) -> dict[str, Any]:
    return {
        "order": list(layout.order),
        "children": {unit: list(kids) for unit, kids in layout.children.items()},
        "rest_people": dict(layout.rest_people),
        "folded_into": dict(layout.folded_into),
        "population": dict(layout.population),
    }


def _layout_from_json(data: Mapping[str, Any]) -> Layout:
    return Layout(
        order=tuple(data["order"]),
        children={unit: tuple(kids) for unit, kids in data["children"].items()},
        rest_people={unit: int(n) for unit, n in data["rest_people"].items()},
        folded_into=dict(data["folded_into"]),
        population={unit: int(n) for unit, n in data["population"].items()},
    )


def _members_from_json(data: Any) -> MonthMembers | None:
    """Tables stored before Kompas kept the members have none (no change check against them)."""
    if data is None:
        return None
    return MonthMembers(
        str(data["salt"]),
        {str(t): (str(unit), int(flags)) for t, (unit, flags) in data["cells"].items()},
    )


def _members_to_json(members: MonthMembers) -> dict[str, Any]:
    return {
        "salt": members.salt,
        "cells": {t: [unit, flags] for t, (unit, flags) in members.cells.items()},
    }


def _reach_to_json(reach: ReachTables) -> dict[str, Any]:
    return {
        "layout": _layout_to_json(reach.layout),
        "table": _table_to_json(reach.table),
        "members": _members_to_json(reach.members),
        "change_hidden": sorted([unit, column] for unit, column in reach.change_hidden),
    }


def _reach_from_json(data: Any) -> ReachTables | None:
    """Tables stored before Kompas counted reach have none."""
    if data is None:
        return None
    members = _members_from_json(data["members"])
    assert members is not None
    return ReachTables(
        layout=_layout_from_json(data["layout"]),
        table=_table_from_json(data["table"]),
        members=members,
        change_hidden=frozenset((str(u), str(c)) for u, c in data.get("change_hidden") or []),
    )


def tables_to_json(tables: MonthTables) -> dict[str, Any]:
    """A month's protected tables as JSON.

    Pilots keep only id, title, unit and status: who answered what stays out of storage
    (the digest reads a pilot's figures from the protected pilot table). The members are
    pseudonyms (a keyed hash per month) with the shown unit each person is counted in and
    whether they were asked, answered, shared: what difference protection compares.
    """
    return {
        "version": TABLES_VERSION,
        "month": tables.month,
        "layout": _layout_to_json(tables.layout),
        "participation": _table_to_json(tables.participation),
        "categories": {name: _table_to_json(t) for name, t in tables.categories.items()},
        "pilots": _table_to_json(tables.pilots),
        "pilot_records": [
            {"id": p.pilot_id, "unit": p.unit_id, "title": p.title, "status": p.status.value}
            for p in tables.pilot_records.values()
        ],
        "asked_anyone": sorted(tables.asked_anyone),
        "members": None if tables.members is None else _members_to_json(tables.members),
        "change_hidden": {
            name: sorted([unit, column] for unit, column in cells)
            for name, cells in tables.change_hidden.items()
        },
        "pilot_members": {node: sorted(t) for node, t in tables.pilot_members.items()},
        "text_layout": None if tables.text_layout is None else _layout_to_json(tables.text_layout),
        "reach": None if tables.reach is None else _reach_to_json(tables.reach),
    }


def text_layout_from_json(data: Mapping[str, Any]) -> Layout | None:
    """Only the text layout of stored month tables (quotes' rule 5), without reading the rest;
    None when the tables kept none. SerialError when it is unreadable."""
    if data.get("version") != TABLES_VERSION:
        raise SerialError(f"unknown month tables version {data.get('version')!r}")
    found = data.get("text_layout")
    if found is None:
        return None
    try:
        return _layout_from_json(found)
    except (KeyError, TypeError, ValueError, AttributeError) as error:
        raise SerialError(f"unreadable text layout: {error}") from error


def tables_from_json(data: Mapping[str, Any]) -> MonthTables:
    """The MonthTables stored by tables_to_json; SerialError when the data is not one."""
    if data.get("version") != TABLES_VERSION:
        raise SerialError(f"unknown month tables version {data.get('version')!r}")
    try:
        month = str(data["month"])
        return MonthTables(
            month=month,
            layout=_layout_from_json(data["layout"]),
            participation=_table_from_json(data["participation"]),
            categories={name: _table_from_json(t) for name, t in data["categories"].items()},
            pilots=_table_from_json(data["pilots"]),
            pilot_records={
                p["id"]: PilotRecord(
                    p["id"], month, p["unit"], p["title"], PilotStatus(p["status"])
                )
                for p in data["pilot_records"]
            },
            asked_anyone=frozenset(data["asked_anyone"]),
            members=_members_from_json(data.get("members")),
            change_hidden={
                str(name): frozenset((str(u), str(c)) for u, c in cells)
                for name, cells in (data.get("change_hidden") or {}).items()
            },
            pilot_members={
                str(node): frozenset(str(t) for t in tokens)
                for node, tokens in (data.get("pilot_members") or {}).items()
            },
            text_layout=None
            if data.get("text_layout") is None
            else _layout_from_json(data["text_layout"]),
            reach=_reach_from_json(data.get("reach")),
        )
    except (KeyError, TypeError, ValueError) as error:
        raise SerialError(f"malformed month tables: {type(error).__name__}: {error}") from error
