"""The sync line: one worker runs import jobs in order; a failure stops it and is raised."""

from __future__ import annotations

import logging
import threading
import time
from types import SimpleNamespace

import pytest

from target_eloqua.importer import Importer, ImportSettings
from target_eloqua.syncline import SyncLine


def test_jobs_run_in_order_on_one_worker_while_the_caller_goes_on():
    done: list[int] = []
    threads: set[str] = set()
    release = threading.Event()
    line = SyncLine(lambda: None)

    def job(n: int) -> None:
        if n == 0:
            release.wait(5)
        threads.add(threading.current_thread().name)
        done.append(n)

    for n in range(5):
        line.submit(lambda n=n: job(n))
    assert done == []                    # the caller was not held up by the first job
    release.set()
    line.wait()
    assert done == [0, 1, 2, 3, 4]
    assert len(threads) == 1 and threading.current_thread().name not in threads
    line.close()


def test_a_failed_job_cleans_up_drops_the_rest_and_raises_in_the_caller():
    ran: list[str] = []
    cleaned = threading.Event()
    line = SyncLine(cleaned.set)

    def fail() -> None:
        raise RuntimeError("sync failed: ELQ-00146")

    line.submit(lambda: ran.append("before"))
    line.submit(fail)
    line.submit(lambda: ran.append("after"))
    with pytest.raises(RuntimeError, match="ELQ-00146"):
        line.wait()
    assert cleaned.is_set()              # before the error reached the caller
    with pytest.raises(RuntimeError, match="ELQ-00146"):
        line.submit(lambda: ran.append("later"))
    assert ran == ["before"]
    line.close()


def test_queued_bytes_are_bounded():
    release = threading.Event()
    line = SyncLine(lambda: None, max_queued_bytes=100)
    line.submit(lambda: release.wait(5), 60)
    line.submit(lambda: None, 30)               # 90 queued: fits
    blocked = threading.Thread(target=line.submit, args=(lambda: None, 30))
    blocked.start()
    time.sleep(0.2)
    assert blocked.is_alive()                   # 120 would be over the budget: it waits
    release.set()
    blocked.join(5)
    assert not blocked.is_alive()
    line.wait()
    line.close()


def test_a_sync_in_the_middle_of_a_slice_keeps_its_identifiers_in_view():
    """After a sync forced by the push limit, the slice's identifiers still count as staged,
    so a later slice repeating one syncs first: one sync never carries a record twice."""

    class Line:
        def submit(self, job: object, size: int = 0) -> None:
            """Jobs are not run: only what is staged per sync matters here."""

    kind = SimpleNamespace(upsert=True)
    plan = SimpleNamespace(
        identifier="C_EmailAddress", stream="contacts", parts=lambda shape: [shape],
        target=SimpleNamespace(kind=kind, imports_path="/contacts/imports"),
        definition=lambda keys, **kw: {"fields": keys})
    importer = Importer(None, plan, ImportSettings(10_000_000, 2, False),  # type: ignore[arg-type]
                        None, logging.getLogger("test"), Line())  # type: ignore[arg-type]
    rounds: list[list[str]] = []
    real_sync = importer.sync

    def recording_sync(*, delete: bool) -> None:
        if importer.staged:
            rounds.append([e for d in importer._open.values() for e in d.log.numbers])
        real_sync(delete=delete)

    importer.sync = recording_sync  # type: ignore[method-assign]
    number = 0
    for emails in (["a", "b"], ["c", "d"], ["e", "f"], ["e", "g"]):
        rows = [{"C_EmailAddress": e} for e in emails]
        importer.stage(rows, [number + 1, number + 2])
        number += 2
    importer.sync(delete=True)
    assert rounds == [[1, 2, 3, 4], [5, 6], [7, 8]]   # records 5 and 7 are both "e"
