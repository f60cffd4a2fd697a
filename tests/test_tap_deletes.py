"""detect_deletes: `<stream>_ids` sweeps let a destination tell which records Eloqua deleted."""

from __future__ import annotations

from pathlib import Path

from tests.tap_runner import basic_config, run_tap

SMALL = {"contacts": 40, "accounts": 12, "activities_per_type": 5, "custom_objects": 2,
         "custom_object_records": 8}


def _upsert(table: dict[int, str], records: list[dict]) -> None:
    for record in records:
        table[record["Id"]] = record["swept_at"]


def test_sweeps_reveal_deleted_records_after_an_upsert(make_emulator, tmp_path: Path):
    emu = make_emulator(**SMALL)
    config = basic_config(emu, detect_deletes=True, activity_types=["EmailOpen"])
    first = run_tap(config, tmp_path / "1")
    assert first.returncode == 0, first.stderr[-3000:]
    co_streams = sorted(s for s in first.streams()
                        if s.endswith("_ids") and s not in ("contacts_ids", "accounts_ids"))
    assert {"contacts_ids", "accounts_ids"} <= first.streams()
    assert len(co_streams) == SMALL["custom_objects"]
    assert not any(s.startswith("activity_") and s.endswith("_ids") for s in first.streams())
    assert sorted(r["Id"] for r in first.records("contacts_ids")) == sorted(emu.store.contacts)
    assert len({r["swept_at"] for r in first.records("contacts_ids")}) == 1

    # a sweep exports the Id column alone, with no filter: every row, whenever it changed
    sweeps = [d for d in emu.export_definitions_seen() if list(d["fields"]) == ["Id"]]
    assert sweeps and all("filter" not in d for d in sweeps)

    warehouse: dict[str, dict[int, str]] = {s: {} for s in ["contacts_ids", *co_streams]}
    for stream, table in warehouse.items():
        _upsert(table, first.records(stream))

    gone_contacts = sorted(emu.store.contacts)[3:5]
    for cid in gone_contacts:
        emu.store.delete("contacts", cid)
    gone_co = set()
    for co_id, co in emu.store.custom_objects.items():
        first_record = sorted(co.records)[0]
        gone_co.add(first_record)
        emu.store.delete(("customObject", co_id), first_record)
    new_contact = emu.store.add("contacts", {"C_EmailAddress": "late.comer@example.com"})

    second = run_tap(config, tmp_path / "2", state=first.final_state)
    assert second.returncode == 0, second.stderr[-3000:]
    assert second.records("contacts") == [r for r in second.records("contacts")
                                          if r["Id"] == new_contact]
    for stream, table in warehouse.items():
        _upsert(table, second.records(stream))
    newest = max(warehouse["contacts_ids"].values())
    deleted = sorted(i for i, at in warehouse["contacts_ids"].items() if at < newest)
    assert deleted == gone_contacts
    for stream in co_streams:
        latest = max(warehouse[stream].values())
        assert latest == newest  # one sweep time for the whole run
        swept = [i for i, at in warehouse[stream].items() if at < latest]
        assert len(swept) == 1 and swept[0] in gone_co, (stream, swept)
    assert warehouse["contacts_ids"][new_contact] == newest
    assert emu.live_definitions() == []


def test_no_sweeps_unless_asked(emulator, tmp_path: Path):
    run = run_tap(basic_config(emulator, activity_types=[]), tmp_path, discover=True)
    assert run.returncode == 0, run.stderr[-2000:]
    names = {s["tap_stream_id"] for s in run.catalog()["streams"]}
    assert not any(n.endswith("_ids") for n in names)
    swept = run_tap(basic_config(emulator, activity_types=[], detect_deletes=True),
                    tmp_path / "d", discover=True)
    entry = next(s for s in swept.catalog()["streams"] if s["tap_stream_id"] == "contacts_ids")
    top = next(m["metadata"] for m in entry["metadata"] if m["breadcrumb"] == [])
    assert entry["replication_method"] == "FULL_TABLE" and "replication_key" not in entry
    assert top["table-key-properties"] == ["Id"]


def test_an_interrupted_sweep_is_swept_again_whole(make_emulator, tmp_path: Path):
    """A run killed mid-sweep leaves a cursor in the state; the next run must not resume it (its
    sync lists the Ids of the old moment) but sweep once, whole, at its own time."""
    emu = make_emulator(contacts=40, accounts=5, activities_per_type=0, custom_objects=0)
    config = basic_config(emu, page_size=7, activity_types=[], custom_objects=["none"],
                          rest_streams=[], detect_deletes=True)
    first = run_tap(config, tmp_path / "1")
    assert first.returncode == 0, first.stderr[-3000:]
    killed_here = next(s for s in first.states
                       if s["bookmarks"].get("contacts_ids", {}).get("eloqua_sync", {})
                       .get("offset", 0) >= 14)
    gone = sorted(emu.store.contacts)[-3:]
    for contact_id in gone:
        emu.store.delete("contacts", contact_id)

    rerun = run_tap(config, tmp_path / "2", state=killed_here)
    assert rerun.returncode == 0, rerun.stderr[-3000:]
    ids = [r["Id"] for r in rerun.records("contacts_ids")]
    assert sorted(ids) == sorted(emu.store.contacts)      # each live Id once, no deleted one
    assert not set(ids) & set(gone)
    assert len({r["swept_at"] for r in rerun.records("contacts_ids")}) == 1
    assert emu.live_definitions() == []
