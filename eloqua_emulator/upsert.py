"""Applying a sync's staged import rows to the store: upsert by identifier, rules, rejects.

Decided where the docs are silent ([I] in the reference):
* Values: "" and null are empty. Numbers accept JSON numbers or numeric text; booleans accept
  true/false/1/0/yes/no; dates accept `YYYY-MM-DD[ HH:MM:SS[.fff]]` and `MM/DD/YYYY[ ...]` read as
  US Eastern wall time, or ISO 8601 with an offset. Anything else rejects the row with
  ELQ-00144 ("Invalid field value."), listing the field in `invalidFields`.
* An invalid email address rejects the row with ELQ-00002 (docs §4.5); a contact cannot be created
  without one. An empty identifier rejects with ELQ-00061. A row whose identifier matches nothing,
  when the identifier is Id or a read-only field, rejects with ELQ-00034.
* Matching is case-insensitive for text. `isUpdatingMultipleMatchedRecords` false updates the
  match with the lowest id. A record whose values do not change keeps its UpdatedAt.
* Changing a contact's email to one another contact has rejects with ELQ-00011.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, cast

from .catalog import Entity, canonical
from .common import EASTERN, UTC
from .import_columns import ImportColumn, import_columns
from .imports import ImportDefinition, Imports
from .store import Kind, Store

EMAIL = re.compile(r"^[^@\s\"'<>(),;:]+@[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?"
                   r"(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)+$")
DATE_FORMATS = ("%Y-%m-%d %H:%M:%S.%f", "%Y-%m-%d %H:%M:%S", "%Y-%m-%d", "%m/%d/%Y %I:%M:%S %p",
                "%m/%d/%Y %H:%M:%S", "%m/%d/%Y")
_ISO_SPACED = re.compile(r"\d{4}-\d\d-\d\d( \d\d:\d\d:\d\d(\.\d{1,6})?)?$")
TRUE, FALSE = {"true", "1", "yes", "y"}, {"false", "0", "no", "n"}
_EMPTY = object()


class InvalidValueError(ValueError):
    """A submitted value that does not fit its field's dataType."""


def parse_value(value: Any, data_type: str) -> Any:
    """A submitted JSON/CSV value -> the store's typed value (None when empty)."""
    if value is None or value == "":
        return None
    if isinstance(value, (dict, list)):
        raise InvalidValueError("nested value")
    if data_type in ("string", "emailAddress"):
        text = value if isinstance(value, str) else str(value).lower() \
            if isinstance(value, bool) else str(value)
        if data_type == "emailAddress" and not EMAIL.match(text.strip()):
            raise InvalidValueError("email")
        return text.strip() if data_type == "emailAddress" else text
    if data_type == "number":
        if isinstance(value, bool):
            raise InvalidValueError("number")
        if isinstance(value, (int, float)):
            return value
        text = str(value).strip()
        try:
            return int(text) if re.fullmatch(r"[+-]?\d+", text) else float(text)
        except ValueError:
            raise InvalidValueError("number") from None
    if data_type == "boolean":
        if isinstance(value, bool):
            return value
        low = str(value).strip().lower()
        if low in TRUE or low in FALSE:
            return low in TRUE
        raise InvalidValueError("boolean")
    return _parse_date(str(value).strip())


