"""Eloqua field metadata -> JSON Schema, and Eloqua's export strings -> typed values."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import Any, cast
from zoneinfo import ZoneInfo

from eloqua_plugin.entities import Entity

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


def _date_parser(zone: ZoneInfo | None) -> Converter:
    """Eloqua writes `YYYY-MM-DD HH:MM:SS[.fff]` without offset; `zone` says which clock."""
    offsets: dict[str, timedelta] = {}
    heads: dict[str, str | None] = {}

    def utc_head(key: str) -> str | None:
        """`YYYY-MM-DDTHH` in UTC for the local hour `YYYY-MM-DD HH`, when the zone is a whole
        number of hours off and the UTC hour falls on the same day; else None (parse it)."""
        try:
            local = datetime.fromisoformat(key + ":00:00")
        except ValueError:
            return None
        offset = local.replace(tzinfo=zone).utcoffset() or timedelta(0)
        whole = -offset.total_seconds() / 3600
        if whole != int(whole) or not 0 <= (hour := int(key[11:13]) + int(whole)) < 24:
            return None
        return f"{key[:10]}T{hour:02d}"

    def local_offset(moment: datetime, hour: str) -> timedelta:
        """The zone's UTC offset for this wall-clock hour, computed once per hour seen."""
        found = offsets.get(hour)
        if found is None:
            found = moment.replace(tzinfo=zone).utcoffset() or timedelta(0)
            offsets[hour] = found
        return found

    def parse(value: str) -> str | None:
        # the common case first, as text only (one call per date value of every row)
        size = len(value)
        if (size == 19 or (size == 23 and value[19] == ".")) and value[10] == " " and \
                value[13] == ":" and value[4] == "-":
            if zone is None:
                return value[:10] + "T" + value[11:] + "+00:00"
            key = value[:13]
            head = heads.get(key)
            if head is None and key not in heads:
                head = heads[key] = utc_head(key)
            if head is not None:
                return head + value[13:] + "+00:00"      # same UTC day: text only
        if value == "":
            return None
        moment: datetime | None
        try:
            moment = datetime.fromisoformat(value)
        except ValueError:
            moment = _parse_us_date(value)
        if moment is None:
            LOGGER.warning("Unreadable Eloqua date %r; emitted as null", value)
            return None
        if moment.tzinfo is not None:
            return moment.astimezone(timezone.utc).isoformat()
        if zone is not None:
            moment -= local_offset(moment, value[:13] if value[10:11] == " " else
                                   moment.isoformat()[:13])
        return moment.isoformat() + "+00:00"
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


def row_converter(plan: list[tuple[str, Converter]]) -> Callable[[dict[str, str]], dict[str, Any]]:
    """A function built for this field list: one dict display, no per-field loop.

    Field names enter the generated source only through `repr`, which yields a plain string
    literal; converters are passed in a tuple, never as text.
    """
    functions = tuple(conv for _, conv in plan)
    entries = []
    for index, (name, conv) in enumerate(plan):
        if conv is _string:
            entries.append(f"{name!r}: g({name!r}) or None")
        else:
            entries.append(f"{name!r}: (c[{index}](v) if (v := g({name!r})) else None)")
    source = "def convert(row):\n    g = row.get\n    return {" + ", ".join(entries) + "}\n"
    namespace: dict[str, Any] = {"c": functions}
    exec(compile(source, "<tap_eloqua row converter>", "exec"), namespace)
    return cast("Callable[[dict[str, str]], dict[str, Any]]", namespace["convert"])


def convert_rows(rows: list[dict[str, str]],
                 convert: Callable[[dict[str, str]], dict[str, Any]]) -> Iterator[dict[str, Any]]:
    """Typed records from a page of Eloqua rows, one at a time (no second copy of the page)."""
    return map(convert, rows)
