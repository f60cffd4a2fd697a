"""Eloqua's bad moments: throttling and outages change nothing; failed syncs fail clearly."""

from __future__ import annotations

from pathlib import Path

from tests.tap_runner import basic_config, run_tap

SMALL = {"contacts": 80, "accounts": 20, "activities_per_type": 20, "custom_objects": 4,
         "custom_object_records": 10}


def _records_by_stream(run):
    out = {}
    for stream in run.streams():
        out[stream] = sorted(run.records(stream), key=lambda r: sorted(r.items()).__repr__())
    return out


def test_twenty_percent_429_and_503_give_identical_output(make_emulator, tmp_path: Path):
    emu = make_emulator(**SMALL)
    config = basic_config(emu, page_size=25, end_date="2026-01-01T00:00:00Z")
    clean = run_tap(config, tmp_path / "clean")
    assert clean.returncode == 0, clean.stderr[-3000:]

    emu.set_faults(rate=0.2, kinds=("429", "503"), seed=11)
    faulty = run_tap({**config, "max_retries": 10}, tmp_path / "faulty")
    emu.clear_faults()
    assert faulty.returncode == 0, faulty.stderr[-3000:]
    faulted = [e for e in emu.request_log if e[2] in (429, 503)]
    assert len(faulted) >= 10, "fault injection did not happen"
    assert _records_by_stream(faulty) == _records_by_stream(clean)
    assert "retry" in faulty.stderr
    assert emu.live_definitions() == []


def test_a_sync_that_ends_in_error_fails_the_run_with_elouqa_s_message(make_emulator,
                                                                      tmp_path: Path):
    emu = make_emulator(**SMALL)
    emu.fail_next_sync(code="ELQ-00146", message="The sync failed because of a temporary error.")
    run = run_tap(basic_config(emu), tmp_path)
    assert run.returncode != 0
    assert "Traceback" not in run.stderr
    last = run.stderr.strip().splitlines()[-1]
    assert "ELQ-00146" in last and "temporary error" in last
    assert emu.live_definitions() == []


def test_errored_literal_is_a_failure_too(make_emulator, tmp_path: Path):
    emu = make_emulator(error_status_literal="errored", **SMALL)
    emu.fail_next_sync(code="ELQ-00146", message="The sync failed because of a temporary error.")
    run = run_tap(basic_config(emu), tmp_path)
    assert run.returncode != 0
    assert "'errored'" in run.stderr.strip().splitlines()[-1]


def test_every_kind_of_fault_on_every_call_gives_identical_output(make_emulator,
                                                                   tmp_path: Path):
    emu = make_emulator(**SMALL)
    config = basic_config(emu, page_size=30, end_date="2026-01-01T00:00:00Z",
                          activity_types=["EmailOpen", "Bounceback"],
                          rest_streams=[])  # Bulk calls (REST faults: test_rest_incremental)
    clean = run_tap(config, tmp_path / "clean")
    assert clean.returncode == 0, clean.stderr[-3000:]

    emu.set_faults(rate=0.2, kinds=("429", "500", "502", "503", "reset", "truncate", "timeout"),
                   seed=5)
    faulty = run_tap({**config, "max_retries": 10, "request_timeout": 1}, tmp_path / "faulty")
    emu.clear_faults()
    assert faulty.returncode == 0, faulty.stderr[-3000:]
    paths = {path.split("?")[0].rstrip("0123456789/") for _, path, status in emu.request_log
             if status in (0, 429, 500, 502, 503)}
    assert any("/exports" in p for p in paths) and any("/syncs" in p for p in paths), paths
    assert _records_by_stream(faulty) == _records_by_stream(clean)
    assert emu.live_definitions() == []
