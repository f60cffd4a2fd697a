"""Eloqua field metadata -> the stream's fields and JSON Schema (values are typed in values.py)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from eloqua_plugin.entities import Entity


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
