"""Eloqua's export limits are invisible: 250 columns per export, 5M rows per activity export."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import parse_qs, urlsplit

from tests.expected import same_instant, store_records, typed
from tests.tap_runner import basic_config, run_tap


def _assert_equal_to_store(emu, run, stream):
    schema = run.schemas()[stream]["schema"]
    key = run.schemas()[stream]["key_properties"][0]
    emitted = {r[key]: typed(r, schema) for r in run.records(stream)}
    expected = store_records(emu, stream)
    assert len(emitted) == len(run.records(stream)) == len(expected)
    for source in expected:
        record = emitted[source[key]]
        for prop, value in source.items():
            assert same_instant(record[prop], value), f"{stream} {source[key]}: {prop}"


def test_more_than_250_columns_are_exported_in_parts_and_joined(make_emulator, tmp_path: Path):
    emu = make_emulator(extra_contact_fields=600, contacts=120, accounts=3,
                        activities_per_type=2, custom_objects=1, custom_object_records=2)
    run = run_tap(basic_config(emu, activity_types=[], page_size=50), tmp_path)
    assert run.returncode == 0, run.stderr[-3000:]
    assert len(run.schemas()["contacts"]["schema"]["properties"]) > 600
    _assert_equal_to_store(emu, run, "contacts")
    contact_defs = [d for d in emu.export_definitions_seen() if "contacts" in d["uri"]]
    assert len(contact_defs) >= 3
    assert all(len(d["fields"]) <= 250 for d in contact_defs)
    assert len({d["filter"] for d in contact_defs}) == 1, "parts must share one window"
    assert emu.live_definitions() == []


def test_activity_windows_over_the_row_cap_are_split_by_count(make_emulator, tmp_path: Path):
    emu = make_emulator(activities_per_type=400, activity_export_cap=100, contacts=20,
                        accounts=2, custom_objects=1, custom_object_records=2)
    config = basic_config(emu, activity_types=["EmailOpen", "PageView"],
                          activity_max_rows_per_export=100)
    run = run_tap(config, tmp_path)
    assert run.returncode == 0, run.stderr[-3000:]
    for stream in ("activity_email_open", "activity_page_view"):
        _assert_equal_to_store(emu, run, stream)
    opens = [d for d in emu.export_definitions_seen() if "'EmailOpen'" in d.get("filter", "")]
    # One refused full window, then slices sized from the count: about 400 / 80 = 5 of them.
    assert 5 <= len(opens) <= 12, len(opens)
    assert "smaller windows" in run.stderr
    bookmarks = run.final_state["bookmarks"]["activity_email_open"]
    assert bookmarks["replication_key_value"]
    assert emu.live_definitions() == []


def test_joined_pages_are_sized_for_their_full_width(make_emulator, tmp_path: Path):
    """A page of a joined export is held merged to its full width: its rows are counted at that
    width (about 200,000 values a page), not at the 250 columns of one part."""
    emu = make_emulator(extra_contact_fields=240, contacts=900, accounts=1,
                        activities_per_type=1, custom_objects=0)
    run = run_tap(basic_config(emu, activity_types=[], rest_streams=[]), tmp_path)
    assert run.returncode == 0, run.stderr[-3000:]
    columns = len(run.schemas()["contacts"]["schema"]["properties"])
    assert columns > 250
    limits = {int(parse_qs(urlsplit(path).query)["limit"][0]) for method, path, _ in
              emu.request_log if method == "GET" and "/syncs/" in path and "/data" in path
              and "limit" in path}
    # the contacts pages (the accounts export, 18 columns, has its own larger pages)
    assert limits and min(limits) <= 200_000 // 250 < 300_000 // 250
    assert len(run.records("contacts")) == 900
