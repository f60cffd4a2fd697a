"""What export and import definitions share (docs §3.2, §3.5, §5.1, §11): storage, echo, checks.

Eloqua documents the same rules for both kinds, so they live here once: one id counter per kind,
the 201/200 echo in the documented key order with unset options left out and the read-only
metadata after `uri`, autoDeleteDuration applied lazily, and the same 400 `failures` for the
body, `name`, the `{{...}}` shape of field statements, the two durations and the syncActions
list. What differs (which statements a kind accepts, filters, import flags) stays in exports.py
and imports.py.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, ClassVar, Generic, TypeVar

from .catalog import STATEMENT_SHAPE, Entity
from .common import BadRequestError, HttpError, failure, iso7, now_ms, parse_duration
from .store import Store

MIN_RETENTION, MAX_RETENTION = timedelta(hours=1), timedelta(days=14)
MAX_SYNC_ACTIONS = 10


@dataclass
class StoredDefinition:
    """A stored definition: its echo (`resource`), its syncs; subclasses add the compiled parts."""

    SEGMENT: ClassVar[str]  # "exports" or "imports"
    id: int
    entity: Entity
    resource: dict[str, Any]
    created: datetime
    deleted: bool = field(default=False, kw_only=True)
    syncs: list[Any] = field(default_factory=list, kw_only=True)

    @property
    def uri(self) -> str:
        return f"{self.entity.base_uri}/{self.SEGMENT}/{self.id}"

    @property
    def expired(self) -> bool:
        auto = parse_duration(self.resource.get("autoDeleteDuration"))
        return auto is not None and now_ms() >= self.created + auto


# ---- checks both kinds make, in the order their failures are listed ---------------------------
def name_failures(body: Any) -> list[dict[str, Any]]:
    """400 at once for a body that is not an object; else the failures list, `name` checked."""
    if not isinstance(body, dict):
        raise BadRequestError([failure("body", None, "Must be a JSON object")])
    fails: list[dict[str, Any]] = []
    name = body.get("name")
    if not isinstance(name, str) or not name.strip():
        fails.append(failure("name", name, "Is required"))
    elif len(name) > 100:
        fails.append(failure("name", name, "Must be at most 100 characters"))
    return fails


def shaped_statements(
    fields: Any, most: int, fails: list[dict[str, Any]]
) -> Iterator[tuple[Any, str]]:
    """(key, statement) for each `fields` entry shaped `{{...}}`; a failure for every other one.

    A generator, so the caller's own failures for an entry stay in the entries' order.
    """
    if not isinstance(fields, dict) or not fields:
        fails.append(failure("fields", fields, "Is required and must contain at least one field"))
        return
    if len(fields) > most:
        fails.append(failure("fields", len(fields), f"Must contain at most {most} fields"))
    for key, statement in fields.items():
        if (
            not key
            or not isinstance(statement, str)
            or not STATEMENT_SHAPE.match(statement.strip())
        ):
            fails.append(
                failure("fields", statement, f"Field '{key}' must be a {{{{...}}}} EML statement")
            )
            continue
        yield key, statement


def duration_failures(body: dict[str, Any], fails: list[dict[str, Any]]) -> None:
    """dataRetentionDuration PT1H..P14D, autoDeleteDuration at least PT1H."""
    for name, maximum in (("dataRetentionDuration", MAX_RETENTION), ("autoDeleteDuration", None)):
        if name in body:
            d = parse_duration(body[name])
            if d is None or d < MIN_RETENTION or (maximum is not None and d > maximum):
                fails.append(
                    failure(
                        name,
                        body[name],
                        "Must be an ISO-8601 duration "
                        + ("between PT1H and P14D" if maximum else "of at least PT1H"),
                    )
                )


def sync_action_list(actions: Any, fails: list[dict[str, Any]]) -> list[Any]:
    """The syncActions to check one by one: [] when absent or not a list of at most 10."""
    if actions is None:
        return []
    if not isinstance(actions, list) or len(actions) > MAX_SYNC_ACTIONS:
        fails.append(failure("syncActions", actions, "Must be a list of at most 10 sync actions"))
        return []
    return actions


# ---- storage ------------------------------------------------------------------------------------
D = TypeVar("D", bound=StoredDefinition)


class Definitions(Generic[D]):
    """Every definition of one kind (one id counter for all entities) and the echo they return.

    Subclasses say what a valid body compiles to (`validate`), how a definition is built from it
    (`_build`) and how a PUT applies it (`_apply`).
    """

    SEGMENT: ClassVar[str]
    ECHO_ORDER: ClassVar[tuple[str, ...]]

    def __init__(self, store: Store, user: str, defaults: dict[str, Any]) -> None:
        self.store = store
        self.user = user
        self.defaults = defaults  # echoed when not sent (docs §3.2, §5.1)
        self.lock = threading.RLock()
        self.defs: dict[int, D] = {}
        self.seen: list[dict[str, Any]] = []  # every accepted resource (create and PUT), for audits
        self.next_id = 1

    def validate(self, entity: Entity, body: Any) -> Any:
        raise NotImplementedError

    def _build(
        self, defn_id: int, entity: Entity, res: dict[str, Any], compiled: Any, now: datetime
    ) -> D:
        raise NotImplementedError

    def _apply(self, defn: D, compiled: Any) -> None:
        raise NotImplementedError

    def _resource(
        self, body: dict[str, Any], defn_id: int, entity: Entity, created: datetime, created_by: str
    ) -> dict[str, Any]:
        res: dict[str, Any] = {k: body[k] for k in self.ECHO_ORDER if body.get(k) is not None}
        for key, value in self.defaults.items():
            res.setdefault(key, value)
        res = {k: res[k] for k in self.ECHO_ORDER if k in res}
        res["uri"] = f"{entity.base_uri}/{self.SEGMENT}/{defn_id}"
        res.update(
            createdBy=created_by,
            createdAt=iso7(created),
            updatedBy=self.user,
            updatedAt=iso7(now_ms()),
        )
        return res

    def create(self, entity: Entity, body: Any) -> D:
        compiled = self.validate(entity, body)
        with self.lock:
            defn_id, self.next_id = self.next_id, self.next_id + 1
            now = now_ms()
            res = self._resource(body, defn_id, entity, now, self.user)
            defn = self._build(defn_id, entity, res, compiled, now)
            self.defs[defn_id] = defn
            self.seen.append(res)
            return defn

    def replace(self, entity: Entity, defn_id: int, body: Any) -> D:
        defn = self.get(entity, defn_id)
        compiled = self.validate(entity, body)
        with self.lock:
            defn.resource = self._resource(
                body, defn_id, entity, defn.created, defn.resource["createdBy"]
            )
            self._apply(defn, compiled)
            self.seen.append(defn.resource)
            return defn

    def purge(self) -> None:
        """Apply autoDeleteDuration lazily."""
        with self.lock:
            for k in [k for k, d in self.defs.items() if d.expired]:
                self.defs.pop(k).deleted = True

    def get(self, entity: Entity | None, defn_id: int) -> D:
        self.purge()
        with self.lock:
            defn = self.defs.get(defn_id)
            if defn is None or (entity is not None and defn.entity != entity):
                raise HttpError(404, "The requested resource was not found.")
            return defn

    def delete(self, entity: Entity, defn_id: int) -> None:
        defn = self.get(entity, defn_id)
        with self.lock:
            self.defs.pop(defn_id, None)
            defn.deleted = True

    def listing(self, entity: Entity | None) -> list[dict[str, Any]]:
        self.purge()
        with self.lock:
            return [d.resource for d in self.defs.values() if entity is None or d.entity == entity]

    def by_uri(self, uri: str) -> D | None:
        self.purge()
        wanted = uri.strip().rstrip("/").lower()
        with self.lock:
            for d in self.defs.values():
                if d.uri.lower() == wanted:
                    return d
            return None
