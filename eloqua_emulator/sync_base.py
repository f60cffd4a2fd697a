"""What export and import syncs share (docs §4.1, §4.2, §4.4): the resource, clock and logs.

Both kinds answer `/syncs/{id}` with the same SyncIndividual body, move pending -> active ->
final by wall clock after the configured seconds, and write SyncLog items the same way; only
what happens at the end differs (syncs.py renders rows, import_syncs.py applies them).
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from .clock import quantize
from .common import iso7, now_ms
from .config import EmulatorConfig


@dataclass
class SyncBase:
    """One sync: what `/syncs/{id}` reports, plus its logs."""

    id: int
    definition: Any  # an export Definition or an ImportDefinition
    created: datetime
    t0: float
    created_by: str
    callback_url: str | None
    planned_error: tuple[str, str] | None
    status: str = "pending"
    started: datetime | None = None
    ended: datetime | None = None
    logs: list[dict[str, Any]] = field(default_factory=list)

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


class SyncLifecycle:
    """The wall-clock lifecycle; subclasses provide `lock`, `cfg`, `syncs` and `_finish`."""

    lock: threading.RLock
    cfg: EmulatorConfig
    syncs: dict[int, Any]

    @property
    def count(self) -> int:
        return len(self.syncs)

    def _ready(self, sync: Any) -> bool:
        """Whether the sync may end once its time is up."""
        return True

    def _finish(self, sync: Any) -> None:
        raise NotImplementedError

    def advance(self, sync: Any) -> None:
        """Move the status along by wall clock (pending -> active -> final)."""
        with self.lock:
            if sync.ended is not None:
                return
            cfg = self.cfg
            elapsed = time.monotonic() - sync.t0
            if elapsed < cfg.sync_pending_seconds:
                return
            if sync.started is None:
                sync.started = quantize(sync.created + timedelta(seconds=cfg.sync_pending_seconds))
                sync.status = "active"
            done_at = cfg.sync_pending_seconds + cfg.sync_active_seconds + cfg.slow_sync_seconds
            if elapsed < done_at or not self._ready(sync):
                return
            self._finish(sync)

    def listing(self) -> list[dict[str, Any]]:
        with self.lock:
            syncs = list(self.syncs.values())
        for s in syncs:
            self.advance(s)
        return [s.resource() for s in syncs]

    def in_progress(self, defn: Any) -> bool:
        for s in list(defn.syncs):
            self.advance(s)
        return any(s.ended is None for s in defn.syncs)

    @staticmethod
    def _log(
        sync: SyncBase, code: str, message: str, count: int = 0, severity: str = "information"
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
