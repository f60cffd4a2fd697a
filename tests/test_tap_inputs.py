"""Bad or unusual catalogs and states: one clear line or the sensible outcome, no traceback."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from eloqua_emulator import EloquaEmulator, EmulatorConfig
from tests.tap_runner import basic_config, run_tap, select_streams

SMALL = {"contacts": 25, "accounts": 5, "activities_per_type": 4, "custom_objects": 4,
         "custom_object_records": 3}


def _fail_line(proc) -> str:
    assert proc.returncode != 0
    assert "Traceback" not in proc.stderr, proc.stderr[-3000:]
    return proc.stderr.strip().splitlines()[-1]


@pytest.fixture(scope="module")
def emu_and_catalog(tmp_path_factory):
    emu = EloquaEmulator(EmulatorConfig(**SMALL)).start()
    run = run_tap(basic_config(emu), tmp_path_factory.mktemp("d"), discover=True)
    assert run.returncode == 0, run.stderr[-2000:]
    yield emu, run.catalog()
    emu.stop()


@pytest.mark.parametrize(("option", "content", "expected"), [
    ("--catalog", "{not json", "catalog file"),
    ("--catalog", "[]", "JSON object"),
    ("--catalog", "{}", "'streams'"),
    ("--state", "{broken", "state file"),
    ("--state", '{"bookmarks": ["contacts"]}', "not a Singer state"),
    ("--config", '{"login_url": ', "config file"),
])
def test_malformed_files_are_named(emu_and_catalog, tmp_path: Path, option, content, expected):
    emu, _ = emu_and_catalog
    config = tmp_path / "config.json"
    config.write_text(json.dumps(basic_config(emu)))
    bad = tmp_path / "bad.json"
    bad.write_text(content)
    args = ["--config", str(bad if option == "--config" else config)]
    if option != "--config":
        args += [option, str(bad)]
    proc = subprocess.run([sys.executable, "-m", "tap_eloqua", *args], capture_output=True,
                          text=True, check=False, timeout=120)
    line = _fail_line(proc)
    assert expected in line and str(bad) in line, line


def test_missing_file_is_named(emu_and_catalog, tmp_path: Path):
    proc = subprocess.run([sys.executable, "-m", "tap_eloqua", "--config",
                           str(tmp_path / "nope.json")], capture_output=True, text=True,
                          check=False, timeout=120)
    assert "does not exist" in _fail_line(proc)


def test_a_deselected_key_property_is_still_exported(emu_and_catalog, tmp_path: Path):
    emu, catalog = emu_and_catalog
    catalog = select_streams(json.loads(json.dumps(catalog)), {"contacts"})
    contacts = next(s for s in catalog["streams"] if s["tap_stream_id"] == "contacts")
    for entry in contacts["metadata"]:
        if entry["breadcrumb"] in (["properties", "Id"], ["properties", "C_FirstName"]):
            entry["metadata"]["selected"] = False
    run = run_tap(basic_config(emu), tmp_path, catalog=catalog)
    assert run.returncode == 0, run.stderr[-2000:]
    records = run.records("contacts")
    assert len(records) == SMALL["contacts"]
    assert all("Id" in r for r in records)
    assert all("C_FirstName" not in r for r in records)
    assert run.streams() == {"contacts"}


def test_state_of_a_deleted_custom_object_is_ignored(emu_and_catalog, tmp_path: Path):
    emu, catalog = emu_and_catalog
    state = {"bookmarks": {"gone_object": {"replication_key": "UpdatedAt",
                                           "replication_key_value": "2024-06-01T00:00:00+00:00"}}}
    catalog = select_streams(json.loads(json.dumps(catalog)), {"accounts"})
    run = run_tap(basic_config(emu), tmp_path, catalog=catalog, state=state)
    assert run.returncode == 0, run.stderr[-2000:]
    assert len(run.records("accounts")) == SMALL["accounts"]


def test_a_singer_io_state_is_taken_over(emu_and_catalog, tmp_path: Path):
    emu, catalog = emu_and_catalog
    cut = sorted(r["UpdatedAt"] for r in emu.store.contacts.values())[10]
    state = {"currently_syncing": None, "bookmarks": {"contacts": {
        "datetime": cut.strftime("%Y-%m-%dT%H:%M:%S.%fZ")}}}
    catalog = select_streams(json.loads(json.dumps(catalog)), {"contacts"})
    run = run_tap(basic_config(emu), tmp_path, catalog=catalog, state=state)
    assert run.returncode == 0, run.stderr[-2000:]
    expected = {r["Id"] for r in emu.store.contacts.values() if r["UpdatedAt"] >= cut}
    assert {r["Id"] for r in run.records("contacts")} == expected


def test_a_garbage_bookmark_is_one_line(emu_and_catalog, tmp_path: Path):
    emu, catalog = emu_and_catalog
    state = {"bookmarks": {"contacts": {"replication_key": "UpdatedAt",
                                        "replication_key_value": "yesterday"}}}
    catalog = select_streams(json.loads(json.dumps(catalog)), {"contacts"})
    run = run_tap(basic_config(emu), tmp_path, catalog=catalog, state=state)
    line = _fail_line(run)
    assert "yesterday" in line and "contacts" in line
