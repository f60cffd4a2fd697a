"""A full extraction over real HTTP equals the emulator's data, stream by stream, value by value."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.expected import (
    ACTIVITY_STREAMS,
    REST_STREAMS,
    custom_object_streams,
    same_instant,
    store_records,
    typed,
)
from tests.tap_runner import TapRun, basic_config, run_tap


@pytest.fixture(scope="module")
def full_run(emulator, tmp_path_factory) -> TapRun:
    run = run_tap(basic_config(emulator), tmp_path_factory.mktemp("full"))
    assert run.returncode == 0, run.stderr[-3000:]
    return run


def expected_streams(emulator) -> set[str]:
    """Default settings: every Bulk entity and every REST stream."""
    return {"contacts", "accounts", *ACTIVITY_STREAMS, *custom_object_streams(emulator),
            *REST_STREAMS}


def test_every_entity_is_a_stream(emulator, full_run):
    assert set(full_run.schemas()) == expected_streams(emulator)
    assert full_run.streams() == expected_streams(emulator)


@pytest.mark.parametrize("stream", ["contacts", "accounts", *ACTIVITY_STREAMS,
                                    "event_registrations", "order_items_2024", "web_leads"])
def test_records_equal_the_emulator_data(emulator, full_run, stream):
    schema = full_run.schemas()[stream]["schema"]
    key = full_run.schemas()[stream]["key_properties"]
    emitted = [typed(r, schema) for r in full_run.records(stream)]
    expected = store_records(emulator, stream)
    assert len(emitted) == len(expected)
    by_key = {tuple(r[k] for k in key): r for r in emitted}
    assert len(by_key) == len(emitted), "primary key values are not unique"
    for source in expected:
        record = by_key[tuple(source[k] for k in key)]
        assert set(source) <= set(record), f"missing properties {set(source) - set(record)}"
        for prop, value in source.items():
            assert same_instant(record[prop], value), f"{stream} {key}={source[key[0]]}: {prop}"


def test_colliding_custom_object_names_get_distinct_streams(emulator, full_run):
    names = custom_object_streams(emulator)
    suffixed = [n for n in names if n.startswith("web_leads_")]
    assert len(suffixed) == 1
    emitted = full_run.records(suffixed[0])
    assert len(emitted) == len(store_records(emulator, suffixed[0])) > 0


def test_schema_types_are_real(full_run):
    contacts = full_run.schemas()["contacts"]
    props = contacts["schema"]["properties"]
    assert contacts["key_properties"] == ["Id"]
    assert contacts["bookmark_properties"] == ["UpdatedAt"]
    assert props["Id"]["type"] == ["integer"]
    assert props["UpdatedAt"] == {"type": ["string", "null"], "format": "date-time"}
    assert props["C_EmailAddress"]["type"] == ["string", "null"]
    types = {p["type"][0] for p in props.values()}
    assert {"integer", "number", "boolean", "string"} <= types
    activity = full_run.schemas()["activity_email_open"]
    assert activity["key_properties"] == ["ExternalId"]
    assert activity["bookmark_properties"] == ["ActivityDate"]


def test_activity_ids_repeat_but_external_ids_do_not(full_run):
    sends = full_run.records("activity_email_send")
    assert len({r["ActivityId"] for r in sends}) < len(sends)
    assert len({r["ExternalId"] for r in sends}) == len(sends)


def test_final_state_bookmarks_every_stream_at_its_window_end(emulator, full_run):
    bookmarks = full_run.final_state["bookmarks"]
    assert set(bookmarks) == expected_streams(emulator)
    for name, entry in bookmarks.items():
        if name == "contact_list_members":  # read whole every run: no bookmark value
            assert "replication_key_value" not in entry
            continue
        assert entry["replication_key_value"], name
        assert "eloqua_sync" not in entry, name
        assert "progress_markers" not in entry, name


def test_no_definition_is_left_behind(emulator, full_run):
    assert emulator.live_definitions() == []


def test_discovery_lists_every_stream_with_metadata(emulator, tmp_path: Path):
    run = run_tap(basic_config(emulator), tmp_path, discover=True)
    assert run.returncode == 0, run.stderr[-2000:]
    catalog = run.catalog()
    assert {s["tap_stream_id"] for s in catalog["streams"]} == expected_streams(emulator)
    contacts = next(s for s in catalog["streams"] if s["tap_stream_id"] == "contacts")
    root = next(m for m in contacts["metadata"] if m["breadcrumb"] == [])
    assert root["metadata"]["table-key-properties"] == ["Id"]
    assert root["metadata"]["valid-replication-keys"] == ["UpdatedAt"]


def test_fields_beyond_one_page_are_all_discovered(make_emulator, tmp_path: Path):
    emu = make_emulator(extra_contact_fields=1100, contacts=20, activities_per_type=5,
                        custom_objects=1, custom_object_records=3)
    run = run_tap(basic_config(emu), tmp_path, discover=True)
    assert run.returncode == 0, run.stderr[-2000:]
    contacts = next(s for s in run.catalog()["streams"] if s["tap_stream_id"] == "contacts")
    names = set(contacts["schema"]["properties"])
    assert {f["internalName"] for f in emu.store.contact_fields} <= names
    assert len(emu.store.contact_fields) > 1000
