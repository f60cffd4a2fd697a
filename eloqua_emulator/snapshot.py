"""Export evaluation: capture the data at sync creation, filter it, and render rows of strings once.

Records are copy-on-write, so capturing is copying container references; the heavy work
(filtering and formatting) runs later on a worker thread; pages only slice the finished
list.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from .catalog import Column, Entity, canonical, formatter
from .eml import FilterError, Node, compile_filter
from .events import records as event_records
from .store import MemberList, Store

_EMPTY: dict[str, Any] = {}


@dataclass
class Snapshot:
    """The records a sync sees, plus the related records and lists filters and columns may reach."""

    entity: Entity
    records: list[dict[str, Any]]
    contacts: dict[int, dict[str, Any]]
    accounts: dict[int, dict[str, Any]]
    contact_account: dict[int, int]
    contact_lists: dict[int, MemberList]
    account_lists: dict[int, MemberList]


def capture(store: Store, entity: Entity, activity_type: str | None) -> Snapshot:
    """Take the snapshot (cheap: references only) under the store lock."""
    with store.lock:
        if entity.kind == "contacts":
            records = list(store.contacts.values())
        elif entity.kind == "accounts":
            records = list(store.accounts.values())
        elif entity.kind == "activities":
            records = list(store.activities.get(activity_type or "", []))
        elif entity.kind in ("events", "campaignResponses"):
            records = event_records(store, entity)
        else:
            records = list(store.custom_objects[entity.co_id or 0].records.values())
        # A change reaches exports only some time after its stamp (real-traffic fact 11).
        stamp = "ActivityDate" if entity.kind == "activities" else "UpdatedAt"
        records = [r for r in records if store.clock.visible(r.get(stamp))]

        def lists(src: dict[int, MemberList]) -> dict[int, MemberList]:
            return {
                k: MemberList(v.id, v.name, set(v.members), v.created_at) for k, v in src.items()
            }

        return Snapshot(
            entity,
            records,
            dict(store.contacts),
            dict(store.accounts),
            dict(store.contact_account),
            lists(store.contact_lists),
            lists(store.account_lists),
        )


def list_members(ctx: Store | Snapshot, entity: Entity, ref: str) -> set[int] | None:
    """Members of the list an EXISTS names, if that kind of list exists and is allowed for the
    entity.
    """
    key = canonical(ref)
    for prefix, kind, lists in (
        ("{{contactlist[", "contacts", ctx.contact_lists),
        ("{{accountlist[", "accounts", ctx.account_lists),
    ):
        if key.startswith(prefix) and key.endswith("]}}") and entity.kind == kind:
            num = key[len(prefix) : -3]
            if num.isdigit() and int(num) in lists:
                return lists[int(num)].members
    return None


def getter(ctx: Store | Snapshot, col: Column) -> Callable[[dict[str, Any]], Any]:
    """Value reader for a column, following the contact->account or activity->contact link."""
    key = col.key
    if col.source == "account":
        accounts, links = ctx.accounts, ctx.contact_account
        return lambda r: accounts.get(links.get(r["Id"], 0), _EMPTY).get(key)
    if col.source == "contact":
        contacts = ctx.contacts
        return lambda r: contacts.get(r.get("ContactId") or 0, _EMPTY).get(key)
    return lambda r: r.get(key)


def compile_predicate(
    ctx: Store | Snapshot, entity: Entity, cat: dict[str, Column], node: Node, utc: bool
) -> Callable[[dict[str, Any]], bool]:
    """Filter AST -> predicate bound to this context (raises FilterError on bad literals)."""

    def resolve(statement: str) -> Column:
        col = cat.get(canonical(statement))
        if col is None:
            raise FilterError(f"{statement} is not a valid statement")
        return col

    def exists(ref: str) -> Callable[[dict[str, Any]], bool]:
        members = list_members(ctx, entity, ref) or set()
        return lambda r: r.get("Id") in members

    return compile_filter(node, resolve, lambda col: getter(ctx, col), exists, utc)


def row_builder(
    ctx: Snapshot, columns: list[tuple[str, Column]], utc: bool
) -> Callable[[dict[str, Any]], dict[str, str]]:
    """Generate one function that renders a record as a dict of strings (fast path)."""
    env: dict[str, Any] = {}
    parts = []
    for i, (name, col) in enumerate(columns):
        if col.source == "self" and col.data_type in ("string", "emailAddress"):
            env[f"f{i}"] = formatter(col, utc)
            expr = f"(v if type(v := r.get({col.key!r})) is str else f{i}(v))"
        elif col.source == "self":
            env[f"f{i}"] = formatter(col, utc)
            expr = f"f{i}(r.get({col.key!r}))"
        else:
            env[f"f{i}"] = formatter(col, utc)
            env[f"g{i}"] = getter(ctx, col)
            expr = f"f{i}(g{i}(r))"
        parts.append(f"{name!r}: {expr}")
    src = "def build(r):\n    return {" + ", ".join(parts) + "}\n"
    exec(compile(src, "<row_builder>", "exec"), env)
    return env["build"]


def select(
    ctx: Snapshot,
    cat: dict[str, Column],
    node: Node | None,
    utc: bool,
    max_records: int | None,
    shuffle_seed: int | None,
) -> list[dict[str, Any]]:
    """The snapshot records matching the filter (capped at maxRecords), shuffled if asked."""
    records = ctx.records
    if node is not None:
        pred = compile_predicate(ctx, ctx.entity, cat, node, utc)
        records = [r for r in records if pred(r)]
    if max_records is not None:
        records = records[:max_records]
    if shuffle_seed is not None:
        records = list(records)
        random.Random(shuffle_seed).shuffle(records)
    return records


def render(
    ctx: Snapshot, columns: list[tuple[str, Column]], utc: bool, records: list[dict[str, Any]]
) -> list[dict[str, str]]:
    """Render matched records as export rows."""
    build = row_builder(ctx, columns, utc)
    return [build(r) for r in records]
