"""Export definitions: validation (docs §3, §11), storage, and the echo Eloqua returns.

Validation failures raise BadRequestError with `failures` items; only `field` is meant to be
asserted on (docs §7.2).
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from .catalog import STATEMENT_SHAPE, Column, Entity, canonical, catalog
from .common import BadRequestError, HttpError, failure, iso7, now_ms, parse_duration
from .eml import BoolOp, Cmp, Exists, FilterError, Node, Status, parse_filter, walk
from .meta import ACTIVITY_TYPES
from .snapshot import compile_predicate, list_members
from .store import Store

ECHO_ORDER = (
    "name",
    "fields",
    "filter",
    "areSystemTimestampsInUTC",
    "dataRetentionDuration",
    "autoDeleteDuration",
    "maxRecords",
    "syncActions",
    "crmAccountIdField",
    "productIdField",
    "externalSystemId",
)
MIN_RETENTION, MAX_RETENTION = timedelta(hours=1), timedelta(days=14)
TYPE_STATEMENT = canonical("{{Activity.Type}}")


@dataclass
class Definition:
    """A stored export definition with its compiled parts."""

    id: int
    entity: Entity
    resource: dict[str, Any]
    columns: list[tuple[str, Column]]
    filter_node: Node | None
    activity_type: str | None
    created: datetime
    deleted: bool = False
    syncs: list[Any] = field(default_factory=list)

    @property
    def uri(self) -> str:
        return f"{self.entity.base_uri}/exports/{self.id}"

    @property
    def utc(self) -> bool:
        return bool(self.resource.get("areSystemTimestampsInUTC"))

    @property
    def retention(self) -> timedelta:
        return parse_duration(self.resource["dataRetentionDuration"]) or timedelta(hours=12)

    @property
    def expired(self) -> bool:
        auto = parse_duration(self.resource.get("autoDeleteDuration"))
        return auto is not None and now_ms() >= self.created + auto


@dataclass
class Compiled:
    columns: list[tuple[str, Column]]
    filter_node: Node | None
    activity_type: str | None


def _find_activity_type(node: Node | None, failures: list[dict[str, Any]], text: Any) -> str | None:
    """Exactly one `'{{Activity.Type}}' = 'X'`, as a top-level AND conjunct (docs §3.4, §3.6)."""
    if node is None:
        failures.append(
            failure(
                "filter",
                text,
                "Activity exports must filter on one activity type: '{{Activity.Type}}' = '<Type>'",
            )
        )
        return None
    type_cmps = [
        n for n in walk(node) if isinstance(n, Cmp) and canonical(n.statement) == TYPE_STATEMENT
    ]
    top = list(node.children) if isinstance(node, BoolOp) and node.op == "AND" else [node]
    ok = [n for n in type_cmps if n in top and n.op == "="]
    if len(type_cmps) != 1 or len(ok) != 1:
        failures.append(
            failure(
                "filter",
                text,
                "Must contain exactly one '{{Activity.Type}}' = '<Type>' condition "
                "joined by AND to the rest of the filter",
            )
        )
        return None
    wanted = ok[0].value.strip().lower()
    for t in ACTIVITY_TYPES:
        if t.lower() == wanted:
            return t
    failures.append(failure("filter", text, f"Activity type '{ok[0].value}' does not exist"))
    return None


class Exports:
    """All export definitions of the instance, one id counter for all entities."""

    def __init__(self, store: Store, user: str, default_retention: str) -> None:
        self.store = store
        self.user = user
        self.default_retention = default_retention
        self.lock = threading.RLock()
        self.defs: dict[int, Definition] = {}
        self.seen: list[dict[str, Any]] = []  # every accepted resource (create and PUT), for audits
        self.next_id = 1

    # ---- validation -----------------------------------------------------------------------
    def entity_exists(self, entity: Entity) -> bool:
        return entity.kind != "customObjects" or entity.co_id in self.store.custom_objects

    def validate(self, entity: Entity, body: Any) -> Compiled:
        """Check a definition body; raise BadRequestError listing every failure."""
        if not isinstance(body, dict):
            raise BadRequestError([failure("body", None, "Must be a JSON object")])
        fails: list[dict[str, Any]] = []
        name = body.get("name")
        if not isinstance(name, str) or not name.strip():
            fails.append(failure("name", name, "Is required"))
        elif len(name) > 100:
            fails.append(failure("name", name, "Must be at most 100 characters"))
        node: Node | None = None
        ftext = body.get("filter")
        if ftext is not None:
            if not isinstance(ftext, str):
                fails.append(failure("filter", ftext, "Must be a string"))
            elif len(ftext) > 1000:
                fails.append(failure("filter", ftext, "Must be at most 1000 characters"))
            elif ftext.strip():
                try:
                    node = parse_filter(ftext)
                except FilterError as exc:
                    fails.append(failure("filter", ftext, f"Must be a valid filter: {exc}"))
        atype = None
        if entity.kind == "activities" and (
            node is not None or not any(f["field"] == "filter" for f in fails)
        ):
            atype = _find_activity_type(node, fails, ftext)
        cat = catalog(self.store, entity, atype)
        columns = self._check_fields(body.get("fields"), cat, entity, fails)
        if node is not None:
            self._check_filter(node, ftext, cat, entity, fails)
        self._check_options(body, fails)
        if fails:
            raise BadRequestError(fails)
        return Compiled(columns, node, atype)

    @staticmethod
    def _check_fields(
        fields: Any, cat: dict[str, Column], entity: Entity, fails: list[dict[str, Any]]
    ) -> list[tuple[str, Column]]:
        if not isinstance(fields, dict) or not fields:
            fails.append(
                failure("fields", fields, "Is required and must contain at least one field")
            )
            return []
        if len(fields) > 250:
            fails.append(failure("fields", len(fields), "Must contain at most 250 fields"))
        columns, contact_fields = [], 0
        for out_name, statement in fields.items():
            if (
                not out_name
                or not isinstance(statement, str)
                or not STATEMENT_SHAPE.match(statement.strip())
            ):
                fails.append(
                    failure(
                        "fields",
                        statement,
                        f"Field '{out_name}' must be a {{{{...}}}} EML statement",
                    )
                )
                continue
            col = cat.get(canonical(statement))
            if col is None:
                fails.append(
                    failure(
                        "fields", statement, f"Must be a valid field statement for {entity.kind}"
                    )
                )
                continue
            contact_fields += col.source == "contact"
            columns.append((out_name, col))
        if contact_fields > 10:
            fails.append(
                failure(
                    "fields", contact_fields, "Activity exports allow at most 10 contact fields"
                )
            )
        return columns

    def _check_filter(
        self,
        node: Node,
        text: Any,
        cat: dict[str, Column],
        entity: Entity,
        fails: list[dict[str, Any]],
    ) -> None:
        nodes = walk(node)
        before = len(fails)
        if sum(isinstance(n, Exists) for n in nodes) > 1:
            fails.append(failure("filter", text, "At most one EXISTS is allowed"))
        if sum(isinstance(n, Status) for n in nodes) > 1:
            fails.append(failure("filter", text, "At most one STATUS is allowed"))
        for n in nodes:
            if isinstance(n, Cmp):
                col = cat.get(canonical(n.statement))
                if col is None:
                    fails.append(
                        failure(
                            "filter",
                            text,
                            f"{n.statement} is not a valid statement for {entity.kind}",
                        )
                    )
                elif col.source == "contact":
                    fails.append(
                        failure(
                            "filter",
                            text,
                            "Contact fields cannot be used in an activity export filter",
                        )
                    )
            elif isinstance(n, Exists) and list_members(self.store, entity, n.ref) is None:
                fails.append(
                    failure("filter", text, f"EXISTS('{n.ref}') must reference an existing list")
                )
        if len(fails) == before:
            try:
                compile_predicate(self.store, entity, cat, node, False)
            except FilterError as exc:
                fails.append(failure("filter", text, str(exc)))

    @staticmethod
    def _check_options(body: dict[str, Any], fails: list[dict[str, Any]]) -> None:
        utc = body.get("areSystemTimestampsInUTC")
        if utc is not None and not isinstance(utc, bool):
            fails.append(failure("areSystemTimestampsInUTC", utc, "Must be a boolean"))
        if "dataRetentionDuration" in body:
            d = parse_duration(body["dataRetentionDuration"])
            if d is None or not MIN_RETENTION <= d <= MAX_RETENTION:
                fails.append(
                    failure(
                        "dataRetentionDuration",
                        body["dataRetentionDuration"],
                        "Must be an ISO-8601 duration between PT1H and P14D",
                    )
                )
        if "autoDeleteDuration" in body:
            d = parse_duration(body["autoDeleteDuration"])
            if d is None or d < MIN_RETENTION:
                fails.append(
                    failure(
                        "autoDeleteDuration",
                        body["autoDeleteDuration"],
                        "Must be an ISO-8601 duration of at least PT1H",
                    )
                )
        mr = body.get("maxRecords")
        if mr is not None and (not isinstance(mr, int) or isinstance(mr, bool) or mr < 1):
            fails.append(failure("maxRecords", mr, "Must be a positive integer"))
        sa = body.get("syncActions")
        if sa is not None and (not isinstance(sa, list) or len(sa) > 10):
            fails.append(failure("syncActions", sa, "Must be a list of at most 10 sync actions"))

    # ---- CRUD -----------------------------------------------------------------------------
    def _resource(
        self, body: dict[str, Any], defn_id: int, entity: Entity, created: datetime, created_by: str
    ) -> dict[str, Any]:
        res: dict[str, Any] = {k: body[k] for k in ECHO_ORDER if body.get(k) is not None}
        res.setdefault("dataRetentionDuration", self.default_retention)
        res = {k: res[k] for k in ECHO_ORDER if k in res}
        res["uri"] = f"{entity.base_uri}/exports/{defn_id}"
        res.update(
            createdBy=created_by,
            createdAt=iso7(created),
            updatedBy=self.user,
            updatedAt=iso7(now_ms()),
        )
        return res

    def purge(self) -> None:
        """Apply autoDeleteDuration lazily."""
        with self.lock:
            for k in [k for k, d in self.defs.items() if d.expired]:
                self.defs.pop(k).deleted = True

    def create(self, entity: Entity, body: Any) -> Definition:
        comp = self.validate(entity, body)
        with self.lock:
            defn_id, self.next_id = self.next_id, self.next_id + 1
            now = now_ms()
            res = self._resource(body, defn_id, entity, now, self.user)
            defn = Definition(
                defn_id, entity, res, comp.columns, comp.filter_node, comp.activity_type, now
            )
            self.defs[defn_id] = defn
            self.seen.append(res)
            return defn

    def get(self, entity: Entity | None, defn_id: int) -> Definition:
        self.purge()
        with self.lock:
            defn = self.defs.get(defn_id)
            if defn is None or (entity is not None and defn.entity != entity):
                raise HttpError(404, "The requested resource was not found.")
            return defn

    def replace(self, entity: Entity, defn_id: int, body: Any) -> Definition:
        old = self.get(entity, defn_id)
        comp = self.validate(entity, body)
        with self.lock:
            old.resource = self._resource(
                body, defn_id, entity, old.created, old.resource["createdBy"]
            )
            old.columns, old.filter_node, old.activity_type = (
                comp.columns,
                comp.filter_node,
                comp.activity_type,
            )
            self.seen.append(old.resource)
            return old

    def delete(self, entity: Entity, defn_id: int) -> None:
        defn = self.get(entity, defn_id)
        with self.lock:
            self.defs.pop(defn_id, None)
            defn.deleted = True

    def listing(self, entity: Entity | None) -> list[dict[str, Any]]:
        self.purge()
        with self.lock:
            return [d.resource for d in self.defs.values() if entity is None or d.entity == entity]

    def by_uri(self, uri: str) -> Definition | None:
        self.purge()
        with self.lock:
            for d in self.defs.values():
                if d.uri.lower() == uri.strip().rstrip("/").lower():
                    return d
            return None