def _parse_date(text: str) -> datetime:
    if "T" in text or text.endswith("Z") or re.search(r"[+-]\d\d:?\d\d$", text):
        try:
            moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
        except ValueError:
            raise InvalidValueError("date") from None
        if moment.tzinfo is None:
            moment = moment.replace(tzinfo=EASTERN)
    elif _ISO_SPACED.match(text):  # Eloqua's own form; fromisoformat is ~7x faster
        try:
            moment = datetime.fromisoformat(text).replace(tzinfo=EASTERN)
        except ValueError:
            raise InvalidValueError("date") from None
    else:
        for fmt in DATE_FORMATS:
            try:
                moment = datetime.strptime(text, fmt).replace(tzinfo=EASTERN)
                break
            except ValueError:
                continue
        else:
            raise InvalidValueError("date")
    utc = moment.astimezone(UTC)
    return utc.replace(microsecond=utc.microsecond // 1000 * 1000)


def submitted(value: Any) -> str:
    """How a reject echoes a submitted value: text, "" for empty."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


@dataclass
class Outcome:
    """What a sync did: counters by log code, rejects, and the records it touched."""

    created: int = 0
    updated: int = 0
    unchanged: int = 0
    linked: int = 0
    rejects: list[dict[str, Any]] = field(default_factory=list)
    touched: list[tuple[int, int]] = field(default_factory=list)   # (row index, record id)
    invalid_emails: int = 0


def _norm(value: Any) -> Any:
    if isinstance(value, str):
        return value.strip().casefold()
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


class Upserter:
    """Applies the rows of one import sync to one entity's table (contacts, accounts or a CO)."""

    def __init__(self, store: Store, defn: ImportDefinition) -> None:
        self.store, self.defn = store, defn
        entity = defn.entity
        self.kind: Any = ("customObject", entity.co_id) if entity.kind == "customObjects" \
            else entity.kind
        self.table: dict[int, dict[str, Any]] = store._table(self.kind)
        res = defn.resource
        self.ident = defn.identifier or ""
        self.ident_col: ImportColumn = defn.columns[self.ident]
        self.multiple = bool(res.get("isUpdatingMultipleMatchedRecords"))
        rule = res.get("updateRule", "always")
        by_field = res.get("updateRuleByField") or {}
        self.rules = {k: by_field.get(k, "always") if rule == "useFieldRule" else rule
                      for k in defn.columns}
        self.writable = {c.key for c in defn.columns.values() if not c.identifier_only}
        self.types = store.field_types(cast(Kind, self.kind))
        self.next_id = max(self.table, default=0) + 1
        self.index = self._index(self.ident_col.key)
        self.contacts = entity.kind == "contacts"
        self.emails = self._index("C_EmailAddress") if self.contacts else {}
        self.positions: list[int] = []

    def _index(self, key: str) -> dict[Any, list[int]]:
        out: dict[Any, list[int]] = {}
        for rid in sorted(self.table):
            value = self.table[rid].get(key)
            if value is not None:
                out.setdefault(_norm(value), []).append(rid)
        return out

    def apply(self, rows: list[dict[str, Any]], positions: list[int] | None = None) -> Outcome:
        """Apply rows in order; `positions` are their 1-based rows within their data POST,
        which is what a reject's `recordIndex` counts (real traffic), default their order."""
        out = Outcome()
        self.positions = positions or list(range(1, len(rows) + 1))
        for index, row in enumerate(rows, start=1):
            values, bad, code = self._parse_row(row)
            if bad:
                self._reject(out, index, row, bad, code)
                continue
            ident = values.get(self.ident_col.key, _EMPTY)
            if ident is None or ident is _EMPTY:
                self._reject(out, index, row, [self.ident], "ELQ-00061")
                continue
            matches = self.index.get(_norm(ident), [])
            if matches:
                for rid in matches if self.multiple else matches[:1]:
                    self._update(out, index, row, rid, values)
            elif self.ident_col.identifier_only:
                self._reject(out, index, row, [self.ident], "ELQ-00034")
            else:
                self._create(out, index, row, values)
        return out

    def _parse_row(self, row: dict[str, Any]) -> tuple[dict[str, Any], list[str], str]:
        values: dict[str, Any] = {}
        bad: list[str] = []
        code = "ELQ-00144"
        for key, col in self.defn.columns.items():
            try:
                values[col.key] = parse_value(row.get(key), col.data_type)
            except InvalidValueError as exc:
                bad.append(key)
                if str(exc) == "email":
                    code = "ELQ-00002"
        return values, bad, code

    def _changes(self, old: dict[str, Any], values: dict[str, Any]) -> dict[str, Any]:
        changes: dict[str, Any] = {}
        for key, col in self.defn.columns.items():
            if col.identifier_only or key == self.ident:
                continue
            new, current = values[col.key], old.get(col.key)
            rule = self.rules[key]
            if (rule == "ifNewIsNotNull" and new is None) or \
                    (rule == "ifExistingIsNull" and current is not None):
                continue
            if new != current:
                changes[col.key] = new
        return changes

    def _update(self, out: Outcome, index: int, row: dict[str, Any], rid: int,
                values: dict[str, Any]) -> None:
        old = self.table[rid]
        changes = self._changes(old, values)
        email = changes.get("C_EmailAddress")
        if self.contacts and "C_EmailAddress" in changes:
            if email is None:
                self._reject(out, index, row, [self._key_of("C_EmailAddress")], "ELQ-00002")
                return
            owners = self.emails.get(_norm(email), [])
            if any(o != rid for o in owners):
                self._reject(out, index, row, [self._key_of("C_EmailAddress")], "ELQ-00011")
                return
            self._move_email(rid, old.get("C_EmailAddress"), email)
            changes["C_EmailAddressDomain"] = email.rsplit("@", 1)[-1].lower()
        if changes:
            self.store.update(self.kind, rid, changes)
            out.updated += 1
        else:
            out.unchanged += 1
        out.touched.append((index, rid))

    def _create(self, out: Outcome, index: int, row: dict[str, Any],
                values: dict[str, Any]) -> None:
        new = {k: v for k, v in values.items() if v is not None and k in self.writable}
        if self.contacts:
            email = new.get("C_EmailAddress")
            if email is None:
                self._reject(out, index, row, [self._key_of("C_EmailAddress") or self.ident],
                             "ELQ-00002")
                return
            if self.emails.get(_norm(email)):
                self._reject(out, index, row, [self._key_of("C_EmailAddress")], "ELQ-00011")
                return
            new["C_EmailAddressDomain"] = email.rsplit("@", 1)[-1].lower()
        rid = self._add(new)
        self.index.setdefault(_norm(values[self.ident_col.key]), []).append(rid)
        if self.contacts:
            self._move_email(rid, None, new["C_EmailAddress"])
        out.created += 1
        out.touched.append((index, rid))

    def _add(self, values: dict[str, Any]) -> int:
        """`Store.add` without its per-call scans (a sync may create 100,000 records)."""
        rid, self.next_id = self.next_id, self.next_id + 1
        now = self.store.clock.now()
        rec: dict[str, Any] = dict.fromkeys(self.types)
        rec.update(CreatedAt=now, UpdatedAt=now)
        if self.contacts:
            rec.update(IsSubscribed=True, IsBounced=False, EmailFormat="HTML")
        rec.update(values)
        rec["Id"] = rid
        Store._mirror(self.kind, rec)
        self.table[rid] = rec
        return rid

    def _key_of(self, store_key: str) -> str:
        return next((k for k, c in self.defn.columns.items() if c.key == store_key), "")

    def _move_email(self, rid: int, old: Any, new: Any) -> None:
        if old is not None:
            owners = self.emails.get(_norm(old), [])
            if rid in owners:
                owners.remove(rid)
        self.emails.setdefault(_norm(new), []).append(rid)

    def _reject(self, out: Outcome, index: int, row: dict[str, Any], fields: list[str],
                code: str) -> None:
        messages = {"ELQ-00002": "Invalid email address.", "ELQ-00011": "Duplicate email address.",
                    "ELQ-00034": "No existing record matches the identifier.",
                    "ELQ-00061": "Missing identifier value.", "ELQ-00144": "Invalid field value."}
        if code == "ELQ-00002":
            out.invalid_emails += 1
        out.rejects.append(reject_item(row, fields, messages[code], self.positions[index - 1],
                                       code))


def reject_item(row: dict[str, Any], fields: list[str], message: str, index: int,
                code: str) -> dict[str, Any]:
    """A `SyncReject` in the documented key order (docs §4.5)."""
    return {"fieldValues": {k: submitted(v) for k, v in row.items()}, "message": message,
            "statusCode": code, "recordIndex": index, "invalidFields": fields}


def link_data_cards(store: Store, imports: Imports, defn: ImportDefinition,
                    rows: list[dict[str, Any]], out: Outcome) -> None:
    """mapDataCards: link each imported custom-object record to a contact or an account."""
    res = defn.resource
    if not res.get("mapDataCards") or defn.entity.co_id is None:
        return
    contact = res.get("mapDataCardsEntityType") == "Contact"
    target = Entity("contacts" if contact else "accounts")
    col = import_columns(store, target)[canonical(str(res["mapDataCardsEntityField"]))]
    fold: Callable[[Any], Any] = (lambda v: v) if res.get("mapDataCardsCaseSensitiveMatch") \
        else _norm
    table = store.contacts if contact else store.accounts
    lookup: dict[Any, int] = {}
    for rid in sorted(table, reverse=True):          # the lowest id wins
        value = table[rid].get(col.key)
        if value is not None:
            lookup[fold(value)] = rid
    source = str(res["mapDataCardsSourceField"])
    for index, rid in out.touched:
        value = rows[index - 1].get(source)
        if value in (None, ""):
            continue
        match = lookup.get(fold(value.strip() if isinstance(value, str) else value))
        if match is not None:
            imports.links[(defn.entity.co_id, rid)] = (target.kind, match)
            out.linked += 1


def apply_activities(store: Store, imports: Imports, defn: ImportDefinition,
                     rows: list[dict[str, Any]], positions: list[int] | None = None) -> Outcome:
    """External activities are appended, never updated (ELQ-00123): one per valid row."""
    out = Outcome()
    at = positions or list(range(1, len(rows) + 1))
    emails = {_norm(c.get("C_EmailAddress")): cid for cid, c in sorted(store.contacts.items(),
                                                                         reverse=True)}
    for index, row in enumerate(rows, start=1):
        values: dict[str, Any] = {}
        bad = []
        for key, col in defn.columns.items():
            try:
                values[col.key] = parse_value(row.get(key), col.data_type)
            except InvalidValueError:
                bad.append(key)
        if bad:
            out.rejects.append(reject_item(row, bad, "Invalid field value.", at[index - 1],
                                           "ELQ-00144"))
            continue
        atype = values.get("ActivityType")
        if atype not in imports.external_activity_types:
            out.rejects.append(reject_item(row, [_key(defn, "ActivityType")],
                                           "Activity Type not found.", at[index - 1], "ELQ-00070"))
            continue
        missing = [k for k in ("AssetType", "AssetName", "ActivityDate") if values.get(k) is None]
        if missing:
            out.rejects.append(reject_item(row, [_key(defn, k) for k in missing],
                                           "Rejected record (missing fields).", at[index - 1],
                                           "ELQ-00061"))
            continue
        cid = values.get("ContactId")
        if cid not in store.contacts:
            cid = emails.get(_norm(values.get("ContactEmail")))
        if cid is None:
            out.rejects.append(reject_item(row, [k for k, c in defn.columns.items()
                                                 if c.key in ("ContactId", "ContactEmail")],
                                           "No contact matches the activity.", at[index - 1],
                                           "ELQ-00034"))
            continue
        recs = store.activities.setdefault(str(atype), [])
        recs.append({"ActivityId": len(recs) + 1, "ActivityType": atype,
                     "ActivityDate": values["ActivityDate"], "ContactId": cid,
                     "AssetType": values["AssetType"], "AssetName": values["AssetName"],
                     "CampaignId": values.get("CampaignId"),
                     "ExternalId": store.new_external_id()})
        out.created += 1
    return out


def _key(defn: ImportDefinition, store_key: str) -> str:
    return next((k for k, c in defn.columns.items() if c.key == store_key), store_key)
