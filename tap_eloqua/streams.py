"""The one export stream: any Eloqua entity, incrementally, in half-open time windows."""

from __future__ import annotations

import math
import threading
import time
from collections.abc import Generator, Iterable, Iterator, Mapping
from datetime import datetime, timedelta, timezone
from functools import cached_property
from typing import Any
from zoneinfo import ZoneInfo

import orjson
from singer_sdk import Stream
from singer_sdk.helpers._batch import BaseBatchFileEncoding, BatchConfig
from singer_sdk.helpers.conform import TypeConformanceLevel
from singer_sdk.mapper import SameRecordTransform
from typing_extensions import override

from eloqua_bulk.errors import ConfigurationError
from eloqua_plugin.entities import Entity
from tap_eloqua import output
from tap_eloqua.batches import write_batches
from tap_eloqua.exporter import Cursor, Exporter, ExportPlan, TooManyRowsError
from tap_eloqua.host import TapHost
from tap_eloqua.schema import Field
from tap_eloqua.values import convert_rows, converters, row_converter
from tap_eloqua.wide import MAX_EXPORT_FIELDS, joined_pages, split_plan
from tap_eloqua.writer import OrjsonWriter, encode

SYNC_KEY = "eloqua_sync"
PAGE_CELLS = 300_000  # values per data page: 15,000 rows of 20 columns, 5,000 of 60
# A joined (wider than 250 columns) page is held merged to its full width, and its values cost
# about a third more (measured: 83 KB per row of 260 columns): a smaller budget keeps the peak.
JOINED_PAGE_CELLS = 200_000
MIN_PAGE_ROWS = 250


def parse_instant(value: str, setting: str) -> datetime:
    """An ISO 8601 instant; naive means UTC."""
    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except (ValueError, AttributeError):
        raise ConfigurationError(
            f"{setting} '{value}' is not an ISO 8601 date-time (e.g. 2024-01-01T00:00:00Z)."
        ) from None
    return moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)


