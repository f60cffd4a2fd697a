"""A number past 64 bits (a 24-digit Eloqua number field) used to stop the tap: orjson refuses
such integers. It is written exactly now, on the fast path and in BATCH files alike."""

from __future__ import annotations

import json
from pathlib import Path

import orjson

from tap_eloqua.writer import encode
from tests.tap_runner import basic_config, run_tap

HUGE = 123456789012345678901234


def test_a_number_past_64_bits_is_written_exactly(make_emulator, tmp_path: Path):
    emu = make_emulator(contacts=30, accounts=1, activities_per_type=0, custom_objects=0)
    target = next(iter(emu.store.contacts))
    emu.store.contacts[target]["C_Annual_Revenue1"] = HUGE
    run = run_tap(basic_config(emu, activity_types=[], custom_objects=["none"],
                               rest_streams=[]), tmp_path)
    assert run.returncode == 0, run.stderr[-2000:]
    records = {r["Id"]: r for r in run.records("contacts")}
    assert len(records) == 30
    assert records[target]["C_Annual_Revenue1"] == HUGE
    assert isinstance(records[target]["C_Annual_Revenue1"], int)


def test_encode_matches_orjson_except_where_orjson_refuses():
    record = {"a": 1, "b": "é", "c": None, "d": [1.5, {"e": True}]}
    assert encode(record) == orjson.dumps(record)
    wide = {**record, "big": -HUGE, "inf": float("inf")}
    line = encode(wide, orjson.OPT_APPEND_NEWLINE)
    assert line.endswith(b"\n")
    assert json.loads(line) == {**record, "big": -HUGE, "inf": None}  # inf: null, as orjson
