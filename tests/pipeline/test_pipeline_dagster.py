"""orchestration/dagster/definitions.py for real: Dagster's multiprocess executor runs meltano.yml's
three split jobs at the same time against the emulator into PostgreSQL, with Meltano's state in
PostgreSQL (its system database, the backend every worker can reach), then runs them again: the
second run reads its bookmarks back from PostgreSQL and brings only the changed records.

REST streams are on (default settings): the custom-objects job, "everything else", loads them.
Dagster lives in its own virtualenv (.dagster-venv, `bash demo/install --step dagster`).
"""

from __future__ import annotations

import json
import os
import subprocess
import time
from pathlib import Path
from typing import Any

import pytest

from eloqua_emulator import EloquaEmulator, EmulatorConfig
from tests.expected import ACTIVITY_STREAMS, REST_STREAMS, custom_object_streams, store_records
from tests.pipeline.support import (
    INSTALL_HINT,
    ROOT,
    Meltano,
    MeltanoRun,
    Postgres,
    emulator_env,
    meltano_executable,
    postgres_env,
)
from tests.pipeline.warehouse import control

DAGSTER = ROOT / ".dagster-venv" / "bin" / "dagster"
DEFINITIONS = ROOT / "orchestration" / "dagster" / "definitions.py"
WAREHOUSE, SCHEMA, STATE_DB = "warehouse_dagster", "eloqua_dagster", "meltano_dagster"
JOBS = {"eloqua-core": "tap-eloqua-core", "eloqua-activities": "tap-eloqua-activities",
        "eloqua-custom-objects": "tap-eloqua-custom-objects"}
FULL_TABLE = {"contact_list_members"}  # read whole on every run (no replication key)


@pytest.fixture(scope="module")
def emulator() -> Any:
    emu = EloquaEmulator(EmulatorConfig(seed=29, contacts=50, accounts=10, activities_per_type=10,
                                        custom_objects=2, custom_object_records=8, rest_forms=3,
                                        rest_submissions_per_form=3, slow_sync_seconds=0.5))
    emu.start()
    yield emu
    emu.stop()


class Dagster:
    """`dagster job execute` of the definitions, with a private DAGSTER_HOME and log dir."""

    def __init__(self, workdir: Path, env: dict[str, str]) -> None:
        if not DAGSTER.exists():
            pytest.fail(f"{DAGSTER} is missing: {INSTALL_HINT}", pytrace=False)
        self.home, self.workdir, self.env = workdir / "dagster-home", workdir, env
        self.home.mkdir(parents=True, exist_ok=True)
        (self.home / "dagster.yaml").write_text("telemetry:\n  enabled: false\n")

    def execute(self, label: str) -> dict[str, Any]:
        logs = self.workdir / label
        env = {**os.environ, **self.env, "DAGSTER_HOME": str(self.home),
               "ELOQUA_DAGSTER_LOG_DIR": str(logs)}
        proc = subprocess.run([str(DAGSTER), "job", "execute", "-f", str(DEFINITIONS),
                               "-j", "eloqua_split_jobs"], cwd=ROOT, env=env, text=True,
                              capture_output=True, timeout=900, check=False)
        tails = {p.name: p.read_text()[-3000:] for p in sorted(logs.glob("*.log"))}
        assert proc.returncode == 0, (proc.stdout[-4000:], proc.stderr[-4000:], tails)
        spans = {job: json.loads((logs / f"{job}.json").read_text()) for job in JOBS}
        runs = {job: MeltanoRun(["run", job], spans[job]["returncode"],
                                (logs / f"{job}.log").read_text(), 0.0) for job in JOBS}
        return {"spans": spans, "runs": runs, "output": proc.stdout + proc.stderr}


def state_rows(pg: Postgres) -> dict[str, dict[str, Any]]:
    """Meltano's `state` table in PostgreSQL: state ID -> completed state (stored as JSON text)."""
    rows = pg.query("SELECT state_id, completed_state FROM state", STATE_DB)
    return {r["state_id"]: json.loads(r["completed_state"]) if isinstance(
        r["completed_state"], str) else r["completed_state"] for r in rows}


