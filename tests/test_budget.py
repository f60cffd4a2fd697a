"""The hourly sync budget: Eloqua's soft caps kept per kind over a sliding hour."""

from __future__ import annotations

from pathlib import Path

from eloqua_bulk.budget import SyncBudget, sync_kind
from tests.tap_runner import basic_config, run_tap


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0
        self.slept: list[float] = []

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.now += seconds


def test_kinds_follow_the_definition_uri():
    assert sync_kind("/contacts/exports/12") == "export"
    assert sync_kind("/activities/exports/3") == "export"
    assert sync_kind("/customObjects/7/imports/9") == "import"
    assert sync_kind("/contacts/syncActions/4") == "action"


def test_a_sync_over_the_budget_waits_for_the_oldest_to_age_out():
    clock = FakeClock()
    budget = SyncBudget(3, clock=clock, sleep=clock.sleep)
    for step in range(3):
        budget.acquire("/contacts/exports/1")
        clock.now += 100 * (step + 1)        # syncs at 1000, 1100, 1300
    assert clock.slept == []
    budget.acquire("/contacts/exports/1")    # at 1600: the one from 1000 ages out at 4600
    assert clock.slept == [3000.0]
    # imports have their own cap and are not held up by the exports
    for _ in range(3):
        budget.acquire("/contacts/imports/2")
    assert clock.slept == [3000.0]


def test_sync_actions_get_twice_the_budget():
    clock = FakeClock()
    budget = SyncBudget(2, clock=clock, sleep=clock.sleep)
    for _ in range(4):
        budget.acquire("/contacts/syncActions/1")
    assert clock.slept == []
    budget.acquire("/contacts/syncActions/1")
    assert clock.slept == [3600.0]


def test_an_unusable_budget_is_one_line(emulator, tmp_path: Path):
    run = run_tap(basic_config(emulator, max_syncs_per_hour=0), tmp_path)
    assert run.returncode != 0
    assert "Traceback" not in run.stderr
    assert "max_syncs_per_hour 0 is out of range" in run.stderr.strip().splitlines()[-1]
    assert run.messages == []
