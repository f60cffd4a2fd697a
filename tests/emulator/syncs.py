"""Syncs: creation (snapshot), wall-clock lifecycle, data pages, logs, retention (docs §4).

Decided where the docs are silent:
* `GET /syncs/{id}/data` before the sync ends in success/warning answers 400 with a `failures` body
  (field `syncUri`), as the docs do for reading data of an import sync; after DELETE .../data or
  after
  `dataRetentionDuration` it answers 404.
* The activity 5,000,000 cap failure logs ELQ-00102 with the true count, then an error-severity
  ELQ-00101 ("Sync processed ..., resulting in error status.") that names the exceeded limit.
* A sync is `success` only once its rows are rendered, even if the configured time has passed.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

import orjson

from .catalog import catalog
from .common import BadRequestError, HttpError, failure, iso7, now_ms, paging
from .config import EmulatorConfig
from .exports import Definition, Exports
from .snapshot import Snapshot, capture, render, select
from .store import Store


@dataclass
class Sync:
    """One sync of an export definition."""

    id: int
    definition: Definition
    created: datetime
    t0: float
    created_by: str
    callback_url: str | None
    planned_error: tuple[str, str] | None
    status: str = "pending"
    started: datetime | None = None
    ended: datetime | None = None
    rows: list[dict[str, str]] | None = None
    total: int = 0
    ready: threading.Event = field(default_factory=threading.Event)
    logs: list[dict[str, Any]] = field(default_factory=list)
    data_gone: bool = False
    expires: datetime | None = None
    build_error: str | None = None

    @property
    def uri(self) -> str:
        return f"/syncs/{self.id}"

    def resource(self) -> dict[str, Any]:
        out: dict[str, Any] = {"syncedInstanceUri": self.definition.uri}
        if self.callback_url:
            out["callbackUrl"] = self.callback_url
        if self.started:
            out["syncStartedAt"] = iso7(self.started)
        if self.ended:
            out["syncEndedAt"] = iso7(self.ended)
        out.update(
            status=self.status,
            createdAt=iso7(self.created),
            createdBy=self.created_by,
            uri=self.uri,
        )
        return out


class Syncs:
    """Every sync of the instance and the worker threads that render their rows."""

    def __init__(self, store: Store, exports: Exports, cfg: EmulatorConfig, user: str) -> None:
        self.store, self.exports, self.cfg, self.user = store, exports, cfg, user
        self.lock = threading.RLock()
        self.syncs: dict[int, Sync] = {}
        self.next_id = 1
        self.fail_next: tuple[str, str] | None = None

    @property
    def count(self) -> int:
        return len(self.syncs)

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
            sync_id, self.next_id = self.next_id, self.next_id + 1
            planned, self.fail_next = self.fail_next, None
            callback = body.get("callbackUrl") or body.get("callbackURL")
            sync = Sync(sync_id, defn, now_ms(), time.monotonic(), self.user, callback, planned)
            self.syncs[sync_id] = sync
            defn.syncs.append(sync)
        threading.Thread(
            target=self._build, args=(sync, ctx), daemon=True, name=f"sync-{sync_id}"
        ).start()
        return sync

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
            sync.rows = (
                [] if capped or sync.planned_error else render(ctx, defn.columns, defn.utc, records)
            )
        except Exception as exc:
            sync.build_error = repr(exc)
            sync.rows = []
        sync.ready.set()

    # ---- lifecycle --------------------------------------------------------------------------
    def advance(self, sync: Sync) -> None:
        """Move the status along by wall clock (pending -> active -> final)."""
        with self.lock:
            if sync.ended is not None:
                return
            cfg = self.cfg
            elapsed = time.monotonic() - sync.t0
            if elapsed < cfg.sync_pending_seconds:
                return
            if sync.started is None:
                sync.started = sync.created + timedelta(seconds=cfg.sync_pending_seconds)
                sync.status = "active"
            done_at = cfg.sync_pending_seconds + cfg.sync_active_seconds + cfg.slow_sync_seconds
            if elapsed < done_at or not (sync.ready.is_set() or sync.definition.deleted):
                return
            self._finish(sync)

    def _log(
        self, sync: Sync, code: str, message: str, count: int = 0, severity: str = "information"
    ) -> None:
        at = now_ms() + timedelta(milliseconds=len(sync.logs))
        sync.logs.append(
            {
                "count": count,
                "createdAt": iso7(at),
                "message": message,
                "severity": severity,
                "statusCode": code,
                "syncUri": sync.uri,
            }
        )

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
        sync.ended = now_ms()
        sync.expires = sync.ended + defn.retention

    def get(self, sync_id: int) -> Sync:
        with self.lock:
            sync = self.syncs.get(sync_id)
        if sync is None:
            raise HttpError(404, "The requested resource was not found.")
        self.advance(sync)
        return sync

    def listing(self) -> list[dict[str, Any]]:
        with self.lock:
            syncs = list(self.syncs.values())
        for s in syncs:
            self.advance(s)
        return [s.resource() for s in syncs]

    def in_progress(self, defn: Definition) -> bool:
        for s in list(defn.syncs):
            self.advance(s)
        return any(s.ended is None for s in defn.syncs)

    # ---- data ---------------------------------------------------------------------------------
    def data_page(self, sync_id: int, query: dict[str, str]) -> bytes:
        """GET /syncs/{id}/data as JSON bytes (limit 1..50000)."""
        sync = self.get(sync_id)
        limit, offset, total = paging(query, 50000)
        if sync.data_gone or (sync.expires is not None and now_ms() >= sync.expires):
            sync.data_gone, sync.rows = True, None
            raise HttpError(404, "The requested resource was not found.")
        if sync.status not in ("success", "warning") or sync.rows is None:
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
        rows = sync.rows
        page = rows[offset : offset + limit]
        out: dict[str, Any] = {}
        if page:
            out["items"] = page
        if total:
            out["totalResults"] = len(rows)
        out.update(
            limit=limit, offset=offset, count=len(page), hasMore=offset + len(page) < len(rows)
        )
        return orjson.dumps(out)

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
