"""Upcoming streams' exports are prepared while earlier ones are read, within Oracle's asks."""

from __future__ import annotations

import itertools
import logging
import re
import threading
import time
from pathlib import Path

from tap_eloqua.scheduler import SyncScheduler
from tests.expected import store_records
from tests.tap_runner import basic_config, run_tap

SMALL = {"contacts": 40, "accounts": 10, "activities_per_type": 10, "custom_objects": 4,
         "custom_object_records": 5, "slow_sync_seconds": 0.6}


def _open_counts(request_log) -> list[int]:
    """Export definitions alive after each create/delete, from the emulator's request log."""
    alive, counts = 0, []
    for method, path, status in request_log:
        if "/exports" not in path or status >= 400:
            continue
        if method == "POST":
            alive += 1
        elif method == "DELETE":
            alive -= 1
        counts.append(alive)
    return counts


def _sync_spans(emu, activities_only: bool = True) -> list[tuple[int, int]]:
    """(first request, last data read) positions in the request log of each (activity) sync."""
    spans: dict[int, list[int]] = {}
    for index, (method, path, status) in enumerate(emu.request_log):
        match = re.search(r"/syncs/(\d+)", path)
        if not match or status >= 400:
            continue
        sync_id = int(match.group(1))
        if activities_only and "/activities/" not in emu.syncs.get(sync_id).definition.uri:
            continue
        span = spans.setdefault(sync_id, [index, index])
        if "/data" in path and method == "GET":
            span[1] = index
    return sorted((a, b) for a, b in spans.values())


def test_syncs_overlap_but_activity_exports_run_one_at_a_time(make_emulator, tmp_path: Path):
    emu = make_emulator(**SMALL)
    config = basic_config(emu, activity_types=["EmailOpen", "EmailSend", "WebVisit"],
                          max_concurrent_syncs=4, rest_streams=[])  # Bulk syncs only
    run = run_tap(config, tmp_path)
    assert run.returncode == 0, run.stderr[-3000:]
    assert max(_open_counts(emu.request_log)) >= 3
    activity_syncs = sorted((s for s in emu.syncs.syncs.values()
                             if "/activities/" in s.definition.uri), key=lambda s: s.created)
    assert len(activity_syncs) == 3
    for before, after in itertools.pairwise(activity_syncs):
        # Eloqua prepares one activity sync at a time; reading a finished one may overlap.
        assert before.ended is not None and after.created >= before.ended, \
            "two activity syncs were being prepared at once"
    assert "export started ahead of reading" in run.stderr
    # the next activity sync starts as soon as the previous one is ready, not once it is read
    ahead = set(re.findall(r"(activity_\w+): export started ahead of reading", run.stderr))
    assert len(ahead) >= 2, ahead
    for stream in run.streams():
        assert len(run.records(stream)) == len(store_records(emu, stream)), stream
    assert emu.live_definitions() == []


def test_one_at_a_time_when_asked(make_emulator, tmp_path: Path):
    emu = make_emulator(**SMALL)
    run = run_tap(basic_config(emu, activity_types=["EmailOpen"], max_concurrent_syncs=1),
                  tmp_path)
    assert run.returncode == 0, run.stderr[-3000:]
    for (_, end), (start, _) in itertools.pairwise(_sync_spans(emu, activities_only=False)):
        assert end < start, "two syncs were in progress at once"
    assert "ahead of reading" not in run.stderr


class _Stream:
    """A stand-in for an export stream, as the scheduler sees one."""

    def __init__(self, name: str, activity: bool) -> None:
        self.name, self.selected, self.is_activity = name, True, activity
        self.prepared = 0

    def prepare(self) -> bool:
        self.prepared += 1
        return False


def test_a_late_watcher_does_not_free_a_newer_hold():
    a = _Stream("activity_a", activity=True)
    scheduler = SyncScheduler([a], max_open=3, max_open_activities=1,
                              logger=logging.getLogger("test"))
    first = scheduler.opened(a)              # prepared ahead, watched with this token
    scheduler.closed(a)                      # its sync failed over the row cap: read, split
    scheduler.reserve(a)                     # the first slice's sync holds the slot now
    scheduler.closed(a, first)               # the old watcher ends late
    assert "activity_a" in scheduler._activities


def test_reserve_waits_for_the_activity_being_prepared_and_holds_at_once():
    a, b = _Stream("activity_a", activity=True), _Stream("activity_b", activity=True)
    scheduler = SyncScheduler([a, b], max_open=3, max_open_activities=1,
                              logger=logging.getLogger("test"))
    token = scheduler.opened(a)
    waiter = threading.Thread(target=scheduler.reserve, args=(b,))
    waiter.start()
    time.sleep(0.2)
    assert waiter.is_alive(), "an activity started while another was being prepared"
    scheduler.closed(a, token)
    waiter.join(5)
    assert not waiter.is_alive()
    assert scheduler._activities == {"activity_b"}   # held in the same step as the wait ended
