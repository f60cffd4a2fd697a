"""tap-eloqua's BATCH messages (jsonl + gzip files) loaded by target-postgres through Meltano give
the same tables as RECORD messages, and BATCH state drives the next incremental run."""

from __future__ import annotations

import gzip
import json
from pathlib import Path
from typing import Any

import pytest

from eloqua_emulator import EloquaEmulator, EmulatorConfig
from tests.pipeline.support import Meltano, Postgres
from tests.pipeline.warehouse import (
    Load,
    control,
    load_into_postgres,
    mismatches,
    without_metadata,
)


@pytest.fixture(scope="module")
def batch_emulator() -> Any:
    emu = EloquaEmulator(EmulatorConfig(seed=7))  # the same seed: the same data as record_load
    emu.start()
    yield emu
    emu.stop()


@pytest.fixture(scope="module")
def batch_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return Path(tmp_path_factory.mktemp("batches"))


def batch_env(batch_dir: Path) -> dict[str, str]:
    config = {"encoding": {"format": "jsonl", "compression": "gzip"},
              "storage": {"root": f"file://{batch_dir}", "prefix": "eloqua-"}}
    return {"TAP_ELOQUA_BATCH_CONFIG": json.dumps(config)}


@pytest.fixture(scope="module")
def batch_load(meltano: Meltano, postgres: Postgres, batch_emulator: EloquaEmulator,
               batch_dir: Path) -> Load:
    return load_into_postgres(meltano, postgres, batch_emulator, database="warehouse_batch",
                              state_suffix="batch", env=batch_env(batch_dir))


def test_the_tap_really_sent_batch_files(batch_load: Load, batch_dir: Path):
    files = sorted(batch_dir.glob("eloqua-tap-eloqua--*.json.gz"))
    streams = {f.name.removeprefix("eloqua-tap-eloqua--").rsplit("-", 6)[0] for f in files}
    assert streams == set(batch_load.source)
    rows = 0
    for path in files:
        with gzip.open(path, "rt", encoding="utf-8") as handle:
            rows += sum(1 for line in handle if line.strip())
    assert rows == sum(len(records) for records in batch_load.source.values())


def test_batch_tables_equal_the_emulator(batch_load: Load):
    problems = []
    for stream, records in sorted(batch_load.source.items()):
        problems += mismatches(stream, batch_load.tables[stream], records)
    assert problems == [], "\n".join(problems[:40])


def test_batch_run_equals_record_run(batch_load: Load, record_load: Load):
    assert set(batch_load.tables) == set(record_load.tables)
    for name, record_table in record_load.tables.items():
        batch_table = batch_load.tables[name]
        assert batch_table.columns == record_table.columns, name
        assert batch_table.primary_key == record_table.primary_key, name
        record_rows = {k: without_metadata(r) for k, r in record_table.by_key().items()}
        batch_rows = {k: without_metadata(r) for k, r in batch_table.by_key().items()}
        assert len(batch_rows) == len(batch_table.rows), f"{name}: duplicate keys"
        assert batch_rows == record_rows, name


def test_batch_state_bookmarks_every_stream(meltano: Meltano, batch_load: Load,
                                            record_load: Load):
    batch = meltano.state(batch_load.state_id)["singer_state"]["bookmarks"]
    record = meltano.state(record_load.state_id)["singer_state"]["bookmarks"]
    assert set(batch) == set(record) == set(batch_load.tables)
    for stream, bookmark in batch.items():
        assert bookmark["replication_key"] == record[stream]["replication_key"], stream
        assert bookmark["replication_key_value"], stream
        assert "progress_markers" not in bookmark, stream


def test_incremental_batch_run_moves_only_changes(meltano: Meltano, postgres: Postgres,
                                                  batch_emulator: EloquaEmulator,
                                                  batch_load: Load, batch_dir: Path):
    (batch_dir / "second").mkdir()
    before = meltano.state(batch_load.state_id)["singer_state"]["bookmarks"]
    control(batch_emulator, "update", {"kind": "contacts", "id": 42,
                                       "changes": {"C_City": "Batchville"}})
    second = load_into_postgres(meltano, postgres, batch_emulator, database=batch_load.database,
                                state_suffix="batch", fresh=False,
                                env=batch_env(batch_dir / "second"))
    assert {s: n for s, n in second.run.record_counts().items() if n} == {"contacts": 1}
    problems = []
    for stream, records in sorted(second.source.items()):
        problems += mismatches(stream, second.tables[stream], records)
    assert problems == [], "\n".join(problems[:40])
    assert second.tables["contacts"].by_key()[(42,)]["C_City"] == "Batchville"
    assert len(list((batch_dir / "second").glob("*.json.gz"))) >= 1
    after = meltano.state(second.state_id)["singer_state"]["bookmarks"]
    stale = sorted(s for s in before if after[s]["replication_key_value"] <=
                   before[s]["replication_key_value"])
    assert stale == [], f"bookmarks that did not advance on a BATCH run: {stale}"
