"""The sync line: one worker runs import jobs in order; a failure stops it and is raised."""

from __future__ import annotations

import threading
import time

import pytest

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
