"""Bulk API operations: lists, definitions, syncs, polling, data pages, logs, rejects, cleanup."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor, wait
from dataclasses import dataclass, field
from typing import Any

from eloqua_bulk.budget import SyncBudget
from eloqua_bulk.errors import DataExpiredError, EloquaAPIError, EloquaError, SyncFailedError
from eloqua_bulk.session import BulkSession

LOGGER = logging.getLogger("eloqua_bulk.client")
LIST_LIMIT = 1000          # every non-data list endpoint pages at <= 1000
DATA_LIMIT = 50000         # /syncs/{id}/data pages at <= 50000
DONE_OK = frozenset({"success", "warning"})
DONE_FAILED = frozenset({"error", "errored"})
PENDING = frozenset({"pending", "active"})


@dataclass
class SyncResult:
    """A finished sync: its uri, final status and (for warnings) the log lines."""

    uri: str
    status: str
    logs: list[dict[str, Any]] = field(default_factory=list)

    @property
    def exported_count(self) -> int | None:
        """Rows Eloqua says it exported (log ELQ-00102), when it said so."""
        for log in self.logs:
            if log.get("statusCode") == "ELQ-00102" and isinstance(log.get("count"), int):
                return int(log["count"])
        return None


@dataclass
class PollSettings:
    """How often to ask Eloqua about a sync, and how long to wait for it at most.

    Real syncs take 1-3 s when small and minutes when big (eloqua-real-traffic.md, fact 8):
    the status is read once at creation, then every second for the first `steady_seconds` (a
    chain of activity syncs waits at most a second after each one is ready), then each pause
    1.4 times the last.
    """

    first_interval: float = 1.0
    steady_seconds: float = 10.0
    max_interval: float = 30.0
    factor: float = 1.4
    progress_every: float = 30.0
    timeout: float = 6 * 3600.0


class BulkClient:
    """Bulk API calls over one `BulkSession`; records every definition it creates for cleanup."""

    def __init__(self, session: BulkSession, poll: PollSettings | None = None) -> None:
        self.session = session
        self.poll = poll or PollSettings()
        self._created: list[str] = []
        self._created_lock = threading.Lock()
        self._retirer: ThreadPoolExecutor | None = None
        self._retiring: list[Future[None]] = []
        self._closing = False
        self.budget = SyncBudget(session.settings.max_syncs_per_hour)

    # -- lists -----------------------------------------------------------------------------
    def list_all(self, path: str, params: dict[str, Any] | None = None) -> list[dict[str, Any]]:
        """Every item of a list endpoint, following `hasMore` page by page."""
        items: list[dict[str, Any]] = []
        offset = 0
        while True:
            page = self.session.request(
                "GET", path, params={**(params or {}), "limit": LIST_LIMIT, "offset": offset})
            batch = (page or {}).get("items") or []
            items.extend(batch)
            if not batch:
                check_empty_page(page, offset, f"GET {path}")
                return items
            if not (page or {}).get("hasMore"):
                return items
            offset += len(batch)

    # -- definitions -----------------------------------------------------------------------
    def create_definition(self, path: str, body: dict[str, Any]) -> dict[str, Any]:
        """POST an export or import definition; remembers its uri so `cleanup` deletes it."""
        if self._closing:
            raise EloquaError("The run is ending: no new definitions are created.")
        created = self.session.request("POST", path, body=body)
        uri = str(created["uri"])
        with self._created_lock:
            late = self._closing  # `cleanup` has already listed what to delete
            if not late:
                self._created.append(uri)
        if late:
            self.delete_definition(uri)
            raise EloquaError("The run is ending: no new definitions are created.")
        return dict(created)

    def adopt(self, uri: str) -> None:
        """Take over a definition an earlier run created (a resumed export) for cleanup."""
        with self._created_lock:
            if uri not in self._created:
                self._created.append(uri)

    def delete_definition(self, uri: str) -> None:
        try:
            self.session.request("DELETE", uri)
        except EloquaAPIError as exc:
            if exc.status not in (404, 410):
                raise
        with self._created_lock:
            if uri in self._created:
                self._created.remove(uri)

    def retire(self, sync_uri: str, definition_uri: str) -> None:
        """Free a read sync's staging and delete its definition in the background.

        Nothing waits for these deletes but `cleanup`, so the next stream starts at once.
        """
        with self._created_lock:
            if self._retirer is None:
                self._retirer = ThreadPoolExecutor(max_workers=2, thread_name_prefix="retire")
            self._retiring.append(self._retirer.submit(self._retire, sync_uri, definition_uri))

    def _retire(self, sync_uri: str, definition_uri: str) -> None:
        self.delete_sync_data(sync_uri)
        try:
            self.delete_definition(definition_uri)
        except Exception as exc:
            LOGGER.debug("Deleting %s failed (%s); retried at exit", definition_uri, exc)

    def cleanup(self) -> None:
        """Delete every definition this client created and has not deleted yet; never raises.
        From here on no definition is created: a thread still starting one deletes it itself."""
        with self._created_lock:
            self._closing = True
            retiring, self._retiring = self._retiring, []
        wait(retiring)
        with self._created_lock:
            pending = list(self._created)
        for uri in pending:
            try:
                self.delete_definition(uri)
            except Exception as exc:
                LOGGER.warning("Could not delete %s: %s (Eloqua deletes it after its "
                               "autoDeleteDuration)", uri, exc)

    # -- syncs -----------------------------------------------------------------------------
    def create_sync(self, definition_uri: str) -> str:
        self.budget.acquire(definition_uri)
        sync = self.session.request("POST", "/syncs", body={"syncedInstanceUri": definition_uri})
        return str(sync["uri"])

    def sync_status(self, sync_uri: str) -> dict[str, Any]:
        return dict(self.session.request("GET", sync_uri))

    def wait(self, sync_uri: str, label: str,
             on_progress: Callable[[str, float], None] | None = None) -> SyncResult:
        """Poll until the sync ends; raise `SyncFailedError` with Eloqua's logs on failure."""
        started = time.monotonic()
        interval = self.poll.first_interval
        last_report = -1e9
        last_status = ""
        while True:
            status = str(self.sync_status(sync_uri).get("status", "")).lower()
            elapsed = time.monotonic() - started
            if status != last_status or elapsed - last_report >= self.poll.progress_every:
                if on_progress:
                    on_progress(status, elapsed)
                else:
                    LOGGER.info("%s: sync %s is %s after %.0f s", label, sync_uri, status, elapsed)
                last_report, last_status = elapsed, status
            if status in DONE_OK:
                logs = self.logs(sync_uri)
                for log in logs:
                    if log.get("severity") in ("warning", "error"):
                        LOGGER.warning("%s: Eloqua %s %s: %s", label, log.get("statusCode"),
                                       log.get("severity"), log.get("message"))
                return SyncResult(sync_uri, status, logs)
            if status in DONE_FAILED or status not in PENDING:
                logs = self.logs(sync_uri)
                raise SyncFailedError(_failure_message(label, sync_uri, status, logs),
                                      sync_uri, logs)
            if elapsed > self.poll.timeout:
                raise SyncFailedError(
                    f"{label}: sync {sync_uri} was still {status} after {elapsed / 60:.0f} "
                    "minutes; raise sync_timeout_minutes or try later.", sync_uri, [])
            time.sleep(interval)
            if elapsed + interval >= self.poll.steady_seconds:
                interval = min(self.poll.max_interval, interval * self.poll.factor)

    def push_data(self, definition_uri: str, data: bytes,
                  content_type: str = "application/json") -> dict[str, Any] | None:
        """POST encoded rows to an import definition's staging area (204, or 201 with a sync)."""
        answer = self.session.request("POST", f"{definition_uri}/data", data=data,
                                      content_type=content_type)
        return dict(answer) if isinstance(answer, dict) else None

    def logs(self, sync_uri: str) -> list[dict[str, Any]]:
        return self.list_all(f"{sync_uri}/logs")

    def rejects(self, sync_uri: str) -> Iterator[dict[str, Any]]:
        """Every reject of an import sync, page by page (limit 1000)."""
        offset = 0
        while True:
            page = self.session.request(
                "GET", f"{sync_uri}/rejects", params={"limit": LIST_LIMIT, "offset": offset})
            batch = (page or {}).get("items") or []
            yield from batch
            if not batch:
                check_empty_page(page, offset, f"GET {sync_uri}/rejects")
                return
            if not (page or {}).get("hasMore"):
                return
            offset += len(batch)

    def data_page(self, sync_uri: str, offset: int, limit: int = DATA_LIMIT) -> dict[str, Any]:
        """One page of an export sync's rows; `DataExpiredError` once the data is gone."""
        return dict(self._data(sync_uri, offset, limit, raw=False) or {})

    def data_page_bytes(self, sync_uri: str, offset: int, limit: int = DATA_LIMIT) -> bytes:
        """The same page as undecoded JSON bytes (several times smaller than decoded rows)."""
        return bytes(self._data(sync_uri, offset, limit, raw=True) or b"{}")

    def _data(self, sync_uri: str, offset: int, limit: int, *, raw: bool) -> Any:
        try:
            return self.session.request(
                "GET", f"{sync_uri}/data",
                params={"limit": limit, "offset": offset, "totalResults": "true"}, raw=raw)
        except EloquaAPIError as exc:
            if exc.status in (404, 410):
                raise DataExpiredError(
                    f"The data of {sync_uri} is no longer available (HTTP {exc.status}).") from None
            raise

    def delete_sync_data(self, sync_uri: str) -> None:
        """Free Eloqua's staging once the rows are read; a failure here is not worth a run."""
        try:
            self.session.request("DELETE", f"{sync_uri}/data")
        except Exception as exc:
            LOGGER.debug("Could not delete the data of %s: %s", sync_uri, exc)


def check_empty_page(page: Any, offset: int, label: str) -> None:
    """A page without items ends paging; one that still claims rows past `offset` is an error.

    Real Eloqua has answered `hasMore: true` with no items (pyeloqua #47): reading on would
    loop for ever, so paging stops where `totalResults` says the rows end.
    """
    body = page if isinstance(page, dict) else {}
    total = body.get("totalResults")
    if body.get("hasMore") and isinstance(total, int) and offset < total:
        raise EloquaAPIError(
            f"{label} answered no items at offset {offset} of {total} but hasMore: true; "
            "Eloqua's paging is inconsistent, run again later.")


def _failure_message(label: str, sync_uri: str, status: str, logs: list[dict[str, Any]]) -> str:
    bad = [log for log in logs if log.get("severity") in ("error", "warning")] or logs[-3:]
    detail = "; ".join(f"{log.get('statusCode')}: {log.get('message')}" for log in bad)
    return (f"{label}: Eloqua sync {sync_uri} ended with status '{status}'"
            f"{': ' + detail if detail else ' and no log message'}.")
