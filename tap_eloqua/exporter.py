"""One export of one window: definition -> sync -> poll -> pages, resumable by sync and offset.

Kept apart from the Singer stream so the Eloqua side of a run reads top to bottom in one place.
"""

from __future__ import annotations

import hashlib
import logging
import time
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import orjson

from eloqua_bulk import BulkClient, DataExpiredError, SyncFailedError, SyncResult
from eloqua_bulk.client import check_empty_page
from eloqua_bulk.eml import all_of, eloqua_datetime, half_open_window
from eloqua_bulk.errors import EloquaAPIError
from eloqua_plugin.entities import Entity

NAME_MAX = 100


@dataclass
class ExportPlan:
    """What to export: which statements under which names, over which half-open window."""

    entity: Entity
    fields: dict[str, str]          # output name -> statement
    replication_statement: str
    start: datetime
    end: datetime
    retention: str = "P1D"
    windowed: bool = True           # False: every row the entity has (an Id sweep)

    @property
    def fingerprint(self) -> str:
        """Identifies the field set, so a resumed sync is only reused for the same columns."""
        text = "|".join(f"{k}={v}" for k, v in sorted(self.fields.items()))
        return hashlib.sha256(text.encode()).hexdigest()[:16]

    def definition(self) -> dict[str, Any]:
        name = (f"tap-eloqua {self.entity.stream_name} "
                f"{eloqua_datetime(self.start)}..{eloqua_datetime(self.end)}")[:NAME_MAX]
        window = (half_open_window(self.replication_statement, self.start, self.end)
                  if self.windowed else None)
        body: dict[str, Any] = {
            "name": name,
            "fields": self.fields,
            "filter": all_of(self.entity.base_filter, window),
            "areSystemTimestampsInUTC": True,
            "dataRetentionDuration": self.retention,
            "autoDeleteDuration": "P1D",
        }
        if not body["filter"]:
            del body["filter"]  # optional in Eloqua: no filter exports every row
        return body


@dataclass
class Cursor:
    """Where reading stands: the sync, its definition, and the next offset to read."""

    sync_uri: str
    definition_uri: str
    offset: int = 0

    def to_state(self, plan: ExportPlan) -> dict[str, Any]:
        return {"sync_uri": self.sync_uri, "definition_uri": self.definition_uri,
                "offset": self.offset, "window_start": plan.start.isoformat(),
                "window_end": plan.end.isoformat(), "fields": plan.fingerprint}


class TooManyRowsError(Exception):
    """Eloqua counted more rows than one export may hold (activities: 5,000,000)."""

    def __init__(self, count: int) -> None:
        super().__init__(f"{count} rows")
        self.count = count


def _logged_count(logs: list[dict[str, Any]]) -> int | None:
    for log in logs:
        if log.get("statusCode") == "ELQ-00102" and isinstance(log.get("count"), int):
            return int(log["count"])
    return None


