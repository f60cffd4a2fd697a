"""Syncs: creation (snapshot), wall-clock lifecycle, data pages, logs, retention (docs §4).

Decided where the docs are silent:
* `GET /syncs/{id}/data` before the sync ends in success/warning answers 400 with a `failures` body
  (field `syncUri`), as the docs do for reading data of an import sync; after DELETE .../data or
  after
  `dataRetentionDuration` it answers 404.
* The activity 5,000,000 cap failure logs ELQ-00102 with the true count, then an error-severity
  ELQ-00101 ("Sync processed ..., resulting in error status.") that names the exceeded limit.
* A sync is `success` only once its rows are rendered, even if the configured time has passed.
  An export of more than EAGER_CELLS values is rendered a page at a time instead, when each page
  is read (the same rows: the records are copy-on-write, so the selection cannot change).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import orjson

from .catalog import catalog
from .common import BadRequestError, HttpError, failure, page, paging
from .config import EmulatorConfig
from .exports import Definition, Exports
from .snapshot import Snapshot, capture, render, row_builder, select
from .store import Store
from .sync_base import SyncBase, SyncLifecycle

# Rendered rows are dicts of new strings, some 7 KB a row at 133 columns, so the two parts of a
# 1,000,000-row export of 266 columns would hold about 14 GB between them. Past this many values
# a sync keeps only its selected records and renders each page as it is read.
EAGER_CELLS = 50_000_000


@dataclass
class Sync(SyncBase):
    """One sync of an export definition."""

    rows: list[dict[str, Any]] | None = None   # rendered rows, or the records when `build` is set
    build: Callable[[dict[str, Any]], dict[str, str]] | None = None  # renders one record
    total: int = 0
    ready: threading.Event = field(default_factory=threading.Event)
    data_gone: bool = False
    expires: datetime | None = None
    build_error: str | None = None


class Syncs(SyncLifecycle):
    """Every sync of the instance and the worker threads that render their rows."""

    def __init__(self, store: Store, exports: Exports, cfg: EmulatorConfig, user: str) -> None:
        self.store, self.exports, self.cfg, self.user = store, exports, cfg, user
        self.lock = threading.RLock()
        self.syncs: dict[int, Sync] = {}
        self.next_id = 1
        self.fail_next: tuple[str, str] | None = None

    def create(self, body: Any) -> Sync:
        """POST /syncs: re-validate the definition, snapshot the data, start rendering."""
        if not isinstance(body, dict):
            raise BadRequestError([failure("body", None, "Must be a JSON object")])
        uri = body.get("syncedInstanceUri")
        defn = self.exports.by_uri(uri) if isinstance(uri, str) else None
        if defn is None:
            raise BadRequestError(
                [failure("syncedInstanceUri", uri, "Must reference an existing definition")]
            )
        self.exports.validate(
            defn.entity, {**defn.resource}
        )  # definitions are re-checked (docs §3.5)
        ctx = capture(self.store, defn.entity, defn.activity_type)
        with self.lock:
            sync_id, planned = self.allocate()
            callback = body.get("callbackUrl") or body.get("callbackURL")
            sync = Sync(sync_id, defn, self.store.clock.now(), time.monotonic(), self.user,
                        callback, planned)
            self.syncs[sync_id] = sync
            defn.syncs.append(sync)
        threading.Thread(
            target=self._build, args=(sync, ctx), daemon=True, name=f"sync-{sync_id}"
        ).start()
        return sync

    def allocate(self) -> tuple[int, tuple[str, str] | None]:
        """The next sync id and the planned failure, if any; import syncs take theirs here too."""
        with self.lock:
            sync_id, self.next_id = self.next_id, self.next_id + 1
            planned, self.fail_next = self.fail_next, None
            return sync_id, planned

    def _build(self, sync: Sync, ctx: Snapshot) -> None:
        defn = sync.definition
        try:
            cat = catalog(self.store, defn.entity, defn.activity_type)
            seed = self.cfg.seed * 1_000_003 + sync.id if self.cfg.shuffle_rows else None
            max_records = defn.resource.get("maxRecords")
            records = select(ctx, cat, defn.filter_node, defn.utc, max_records, seed)
            total = len(records)
            sync.total = total
            capped = defn.entity.kind == "activities" and total > self.cfg.activity_export_cap
            if capped or sync.planned_error:
                sync.rows = []
            elif total * len(defn.columns) > EAGER_CELLS:
                sync.build = row_builder(ctx, defn.columns, defn.utc)
                sync.rows = records
            else:
                sync.rows = render(ctx, defn.columns, defn.utc, records)
        except Exception as exc:
            sync.build_error = repr(exc)
            sync.rows = []
        sync.ready.set()

    # ---- lifecycle --------------------------------------------------------------------------
    def _ready(self, sync: Sync) -> bool:
        return sync.ready.is_set() or sync.definition.deleted

    def _finish(self, sync: Sync) -> None:
        fail = self.cfg.error_status_literal
        defn = sync.definition
        rows = sync.rows or []
        if defn.deleted:
            sync.status, sync.rows = fail, None
            self._log(
                sync,
                "ELQ-00143",
                "The definition was deleted before the sync completed.",
                0,
                "error",
            )
        elif sync.planned_error:
            sync.status, sync.rows = fail, None
            self._log(sync, sync.planned_error[0], sync.planned_error[1], 0, "error")
        elif sync.build_error:
            sync.status, sync.rows = fail, None
            self._log(
                sync,
                "ELQ-00142",
                f"Error when exporting members to csv file. {sync.build_error}",
                0,
                "error",
            )
        elif defn.entity.kind == "activities" and sync.total > self.cfg.activity_export_cap:
            sync.status, sync.rows = fail, None
            self._log(sync, "ELQ-00102", "Successfully exported members to csv file.", sync.total)
            self._log(
                sync,
                "ELQ-00101",
                f"Sync processed for sync {sync.id}, resulting in error status. "
                f"Activity export exceeds the limit of {self.cfg.activity_export_cap:,} "
                "records per sync.",
                0,
                "error",
            )
        else:
            sync.status = "success"
            kb = max(1, len(rows) * len(defn.columns) * 12 // 1024)  # a rough staging size
            self._log(sync, "ELQ-00102", "Successfully exported members to csv file.", len(rows))
            self._log(sync, "ELQ-00131", "Deleted internal staging for data transfer.")
            self._log(
                sync, "ELQ-00106", f"Successfully converted csv file to sqlite, taking {kb} kb."
            )
        if sync.status != "success":
            self._log(
                sync,
                "ELQ-00101",
                f"Sync processed for sync {sync.id}, resulting in {sync.status} status.",
            )
        sync.ended = self.store.clock.now()
        sync.expires = sync.ended + defn.retention

    def get(self, sync_id: int) -> Sync:
        with self.lock:
            sync = self.syncs.get(sync_id)
        if sync is None:
            raise HttpError(404, "The requested resource was not found.")
        self.advance(sync)
        return sync

    # ---- data ---------------------------------------------------------------------------------
    def data_page(self, sync_id: int, query: dict[str, str]) -> bytes:
        """GET /syncs/{id}/data as JSON bytes (limit 1..50000)."""
        sync = self.get(sync_id)
        limit, offset, total = paging(query, 50000)
        if sync.data_gone or (sync.expires is not None and self.store.clock.now() >= sync.expires):
            sync.data_gone, sync.rows = True, None
            raise HttpError(404, "The requested resource was not found.")
        rows, build = sync.rows, sync.build
        if sync.status not in ("success", "warning") or rows is None:
            raise BadRequestError(
                [
                    failure(
                        "syncUri",
                        sync.uri,
                        f"Sync must have completed with status success or "
                        f"warning to read its data (status is {sync.status})",
                    )
                ]
            )
        body = page(rows, limit, offset, total)
        if build is not None and "items" in body:
            body["items"] = [build(r) for r in body["items"]]
        if self.cfg.empty_page_mode == "end":
            body["hasMore"] = True  # real instances were seen saying so past the last row
        return orjson.dumps(body)

    def delete_data(self, sync_id: int) -> None:
        sync = self.get(sync_id)
        if sync.ended is None:
            raise HttpError(409, "There was a conflict.")
        sync.data_gone, sync.rows = True, None

    def expire(self, sync_id: int) -> None:
        sync = self.get(sync_id)
        sync.data_gone, sync.rows = True, None

    def definition_data(self, defn: Definition, query: dict[str, str]) -> bytes:
        """GET /{obj}/exports/{id}/data: the rows of the definition's latest finished sync."""
        done = [s for s in defn.syncs if s.ended is not None and s.status in ("success", "warning")]
        if not done:
            limit, offset, _ = paging(query, 50000)
            return orjson.dumps(
                {"totalResults": 0, "limit": limit, "offset": offset, "count": 0, "hasMore": False}
            )
        return self.data_page(done[-1].id, query)
