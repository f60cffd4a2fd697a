"""A reject names the exact input record, though Eloqua counts `recordIndex` per data POST.

Real Eloqua numbers a reject's row from 1 within the POST it came in (eloqua-real-traffic.md,
fact 4), so with several POSTs in one sync the same `recordIndex` appears in each of them.
"""

from __future__ import annotations

from pathlib import Path

from target_eloqua.rowmap import PushLog
from tests.target_runner import contact_messages, run_target, small_emulator, target_config

ROWS = 240
BAD = (2, 17, 40, 41, 118, 239)      # 0-based positions of invalid emails


def test_each_reject_points_at_its_record_across_many_posts(make_emulator, tmp_path: Path):
    emu = small_emulator(make_emulator)
    rows = [{"C_EmailAddress": f"not an email {i}" if i in BAD else f"p{i}@posts.example.com",
             "C_FirstName": f"First {i}"} for i in range(ROWS)]
    run = run_target(target_config(emu, tmp_path, max_push_bytes=1500), tmp_path,
                     contact_messages(rows))
    assert run.returncode == 0, run.stderr[-3000:]
    assert emu.import_syncs.count == 1                 # one sync ...
    assert len(emu.imports.pushes_seen) >= 10          # ... of many data POSTs
    rejects = run.rejects
    assert sorted(r["record_number"] for r in rejects) == [i + 1 for i in BAD]
    for r in rejects:
        row = rows[r["record_number"] - 1]
        assert r["fieldValues"]["C_EmailAddress"] == row["C_EmailAddress"]
        assert r["fieldValues"]["C_FirstName"] == row["C_FirstName"]
        assert "record_number_candidates" not in r
    # Eloqua's own numbering restarts in every POST: most indexes are not the record's position
    assert any(r["recordIndex"] != r["record_number"] for r in rejects)
    assert max(r["recordIndex"] for r in rejects) < ROWS // 10


def test_push_log_uses_the_echoed_row_only_when_the_index_is_ambiguous():
    log = PushLog("C_EmailAddress")
    log.add([{"C_EmailAddress": "a@x.com"}, {"C_EmailAddress": "b@x.com"}], [10, 11])
    log.add([{"C_EmailAddress": "c@x.com"}], [12])
    assert log.locate(2, None) == (11, [])             # only the first POST has a second row
    assert log.locate(1, {"C_EmailAddress": " C@X.com"}) == (12, [])
    assert log.locate(1, {"C_EmailAddress": "a@x.com"}) == (10, [])
    assert log.locate(1, {"C_EmailAddress": "nobody@x.com"}) == (None, [10, 12])
    assert log.locate(3, None) == (12, [])           # only as counted across the sync
    assert log.locate(4, None) == (None, [])
    assert log.locate("1", None) == (None, [])


def test_push_log_also_maps_an_index_counted_across_the_sync():
    log = PushLog("C_EmailAddress")
    log.add([{"C_EmailAddress": "a@x.com"}, {"C_EmailAddress": "b@x.com"}], [10, 11])
    log.add([{"C_EmailAddress": "c@x.com"}, {"C_EmailAddress": "d@x.com"}], [12, 13])
    assert log.locate(3, {"C_EmailAddress": "c@x.com"}) == (12, [])
    assert log.locate(2, {"C_EmailAddress": "d@x.com"}) == (13, [])
    assert log.locate(2, {"C_EmailAddress": "b@x.com"}) == (11, [])


def test_push_log_without_identifier_compares_whole_rows():
    log = PushLog(None)
    log.add([{"Type": "Webinar", "Name": "A", "Score": 1.0}], [1])
    log.add([{"Type": "Webinar", "Name": "B", "Score": None}], [2])
    assert log.locate(1, {"Type": "webinar", "Name": "B", "Score": ""}) == (2, [])
    assert log.locate(1, {"Type": "Webinar", "Name": "A", "Score": "1"}) == (1, [])


def test_default_rejects_file_is_absolute_and_outside_the_working_directory(
        make_emulator, tmp_path: Path):
    emu = small_emulator(make_emulator)
    config = target_config(emu, tmp_path)
    del config["rejects_file"]
    run = run_target(config, tmp_path, contact_messages([{"C_EmailAddress": "not an email"}]))
    assert run.returncode == 0, run.stderr[-3000:]
    path = run.rejects_path
    assert path.is_absolute() and path.is_relative_to(tmp_path / "state" / "eloqua-singer")
    assert [r["record_number"] for r in run.rejects] == [1]
    assert f"every rejected row is in {path}" in run.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == ["state", "target-config.json"]


def test_a_relative_rejects_file_is_named_absolutely(make_emulator, tmp_path: Path):
    emu = small_emulator(make_emulator)
    config = target_config(emu, tmp_path, rejects_file="out/rejects.jsonl")
    run = run_target(config, tmp_path, contact_messages([{"C_EmailAddress": "not an email"}]))
    assert run.returncode == 0, run.stderr[-3000:]
    assert (tmp_path / "out" / "rejects.jsonl").exists()
    assert f"every rejected row is in {tmp_path / 'out' / 'rejects.jsonl'}" in run.stderr
