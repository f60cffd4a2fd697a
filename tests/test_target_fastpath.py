"""The short per-record path (target_eloqua/fastpath.py) keeps the SDK's semantics: key-property
checks, counts, drains when full, a new SCHEMA mid-stream; stream maps take the SDK's path."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from tests.target_runner import (
    STRING,
    TargetRun,
    contact_messages,
    record,
    run_target,
    schema,
    small_emulator,
    state,
    target_config,
)


def _contact(emu: Any, email: str) -> dict[str, Any]:
    return next(c for c in emu.store.contacts.values()
                if (c["C_EmailAddress"] or "").lower() == email.lower())


def _record_count(run: TargetRun) -> int:
    total = 0
    for line in run.stderr.splitlines():
        if '"metric":"record_count"' in line.replace(" ", ""):
            total += int(json.loads(line[line.index("{"):])["value"])
    return total


def test_counts_batches_and_duplicates_on_the_short_path(make_emulator, tmp_path: Path):
    emu = small_emulator(make_emulator)
    rows = [{"C_EmailAddress": f"fast{i % 5}@example.com", "C_FirstName": f"F{i}"}
            for i in range(12)]
    run = run_target(target_config(emu, tmp_path, batch_size_rows=4), tmp_path,
                     contact_messages(rows))
    assert run.returncode == 0, run.stderr[-2000:]
    assert _record_count(run) == 12
    assert run.stderr.count("is full. Current size is '4'") == 3   # drained when full
    for i in range(5):                 # the last record of each address wins
        last = max(n for n in range(12) if n % 5 == i)
        assert _contact(emu, f"fast{i}@example.com")["C_FirstName"] == f"F{last}"
    assert run.states == [{"bookmarks": {"contacts": {"done": True}}}]


def test_a_record_without_its_key_property_stops_the_run(make_emulator, tmp_path: Path):
    emu = small_emulator(make_emulator)
    messages = contact_messages([{"C_EmailAddress": "k@example.com"}, {"C_FirstName": "NoKey"}])
    run = run_target(target_config(emu, tmp_path), tmp_path, messages)
    assert run.returncode != 0
    assert "missing one or more key_properties" in run.stderr
    assert run.states == []


def test_a_new_schema_mid_stream_is_followed(make_emulator, tmp_path: Path):
    emu = small_emulator(make_emulator)
    messages = [schema("contacts", {"C_EmailAddress": STRING}, ["C_EmailAddress"]),
                record("contacts", {"C_EmailAddress": "s1@example.com"}),
                schema("contacts", {"C_EmailAddress": STRING, "C_LastName": STRING},
                       ["C_EmailAddress"]),
                record("contacts", {"C_EmailAddress": "s2@example.com", "C_LastName": "Two"}),
                state({"bookmarks": {"contacts": {"done": True}}})]
    run = run_target(target_config(emu, tmp_path), tmp_path, messages)
    assert run.returncode == 0, run.stderr[-2000:]
    assert _contact(emu, "s1@example.com")
    assert _contact(emu, "s2@example.com")["C_LastName"] == "Two"
    assert _record_count(run) == 2


def test_stream_maps_still_apply(make_emulator, tmp_path: Path):
    emu = small_emulator(make_emulator)
    config = target_config(emu, tmp_path, stream_maps={
        "contacts": {"C_FirstName": "C_FirstName.upper()"}})
    run = run_target(config, tmp_path, contact_messages(
        [{"C_EmailAddress": "map@example.com", "C_FirstName": "lower"}]))
    assert run.returncode == 0, run.stderr[-2000:]
    assert _contact(emu, "map@example.com")["C_FirstName"] == "LOWER"
