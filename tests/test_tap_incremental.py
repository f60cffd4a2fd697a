"""Incremental runs: half-open windows emit exactly the changed rows; interrupted runs resume."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
from pathlib import Path

from tests.tap_runner import basic_config, run_tap

SMALL = {"contacts": 60, "accounts": 20, "activities_per_type": 15, "custom_objects": 4,
         "custom_object_records": 10}


def test_second_run_emits_exactly_the_changed_records(make_emulator, tmp_path: Path):
    emu = make_emulator(**SMALL)
    config = basic_config(emu, rest_streams=[])  # Bulk only (REST: test_rest_incremental)
    first = run_tap(config, tmp_path / "1")
    assert first.returncode == 0, first.stderr[-3000:]
    assert len(first.records("contacts")) == SMALL["contacts"]

    changed_contacts = sorted(emu.store.contacts)[:3]
    for cid in changed_contacts:
        emu.store.update("contacts", cid, {"C_FirstName": f"Changed {cid}"})
    new_contact = emu.store.add("contacts", {"C_EmailAddress": "new.person@example.com"})
    account_id = sorted(emu.store.accounts)[0]
    emu.store.update("accounts", account_id, {"M_City": "Lisbon"})
    co_id = sorted(emu.store.custom_objects)[0]
    co_record = sorted(emu.store.custom_objects[co_id].records)[0]
    emu.store.update(("customObject", co_id), co_record, {})
    activity = emu.store.add_activity("EmailOpen", {})

    second = run_tap(config, tmp_path / "2", state=first.final_state)
    assert second.returncode == 0, second.stderr[-3000:]
    assert sorted(r["Id"] for r in second.records("contacts")) == sorted(
        [*changed_contacts, new_contact])
    assert {r["Id"]: r["C_FirstName"] for r in second.records("contacts")
            if r["Id"] != new_contact} == {cid: f"Changed {cid}" for cid in changed_contacts}
    assert [r["Id"] for r in second.records("accounts")] == [account_id]
    assert [r["M_City"] for r in second.records("accounts")] == ["Lisbon"]
    assert [r["ExternalId"] for r in second.records("activity_email_open")] == [
        activity["ExternalId"]]
    co_streams = [s for s in second.streams() if s not in {
        "contacts", "accounts", "activity_email_open"}]
    assert len(co_streams) == 1
    assert [r["Id"] for r in second.records(co_streams[0])] == [co_record]

    third = run_tap(config, tmp_path / "3", state=second.final_state)
    assert third.returncode == 0, third.stderr[-3000:]
    assert third.streams() == set(), "a run with no changes must emit no records"
    assert emu.live_definitions() == []


def test_export_filters_are_half_open_windows(make_emulator, tmp_path: Path):
    emu = make_emulator(**SMALL)
    run = run_tap(basic_config(emu, activity_types=["EmailOpen"]), tmp_path)
    assert run.returncode == 0, run.stderr[-3000:]
    filters = [d["filter"] for d in emu.export_definitions_seen()]
    assert filters, "no export definition was seen"
    for text in filters:
        assert " >= '" in text and " < '" in text, text
        assert "<=" not in text, text


def test_killed_run_resumes_the_same_sync_at_the_saved_offset(make_emulator, tmp_path: Path):
    emu = make_emulator(**SMALL)
    config = basic_config(emu, page_size=7, activity_types=[], custom_objects=["none"])
    config_path = tmp_path / "config.json"
    config_path.write_text(json.dumps(config))
    emu.set_faults(rate=1.0, kinds=("timeout",), paths=["/data"], seed=3)
    proc = subprocess.Popen([sys.executable, "-m", "tap_eloqua", "--config", str(config_path)],
                            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    delivered: list[int] = []
    state = None
    assert proc.stdout is not None
    for line in proc.stdout:
        message = json.loads(line)
        if message["type"] == "RECORD" and message["stream"] == "contacts":
            delivered.append(message["record"]["Id"])
        if message["type"] == "STATE":
            cursor = message["value"]["bookmarks"].get("contacts", {}).get("eloqua_sync")
            if cursor and cursor["offset"] >= 14:
                state = message["value"]
                break
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    emu.clear_faults()
    assert state is not None, "the tap never reported a mid-export cursor"
    cursor = state["bookmarks"]["contacts"]["eloqua_sync"]
    assert len(delivered) == cursor["offset"]

    rerun = run_tap(config, tmp_path / "resume", state=state)
    assert rerun.returncode == 0, rerun.stderr[-3000:]
    resumed = [r["Id"] for r in rerun.records("contacts")]
    assert f"resuming the interrupted export {cursor['sync_uri']}" in rerun.stderr
    assert not set(resumed) & set(delivered), "rows before the saved offset were repeated"
    assert sorted(resumed + delivered) == sorted(emu.store.contacts)
    assert emu.live_definitions() == []


def test_expired_sync_data_is_exported_again(make_emulator, tmp_path: Path):
    emu = make_emulator(**SMALL)
    config = basic_config(emu, page_size=7, activity_types=[], custom_objects=["none"])
    first = run_tap(config, tmp_path / "1")
    assert first.returncode == 0, first.stderr[-3000:]
    mid = next(s for s in first.states
               if s["bookmarks"].get("contacts", {}).get("eloqua_sync", {}).get("offset") == 7)
    # The first run deleted its sync data on success, exactly as retention expiry would.
    rerun = run_tap(config, tmp_path / "2", state=mid)
    assert rerun.returncode == 0, rerun.stderr[-3000:]
    assert sorted(r["Id"] for r in rerun.records("contacts")) == sorted(emu.store.contacts)
    assert "cannot be resumed" in rerun.stderr