class Exporter:
    """Runs an `ExportPlan` against Eloqua and yields raw pages with their next offset."""

    def __init__(self, client: BulkClient, logger: logging.Logger, page_size: int,
                 row_cap: int | None = None) -> None:
        self.client = client
        self.logger = logger
        self.page_size = page_size
        self.row_cap = row_cap

    def _wait(self, plan: ExportPlan, cursor: Cursor) -> SyncResult:
        """Wait for the sync; a window over the row cap raises `TooManyRowsError` instead."""
        label = plan.entity.stream_name
        try:
            result = self.client.wait(
                cursor.sync_uri, label,
                on_progress=lambda status, elapsed: self.logger.info(
                    "%s: Eloqua is preparing the export (sync %s %s, %.0f s)",
                    label, cursor.sync_uri, status, elapsed))
        except SyncFailedError as exc:
            count = _logged_count(exc.logs)
            if self.row_cap and count is not None and count >= self.row_cap:
                self.finish(cursor)
                raise TooManyRowsError(count) from None
            raise
        count = result.exported_count
        if self.row_cap and count is not None and count >= self.row_cap:
            self.finish(cursor)  # at the cap the export may be truncated: never trust it
            raise TooManyRowsError(count)
        return result

    def start(self, plan: ExportPlan) -> Cursor:
        definition = self.client.create_definition(plan.entity.exports_path, plan.definition())
        sync_uri = self.client.create_sync(str(definition["uri"]))
        return Cursor(sync_uri, str(definition["uri"]))

    def pages(self, plan: ExportPlan, cursor: Cursor,
              on_ready: Callable[[], None] | None = None,
              ) -> Iterator[tuple[list[dict[str, str]], int]]:
        """Wait for the sync (then call `on_ready`), and yield (rows, offset after them)."""
        label = plan.entity.stream_name
        total = self._wait(plan, cursor).exported_count
        if on_ready is not None:
            on_ready()
        started = time.monotonic()
        offset = cursor.offset
        # The next page downloads while the current one is converted and written: at most two
        # pages are held at once, and Eloqua's latency overlaps with our own work.
        with ThreadPoolExecutor(max_workers=1, thread_name_prefix="prefetch") as pool:
            upcoming: Future[bytes] | None = pool.submit(
                self.client.data_page_bytes, cursor.sync_uri, offset, self.page_size)
            while upcoming is not None:
                page = self._decode(upcoming.result(), cursor.sync_uri, offset)
                upcoming = None
                rows = page.get("items") or []
                if total is None and isinstance(page.get("totalResults"), int):
                    total = int(page["totalResults"])
                offset += len(rows)
                if not rows:
                    check_empty_page(page, offset, f"GET {cursor.sync_uri}/data")
                if page.get("hasMore") and rows:
                    upcoming = pool.submit(self.client.data_page_bytes, cursor.sync_uri,
                                           offset, self.page_size)
                del page
                if rows:
                    self._progress(label, offset, total, started)
                    yield rows, offset
                del rows

    def _decode(self, body: bytes, sync_uri: str, offset: int) -> dict[str, Any]:
        """Parse a prefetched page; an unreadable one is fetched again through the retry path."""
        try:
            page = orjson.loads(body)
        except orjson.JSONDecodeError:
            self.logger.warning("Unreadable data page at offset %d of %s; fetching it again",
                                offset, sync_uri)
            return self.client.data_page(sync_uri, offset, self.page_size)
        return page if isinstance(page, dict) else {}

    def _progress(self, label: str, done: int, total: int | None, started: float) -> None:
        elapsed = max(time.monotonic() - started, 1e-6)
        if total:
            self.logger.info("%s: read %d of %d rows (%.0f%%, %.0f rows/s)", label, done, total,
                             100.0 * done / total, done / elapsed)
        else:
            self.logger.info("%s: read %d rows (%.0f rows/s)", label, done, done / elapsed)

    def resume(self, plan: ExportPlan, saved: dict[str, Any]) -> Cursor | None:
        """The saved cursor if its sync still holds the same window and columns, else None."""
        if (saved.get("window_start") != plan.start.isoformat()
                or saved.get("fields") != plan.fingerprint):
            return None
        cursor = Cursor(str(saved["sync_uri"]), str(saved["definition_uri"]),
                        int(saved.get("offset", 0)))
        try:
            self.client.sync_status(cursor.sync_uri)
            self.client.data_page(cursor.sync_uri, cursor.offset, 1)
        except (DataExpiredError, EloquaAPIError) as exc:
            self.logger.info("%s: the interrupted export %s cannot be resumed (%s); exporting "
                             "the window again", plan.entity.stream_name, cursor.sync_uri, exc)
            return None
        self.logger.info("%s: resuming the interrupted export %s at row %d",
                         plan.entity.stream_name, cursor.sync_uri, cursor.offset)
        return cursor

    def finish(self, cursor: Cursor) -> None:
        """Free Eloqua's staging and delete the definition (the run created it)."""
        self.client.retire(cursor.sync_uri, cursor.definition_uri)
