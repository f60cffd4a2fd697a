"""BATCH mode: the same records as RECORD mode, in gzip JSONL files, with the same final state."""

from __future__ import annotations

import gzip
import json
from pathlib import Path
from urllib.parse import urlparse

from tests.tap_runner import basic_config, run_tap

SMALL = {"contacts": 70, "accounts": 10, "activities_per_type": 10, "custom_objects": 4,
         "custom_object_records": 5}


def test_batch_files_hold_the_same_records_as_record_messages(make_emulator, tmp_path: Path):
    emu = make_emulator(**SMALL)
    config = basic_config(emu, activity_types=["EmailOpen"], end_date="2026-01-01T00:00:00Z")
    plain = run_tap(config, tmp_path / "plain")
    assert plain.returncode == 0, plain.stderr[-2000:]
    batch_dir = tmp_path / "batches"
    batched = run_tap({**config, "batch_config": {
        "encoding": {"format": "jsonl", "compression": "gzip"},
        "storage": {"root": f"file://{batch_dir}", "prefix": "eloqua-"},
        "batch_size": 25}}, tmp_path / "batched")
    assert batched.returncode == 0, batched.stderr[-2000:]
    assert not [m for m in batched.messages if m["type"] == "RECORD"]
    from_files: dict[str, list[dict]] = {}
    for message in batched.messages:
        if message["type"] != "BATCH":
            continue
        for url in message["manifest"]:
            with gzip.open(urlparse(url).path, "rt") as handle:
                from_files.setdefault(message["stream"], []).extend(
                    json.loads(line) for line in handle)
    assert len(from_files["contacts"]) == SMALL["contacts"]
    for stream in plain.streams():
        key = plain.schemas()[stream]["key_properties"][0]
        assert sorted(from_files[stream], key=lambda r: r[key]) == sorted(
            plain.records(stream), key=lambda r: r[key]), stream
    assert batched.final_state["bookmarks"] == plain.final_state["bookmarks"]


def test_an_unsupported_batch_format_is_one_line(emulator, tmp_path: Path):
    run = run_tap(basic_config(emulator, batch_config={
        "encoding": {"format": "parquet", "compression": "gzip"},
        "storage": {"root": f"file://{tmp_path}"}}), tmp_path)
    assert run.returncode != 0
    assert "Traceback" not in run.stderr
    assert "parquet" in run.stderr.strip().splitlines()[-1]
