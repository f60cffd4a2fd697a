"""Start the exports of upcoming streams early, so Eloqua prepares them while we read.

Most of a run is Eloqua preparing syncs. The SDK reads streams one after another; this scheduler
creates the next streams' syncs ahead of time (up to `max_concurrent_syncs` open at once), so a
run takes about as long as its slowest export instead of the sum of all. Oracle asks for one
activity export at a time, so by default at most one activity sync is open.
"""

from __future__ import annotations

import logging
import threading
from typing import Protocol


class Preparable(Protocol):
    """A stream that can start its first export before it is read."""

    name: str
    selected: bool

    @property
    def is_activity(self) -> bool: ...

    def prepare(self) -> bool: ...


class SyncScheduler:
    """Tracks open syncs per stream and starts upcoming ones within the limits."""

    def __init__(self, order: list[Preparable], max_open: int, max_open_activities: int,
                 logger: logging.Logger) -> None:
        self.order = [s for s in order if s.selected]
        self.max_open = max(1, max_open)
        self.max_open_activities = max(1, max_open_activities)
        self.logger = logger
        self._open: set[str] = set()
        self._activities: set[str] = set()
        self._tried: set[str] = set()
        self._lock = threading.Lock()

    def opened(self, stream: Preparable) -> None:
        with self._lock:
            self._open.add(stream.name)
            self._tried.add(stream.name)
            if stream.is_activity:
                self._activities.add(stream.name)

    def closed(self, stream: Preparable) -> None:
        with self._lock:
            self._open.discard(stream.name)
            self._activities.discard(stream.name)

    def can_open(self, stream: Preparable) -> bool:
        with self._lock:
            if stream.name in self._open:
                return True
            if len(self._open) >= self.max_open:
                return False
            return not (stream.is_activity
                        and len(self._activities) >= self.max_open_activities)

    def ahead(self, current: Preparable) -> None:
        """Prepare streams after `current`, in sync order, while the limits allow."""
        if self.max_open <= 1 or current not in self.order:
            return
        for stream in self.order[self.order.index(current) + 1:]:
            with self._lock:
                if len(self._open) >= self.max_open:
                    return
                if stream.name in self._tried:
                    continue
            if not self.can_open(stream):
                continue
            self._tried.add(stream.name)
            if stream.prepare():
                self.logger.info("%s: export started ahead of reading", stream.name)
