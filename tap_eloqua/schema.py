"""Eloqua field metadata -> JSON Schema, and Eloqua's export strings -> typed values."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any
from zoneinfo import ZoneInfo

from tap_eloqua.entities import Entity

LOGGER = logging.getLogger("tap_eloqua.schema")
Converter = Callable[[str], Any]
TRUE_WORDS = frozenset({"true", "1", "yes", "y", "t"})
FALSE_WORDS = frozenset({"false", "0", "no", "n", "f"})


@dataclass(frozen=True)
class Field:
    """A property of a stream: its name, Eloqua statement and how its values are typed."""

    name: str
    statement: str
    data_type: str
    integer: bool = False
    required: bool = False
    utc: bool = False        # a system timestamp (exported in UTC); other dates are local
    title: str | None = None


def fields_for(entity: Entity, items: Iterable[dict[str, Any]]) -> dict[str, Field]:
    """The entity's system fields, then every `/fields` item by internal name (first wins)."""
    utc = entity.kind.utc_fields
    fields: dict[str, Field] = {}
    for sf in entity.system_fields:
        fields[sf.name] = Field(sf.name, sf.statement, sf.data_type, sf.integer, sf.required,
                                utc=sf.name in utc)
    for item in items:
        name = str(item.get("internalName") or item.get("name") or "")
        statement = str(item.get("statement") or "")
        if not name or not statement or name in fields:
            continue
        fields[name] = Field(name, statement, str(item.get("dataType") or "string"),
                             utc=name in utc, title=item.get("name"))
    return fields


def json_schema(fields: dict[str, Field]) -> dict[str, Any]:
    """A JSON Schema whose types are real: date-time, number/integer, boolean, string."""
    properties: dict[str, Any] = {}
    for f in fields.values():
        if f.data_type == "date":
            prop: dict[str, Any] = {"type": ["string"], "format": "date-time"}
        elif f.data_type == "number":
            prop = {"type": ["integer" if f.integer else "number"]}
        elif f.data_type == "boolean":
            prop = {"type": ["boolean"]}
        else:
            prop = {"type": ["string"]}
        if not f.required:
            prop["type"].append("null")
        if f.title:
            prop["title"] = f.title
        properties[f.name] = prop
    return {"type": "object", "properties": properties,
            "required": [f.name for f in fields.values() if f.required]}


# -- value conversion (the hot path: one call per field per row) ------------------------------
def _string(value: str) -> str | None:
    return value if value != "" else None


def _integer(value: str) -> int | None:
    if value == "":
        return None
    try:
        return int(value)
    except ValueError:
        try:
            return int(float(value))
        except ValueError:
            LOGGER.warning("Unreadable Eloqua integer %r; emitted as null", value)
            return None


def _number(value: str) -> int | float | None:
    if value == "":
        return None
    try:
        if "." in value or "e" in value or "E" in value:
            return float(value)
        return int(value)
    except ValueError:
        LOGGER.warning("Unreadable Eloqua number %r; emitted as null", value)
        return None


def _boolean(value: str) -> bool | None:
    lowered = value.strip().lower()
    if lowered in TRUE_WORDS:
        return True
    if lowered in FALSE_WORDS:
        return False
    return None


def _is_plain_utc(value: str) -> bool:
    """`YYYY-MM-DD HH:MM:SS` or `... .fff`: the shape Eloqua exports, safe to rewrite as text."""
    return (len(value) in (19, 23) and value[4] == "-" and value[7] == "-" and value[10] == " "
            and value[13] == ":" and value[16] == ":" and (len(value) == 19 or value[19] == ".")
            and value[:4].isdigit() and value[11:13].isdigit() and value[-2:].isdigit())


def _date_parser(zone: ZoneInfo | None) -> Converter:
    """Eloqua writes `YYYY-MM-DD HH:MM:SS[.fff]` without offset; `zone` says which clock."""
    def parse(value: str) -> str | None:
        if value == "":
            return None
        if zone is None and _is_plain_utc(value):
            return f"{value[:10]}T{value[11:]}+00:00"  # the common case, without datetime objects
        moment: datetime | None
        try:
            moment = datetime.fromisoformat(value)
        except ValueError:
            moment = _parse_us_date(value)
        if moment is None:
            LOGGER.warning("Unreadable Eloqua date %r; emitted as null", value)
            return None
        if moment.tzinfo is None:
            moment = moment.replace(tzinfo=zone or timezone.utc)
        return moment.astimezone(timezone.utc).isoformat()
    return parse


def _parse_us_date(value: str) -> datetime | None:
    for fmt in ("%m/%d/%Y %I:%M:%S %p", "%m/%d/%Y %H:%M:%S", "%m/%d/%Y"):
        try:
            return datetime.strptime(value, fmt)
        except ValueError:
            continue
    return None


def converters(fields: Iterable[Field], local_zone: ZoneInfo) -> list[tuple[str, Converter]]:
    """One converter per field, chosen once per stream rather than once per value."""
    utc_parser, local_parser = _date_parser(None), _date_parser(local_zone)
    chosen: list[tuple[str, Converter]] = []
    for f in fields:
        if f.data_type == "date":
            conv = utc_parser if f.utc else local_parser
        elif f.data_type == "number":
            conv = _integer if f.integer else _number
        elif f.data_type == "boolean":
            conv = _boolean
        else:
            conv = _string
        chosen.append((f.name, conv))
    return chosen


def convert_rows(rows: list[dict[str, str]],
                 plan: list[tuple[str, Converter]]) -> Iterator[dict[str, Any]]:
    """Typed records from a page of Eloqua rows, one at a time (no second copy of the page)."""
    for row in rows:
        get = row.get
        record = {}
        for name, conv in plan:
            raw = get(name)
            record[name] = None if raw is None else conv(raw)
        yield record
