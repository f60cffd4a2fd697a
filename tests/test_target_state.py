"""STATE leaves the target only once every record before it is in Eloqua; a failure stops it.

The SDK drains and writes STATE when records are 5 minutes old (and at the end). Here the target
runs in-process with that age set to zero, so it drains after every record; stdout is a probe that
checks, at the moment each STATE is written, that the records it covers are in the emulator.
"""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

import pytest

from target_eloqua.target import TargetEloqua
from tests.target_runner import (
    CONTACT_PROPS,
    record,
    schema,
    small_emulator,
    state,
    target_config,
)


class StateProbe(io.StringIO):
    """stdout: records, for each STATE line, whether the records it covers were imported."""

    def __init__(self, emu: Any) -> None:
        super().__init__()
        self.emu = emu
        self.seen: list[tuple[int, bool]] = []

    def write(self, text: str) -> int:
        for line in text.splitlines():
            if line.strip():
                covered = json.loads(line)["n"]
                emails = {c["C_EmailAddress"] for c in self.emu.store.contacts.values()}
                self.seen.append((covered, all(f"s{i}@example.com" in emails
                                               for i in range(1, covered + 1))))
        return len(text)


def messages(count: int) -> str:
    lines = [schema("contacts", CONTACT_PROPS, ["C_EmailAddress"])]
    for i in range(1, count + 1):
        lines += [record("contacts", {"C_EmailAddress": f"s{i}@example.com"}), state({"n": i})]
    return "".join(json.dumps(m) + "\n" for m in lines)


def run_in_process(emu: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, count: int,
                   fail_sync: int | None = None) -> StateProbe:
    target = TargetEloqua(config=target_config(emu, tmp_path))
    target._MAX_RECORD_AGE_IN_MINUTES = -1.0          # drain (and emit STATE) after each record
    if fail_sync is not None:
        create_sync = target.client.create_sync
        made: list[str] = []

        def failing(uri: str) -> str:
            if len(made) + 1 == fail_sync:
                emu.fail_next_sync()
            made.append(uri)
            return create_sync(uri)

        monkeypatch.setattr(target.client, "create_sync", failing)
    probe = StateProbe(emu)
    monkeypatch.setattr("sys.stdout", probe)
    target.listen(io.StringIO(messages(count)))
    return probe


def test_each_state_follows_the_import_of_the_records_before_it(make_emulator, tmp_path: Path,
                                                                monkeypatch):
    emu = small_emulator(make_emulator)
    probe = run_in_process(emu, tmp_path, monkeypatch, 4)
    assert [n for n, _ in probe.seen] == [1, 2, 3, 4]
    assert all(imported for _, imported in probe.seen)
    assert emu.import_syncs.count == 4


def test_a_failed_import_lets_no_later_state_out(make_emulator, tmp_path: Path, monkeypatch):
    emu = small_emulator(make_emulator)
    with pytest.raises(Exception, match="ELQ-00146"):
        run_in_process(emu, tmp_path, monkeypatch, 5, fail_sync=3)
    probe = __import__("sys").stdout
    # STATE 2 arrived after record 2 and waits for the next drain, the one whose import (record
    # 3) fails: it and everything later stay unwritten, so a rerun resumes after STATE 1.
    assert [n for n, _ in probe.seen] == [1]
    assert all(imported for _, imported in probe.seen)
    assert emu.live_definitions() == []


def run_batches(emu: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, count: int,
                **overrides: Any) -> tuple[StateProbe, TargetEloqua]:
    """Batches of 2 records drained as they fill (no drain_all until the end), so each batch's
    sync runs on the sync line while the next records are read."""
    target = TargetEloqua(config=target_config(emu, tmp_path, batch_size_rows=2, **overrides))
    probe = StateProbe(emu)
    monkeypatch.setattr("sys.stdout", probe)
    try:
        target.listen(io.StringIO(messages(count)))
    finally:
        target.sync_line.close(abort=True)
    return probe, target


def test_state_waits_for_the_sync_still_running_when_input_ends(make_emulator, tmp_path: Path,
                                                                monkeypatch):
    emu = small_emulator(make_emulator, sync_active_seconds=0.4)
    probe, _ = run_batches(emu, tmp_path, monkeypatch, 6)
    # One STATE (the last), written only once the three pipelined syncs all ended: every
    # record it covers was in Eloqua when it was written.
    assert probe.seen == [(6, True)]
    assert emu.import_syncs.count == 3
    assert all(s.ended is not None for s in emu.import_syncs.syncs.values())
    assert emu.live_definitions() == []


def test_a_failed_pipelined_sync_fails_the_run_with_no_state(make_emulator, tmp_path: Path,
                                                             monkeypatch):
    emu = small_emulator(make_emulator, sync_active_seconds=0.2)
    emu.fail_next_sync()                 # the first batch's sync, which runs while 3..6 are read
    with pytest.raises(Exception, match="ELQ-00146"):
        run_batches(emu, tmp_path, monkeypatch, 6)
    probe = __import__("sys").stdout
    assert probe.seen == []
    # Nothing was synced after the failure, and no definition is left behind.
    assert emu.import_syncs.count == 1
    assert emu.live_definitions() == []
    emails = {c["C_EmailAddress"] for c in emu.store.contacts.values()}
    assert not any(f"s{i}@example.com" in emails for i in range(1, 7))


def test_rejects_of_pipelined_syncs_name_each_records_position(make_emulator, tmp_path: Path,
                                                               monkeypatch):
    emu = small_emulator(make_emulator)
    lines = [schema("contacts", CONTACT_PROPS, ["C_EmailAddress"])]
    emails = ["ok1@example.com", "bad one", "ok2@example.com", "ok3@example.com", "also bad",
              "ok4@example.com"]
    lines += [record("contacts", {"C_EmailAddress": e}) for e in emails] + [state({"n": 6})]
    target = TargetEloqua(config=target_config(emu, tmp_path, batch_size_rows=2))
    monkeypatch.setattr("sys.stdout", StateProbe(emu))
    target.listen(io.StringIO("".join(json.dumps(m) + "\n" for m in lines)))
    rejects = [json.loads(line) for line in (tmp_path / "rejects.jsonl").read_text().splitlines()]
    assert sorted(r["record_number"] for r in rejects) == [2, 5]
    assert emu.import_syncs.count == 3
