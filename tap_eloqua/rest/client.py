"""Paging through REST Application API lists: by page number, or by update-time keyset.

Page numbers are fine for data that only grows after the window end (form submissions) or is
read in full (list members). Lists filtered by update time are read by keyset instead: every
request asks for `term >= cursor AND term < end` from page 1, so an element updated while we
read (it leaves the window) cannot shift the pages and make us skip another one.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from eloqua_bulk.errors import EloquaAPIError
from eloqua_bulk.session import BulkSession
from tap_eloqua.rest.paging import numbered_pages, read_page
from tap_eloqua.rest.schema import to_int

MAX_COUNT = 1000  # `count` is 1..1000 on every REST list endpoint


@dataclass
class Progress:
    """Logs `read N of M rows (x%, r/s)` per page, as the Bulk streams do."""

    logger: logging.Logger
    label: str
    total: int | None = None
    done: int = 0
    started: float = 0.0

    def add(self, count: int) -> None:
        if not self.started:
            self.started = time.monotonic()
        self.done += count
        rate = self.done / max(time.monotonic() - self.started, 1e-6)
        if self.total:
            self.logger.info("%s: read %d of %d elements (%.0f%%, %.0f/s)", self.label,
                             self.done, self.total, 100.0 * min(self.done, self.total)
                             / self.total, rate)
        else:
            self.logger.info("%s: read %d elements (%.0f/s)", self.label, self.done, rate)


class RestReader:
    """List calls over the tap's session (same auth, retries and 401 handling as Bulk)."""

    def __init__(self, session: BulkSession, count: int, logger: logging.Logger) -> None:
        self.session = session
        self.count = max(1, min(MAX_COUNT, count))
        self.logger = logger

    def _fetch(self, path: str, version: str, params: dict[str, Any], page: int) -> Any:
        return self.session.rest_request(
            "GET", path, {**params, "count": self.count, "page": page}, version=version)

    def pages(self, path: str, version: str, params: dict[str, Any],
              progress: Progress | None = None) -> Iterator[list[dict[str, Any]]]:
        """Every element, page by page, up to the last page (see paging.py)."""
        for page in numbered_pages(lambda n: self._fetch(path, version, params, n), self.count):
            if progress is not None:
                if page.number == 1 and page.total is not None:
                    progress.total = page.total
                progress.add(len(page.elements))
            if page.elements:
                yield page.elements

    def window(self, path: str, version: str, params: dict[str, Any], term: str, key: str,
               start: int, end: int, progress: Progress) -> Iterator[tuple[list[dict[str, Any]],
                                                                            int]]:
        """Elements with start <= term < end (Unix seconds), oldest first, each exactly once.

        Yields (new elements, cursor): every element before `cursor` has been yielded, so the
        cursor is a safe bookmark mid-window.
        """
        cursor, seen = start, set()
        first = True
        while cursor < end:
            search = f"{term}>='{cursor}' {term}<'{end}'"
            page = read_page(self._fetch(path, version, {**params, "search": search,
                                                         "orderBy": f"{term} ASC"}, 1))
            elements = page.elements
            if first:
                progress.total, first = page.total, False
            fresh = [e for e in elements
                     if not (_stamp(e, term) == cursor and str(e.get(key)) in seen)]
            if len(elements) < self.count:  # short or empty: nothing of the window is left
                progress.add(len(fresh))
                yield fresh, end
                return
            last = _stamp(elements[-1], term)
            if last is None or last < cursor:
                raise EloquaAPIError(f"GET {path} did not filter on {term} as asked; "
                                     "this stream cannot be read incrementally.")
            if last > cursor:
                seen = {str(e.get(key)) for e in elements if _stamp(e, term) == last}
                progress.add(len(fresh))
                yield fresh, last
                cursor = last
                continue
            # A whole page shares one second: read that second alone, page by page.
            seen |= {str(e.get(key)) for e in elements}
            progress.add(len(fresh))
            yield fresh, cursor
            for batch in self.pages(path, version, {**params, "search": f"{term}='{cursor}'"}):
                extra = [e for e in batch if str(e.get(key)) not in seen]
                seen |= {str(e.get(key)) for e in extra}
                progress.add(len(extra))
                yield extra, cursor
            cursor, seen = cursor + 1, set()
        yield [], end


def _stamp(element: dict[str, Any], term: str) -> int | None:
    return to_int(element.get(term))
