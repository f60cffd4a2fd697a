"""Start the exports of upcoming streams early, so Eloqua prepares them while we read.

Most of a run is Eloqua preparing syncs. The SDK reads streams one after another; this scheduler
creates the next streams' syncs ahead of time, so a run takes about as long as its slowest export
instead of the sum of all. A slot is held while Eloqua prepares a sync, not while we read its
data: a watcher thread polls each sync started ahead, and when it is ready the slot goes to the
next stream at once. Oracle asks for activity syncs to run one after another, so by default at
most one activity sync is being prepared at any moment.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from typing import Protocol


class Preparable(Protocol):
    """A stream that can start its first export before it is read."""

    name: str
    selected: bool

    @property
    def is_activity(self) -> bool: ...

    def prepare(self) -> bool: ...


class SyncScheduler:
    """Tracks syncs being prepared per stream and starts upcoming ones within the limits."""

    def __init__(self, order: list[Preparable], max_open: int, max_open_activities: int,
                 logger: logging.Logger) -> None:
        self.order = [s for s in order if s.selected]
        self.max_open = max(1, max_open)
        self.max_open_activities = max(1, max_open_activities)
        self.logger = logger
        self._open: dict[str, int] = {}  # stream -> token of the sync holding its slot
        self._activities: set[str] = set()
        self._tokens = 0
        self._tried: set[str] = set()
        self._changed = threading.Condition()
        self._filling = threading.Lock()  # one `ahead` at a time keeps the limits exact
        self._stopped = False

    def stop(self) -> None:
        """The run is ending: start nothing more (at exit, before definitions are deleted)."""
        self._stopped = True

    def opened(self, stream: Preparable) -> int:
        """The stream's sync holds a slot now; the token names this hold for `closed`."""
        with self._changed:
            return self._hold(stream)

    def _hold(self, stream: Preparable) -> int:
        self._tokens += 1
        self._open[stream.name] = self._tokens
        self._tried.add(stream.name)
        if stream.is_activity:
            self._activities.add(stream.name)
        return self._tokens

    def closed(self, stream: Preparable, token: int | None = None) -> None:
        """The stream's sync is ready (or gone): its slot is free. With a token, only if that
        hold is still the current one (a late watcher must not free a newer sync's slot)."""
        with self._changed:
            if token is not None and self._open.get(stream.name) != token:
                return
            self._open.pop(stream.name, None)
            self._activities.discard(stream.name)
            self._changed.notify_all()

    def reserve(self, stream: Preparable) -> int:
        """Before the SDK starts a stream's own sync: wait until an activity may start (at most
        the time Eloqua needs to finish the one being prepared), then hold the slot, in one step
        so no watcher starts another activity in between."""
        with self._changed:
            while stream.is_activity and (
                    len(self._activities - {stream.name}) >= self.max_open_activities):
                self._changed.wait()
            return self._hold(stream)

    def _can_open(self, stream: Preparable) -> bool:
        with self._changed:
            if stream.name in self._tried or len(self._open) >= self.max_open:
                return False
            return not (stream.is_activity
                        and len(self._activities) >= self.max_open_activities)

    def ahead(self) -> None:
        """Prepare untried streams, in sync order, while the limits allow."""
        if self.max_open <= 1:
            return
        with self._filling:
            for stream in self.order:
                if self._stopped:
                    return
                with self._changed:
                    if len(self._open) >= self.max_open:
                        return
                if not self._can_open(stream):
                    continue
                self._tried.add(stream.name)
                if stream.prepare():
                    self.logger.info("%s: export started ahead of reading", stream.name)

    def watch(self, stream: Preparable, token: int, wait: Callable[[], object]) -> None:
        """Free the stream's slot once `wait` returns (its sync is ready), then fill it.

        A daemon thread: a run that ends early must not wait for syncs nobody will read.
        Failures are left for the reader of the stream to meet and report.
        """
        def run() -> None:
            try:
                wait()
            except Exception as exc:  # the stream's reader sees the same failure
                self.logger.debug("%s: watching its sync ended: %s", stream.name, exc)
            self.closed(stream, token)
            try:
                self.ahead()
            except Exception as exc:  # those streams start their own syncs when read
                self.logger.warning("Starting upcoming exports early failed (%s); they start "
                                    "when read", exc)

        threading.Thread(target=run, name=f"watch-{stream.name}", daemon=True).start()
