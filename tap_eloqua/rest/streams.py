"""The one REST stream: any `Resource`, incrementally by update time where Eloqua can filter.

Incremental resources are read over the half-open window [bookmark, run start) with
`search=term>='start' term<'end'`: Eloqua's REST dates have one-second granularity, so the window
end is the second the stream starts reading, and the next run starts exactly there. An element
updated during that second belongs to the next window, whole; none is read twice by completed
runs, and none is skipped (`>` alone would lose the rest of the bookmark's second).
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Iterator, Mapping
from datetime import datetime, timezone
from typing import Any

from singer_sdk import Stream
from singer_sdk.helpers.conform import TypeConformanceLevel
from typing_extensions import override

from eloqua_bulk.errors import EloquaAPIError
from tap_eloqua.host import TapHost
from tap_eloqua.rest.client import Progress, RestReader
from tap_eloqua.rest.resources import Resource
from tap_eloqua.rest.schema import json_schema, record_builder, to_int
from tap_eloqua.streams import parse_instant


def _seconds(moment: datetime) -> int:
    return math.floor(moment.timestamp())


def _iso(seconds: int) -> str:
    return datetime.fromtimestamp(seconds, timezone.utc).isoformat()


class EloquaRestStream(Stream):
    """Reads one REST Application API list; state is the window end (Unix-second aligned)."""

    # Records are built typed, with exactly the schema's properties.
    TYPE_CONFORMANCE_LEVEL = TypeConformanceLevel.NONE
    is_sorted = False
    is_activity = False  # for the Bulk sync scheduler, which walks every stream

    def __init__(self, tap: TapHost, resource: Resource) -> None:
        self.resource = resource
        super().__init__(tap=tap, schema=json_schema(resource), name=resource.stream)
        self.primary_keys = list(resource.key)
        self.replication_key = resource.replication_key
        self._tap_ref = tap
        self._build = record_builder(resource)

    def prepare(self) -> bool:
        """Nothing to start ahead: REST lists are read directly."""
        return False

    # -- state: the bookmark is the window end, set once the window is read ----------------
    @override
    def _increment_stream_state(self, latest_record: Mapping[str, Any], *,
                                context: Mapping[str, Any] | None = None) -> None:
        """Bookmarks advance in `get_records`, never per record."""

    @override
    def compare_start_date(self, value: str, start_date_value: str) -> str:
        bookmark = parse_instant(str(value), f"the state bookmark of {self.name}")
        start = parse_instant(str(start_date_value), "start_date")
        return value if bookmark >= start else start_date_value

    def _bookmark(self, seconds: int) -> None:
        """Everything before `seconds` is out: bookmark it, and say so unless in BATCH mode
        (there rows reach stdout only with a finished batch file; the SDK writes the state
        after it)."""
        state = self.stream_state
        state["replication_key"] = self.replication_key
        state["replication_key_value"] = _iso(seconds)
        if not self.config.get("batch_config"):
            self.state_manager.is_flushed = False
            self._write_state_message()

    def _window(self) -> tuple[int, int]:
        state = self.stream_state
        bookmark = state.get("replication_key_value")
        if bookmark and state.get("replication_key") == self.replication_key:
            start = parse_instant(str(bookmark), f"the state bookmark of {self.name}")
        else:
            start = parse_instant(str(self.config.get("start_date")), "start_date")
        end = self._tap_ref.window_end(lagged=False)
        if self.config.get("end_date"):
            end = min(end, parse_instant(str(self.config["end_date"]), "end_date"))
        return _seconds(start), _seconds(end)

    # -- reading -------------------------------------------------------------------------
    @property
    def _reader(self) -> RestReader:
        return RestReader(self._tap_ref.client.session,
                          int(self.config.get("rest_page_size", 1000)), self.logger)

    def _params(self) -> dict[str, Any]:
        res = self.resource
        depth = res.depth
        if res.html_depth and self.config.get("include_email_html"):
            depth = res.html_depth
        return {"depth": depth} if depth else {}

    @override
    def get_records(self, context: Mapping[str, Any] | None) -> Iterable[dict[str, Any]]:
        res = self.resource
        try:
            if res.parent is not None:
                yield from self._children()
            elif res.search_term:
                yield from self._incremental()
            else:
                for page in self._reader.pages(res.path, res.version, self._params(),
                                               Progress(self.logger, self.name)):
                    yield from (self._build(e, {}) for e in page)
        except EloquaAPIError as exc:
            if exc.status in (401, 403):
                raise EloquaAPIError(
                    f"{exc} -- the API user may not read {self.name}; leave it out of "
                    "rest_streams or deselect it.", status=exc.status) from None
            raise

    def _incremental(self) -> Iterator[dict[str, Any]]:
        res = self.resource
        start, end = self._window()
        if start >= end:
            self.logger.info("%s: nothing to read (window is empty)", self.name)
            return
        progress = Progress(self.logger, self.name)
        key = res.source(res.key[0])
        for elements, cursor in self._reader.window(
                res.path, res.version, self._params(), str(res.search_term), key, start, end,
                progress):
            yield from (self._build(e, {}) for e in elements)
            self._bookmark(cursor)
        self.logger.info("%s: %d elements, window %s .. %s", self.name, progress.done,
                         _iso(start), _iso(end))

    def _children(self) -> Iterator[dict[str, Any]]:
        """One list per parent (forms, contact lists), each read in full or over the window."""
        res = self.resource
        parent = res.parent
        assert parent is not None
        reader = self._reader
        params = self._params()
        start = end = 0
        if res.window_params:
            start, end = self._window()
            if start >= end:
                self.logger.info("%s: nothing to read (window is empty)", self.name)
                return
            # both bounds are inclusive: [start, end - 1] is the half-open [start, end)
            params.update({res.window_params[0]: start, res.window_params[1]: end - 1})
        parents = [to_int(e.get("id")) for page in reader.pages(
            parent.path, parent.version, {"depth": "minimal"}) for e in page]
        for parent_id in sorted(p for p in parents if p is not None):
            path = res.path.replace("{parent}", str(parent_id))
            progress = Progress(self.logger, f"{self.name} ({parent.field} {parent_id})")
            extra = {parent.field: parent_id}
            try:
                for page in reader.pages(path, res.version, params, progress):
                    yield from (self._build(e, extra) for e in page)
            except EloquaAPIError as exc:
                if exc.status != 404:
                    raise
                # deleted between listing and reading: it has nothing left to read
                self.logger.info("%s: %s %d no longer exists; skipped", self.name,
                                 parent.field, parent_id)
        if res.window_params:
            self._bookmark(end)