@pytest.fixture(scope="module")
def runs(postgres: Postgres, emulator: EloquaEmulator, tmp_path_factory) -> dict[str, Any]:
    workdir = tmp_path_factory.mktemp("dagster")
    meltano = Meltano(meltano_executable(), workdir / "meltano")
    postgres.create_database(WAREHOUSE)
    postgres.create_database(STATE_DB)
    # the jobs write disjoint tables into one schema: create it first (README)
    postgres.psql(f'CREATE SCHEMA "{SCHEMA}"', WAREHOUSE)
    env = {**meltano.base_env(), **emulator_env(emulator, rest=True),
           **postgres_env("TARGET_POSTGRES", postgres, WAREHOUSE),
           "TARGET_POSTGRES_DEFAULT_TARGET_SCHEMA": SCHEMA,
           "MELTANO_DATABASE_URI": postgres.url(STATE_DB).replace(
               "postgresql://", "postgresql+psycopg://"),
           "MELTANO_STATE_BACKEND_URI": "systemdb",
           "MELTANO_BIN": meltano_executable()}
    dagster = Dagster(workdir, env)
    first = dagster.execute("first")
    first_state = state_rows(postgres)
    for contact_id in (3, 8):
        control(emulator, "update", {"kind": "contacts", "id": contact_id,
                                     "changes": {"C_FirstName": f"Changed {contact_id}"}})
    opened = control(emulator, "add_activity", {"type": "EmailOpen", "values": {
        "ContactId": 3, "EmailAddress": "someone@example.com"}})
    co_stream, co_id = sorted(custom_object_streams(emulator).items())[0]
    record = sorted(r["Id"] for r in store_records(emulator, co_stream))[0]
    control(emulator, "update", {"kind": ["customObject", co_id], "id": record,
                                 "changes": {"ExternalId": "changed-by-dagster-test"}})
    time.sleep(1.1)  # REST windows end on whole seconds: the changes fall before the 2nd run's
    second = dagster.execute("second")
    return {"first": first, "second": second, "first_state": first_state,
            "second_state": state_rows(postgres), "co_stream": co_stream, "opened": opened}


def _counts(run: dict[str, Any]) -> dict[str, int]:
    counts: dict[str, int] = {}
    for job, extractor in JOBS.items():
        counts.update(run["runs"][job].record_counts(extractor))
    return counts


def test_the_three_jobs_ran_at_the_same_time(runs: dict[str, Any]):
    for label in ("first", "second"):
        spans = runs[label]["spans"]
        assert set(spans) == set(JOBS)
        # every job started before any of them ended
        assert max(s["started"] for s in spans.values()) < min(
            s["ended"] for s in spans.values()), (label, spans)


def test_the_first_run_loads_every_stream_rest_included(runs: dict[str, Any],
                                                        emulator: EloquaEmulator,
                                                        postgres: Postgres):
    per_job = {job: set(runs["first"]["runs"][job].record_counts(x)) for job, x in JOBS.items()}
    assert per_job["eloqua-core"] == {"contacts", "accounts"}
    assert per_job["eloqua-activities"] == set(ACTIVITY_STREAMS)
    assert per_job["eloqua-custom-objects"] == {*custom_object_streams(emulator), *REST_STREAMS}
    tables = {r["table_name"] for r in postgres.query(
        "SELECT table_name FROM information_schema.tables "
        f"WHERE table_schema = '{SCHEMA}'", WAREHOUSE)}
    assert tables == set().union(*per_job.values())
    counts = {r["n"] for r in postgres.query(f'SELECT count(*) AS n FROM "{SCHEMA}".contacts',
                                             WAREHOUSE)}
    assert counts == {50}


def test_meltano_state_is_kept_in_postgresql_per_job(runs: dict[str, Any]):
    for label in ("first_state", "second_state"):
        states = runs[label]
        for extractor in JOBS.values():
            state = states[f"emulator:{extractor}-to-target-postgres"]
            assert state["singer_state"]["bookmarks"], (label, extractor)
    core = runs["first_state"]["emulator:tap-eloqua-core-to-target-postgres"]
    assert set(core["singer_state"]["bookmarks"]) == {"contacts", "accounts"}


def test_the_second_run_reads_its_state_back_and_brings_only_the_changes(runs: dict[str, Any]):
    changed = {s: n for s, n in _counts(runs["second"]).items() if n and s not in FULL_TABLE}
    assert changed == {"contacts": 2, "activity_email_open": 1, runs["co_stream"]: 1}
    for extractor in JOBS.values():
        state_id = f"emulator:{extractor}-to-target-postgres"
        old = runs["first_state"][state_id]["singer_state"]["bookmarks"]
        new = runs["second_state"][state_id]["singer_state"]["bookmarks"]
        assert set(new) == set(old)
        moved = [s for s in new if "replication_key_value" in new[s]
                 and new[s]["replication_key_value"] > old[s]["replication_key_value"]]
        assert moved, extractor
