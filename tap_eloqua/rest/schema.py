"""REST element values (ids, flags and Unix-second dates, all as strings) -> typed records."""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime, timezone
from typing import Any

from tap_eloqua.rest.resources import Resource

LOGGER = logging.getLogger("tap_eloqua.rest")
Converter = Callable[[Any], Any]

_REF = {"type": "object", "properties": {
    "type": {"type": ["string", "null"]}, "id": {"type": ["integer", "null"]},
    "name": {"type": ["string", "null"]}}}
_VALUE = {"type": "object", "properties": {
    "id": {"type": ["integer", "null"]}, "value": {"type": ["string", "null"]}}}
JSON_TYPES: dict[str, dict[str, Any]] = {
    "id": {"type": ["integer"]},
    "int": {"type": ["integer"]},
    "number": {"type": ["number"]},
    "bool": {"type": ["boolean"]},
    "ts": {"type": ["string"], "format": "date-time"},
    "str": {"type": ["string"]},
    "strs": {"type": ["array"], "items": {"type": "string"}},
    # REST 1.0 sends `permissions` as one string ("fullControl"), 2.0 as a list of grants; both
    # become a list, so a warehouse column has one type (a JSON column refuses a bare string)
    "perms": {"type": ["array"], "items": {"type": "string"}},
    "ids": {"type": ["array"], "items": {"type": "integer"}},
    "refs": {"type": ["array"], "items": _REF},
    "values": {"type": ["array"], "items": _VALUE},
    "object": {"type": ["object"]},
}


def json_schema(resource: Resource) -> dict[str, Any]:
    """Typed properties; only the key is required (REST leaves out properties without value)."""
    properties: dict[str, Any] = {}
    for name, kind in resource.properties:
        prop = {**JSON_TYPES[kind], "type": list(JSON_TYPES[kind]["type"])}
        if name not in resource.key:
            prop["type"].append("null")
        properties[name] = prop
    return {"type": "object", "properties": properties, "required": list(resource.key)}


def to_int(value: Any) -> int | None:
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, int):
        return value
    try:
        return int(str(value))
    except ValueError:
        try:
            return int(float(str(value)))
        except ValueError:
            LOGGER.warning("Unreadable Eloqua integer %r; emitted as null", value)
            return None


def to_number(value: Any) -> int | float | None:
    if value is None or value == "" or isinstance(value, bool):
        return None
    if isinstance(value, (int, float)):
        return value
    text = str(value)
    try:
        return float(text) if any(c in text for c in ".eE") else int(text)
    except ValueError:
        LOGGER.warning("Unreadable Eloqua number %r; emitted as null", value)
        return None


def to_bool(value: Any) -> bool | None:
    if isinstance(value, bool) or value is None:
        return value
    text = str(value).strip().lower()
    if text in ("true", "1"):
        return True
    if text in ("false", "0"):
        return False
    return None


def to_datetime(value: Any) -> str | None:
    """Unix seconds (Eloqua's REST dates) -> ISO 8601 UTC; an ISO string is normalised."""
    if value is None or value == "":
        return None
    text = str(value).strip()
    try:
        return datetime.fromtimestamp(int(text), timezone.utc).isoformat()
    except (ValueError, OverflowError, OSError):
        pass
    try:
        moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        LOGGER.warning("Unreadable Eloqua date %r; emitted as null", value)
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    return moment.astimezone(timezone.utc).isoformat()


def to_str(value: Any) -> str | None:
    return None if value is None else str(value)


def _items(value: Any) -> list[Any] | None:
    return value if isinstance(value, list) else None


def to_strs(value: Any) -> list[str] | None:
    items = _items(value)
    return None if items is None else [str(v) for v in items]


def to_perms(value: Any) -> list[str] | None:
    """REST 1.0's one string ("fullControl") becomes a list of that one grant; 2.0's list stays."""
    if value is None:
        return None
    if isinstance(value, str):
        return [value]
    return to_strs(value)


def to_ids(value: Any) -> list[int | None] | None:
    items = _items(value)
    return None if items is None else [to_int(v) for v in items]


def to_refs(value: Any) -> list[dict[str, Any]] | None:
    items = _items(value)
    if items is None:
        return None
    return [{"type": to_str(v.get("type")), "id": to_int(v.get("id")),
             "name": to_str(v.get("name"))} for v in items if isinstance(v, dict)]


def to_values(value: Any) -> list[dict[str, Any]] | None:
    items = _items(value)
    if items is None:
        return None
    return [{"id": to_int(v.get("id")), "value": to_str(v.get("value"))}
            for v in items if isinstance(v, dict)]


def to_object(value: Any) -> dict[str, Any] | None:
    return value if isinstance(value, dict) else None


CONVERTERS: dict[str, Converter] = {
    "id": to_int, "int": to_int, "number": to_number, "bool": to_bool, "ts": to_datetime,
    "str": to_str, "strs": to_strs, "perms": to_perms, "ids": to_ids, "refs": to_refs,
    "values": to_values, "object": to_object,
}


def record_builder(resource: Resource) -> Callable[[dict[str, Any], dict[str, Any]],
                                                   dict[str, Any]]:
    """A function element (+ extra values, e.g. the parent id) -> record, chosen once."""
    plan = [(name, resource.source(name), CONVERTERS[kind]) for name, kind in resource.properties]

    def build(element: dict[str, Any], extra: dict[str, Any]) -> dict[str, Any]:
        record = {}
        for name, source, conv in plan:
            raw = extra[name] if name in extra else element.get(source)
            record[name] = conv(raw)
        return record
    return build
