"""`meltano run tap-eloqua target-postgres` into a real PostgreSQL equals the emulator's data,
typed, keyed, and a second run upserts only what changed."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import pytest

from eloqua_emulator import EloquaEmulator
from tests.expected import custom_object_streams
from tests.pipeline.support import Meltano, Postgres
from tests.pipeline.warehouse import (
    NUMERIC_TYPES,
    Load,
    control,
    expected_key,
    expected_streams,
    load_into_postgres,
    mismatches,
)

UPDATED_CONTACTS = (3, 17, 250)


def test_every_stream_is_loaded_as_a_table(record_load: Load, record_emulator: EloquaEmulator):
    assert set(record_load.tables) == expected_streams(record_emulator)
    assert record_load.run.record_counts() == {
        s: len(records) for s, records in record_load.source.items()}


def test_row_counts_and_values_equal_the_emulator(record_load: Load):
    problems = []
    for stream, records in sorted(record_load.source.items()):
        problems += mismatches(stream, record_load.tables[stream], records)
    assert problems == [], "\n".join(problems[:40])


def _column_kinds(records: list[dict[str, Any]]) -> dict[str, type]:
    kinds: dict[str, type] = {}
    for record in records:
        for prop, value in record.items():
            if value is not None and prop not in kinds:
                kinds[prop] = bool if isinstance(value, bool) else type(value)
    return kinds


def test_timestamps_numbers_and_booleans_have_real_column_types(record_load: Load):
    wrong = []
    for stream, records in sorted(record_load.source.items()):
        columns = record_load.tables[stream].columns
        for prop, kind in _column_kinds(records).items():
            data_type = columns[prop]
            ok = {
                datetime: data_type.startswith("timestamp"),
                bool: data_type == "boolean",
                int: data_type in NUMERIC_TYPES,
                float: data_type in NUMERIC_TYPES - {"smallint", "integer", "bigint"},
                str: data_type in {"text", "character varying"},
            }[kind]
            if not ok:
                wrong.append(f"{stream}.{prop}: {kind.__name__} values in a {data_type} column")
    assert wrong == [], "\n".join(wrong)
    contacts = record_load.tables["contacts"].columns
    assert contacts["UpdatedAt"].startswith("timestamp")
    assert contacts["C_Annual_Revenue1"] == "numeric"
    assert contacts["Id"] == "bigint"


def test_primary_keys_are_set(record_load: Load):
    keys = {name: table.primary_key for name, table in record_load.tables.items()}
    assert keys == {s: expected_key(s) for s in record_load.source}


@pytest.fixture(scope="module")
def incremental(meltano: Meltano, postgres: Postgres, record_load: Load,
                record_emulator: EloquaEmulator) -> dict[str, Any]:
    """Change a few records through the control API, then run the same pipeline again."""
    emu = record_emulator
    before = record_load.tables
    for contact_id in UPDATED_CONTACTS:
        control(emu, "update", {"kind": "contacts", "id": contact_id, "changes": {
            "C_FirstName": f"Changed {contact_id}", "C_Lead_Score1": 99}})
    added = [control(emu, "add", {"kind": "contacts", "values": {
        "C_EmailAddress": f"new.contact{i}@example.com", "C_FirstName": "New"}})["id"]
        for i in range(2)]
    control(emu, "update", {"kind": "accounts", "id": 1, "changes": {"M_CompanyName": "Renamed"}})
    event_registrations = custom_object_streams(emu)["event_registrations"]
    control(emu, "update", {"kind": ["customObject", event_registrations], "id": 1,
                            "changes": {"Quantity1": 1234, "Notes1": "updated"}})
    opened = control(emu, "add_activity", {"type": "EmailOpen", "values": {
        "ContactId": UPDATED_CONTACTS[0], "EmailAddress": "ivan.dubois3@test.example.net"}})
    load = load_into_postgres(meltano, postgres, emu, database=record_load.database,
                              state_suffix="record", fresh=False)
    return {"load": load, "before": before, "added": added, "opened": opened}


def test_second_run_reads_only_changed_records(incremental: dict[str, Any]):
    counts = incremental["load"].run.record_counts()
    changed = {s: n for s, n in counts.items() if n}
    assert changed == {"contacts": len(UPDATED_CONTACTS) + 2, "accounts": 1,
                       "event_registrations": 1, "activity_email_open": 1}


def test_second_run_upserts_without_duplicates(incremental: dict[str, Any]):
    tables = incremental["load"].tables
    problems = []
    for stream, records in sorted(incremental["load"].source.items()):
        problems += mismatches(stream, tables[stream], records)
    assert problems == [], "\n".join(problems[:40])
    contacts = tables["contacts"].by_key()
    assert len(contacts) == len(tables["contacts"].rows) == 502
    for contact_id in UPDATED_CONTACTS:
        assert contacts[(contact_id,)]["C_FirstName"] == f"Changed {contact_id}"
        assert contacts[(contact_id,)]["C_Lead_Score1"] == 99
    for contact_id in incremental["added"]:
        assert contacts[(contact_id,)]["C_FirstName"] == "New"
    opens = tables["activity_email_open"].by_key()
    assert (incremental["opened"]["ExternalId"],) in opens


def test_unchanged_rows_are_not_rewritten(incremental: dict[str, Any]):
    before = incremental["before"]["contacts"].by_key()
    after = incremental["load"].tables["contacts"].by_key()
    rewritten = {key[0] for key, row in after.items()
                 if key in before and row["_sdc_batched_at"] != before[key]["_sdc_batched_at"]}
    assert rewritten == set(UPDATED_CONTACTS)


def test_state_bookmarks_every_stream(meltano: Meltano, incremental: dict[str, Any],
                                      record_load: Load):
    state = meltano.state(incremental["load"].state_id)
    bookmarks = state["singer_state"]["bookmarks"]
    assert set(bookmarks) == set(record_load.tables)
    assert all(b["replication_key_value"] for b in bookmarks.values())