class EloquaExportStream(Stream):
    """Exports one entity through a Bulk export definition; state is the window end."""

    # Values are converted once per page from Eloqua's strings and only selected columns are
    # exported, so the SDK's per-field conformance pass would only repeat that work.
    TYPE_CONFORMANCE_LEVEL = TypeConformanceLevel.NONE
    is_sorted = False

    def __init__(self, tap: TapHost, entity: Entity, fields: dict[str, Field],
                 schema: dict[str, Any], name: str | None = None) -> None:
        self.entity = entity
        self.eloqua_fields = fields
        super().__init__(tap=tap, schema=schema, name=name or entity.stream_name)
        self.primary_keys = list(entity.kind.key)
        self.replication_key = entity.kind.replication_key
        self._tap_ref = tap
        self._extracted_at = datetime.now(timezone.utc).isoformat()
        self._prepared: tuple[ExportPlan, Cursor] | None = None
        self._prep_lock = threading.Lock()  # the scheduler's watchers prepare from threads
        self._reading = False

    # -- the hot path: one orjson encode per record when no stream map or flattening applies -
    @cached_property
    def _direct_output(self) -> bool:
        maps = self.stream_maps
        return (len(maps) == 1 and type(maps[0]) is SameRecordTransform
                and not maps[0].flattening_enabled
                and isinstance(self._tap.message_writer, OrjsonWriter))

    @override
    def get_batches(self, batch_config: BatchConfig, context: Mapping[str, Any] | None = None,
                    ) -> Iterable[tuple[BaseBatchFileEncoding, list[str]]]:
        """BATCH mode through the same record path (state included), with a faster encoder."""
        if batch_config.encoding.format != "jsonl":
            yield from super().get_batches(batch_config, context)
            return
        records = self._sync_records(context, write_messages=False)
        yield from write_batches(records, batch_config, self.tap_name, self.name)

    # -- state: we own it, because the bookmark is the window end, not the max value seen ----
    @override
    def _increment_stream_state(self, latest_record: Mapping[str, Any], *,
                                context: Mapping[str, Any] | None = None) -> None:
        """Bookmarks advance per completed window in `get_records`, never per record."""

    @override
    def compare_start_date(self, value: str, start_date_value: str) -> str:
        """The later of bookmark and start_date; a malformed bookmark is a user error."""
        bookmark = parse_instant(str(value), f"the state bookmark of {self.name}")
        start = parse_instant(str(start_date_value), "start_date")
        return value if bookmark >= start else start_date_value

    def _emit_state(self) -> None:
        """Write STATE now: the SDK only writes after records, but a cursor change matters too.

        In BATCH mode rows reach stdout only when a batch file is finished, so a mid-stream
        cursor would run ahead of what was delivered; there only the final state is written.
        """
        if self.config.get("batch_config"):
            return
        self.state_manager.is_flushed = False
        self._write_state_message()

    def _window(self, state: dict[str, Any]) -> tuple[datetime, datetime]:
        config = self.config
        bookmark = state.get("replication_key_value")
        legacy = state.get("datetime")  # singer-io tap-eloqua's bookmark: max value, `>=`
        if bookmark and state.get("replication_key") == self.replication_key:
            start = parse_instant(str(bookmark), f"the state bookmark of {self.name}")
        elif legacy and not bookmark:
            start = parse_instant(str(legacy), f"the singer-io bookmark of {self.name}")
        else:
            start = parse_instant(str(config.get("start_date")), "start_date")
        end = self._tap_ref.window_end(lagged=self.entity.kind.lagged)
        if config.get("end_date"):
            end = min(end, parse_instant(str(config["end_date"]), "end_date"))
        return start, end

    def _selected_fields(self) -> list[Field]:
        """Selected properties, plus the key and replication key (always needed)."""
        forced = {*self.primary_keys, self.replication_key}
        chosen = []
        for name, f in self.eloqua_fields.items():
            if name in forced or self.mask.get(("properties", name), True):
                chosen.append(f)
        return chosen

    @property
    def is_activity(self) -> bool:
        return self.entity.kind.lagged

    def _plan(self, start: datetime, end: datetime, fields: list[Field]) -> ExportPlan:
        replication = self.eloqua_fields[self.entity.kind.replication_key].statement
        return ExportPlan(self.entity, {f.name: f.statement for f in fields}, replication,
                          start, end, str(self.config.get("data_retention_duration", "P1D")))

    def _exporter(self, columns: int) -> Exporter:
        """Pages hold at most `page_size` rows and about PAGE_CELLS values (JOINED_PAGE_CELLS
        past 250 columns), so a wide export does not multiply the memory a page takes."""
        cells = PAGE_CELLS if columns <= MAX_EXPORT_FIELDS else JOINED_PAGE_CELLS
        rows = min(int(self.config.get("page_size", 50000)),
                   max(MIN_PAGE_ROWS, cells // max(1, columns)))
        return Exporter(self._tap_ref.client, self.logger, rows, self._row_cap)

    def prepare(self) -> bool:
        """Start this stream's first export now, to be read when the SDK reaches the stream."""
        with self._prep_lock:
            state = self.stream_state
            if self._reading or state.get(SYNC_KEY) or self._prepared:
                return False
            start, end = self._window(state)
            fields = self._selected_fields()
            if start >= end or len(fields) > MAX_EXPORT_FIELDS:
                return False
            plan = self._plan(start, end, fields)
            scheduler, client = self._tap_ref.scheduler, self._tap_ref.client
            token = scheduler.opened(self)
            try:
                cursor = self._exporter(len(fields)).start(plan)
            except BaseException:
                scheduler.closed(self, token)  # no sync, so no watcher to free the slot
                raise
            self._prepared = (plan, cursor)
        scheduler.watch(self, token, lambda: client.wait(cursor.sync_uri, self.name))
        return True

    @override
    def get_records(self, context: Mapping[str, Any] | None) -> Iterable[dict[str, Any]]:
        for page in self._record_pages():
            yield from page

    @override
    def _sync_records(self, context: Mapping[str, Any] | None = None, *,
                      write_messages: bool = True) -> Generator[dict[Any, Any], Any, Any]:
        """A lean loop for the common case: whole pages written, counters bumped per page.

        The SDK's loop costs several microseconds per record for features this case does not
        use (stream maps, child streams, per-record state); anything unusual takes its path.
        """
        if (not write_messages or context or not self.selected or self.child_streams
                or self.ABORT_AT_RECORD_COUNT is not None or not self._direct_output
                or self._stream_version is not None):
            yield from super()._sync_records(context, write_messages=write_messages)
            return
        out = output.stdout()
        head = b'{"type":"RECORD","stream":' + orjson.dumps(self.name) + b',"record":'
        counter, timer = self.get_record_counter(), self.get_sync_timer()
        with counter, timer:
            self._write_starting_replication_value(None)
            for page in self._record_pages():
                tail = b',"time_extracted":' + orjson.dumps(self._extracted_at) + b"}\n"
                written = 0
                for record in page:
                    try:
                        body = orjson.dumps(record)
                    except TypeError:  # an integer past 64 bits: written exactly, not a crash
                        body = encode(record)
                    out.write(head + body + tail)
                    written += 1
                counter.increment(written)
                self.state_manager.is_flushed = False
        self._finalize_state(self.stream_state)
        self._write_state_message()

    def _record_pages(self) -> Iterator[Iterator[dict[str, Any]]]:
        """Pages of typed records over every window from the bookmark to now."""
        with self._prep_lock:  # from here on, only this thread touches `_prepared`
            self._reading = True
        state = self.stream_state
        start, end = self._window(state)
        if start >= end:
            self.logger.info("%s: nothing to export (window %s .. %s is empty)", self.name,
                             start.isoformat(), end.isoformat())
            return
        saved = state.get(SYNC_KEY)
        if self._prepared is not None:
            end = self._prepared[0].end  # the export started ahead fixed this window's end
        first_end = end
        if saved and saved.get("window_start") == start.isoformat():
            first_end = min(end, parse_instant(str(saved["window_end"]),
                                               f"the saved window of {self.name}"))
        windows = [(start, first_end)] + ([(first_end, end)] if first_end < end else [])
        while windows:
            w_start, w_end = windows.pop(0)
            try:
                yield from self._export_window(w_start, w_end)
            except TooManyRowsError as exc:
                pieces = _split_window(w_start, w_end, exc.count, self._row_cap or exc.count)
                self.logger.info("%s: Eloqua counted %d rows in %s .. %s, over the %d-row limit "
                                 "of one export; exporting it as %d smaller windows", self.name,
                                 exc.count, w_start.isoformat(), w_end.isoformat(),
                                 self._row_cap or 0, len(pieces))
                windows[:0] = pieces

    @property
    def _row_cap(self) -> int | None:
        if not self.entity.kind.lagged:  # only activity exports have a row cap
            return None
        return int(self.config.get("activity_max_rows_per_export", 5_000_000))

    def _export_window(self, start: datetime,
                       end: datetime) -> Iterator[Iterator[dict[str, Any]]]:
        """Export [start, end) whole, a page at a time: each page must be consumed before the
        next is asked for, since the cursor in the state moves past it then. The bookmark moves
        to `end` once every row is out."""
        state = self.stream_state
        fields = self._selected_fields()
        plan = self._plan(start, end, fields)
        exporter = self._exporter(len(fields))
        scheduler = self._tap_ref.scheduler
        plan_conv = row_converter(converters(fields, ZoneInfo(str(self.config.get(
            "instance_timezone", "America/New_York")))))
        began, count = time.monotonic(), 0
        if len(fields) > MAX_EXPORT_FIELDS:
            scheduler.reserve(self)
            scheduler.ahead()
            key = self.primary_keys[0]
            parts = split_plan(plan, key, (self.entity.kind.replication_key,))
            for rows in joined_pages(exporter, parts, key, self.logger):
                self._extracted_at = datetime.now(timezone.utc).isoformat()
                count += len(rows)
                yield convert_rows(rows, plan_conv)
            scheduler.closed(self)
            state.pop(SYNC_KEY, None)
            self._advance(state, end, began, count, start)
            return
        cursor = self._cursor(plan, exporter)
        scheduler.opened(self)
        scheduler.ahead()
        state[SYNC_KEY] = cursor.to_state(plan)
        self._emit_state()

        def ready() -> None:
            scheduler.closed(self)
            scheduler.ahead()

        for rows, next_offset in exporter.pages(plan, cursor, on_ready=ready):
            self._extracted_at = datetime.now(timezone.utc).isoformat()
            count += len(rows)
            yield convert_rows(rows, plan_conv)
            del rows
            cursor.offset = next_offset
            state[SYNC_KEY] = cursor.to_state(plan)
            self._emit_state()
        exporter.finish(cursor)
        scheduler.closed(self)
        state.pop(SYNC_KEY, None)
        self._advance(state, end, began, count, start)
        self._emit_state()

    def _cursor(self, plan: ExportPlan, exporter: Exporter) -> Cursor:
        """The interrupted export of this window, the one started ahead, or a new one."""
        saved = self.stream_state.get(SYNC_KEY)
        cursor = exporter.resume(plan, saved) if saved else None
        if cursor is not None:
            self._tap_ref.client.adopt(cursor.definition_uri)
        elif self._prepared is not None and self._prepared[0] == plan:
            cursor = self._prepared[1]
        else:
            self._tap_ref.scheduler.reserve(self)
            cursor = exporter.start(plan)
        if self._prepared is not None and self._prepared[1] is not cursor:
            exporter.finish(self._prepared[1])
        self._prepared = None
        return cursor

    def _advance(self, state: dict[str, Any], end: datetime, began: float, count: int,
                 start: datetime) -> None:
        """The window is read whole: its end becomes the bookmark."""
        state["replication_key"] = self.replication_key
        state["replication_key_value"] = end.isoformat()
        seconds = max(time.monotonic() - began, 1e-6)
        self.logger.info("%s: %d rows in %.1f s (%.0f rows/s), window %s .. %s", self.name,
                         count, seconds, count / seconds, start.isoformat(), end.isoformat())


def _split_window(start: datetime, end: datetime, count: int,
                  cap: int) -> list[tuple[datetime, datetime]]:
    """Equal slices sized so each should hold ~80% of the cap (rows assumed evenly spread)."""
    pieces = max(2, math.ceil(count / (cap * 0.8)))
    step = (end - start) / pieces
    if step < timedelta(seconds=1):
        raise ConfigurationError(
            f"Eloqua counts {count} rows within one second ({start.isoformat()}); the window "
            "cannot be split further.")
    bounds = [start + step * i for i in range(pieces)] + [end]
    return [(bounds[i].replace(microsecond=0) if i else start,
             bounds[i + 1].replace(microsecond=0) if i + 1 < pieces else end)
            for i in range(pieces)]
