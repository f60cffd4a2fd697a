"""The target's Eloqua calls for imports, in order, on one worker thread.

The main thread reads and encodes records; every definition, data POST and sync is a job queued
here, run one after the other in the order queued. So syncs still run one at a time, in the order
their streams flushed (contacts and accounts before the custom objects that link to them), and a
definition's pushes always precede its sync. The queue holds at most `max_queued_bytes` of encoded
rows besides the job running: past that, `submit` blocks (bounded memory, and reading pauses
while Eloqua is behind).

After a failed job nothing more runs: the queue is dropped, `on_failure` runs (it deletes every
definition left), and the next `submit` or `wait` raises the job's error in the main thread. The
target waits for the line at the end of every `drain_all`, before the SDK writes STATE, so no
STATE is written until every import of the records before it succeeded.
"""

from __future__ import annotations

import contextlib
import threading
from collections import deque
from collections.abc import Callable

Job = Callable[[], None]


class SyncLine:
    """A FIFO of import jobs run by one worker thread, with a byte budget for queued data."""

    def __init__(self, on_failure: Job, max_queued_bytes: int = 64_000_000) -> None:
        self._on_failure = on_failure
        self._limit = max_queued_bytes
        self._cond = threading.Condition()
        self._jobs: deque[tuple[Job, int]] = deque()
        self._queued = 0          # bytes of the queued jobs and the one running
        self._running = False
        self._error: BaseException | None = None
        self._thread: threading.Thread | None = None
        self._closed = False

    def submit(self, job: Job, size: int = 0) -> None:
        """Queue `job` (holding `size` bytes); blocks while the queue is over its byte budget."""
        with self._cond:
            while self._queued and self._queued + size > self._limit and self._error is None:
                self._cond.wait()
            self._raise()
            self._jobs.append((job, size))
            self._queued += size
            if self._thread is None:
                self._thread = threading.Thread(target=self._work, name="eloqua-import",
                                                daemon=True)
                self._thread.start()
            self._cond.notify_all()

    def wait(self) -> None:
        """Block until every queued job ran; raise the error of a failed one."""
        with self._cond:
            while (self._jobs or self._running) and self._error is None:
                self._cond.wait()
            self._raise()

    def close(self, *, abort: bool = False) -> None:
        """Stop the worker once the queue is empty (or, with `abort`, after the job running)."""
        with self._cond:
            if abort:
                self._jobs.clear()
            self._closed = True
            self._cond.notify_all()
            thread = self._thread
        if thread is not None:
            thread.join()

    def _raise(self) -> None:
        if self._error is not None:
            raise self._error

    def _work(self) -> None:
        while True:
            with self._cond:
                while not self._jobs and not self._closed:
                    self._cond.wait()
                if not self._jobs:
                    return
                job, size = self._jobs.popleft()
                self._running = True
            try:
                job()
            except BaseException as exc:  # handed to the main thread, once cleaned up
                with self._cond:
                    self._jobs.clear()
                with contextlib.suppress(Exception):    # the job's error is the one to report
                    self._on_failure()
                with self._cond:
                    self._error = exc
                    self._jobs.clear()
                    self._queued, self._running = 0, False
                    self._cond.notify_all()
                return
            with self._cond:
                self._queued -= size
                self._running = False
                self._cond.notify_all()
