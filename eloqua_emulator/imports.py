"""Import definitions (docs §5.1, §5.5, §5.6, §11): validation and data staging.

Storage and the echo are shared with exports (definitions.py); which statements `fields` may name
is import_columns.py.

Decided where the docs are silent (each marked [I] in the reference):
* `identifierFieldName` is required for contacts, accounts and custom objects; activities ignore it
  (log ELQ-00123). External activity imports need Type, CreatedAt, Asset.Type, Asset.Name and a
  contact reference (`{{Activity.Contact.Id}}` or `{{Activity.Contact.Field(C_EmailAddress)}}`).
* Sync-action destinations must exist: `ContactList[id]` / `GlobalSubscribe` on contacts,
  `AccountList[id]` on accounts; the emulator has no email groups, so `EmailGroup[id]` is a 400.
* A JSON row that lacks a defined key stages that field as empty (as a CSV cell would be).
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import orjson

from .catalog import Entity, canonical
from .common import BadRequestError, HttpError, failure
from .config import EmulatorConfig
from .definitions import (
    Definitions,
    StoredDefinition,
    duration_failures,
    name_failures,
    shaped_statements,
    sync_action_list,
)
from .import_columns import ACTIVITY_REQUIRED, ImportColumn, import_columns
from .store import Store

UPDATE_RULES = ("always", "ifNewIsNotNull", "ifExistingIsNull", "useFieldRule")
STATUSES = ("bounced", "subscribed", "unsubscribed", "active", "complete", "pending", "errored",
            "yes", "no", "invalid", "permission")
ECHO_ORDER = ("name", "fields", "identifierFieldName", "isSyncTriggeredOnImport",
              "dataRetentionDuration", "isUpdatingMultipleMatchedRecords", "updateRule",
              "updateRuleByField", "nullIdentifierFieldName", "syncActions", "autoDeleteDuration",
              "importPriorityUri", "externalSystemId", "linkUsers", "mapDataCards",
              "mapDataCardsEntityType", "mapDataCardsEntityField", "mapDataCardsSourceField",
              "mapDataCardsCaseSensitiveMatch")
MAX_FIELDS = 100
LIST_REF = re.compile(r"^\{\{(contactlist|accountlist|emailgroup)\[(\d+)\]\}\}$")
CONTACT_EMAIL = "{{activity.contact.field(c_emailaddress)}}"


@dataclass
class ImportDefinition(StoredDefinition):
    """A stored import definition, its compiled columns and the rows staged for the next sync."""

    SEGMENT = "imports"

    columns: dict[str, ImportColumn]          # fields key -> column
    staged: list[dict[str, Any]] = field(default_factory=list)
    positions: list[int] = field(default_factory=list)   # each staged row's 1-based row in its POST
    pushes: int = 0
    ignored_keys: set[str] = field(default_factory=set)
    missing_keys: set[str] = field(default_factory=set)

    @property
    def identifier(self) -> str | None:
        value = self.resource.get("identifierFieldName")
        return str(value) if value is not None else None


class Imports(Definitions[ImportDefinition]):
    """Every import definition of the instance (one id counter) and their staging areas."""

    SEGMENT = "imports"
    ECHO_ORDER = ECHO_ORDER

    def __init__(self, store: Store, cfg: EmulatorConfig) -> None:
        super().__init__(store, cfg.username, {
            "isSyncTriggeredOnImport": True,      # Oracle's documented default
            "isUpdatingMultipleMatchedRecords": False,
            "dataRetentionDuration": "P7D",
        })
        self.cfg = cfg
        self.pushes_seen: list[int] = []      # body size of every accepted data POST, for audits
        self.external_activity_types = {"Webinar", "Trade Show", "Demo Request"}
        self.links: dict[tuple[int, int], tuple[str, int]] = {}   # (co, record) -> (kind, id)

    # ---- validation -----------------------------------------------------------------------
    def validate(self, entity: Entity, body: Any) -> dict[str, ImportColumn]:
        """Check an import definition body; raise BadRequestError listing every failure."""
        fails = name_failures(body)
        columns = self._check_fields(entity, body.get("fields"), fails)
        self._check_identifier(entity, body, columns, fails)
        self._check_flags(entity, body, columns, fails)
        self._check_sync_actions(entity, body.get("syncActions"), fails)
        if entity.kind == "customObjects":
            self._check_map_data_cards(body, columns, fails)
        if fails:
            raise BadRequestError(fails)
        return columns

    def _check_fields(self, entity: Entity, fields: Any,
                      fails: list[dict[str, Any]]) -> dict[str, ImportColumn]:
        known = import_columns(self.store, entity)
        columns: dict[str, ImportColumn] = {}
        for key, statement in shaped_statements(fields, MAX_FIELDS, fails):
            col = known.get(canonical(statement))
            if col is None:
                fails.append(failure("fields", statement,
                                     f"Must be an importable field statement for {entity.kind}"))
                continue
            columns[str(key)] = col
        if entity.kind == "activities" and columns:
            present = {c.key for c in columns.values()}
            missing = [k for k in ACTIVITY_REQUIRED if k not in present]
            if missing or not present & {"ContactId", "ContactEmail"}:
                fails.append(failure("fields", sorted(fields), "Activity imports need "
                                     "{{Activity.Type}}, {{Activity.CreatedAt}}, "
                                     "{{Activity.Asset.Type}}, {{Activity.Asset.Name}} and "
                                     "{{Activity.Contact.Id}} or " + CONTACT_EMAIL))
        return columns

    @staticmethod
    def _check_identifier(entity: Entity, body: dict[str, Any], columns: dict[str, ImportColumn],
                          fails: list[dict[str, Any]]) -> None:
        ident = body.get("identifierFieldName")
        if ident is None:
            if entity.kind != "activities":
                fails.append(failure("identifierFieldName", None, "Is required"))
            return
        if not isinstance(ident, str) or not 1 <= len(ident) <= 100:
            fails.append(failure("identifierFieldName", ident, "Must be 1 to 100 characters"))
        elif isinstance(body.get("fields"), dict) and ident not in body["fields"]:
            fails.append(failure("identifierFieldName", ident,
                                 "Must be one of the fields (ELQ-00112)"))
        elif ident in columns and columns[ident].data_type in ("date", "boolean"):
            fails.append(failure("identifierFieldName", ident,
                                 "Date and Boolean fields cannot be the identifier"))
        for key, col in columns.items():
            if col.identifier_only and key != ident and entity.kind != "activities":
                fails.append(failure("fields", body["fields"][key],
                                     f"Field '{key}' is read-only; it may only be the identifier"))

    @staticmethod
    def _check_flags(entity: Entity, body: dict[str, Any], columns: dict[str, ImportColumn],
                     fails: list[dict[str, Any]]) -> None:
        for flag in ("isSyncTriggeredOnImport", "isUpdatingMultipleMatchedRecords",
                     "mapDataCards", "mapDataCardsCaseSensitiveMatch", "linkUsers"):
            if flag in body and not isinstance(body[flag], bool):
                fails.append(failure(flag, body[flag], "Must be a boolean"))
        rule = body.get("updateRule")
        if "updateRule" in body and rule not in UPDATE_RULES:
            fails.append(failure("updateRule", rule, f"Must be one of {', '.join(UPDATE_RULES)}"))
        by_field = body.get("updateRuleByField")
        if by_field is not None and (not isinstance(by_field, dict) or any(
                k not in columns or v not in UPDATE_RULES[:3] for k, v in by_field.items())):
            fails.append(failure("updateRuleByField", by_field,
                                 "Must map field names of this import to an update rule"))
        if body.get("isUpdatingMultipleMatchedRecords") and entity.kind == "contacts" and any(
                c.key == "C_EmailAddress" and k != body.get("identifierFieldName")
                for k, c in columns.items()):
            fails.append(failure("isUpdatingMultipleMatchedRecords", True,
                                 "Must be false when C_EmailAddress is updated"))
        duration_failures(body, fails)

    def _check_sync_actions(self, entity: Entity, actions: Any,
                            fails: list[dict[str, Any]]) -> None:
        for action in sync_action_list(actions, fails):
            problem = self._sync_action_problem(entity, action)
            if problem:
                fails.append(failure("syncActions", action, problem))

    def _sync_action_problem(self, entity: Entity, action: Any) -> str | None:
        if not isinstance(action, dict):
            return "Must be an object"
        verb = action.get("action", "add")
        dest = canonical(str(action.get("destination") or ""))
        if verb not in ("add", "remove", "setStatus"):
            return "action must be add, remove or setStatus"
        if verb == "setStatus":
            if action.get("status") not in STATUSES:
                return "setStatus needs a valid status"
            if dest == "{{globalsubscribe}}" and entity.kind == "contacts":
                return None if action["status"] in ("subscribed", "unsubscribed") else \
                    "GlobalSubscribe takes subscribed or unsubscribed"
        m = LIST_REF.match(dest)
        if m is None:
            return "destination must reference an existing list, email group or GlobalSubscribe"
        kind, num = m.group(1), int(m.group(2))
        if kind == "contactlist" and entity.kind == "contacts" and verb != "setStatus":
            return None if num in self.store.contact_lists else "Contact list does not exist"
        if kind == "accountlist" and entity.kind == "accounts" and verb != "setStatus":
            return None if num in self.store.account_lists else "Account list does not exist"
        if kind == "emailgroup":
            return "Email group does not exist"
        return f"{m.group(0)} cannot be the destination of a {entity.kind} import"

    def _check_map_data_cards(self, body: dict[str, Any], columns: dict[str, ImportColumn],
                              fails: list[dict[str, Any]]) -> None:
        if not body.get("mapDataCards"):
            return
        etype = body.get("mapDataCardsEntityType")
        if etype not in ("Contact", "Company"):
            fails.append(failure("mapDataCardsEntityType", etype, "Must be Contact or Company"))
            return
        if body.get("mapDataCardsSourceField") not in columns:
            fails.append(failure("mapDataCardsSourceField", body.get("mapDataCardsSourceField"),
                                 "Must be one of the fields"))
        target = Entity("contacts" if etype == "Contact" else "accounts")
        col = import_columns(self.store, target).get(
            canonical(str(body.get("mapDataCardsEntityField") or "")))
        if col is None:
            fails.append(failure("mapDataCardsEntityField", body.get("mapDataCardsEntityField"),
                                 f"Must be a field statement of {target.kind}"))

    # ---- storage (the rest is Definitions') ---------------------------------------------------
    def _build(self, defn_id: int, entity: Entity, res: dict[str, Any],
               compiled: dict[str, ImportColumn], now: datetime) -> ImportDefinition:
        return ImportDefinition(defn_id, entity, res, now, compiled)

    def _apply(self, defn: ImportDefinition, compiled: dict[str, ImportColumn]) -> None:
        defn.columns = compiled

    # ---- data -----------------------------------------------------------------------------
    def stage(self, defn: ImportDefinition, body: bytes, content_type: str) -> None:
        """POST .../data: 404 over the size cap, 400 past the push cap, else stage the rows."""
        if len(body) > self.cfg.import_max_bytes:
            raise HttpError(404, "The requested resource was not found.")
        rows = self._parse(defn, body, content_type.split(";", 1)[0].strip().lower())
        with self.lock:
            if defn.pushes >= self.cfg.import_max_pushes:
                raise BadRequestError([failure(
                    "data", defn.pushes + 1,
                    f"At most {self.cfg.import_max_pushes} files can be staged per sync; "
                    "sync the staged data before uploading more")])
            defn.pushes += 1
            defn.staged.extend(rows)
            defn.positions.extend(range(1, len(rows) + 1))
            self.pushes_seen.append(len(body))

    def _parse(self, defn: ImportDefinition, body: bytes, ctype: str) -> list[dict[str, Any]]:
        keys = list(defn.columns)
        if ctype in ("application/json", ""):
            try:
                data = orjson.loads(body)
            except orjson.JSONDecodeError:
                raise BadRequestError([failure("body", None, "There was a parsing error.")]) \
                    from None
            if isinstance(data, dict):
                data = [data]             # a bare object is one row (grouparoo recordings)
            if not isinstance(data, list) or not all(isinstance(r, dict) for r in data):
                raise BadRequestError([failure("body", None, "Must be a JSON array of objects")])
            present: set[str] = set()
            for r in data:
                present.update(r)
        elif ctype == "text/csv":
            try:
                reader = csv.DictReader(io.StringIO(body.decode("utf-8-sig"), newline=""))
                data = [{k: v for k, v in r.items() if k is not None} for r in reader]
            except (UnicodeDecodeError, csv.Error):
                raise BadRequestError([failure("body", None, "There was a parsing error.")]) \
                    from None
            present = set(reader.fieldnames or ())
            defn.missing_keys.update(k for k in keys if k not in present)
        else:
            raise BadRequestError([failure("Content-Type", ctype,
                                           "Must be application/json or text/csv")])
        defn.ignored_keys.update(present - set(keys))
        return [{k: r.get(k) for k in keys} for r in data]
