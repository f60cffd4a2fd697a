"""In-memory Eloqua data: records as dicts of typed values, field metadata, the modification API.

Records are copy-on-write (an update swaps in a new dict), so a sync can snapshot by
reference cheaply.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from .clock import ServerClock
from .meta import ACTIVITY_FIELD_DEFS, ACTIVITY_TYPE_FIELDS, ACTIVITY_TYPES, activity_field_items
from .rest_store import RestData

Kind = str | tuple[str, int]


@dataclass
class CustomObject:
    """One custom object: its `/customObjects` item, field metadata and records."""

    id: int
    name: str
    meta: dict[str, Any]
    fields: list[dict[str, Any]]
    records: dict[int, dict[str, Any]] = field(default_factory=dict)

    def field_key(self, field_id: int) -> str | None:
        """internalName of the field with that numeric id."""
        for f in self.fields:
            if f["uri"].rsplit("/", 1)[-1] == str(field_id):
                return str(f["internalName"])
        return None


@dataclass
class MemberList:
    """A contact or account list usable in `EXISTS('{{ContactList[id]}}')`."""

    id: int
    name: str
    members: set[int]
    created_at: str


class Store:
    """All entities behind one re-entrant lock (the HTTP server is threaded)."""

    def __init__(self) -> None:
        self.lock = threading.RLock()
        self.clock = ServerClock()
        self.contacts: dict[int, dict[str, Any]] = {}
        self.accounts: dict[int, dict[str, Any]] = {}
        self.contact_account: dict[int, int] = {}
        self.custom_objects: dict[int, CustomObject] = {}
        self.activities: dict[str, list[dict[str, Any]]] = {t: [] for t in ACTIVITY_TYPES}
        self.contact_fields: list[dict[str, Any]] = []
        self.account_fields: list[dict[str, Any]] = []
        self.all_activity_fields: list[dict[str, Any]] = activity_field_items()
        self.contact_lists: dict[int, MemberList] = {}
        self.account_lists: dict[int, MemberList] = {}
        self.next_external_id = 1
        self.events: dict[int, CustomObject] = {}          # Bulk events (events.py)
        self.campaign_responses: list[dict[str, Any]] = []
        self.rest = RestData()                               # REST Application API (rest.py)
        self._deleted_max: dict[str, int] = {}               # Ids are never reused

    # ---- metadata -------------------------------------------------------------------------
    def activity_fields(self, activity_type: str | None = None) -> list[dict[str, Any]]:
        """Field items for one activity type (common ones included), or all of them."""
        if activity_type is None:
            return list(self.all_activity_fields)
        names = set(ACTIVITY_TYPE_FIELDS[activity_type])
        return [f for f in self.all_activity_fields if f["internalName"] in names]

    def field_types(self, kind: Kind) -> dict[str, str]:
        """record key -> dataType for a kind (used to decode JSON from the control endpoints)."""
        if kind == "contacts":
            out = {
                "Id": "number",
                "CreatedAt": "date",
                "UpdatedAt": "date",
                "IsSubscribed": "boolean",
                "IsBounced": "boolean",
                "EmailFormat": "string",
            }
            fields = self.contact_fields
        elif kind == "accounts":
            out = {"Id": "number", "CreatedAt": "date", "UpdatedAt": "date"}
            fields = self.account_fields
        elif kind == "activities":
            return {k: v[1] for k, v in ACTIVITY_FIELD_DEFS.items()}
        else:
            out = {"Id": "number", "ExternalId": "string", "CreatedAt": "date", "UpdatedAt": "date"}
            fields = self._co(kind).fields
        out.update({f["internalName"]: f["dataType"] for f in fields})
        return out

    # ---- modification API -----------------------------------------------------------------
    def _co(self, kind: Any) -> CustomObject:
        if (
            isinstance(kind, (tuple, list))
            and len(kind) == 2
            and str(kind[0]).lower() == "customobject"
        ):
            co = self.custom_objects.get(int(kind[1]))
            if co is not None:
                return co
        raise KeyError(f"unknown kind {kind!r}")

    def _table(self, kind: Any) -> dict[int, dict[str, Any]]:
        if kind == "contacts":
            return self.contacts
        if kind == "accounts":
            return self.accounts
        return self._co(kind).records

    @staticmethod
    def _mirror(kind: Any, rec: dict[str, Any]) -> None:
        """Keep C_/M_DateCreated/Modified equal to the system timestamps."""
        if kind == "contacts":
            rec["C_DateCreated"], rec["C_DateModified"] = rec["CreatedAt"], rec["UpdatedAt"]
        elif kind == "accounts":
            rec["M_DateCreated"], rec["M_DateModified"] = rec["CreatedAt"], rec["UpdatedAt"]

    def update(self, kind: Kind, record_id: int, changes: dict[str, Any]) -> dict[str, Any]:
        """Apply `changes`, stamp UpdatedAt = now (unless given); returns the new record."""
        with self.lock:
            table = self._table(kind)
            old = table[int(record_id)]
            unknown = set(changes) - set(old)
            if unknown:
                raise KeyError(f"unknown fields {sorted(unknown)}")
            rec = {**old, **changes}
            if "UpdatedAt" not in changes:
                rec["UpdatedAt"] = self.clock.now()
            for sys_key, key in (("UpdatedAt", "C_DateModified"), ("UpdatedAt", "M_DateModified")):
                if key in changes and "UpdatedAt" not in changes:
                    rec[sys_key] = changes[key]
            self._mirror(kind, rec)
            table[int(record_id)] = rec
            return rec

    def add(self, kind: Kind, values: dict[str, Any]) -> int:
        """Create a record with CreatedAt = UpdatedAt = now; every other field defaults to None."""
        with self.lock:
            table = self._table(kind)
            types = self.field_types(kind)
            unknown = set(values) - set(types)
            if unknown:
                raise KeyError(f"unknown fields {sorted(unknown)}")
            new_id = max(max(table, default=0), self._deleted_max.get(repr(kind), 0)) + 1
            now = self.clock.now()
            rec: dict[str, Any] = dict.fromkeys(types)
            rec.update(Id=new_id, CreatedAt=now, UpdatedAt=now)
            if kind == "contacts":
                rec.update(IsSubscribed=True, IsBounced=False, EmailFormat="HTML")
            rec.update(values)
            rec["Id"] = new_id
            self._mirror(kind, rec)
            table[new_id] = rec
            return new_id

    def delete(self, kind: Kind, record_id: int) -> None:
        """Delete a record as a user in Eloqua would: exports no longer have it, and its Id
        is never given to a new record."""
        with self.lock:
            del self._table(kind)[int(record_id)]
            key = repr(kind)
            self._deleted_max[key] = max(self._deleted_max.get(key, 0), int(record_id))

    def new_external_id(self) -> str:
        """Activity ExternalIds are unique across all activity types."""
        with self.lock:
            n = self.next_external_id
            self.next_external_id += 1
            return f"ELQ{n:09d}"

    def add_activity(
        self, activity_type: str, values: dict[str, Any], at: datetime | None = None
    ) -> dict[str, Any]:
        """Append an activity dated `at` (or now) with a fresh ExternalId; returns a copy."""
        if activity_type not in ACTIVITY_TYPES:
            raise KeyError(f"unknown activity type {activity_type!r}")
        with self.lock:
            keys = ACTIVITY_TYPE_FIELDS[activity_type]
            unknown = set(values) - set(keys)
            if unknown:
                raise KeyError(f"unknown fields {sorted(unknown)}")
            recs = self.activities[activity_type]
            rec: dict[str, Any] = dict.fromkeys(keys)
            rec["ActivityId"] = max((r["ActivityId"] for r in recs), default=0) + 1
            rec.update(values)
            rec["ActivityType"] = activity_type
            stamp = values.get("ActivityDate") or self.clock.now()
            rec["ActivityDate"] = at if at is not None else stamp
            rec["ExternalId"] = self.new_external_id()
            recs.append(rec)
            return dict(rec)
