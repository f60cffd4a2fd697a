"""Which EML statements exist for an export entity, what record key each reads, and how values are
written.

A `Column` ties a statement to a record key, its Bulk dataType and whether it is a
system timestamp (docs §3.3, §8).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

from .common import EASTERN, UTC, export_dt
from .meta import (
    ACCOUNT_SYSTEM_TS,
    ACTIVITY_FIELD_DEFS,
    ACTIVITY_SYSTEM_TS,
    ACTIVITY_TYPE_FIELDS,
    CONTACT_SYSTEM_TS,
)
from .store import Store


@dataclass(frozen=True)
class Column:
    """One exportable statement: record key, dataType, system-timestamp flag, and the record it
    lives on.
    """

    key: str
    data_type: str
    system_ts: bool = False
    source: str = "self"  # "self", "account" (contact's account) or "contact" (activity's contact)


@dataclass(frozen=True)
class Entity:
    """What a definition exports: contacts, accounts, activities (one type) or a custom object."""

    kind: str
    co_id: int | None = None

    @property
    def base_uri(self) -> str:
        return f"/{self.kind}/{self.co_id}" if self.co_id is not None else f"/{self.kind}"


def canonical(statement: str) -> str:
    """Lookup key of a statement: whitespace removed, case folded."""
    return re.sub(r"\s+", "", statement).lower()


STATEMENT_SHAPE = re.compile(r"^\{\{[A-Za-z][^{}']*\}\}$")


def _field_columns(
    fields: list[dict[str, Any]], system: set[str], source: str = "self"
) -> dict[str, Column]:
    return {
        f["internalName"]: Column(
            f["internalName"], f["dataType"], f["internalName"] in system, source
        )
        for f in fields
    }


def catalog(store: Store, entity: Entity, activity_type: str | None = None) -> dict[str, Column]:
    """canonical statement -> Column for an entity (activities: one type, or all)."""
    out: dict[str, Column] = {}
    if entity.kind == "contacts":
        out["{{Contact.Id}}"] = Column("Id", "number")
        out["{{Contact.CreatedAt}}"] = Column("CreatedAt", "date", True)
        out["{{Contact.UpdatedAt}}"] = Column("UpdatedAt", "date", True)
        out["{{Contact.Email.IsSubscribed}}"] = Column("IsSubscribed", "boolean")
        out["{{Contact.Email.IsBounced}}"] = Column("IsBounced", "boolean")
        out["{{Contact.Email.Format}}"] = Column("EmailFormat", "string")
        for name, col in _field_columns(store.contact_fields, CONTACT_SYSTEM_TS).items():
            out[f"{{{{Contact.Field({name})}}}}"] = col
        for name, col in _field_columns(store.account_fields, ACCOUNT_SYSTEM_TS, "account").items():
            out[f"{{{{Contact.Account.Field({name})}}}}"] = col
    elif entity.kind == "accounts":
        out["{{Account.Id}}"] = Column("Id", "number")
        out["{{Account.CreatedAt}}"] = Column("CreatedAt", "date", True)
        out["{{Account.UpdatedAt}}"] = Column("UpdatedAt", "date", True)
        for name, col in _field_columns(store.account_fields, ACCOUNT_SYSTEM_TS).items():
            out[f"{{{{Account.Field({name})}}}}"] = col
    elif entity.kind == "customObjects":
        co = store.custom_objects[entity.co_id or 0]
        p = f"CustomObject[{co.id}]"
        out[f"{{{{{p}.Id}}}}"] = Column("Id", "number")
        out[f"{{{{{p}.ExternalId}}}}"] = Column("ExternalId", "string")
        out[f"{{{{{p}.CreatedAt}}}}"] = Column("CreatedAt", "date", True)
        out[f"{{{{{p}.UpdatedAt}}}}"] = Column("UpdatedAt", "date", True)
        for f in co.fields:
            out[f["statement"]] = Column(f["internalName"], f["dataType"])
    elif entity.kind == "activities":
        refs = ACTIVITY_TYPE_FIELDS.get(activity_type or "", list(ACTIVITY_FIELD_DEFS))
        for ref in refs:
            statement, dtype = ACTIVITY_FIELD_DEFS[ref]
            out[statement] = Column(ref, dtype, ref in ACTIVITY_SYSTEM_TS)
        for name, col in _field_columns(store.contact_fields, CONTACT_SYSTEM_TS, "contact").items():
            out[f"{{{{Activity.Contact.Field({name})}}}}"] = col
    elif entity.kind in ("events", "campaignResponses"):
        from .events import catalog_entries  # noqa: PLC0415 (events imports this module)
        out.update(catalog_entries(store, entity))
    return {canonical(k): v for k, v in out.items()}


def _number(v: Any) -> str:
    if isinstance(v, bool):
        return "1" if v else "0"
    if isinstance(v, int):
        return str(v)
    f = float(v)
    if f.is_integer():
        return str(int(f))
    text = repr(f)
    return format(Decimal(text), "f") if "e" in text else text


def export_value(value: Any, data_type: str, in_utc: bool) -> str:
    """How one typed store value appears in an exported row (docs §4.3, §8): strings, "" for null.

    `in_utc` is true only for a system timestamp in a definition with areSystemTimestampsInUTC.
    """
    if value is None:
        return ""
    if isinstance(value, datetime):
        return export_dt(value, in_utc)
    if isinstance(value, bool):
        return "true" if value else "false"
    if data_type == "number" or isinstance(value, (int, float)):
        return _number(value)
    return str(value)


MS = "milliseconds"


def formatter(col: Column, utc: bool) -> Callable[[Any], str]:
    """Fast per-column value writer for building snapshot rows."""
    in_utc = utc and col.system_ts
    tz = UTC if in_utc else EASTERN
    dtype = col.data_type
    if dtype == "date":
        return lambda v: (
            "" if v is None else v.astimezone(tz).replace(tzinfo=None).isoformat(" ", MS)
        )
    if dtype in ("string", "emailAddress"):
        return lambda v: "" if v is None else v if type(v) is str else export_value(v, dtype, False)
    if dtype == "number":
        return lambda v: "" if v is None else str(v) if type(v) is int else _number(v)
    return lambda v: export_value(v, dtype, in_utc)
