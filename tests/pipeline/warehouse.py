"""Load the emulator into PostgreSQL through Meltano, read the tables back, compare to the store."""

from __future__ import annotations

import json
import urllib.request
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any

import pytest

from eloqua_emulator import EloquaEmulator
from tests.expected import ACTIVITY_STREAMS, custom_object_streams, same_instant, store_records
from tests.pipeline.support import (
    Meltano,
    MeltanoRun,
    Postgres,
    emulator_env,
    postgres_env,
)

SCHEMA = "eloqua"
NUMERIC_TYPES = {"smallint", "integer", "bigint", "numeric", "real", "double precision"}


@dataclass
class Table:
    columns: dict[str, str]  # column -> information_schema data_type
    primary_key: list[str]
    rows: list[dict[str, Any]]

    def by_key(self) -> dict[tuple[Any, ...], dict[str, Any]]:
        return {tuple(r[k] for k in self.primary_key): r for r in self.rows}


@dataclass
class Load:
    """One finished `meltano run` and the warehouse tables right after it."""

    run: MeltanoRun
    database: str
    schema: str
    state_id: str
    tables: dict[str, Table] = field(default_factory=dict)
    source: dict[str, list[dict[str, Any]]] = field(default_factory=dict)  # the emulator's data


def expected_streams(emu: EloquaEmulator) -> set[str]:
    return {"contacts", "accounts", *ACTIVITY_STREAMS, *custom_object_streams(emu)}


def expected_key(stream: str) -> list[str]:
    return ["ExternalId"] if stream in ACTIVITY_STREAMS else ["Id"]


def snapshot(pg: Postgres, database: str, schema: str = SCHEMA) -> dict[str, Table]:
    """Every table of `schema`: column types, primary key columns and all rows."""
    columns = pg.query(
        "SELECT table_name, column_name, data_type FROM information_schema.columns "
        f"WHERE table_schema = '{schema}' ORDER BY table_name, ordinal_position", database)
    keys = pg.query(
        "SELECT tc.table_name, kcu.column_name FROM information_schema.table_constraints tc "
        "JOIN information_schema.key_column_usage kcu ON kcu.constraint_schema = "
        "tc.constraint_schema AND kcu.constraint_name = tc.constraint_name AND kcu.table_name = "
        f"tc.table_name WHERE tc.constraint_type = 'PRIMARY KEY' AND tc.table_schema = '{schema}' "
        "ORDER BY tc.table_name, kcu.ordinal_position", database)
    tables: dict[str, Table] = {}
    for col in columns:
        table = tables.setdefault(col["table_name"], Table({}, [], []))
        table.columns[col["column_name"]] = col["data_type"]
    for key in keys:
        tables[key["table_name"]].primary_key.append(key["column_name"])
    for name, table in tables.items():
        table.rows = pg.query(f'SELECT * FROM "{schema}"."{name}"', database)
    return tables


def load_into_postgres(meltano: Meltano, pg: Postgres, emu: EloquaEmulator, *, database: str,
                       state_suffix: str, schema: str = SCHEMA, fresh: bool = True,
                       env: dict[str, str] | None = None) -> Load:
    """`meltano run tap-eloqua target-postgres` from `emu` into `database`.`schema`."""
    if fresh:
        pg.create_database(database)
    args = ["run", "--state-id-suffix", state_suffix, "tap-eloqua", "target-postgres"]
    run = meltano.run(*args, env={
        **emulator_env(emu),
        **postgres_env("TARGET_POSTGRES", pg, database),
        "TARGET_POSTGRES_DEFAULT_TARGET_SCHEMA": schema,
        **(env or {}),
    })
    if run.returncode != 0:
        pytest.fail(run.failure(), pytrace=False)
    state_id = f"emulator:tap-eloqua-to-target-postgres:{state_suffix}"
    return Load(run, database, schema, state_id, snapshot(pg, database, schema),
                store_snapshot(emu))


def as_store_value(value: Any, data_type: str) -> Any:
    """A value read back from PostgreSQL (JSON) in the store's terms: timestamps are UTC."""
    if value is None:
        return None
    if data_type.startswith("timestamp"):
        parsed = datetime.fromisoformat(value)
        return parsed if parsed.tzinfo else parsed.replace(tzinfo=timezone.utc)
    return value


def mismatches(stream: str, table: Table, source: list[dict[str, Any]]) -> list[str]:
    """How the loaded table differs from the emulator's records (empty when equal)."""
    problems = []
    key = expected_key(stream)
    loaded = table.by_key() if table.primary_key == key else {
        tuple(r[k] for k in key): r for r in table.rows}
    if len(loaded) != len(table.rows):
        problems.append(f"{stream}: {len(table.rows) - len(loaded)} duplicate keys")
    if len(table.rows) != len(source):
        problems.append(f"{stream}: {len(table.rows)} rows, the emulator has {len(source)}")
    for record in source:
        row = loaded.get(tuple(record[k] for k in key))
        if row is None:
            problems.append(f"{stream}: {key}={[record[k] for k in key]} is missing")
            continue
        for prop, expected in record.items():
            if prop not in table.columns:
                problems.append(f"{stream}: no column {prop}")
                continue
            got = as_store_value(row[prop], table.columns[prop])
            if not same_instant(got, expected):
                problems.append(f"{stream} {key}={[record[k] for k in key]}: {prop} is "
                                f"{got!r}, the emulator has {expected!r}")
    return problems


def store_snapshot(emu: EloquaEmulator) -> dict[str, list[dict[str, Any]]]:
    """Copies of the emulator's records per stream (the store is modified later)."""
    return {s: [dict(r) for r in store_records(emu, s)] for s in expected_streams(emu)}


def control(emu: EloquaEmulator, name: str, body: dict[str, Any]) -> Any:
    """POST the emulator's control API (`/_emulator/<name>`), as another process would."""
    request = urllib.request.Request(
        f"{emu.base_url}/_emulator/{name}", data=json.dumps(body).encode(), method="POST",
        headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=30) as response:
        return json.loads(response.read())


def without_metadata(row: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in row.items() if not k.startswith("_sdc_")}
