"""Typed data behind the REST Application API endpoints, and how each depth cuts an element.

Elements are dicts of Python values (ints, datetimes at whole seconds, bools, strings, nested
lists); `rest.py` renders them as Eloqua does (strings, Unix seconds). Contact lists are not
stored here: they are the Bulk store's `contact_lists` plus the REST metadata in `list_meta`, so
both APIs see the same members.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from .common import UTC


def now_s() -> datetime:
    """UTC now at whole seconds: REST dates have no finer precision."""
    return datetime.now(UTC).replace(microsecond=0)


ASSET_MINIMAL = ("name", "currentStatus", "folderId", "createdAt", "createdBy", "updatedAt",
                 "updatedBy", "accessedAt", "permissions")


@dataclass(frozen=True)
class KindSpec:
    """One REST element type: its minimal property set and what lower depths leave out."""

    name: str
    type: str
    minimal: tuple[str, ...]
    complete_only: frozenset[str] = frozenset()
    nested: frozenset[str] = frozenset()     # arrays of assets: {type, id, name} below complete
    raw_ints: frozenset[str] = frozenset()   # sent as JSON numbers, not strings
    key: str = "id"


SPECS: dict[str, KindSpec] = {s.name: s for s in (
    KindSpec("campaigns", "Campaign", ASSET_MINIMAL, nested=frozenset({"elements"})),
    KindSpec("emails", "Email", (*ASSET_MINIMAL, "subject", "archive", "htmlContent"),
             complete_only=frozenset({"plainText"}),
             nested=frozenset({"hyperlinks", "contentSections", "dynamicContents", "images",
                               "forms", "fieldMerges"})),
    KindSpec("forms", "Form", ASSET_MINIMAL, complete_only=frozenset({"html", "customCSS"}),
             nested=frozenset({"elements", "processingSteps"})),
    KindSpec("landingPages", "LandingPage", ASSET_MINIMAL,
             nested=frozenset({"hyperlinks", "forms", "images"})),
    KindSpec("users", "User", ("name", "createdAt", "createdBy", "updatedAt", "updatedBy",
                               "loginName", "emailAddress"),
             complete_only=frozenset({"capabilities", "securityGroups"})),
    KindSpec("contactLists", "ContactList", ASSET_MINIMAL),
    KindSpec("segments", "ContactSegment", ASSET_MINIMAL, nested=frozenset({"elements"})),
    KindSpec("emailGroups", "EmailGroup", ASSET_MINIMAL),
    KindSpec("externals", "ExternalAsset", ASSET_MINIMAL),
    KindSpec("visitors", "VisitorViewData",
             ("visitorId", "createdAt", "contactId", "externalId", "V_IPAddress",
              "V_LastVisitDateAndTime"), raw_ints=frozenset({"id"}), key="visitorId"),
)}


class RestData:
    """Every REST element of the instance, behind one lock; records are copy-on-write."""

    def __init__(self) -> None:
        self.lock = threading.RLock()
        self.assets: dict[str, dict[int, dict[str, Any]]] = {
            name: {} for name in SPECS if name != "contactLists"}
        self.list_meta: dict[int, dict[str, Any]] = {}       # contact list id -> REST props
        self.form_data: dict[int, list[dict[str, Any]]] = {}  # form id -> submissions

    # ---- modification API (tests) ---------------------------------------------------------
    def touch(self, kind: str, element_id: int, changes: dict[str, Any] | None = None,
              at: datetime | None = None) -> dict[str, Any]:
        """Apply `changes` and stamp the update time (visitors: a new visit) at `at` or now."""
        stamp = "V_LastVisitDateAndTime" if kind == "visitors" else "updatedAt"
        with self.lock:
            table = self.assets[kind]
            element = {**table[element_id], **(changes or {})}
            element[stamp] = (at or now_s()).replace(microsecond=0)
            table[element_id] = element
            return element

    def add(self, kind: str, values: dict[str, Any], at: datetime | None = None) -> int:
        """A new element created (and updated) at `at` or now; returns its id."""
        with self.lock:
            table = self.assets[kind]
            new_id = max(table, default=0) + 1
            when = (at or now_s()).replace(microsecond=0)
            element = {"type": SPECS[kind].type, "id": new_id, "createdAt": when,
                       "updatedAt": when, **values}
            table[new_id] = element
            return new_id

    def submit(self, form_id: int, contact_id: int | None, values: dict[int, str],
               at: datetime | None = None) -> dict[str, Any]:
        """A new submission of a form: the next id, submitted at `at` or now."""
        with self.lock:
            rows = self.form_data[form_id]
            row = {"type": "FormData", "id": max((r["id"] for r in rows), default=0) + 1,
                   "submittedAt": (at or now_s()).replace(microsecond=0),
                   "submittedByContactId": contact_id,
                   "fieldValues": [{"type": "FieldValue", "id": k, "value": v}
                                   for k, v in values.items()]}
            self.form_data[form_id] = [*rows, row]
            return row

    def touch_list(self, list_id: int, at: datetime | None = None) -> None:
        """Stamp a contact list's update time (membership or settings changed)."""
        with self.lock:
            self.list_meta[list_id] = {**self.list_meta[list_id],
                                       "updatedAt": (at or now_s()).replace(microsecond=0)}
