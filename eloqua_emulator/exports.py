"""Export definitions: validation (docs §3, §11), storage, and the echo Eloqua returns.

Validation failures raise BadRequestError with `failures` items; only `field` is meant to be
asserted on (docs §7.2).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from .catalog import Column, Entity, canonical, catalog
from .common import BadRequestError, failure, parse_duration
from .definitions import (
    Definitions,
    StoredDefinition,
    duration_failures,
    name_failures,
    shaped_statements,
    sync_action_list,
)
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
TYPE_STATEMENT = canonical("{{Activity.Type}}")


@dataclass
class Definition(StoredDefinition):
    """A stored export definition with its compiled parts."""

    SEGMENT = "exports"

    columns: list[tuple[str, Column]]
    filter_node: Node | None
    activity_type: str | None

    @property
    def utc(self) -> bool:
        return bool(self.resource.get("areSystemTimestampsInUTC"))

    @property
    def retention(self) -> timedelta:
        return parse_duration(self.resource["dataRetentionDuration"]) or timedelta(hours=12)


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


class Exports(Definitions[Definition]):
    """All export definitions of the instance, one id counter for all entities."""

    SEGMENT = "exports"
    ECHO_ORDER = ECHO_ORDER

    def __init__(self, store: Store, user: str, default_retention: str) -> None:
        super().__init__(store, user, {"dataRetentionDuration": default_retention})

    # ---- validation -----------------------------------------------------------------------
    def entity_exists(self, entity: Entity) -> bool:
        return entity.kind != "customObjects" or entity.co_id in self.store.custom_objects

    def validate(self, entity: Entity, body: Any) -> Compiled:
        """Check a definition body; raise BadRequestError listing every failure."""
        fails = name_failures(body)
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
        columns, contact_fields = [], 0
        for out_name, statement in shaped_statements(fields, 250, fails):
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
        duration_failures(body, fails)
        mr = body.get("maxRecords")
        if mr is not None and (not isinstance(mr, int) or isinstance(mr, bool) or mr < 1):
            fails.append(failure("maxRecords", mr, "Must be a positive integer"))
        sync_action_list(body.get("syncActions"), fails)

    # ---- storage (the rest is Definitions') ---------------------------------------------------
    def _build(
        self, defn_id: int, entity: Entity, res: dict[str, Any], compiled: Compiled, now: datetime
    ) -> Definition:
        return Definition(
            defn_id,
            entity,
            res,
            now,
            compiled.columns,
            compiled.filter_node,
            compiled.activity_type,
        )

    def _apply(self, defn: Definition, compiled: Compiled) -> None:
        defn.columns, defn.filter_node, defn.activity_type = (
            compiled.columns,
            compiled.filter_node,
            compiled.activity_type,
        )
