"""Eloqua's hourly sync caps, kept by this process: 2000 export and 2000 import syncs per hour
per instance (sync-action syncs: 4000). Going over slows the instance for everyone, so a sync
that would exceed the budget waits until the oldest one in the last hour ages out."""

from __future__ import annotations

import logging
import threading
import time
from collections import deque
from collections.abc import Callable

LOGGER = logging.getLogger("eloqua_bulk.budget")
HOUR = 3600.0


def sync_kind(definition_uri: str) -> str:
    """Which cap a sync counts against, from its definition's uri."""
    if "/imports/" in definition_uri:
        return "import"
    if "/syncActions/" in definition_uri:
        return "action"
    return "export"


class SyncBudget:
    """At most `per_hour` syncs of each kind (twice that for sync actions) per sliding hour."""

    def __init__(self, per_hour: int, window: float = HOUR,
                 clock: Callable[[], float] = time.monotonic,
                 sleep: Callable[[float], None] = time.sleep) -> None:
        self.per_hour = max(1, per_hour)
        self.window = window
        self._clock, self._sleep = clock, sleep
        self._started: dict[str, deque[float]] = {}
        self._lock = threading.Lock()

    def acquire(self, definition_uri: str) -> None:
        """Block until one more sync of this kind fits the budget, then count it."""
        kind = sync_kind(definition_uri)
        limit = self.per_hour * (2 if kind == "action" else 1)
        while True:
            with self._lock:
                now = self._clock()
                started = self._started.setdefault(kind, deque())
                while started and started[0] <= now - self.window:
                    started.popleft()
                if len(started) < limit:
                    started.append(now)
                    return
                pause = started[0] + self.window - now
            LOGGER.warning("%d %s syncs were started in the last hour (max_syncs_per_hour is "
                           "%d); waiting %.0f s before the next one", limit, kind,
                           self.per_hour, pause)
            self._sleep(pause)
