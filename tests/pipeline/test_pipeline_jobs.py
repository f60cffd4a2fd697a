"""meltano.yml's split jobs (eloqua-core, eloqua-activities, eloqua-custom-objects) running at the
same time against one instance load what one all-streams job loads, each with its own state.

All three jobs start together (three `meltano run <job>` processes) into one schema, as an
orchestrator would run them: their streams are disjoint, so they write disjoint tables and the
warehouse looks as if one job had loaded it. Then `meltano run tap-eloqua target-postgres` alone
loads the same emulator data into a second schema, and the two are compared value by value.

Bookmarks: the tap's bookmark of a stream is the end of the window it exported, which is (about)
the moment the run started, not a value read from the data. Two runs started at different moments
therefore have different bookmark values for the same data. So the states are compared by
structure (the same streams, the same keys, the same replication key) and every bookmark is
checked to lie between the newest replicated value its table holds and the end of its run.

The second concurrent run authenticates with OAuth through one token store, as jobs on one host
do by default (the store's path derives from the client id). Access tokens live 3 s there, so
every tap refreshes several times while the others do too: Eloqua refresh tokens are single use,
and a process refreshing with a token another one already rotated would fail its job.
"""

from __future__ import annotations

import re
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timezone
from typing import Any

import pytest
import yaml

from eloqua_emulator import EloquaEmulator, EmulatorConfig
from tests.expected import ACTIVITY_STREAMS, custom_object_streams, store_records
from tests.pipeline.support import (
    ROOT,
    Meltano,
    MeltanoRun,
    Postgres,
    emulator_env,
    postgres_env,
)
from tests.pipeline.warehouse import (
    Table,
    control,
    expected_streams,
    mismatches,
    snapshot,
    without_metadata,
)

DATABASE = "warehouse_jobs"
SPLIT_SCHEMA = "eloqua_split"
SINGLE_SCHEMA = "eloqua_single"
SINGLE_SUFFIX = "jobs-single"
# job -> the extractor it runs (meltano.yml `jobs:`); each extractor name is its own state ID
JOBS = {"eloqua-core": "tap-eloqua-core", "eloqua-activities": "tap-eloqua-activities",
        "eloqua-custom-objects": "tap-eloqua-custom-objects"}
UPDATED_CONTACTS = (2, 9)
ACCESS_TOKEN_TTL = 3.0
SPANS: dict[str, tuple[float, float]] = {}  # job -> (start, end) of its latest run


def test_the_job_layout_in_meltano_yml():
    """Each job runs its own tap-eloqua variant into target-postgres; their sync budgets add up
    to Eloqua's hourly cap of 2000 export syncs per instance."""
    project = yaml.safe_load((ROOT / "meltano.yml").read_text(encoding="utf-8"))
    jobs = {j["name"]: j["tasks"] for j in project["jobs"]}
    assert jobs == {job: [f"{x} target-postgres"] for job, x in JOBS.items()}
    variants = {p["name"]: p for p in project["plugins"]["extractors"]}
    budget = 0
    for extractor in JOBS.values():
        assert variants[extractor]["inherit_from"] == "tap-eloqua"
        assert "settings" not in variants[extractor]  # hub/generate.py owns tap-eloqua's
        budget += variants[extractor]["config"]["max_syncs_per_hour"]
    assert budget <= 2000


def job_streams(extractor: str, emu: EloquaEmulator) -> set[str]:
    """The streams meltano.yml's selection of `extractor` should pick on this emulator."""
    return {"tap-eloqua-core": {"contacts", "accounts"},
            "tap-eloqua-activities": set(ACTIVITY_STREAMS),
            "tap-eloqua-custom-objects": set(custom_object_streams(emu))}[extractor]


def state_id(extractor: str) -> str:
    return f"emulator:{extractor}-to-target-postgres"


@pytest.fixture(scope="module")
def emulator() -> Any:
    """Small data (runtime), every kind of stream the split jobs divide; short-lived OAuth
    access tokens (Basic authentication is unaffected)."""
    emu = EloquaEmulator(EmulatorConfig(seed=23, contacts=60, accounts=12, activities_per_type=15,
                                        custom_objects=4, custom_object_records=10,
                                        access_token_ttl=ACCESS_TOKEN_TTL))
    emu.start()
    yield emu
    emu.stop()


def run_env(pg: Postgres, emu: EloquaEmulator, schema: str) -> dict[str, str]:
    return {**emulator_env(emu), **postgres_env("TARGET_POSTGRES", pg, DATABASE),
            "TARGET_POSTGRES_DEFAULT_TARGET_SCHEMA": schema}


def run_jobs_together(meltano: Meltano, pg: Postgres, emu: EloquaEmulator,
                      extra_env: dict[str, str] | None = None) -> dict[str, MeltanoRun]:
    """`meltano run <job>` for every split job, all started at once; fails on any failure.

    SPANS records each run's (start, end) on the monotonic clock."""
    env = {**run_env(pg, emu, SPLIT_SCHEMA), **(extra_env or {})}

    def timed(job: str) -> MeltanoRun:
        began = time.monotonic()
        run = meltano.run("run", job, env=env)
        SPANS[job] = (began, time.monotonic())
        return run

    with ThreadPoolExecutor(len(JOBS)) as pool:
        futures = {job: pool.submit(timed, job) for job in JOBS}
        runs = {job: future.result() for job, future in futures.items()}
    failed = [run.failure() for run in runs.values() if run.returncode != 0]
    if failed:
        pytest.fail("\n\n".join(failed), pytrace=False)
    return runs


@pytest.fixture(scope="module")
def loads(meltano: Meltano, postgres: Postgres, emulator: EloquaEmulator) -> dict[str, Any]:
    # Meltano migrates a new system database on first use; jobs starting at once on a new one
    # race at that (MigrationError). Any one command first creates it, as a deployment would.
    warm = meltano.run("state", "list")
    assert warm.returncode == 0, warm.failure()
    postgres.create_database(DATABASE)
    # target-postgres checks for its schema, then creates it: two jobs starting at once into a
    # schema that does not exist yet can both try, and one fails. Create it first (README).
    postgres.psql(f'CREATE SCHEMA "{SPLIT_SCHEMA}"', DATABASE)
    split_started = datetime.now(timezone.utc)
    split = run_jobs_together(meltano, postgres, emulator)
    split_ended = datetime.now(timezone.utc)
    single_started = datetime.now(timezone.utc)
    single = meltano.run("run", "--state-id-suffix", SINGLE_SUFFIX, "tap-eloqua", "target-postgres",
                         env=run_env(postgres, emulator, SINGLE_SCHEMA))
    single_ended = datetime.now(timezone.utc)
    if single.returncode != 0:
        pytest.fail(single.failure(), pytrace=False)
    return {
        "split": split, "single": single,
        "split_window": (split_started, split_ended),
        "single_window": (single_started, single_ended),
        "split_tables": snapshot(postgres, DATABASE, SPLIT_SCHEMA),
        "single_tables": snapshot(postgres, DATABASE, SINGLE_SCHEMA),
        "source": {s: [dict(r) for r in store_records(emulator, s)]
                   for s in expected_streams(emulator)},
        "split_states": {x: meltano.state(state_id(x)) for x in JOBS.values()},
        "single_state": meltano.state(f"emulator:tap-eloqua-to-target-postgres:{SINGLE_SUFFIX}"),
    }


def test_the_jobs_ran_at_the_same_time_each_reading_only_its_streams(
        loads: dict[str, Any], emulator: EloquaEmulator):
    runs: dict[str, MeltanoRun] = loads["split"]
    for job, extractor in JOBS.items():
        counts = runs[job].record_counts(extractor)
        assert set(counts) == job_streams(extractor, emulator), job
        assert all(counts.values()), (job, counts)
    # concurrent for real: every run started before any of them ended
    assert max(s for s, _ in SPANS.values()) < min(e for _, e in SPANS.values())


def test_split_jobs_cover_every_stream_exactly_once(loads: dict[str, Any],
                                                    emulator: EloquaEmulator):
    selections = [job_streams(x, emulator) for x in JOBS.values()]
    assert sum(len(s) for s in selections) == len(set().union(*selections))
    assert set().union(*selections) == expected_streams(emulator)
    single_counts = loads["single"].record_counts("tap-eloqua")
    assert set(single_counts) == expected_streams(emulator)


def _rows(table: Table) -> dict[tuple[Any, ...], dict[str, Any]]:
    return {key: without_metadata(row) for key, row in table.by_key().items()}


def test_split_jobs_load_the_same_tables_and_rows_as_one_job(loads: dict[str, Any]):
    split, single = loads["split_tables"], loads["single_tables"]
    assert set(split) == set(single) == set(loads["source"])
    for name in sorted(single):
        assert split[name].columns == single[name].columns, name
        assert split[name].primary_key == single[name].primary_key, name
        assert len(split[name].rows) == len(single[name].rows), name
        assert _rows(split[name]) == _rows(single[name]), name
    problems = []
    for stream, records in sorted(loads["source"].items()):
        problems += mismatches(stream, split[stream], records)
    assert problems == [], "\n".join(problems[:40])


def test_every_job_has_its_own_state_id(meltano: Meltano):
    run = meltano.run("state", "list", "--pattern", "emulator:tap-eloqua*")
    assert run.returncode == 0, run.failure()
    listed = set(re.findall(r"^(emulator:\S+)", run.output, re.MULTILINE))
    assert {state_id(x) for x in JOBS.values()} <= listed, run.output[-2000:]


def _instant(bookmark: dict[str, Any]) -> datetime:
    return datetime.fromisoformat(str(bookmark["replication_key_value"]).replace("Z", "+00:00"))


def _newest(table: Table, column: str) -> datetime:
    values = [datetime.fromisoformat(r[column]) for r in table.rows if r[column] is not None]
    return max(v if v.tzinfo else v.replace(tzinfo=timezone.utc) for v in values)


def _check_bookmarks(bookmarks: dict[str, Any], tables: dict[str, Table],
                     window: tuple[datetime, datetime]) -> list[str]:
    """Each bookmark lies between its table's newest replicated value and the run's end."""
    problems = []
    ended = window[1]
    for stream, bookmark in bookmarks.items():
        value = _instant(bookmark)
        newest = _newest(tables[stream], bookmark["replication_key"])
        if not newest <= value <= ended:
            problems.append(f"{stream}: bookmark {value} is not between the newest "
                            f"{bookmark['replication_key']} {newest} and the run's end {ended}")
    return problems


def test_each_jobs_state_equals_the_single_jobs_state_for_its_streams(
        loads: dict[str, Any], emulator: EloquaEmulator):
    single = loads["single_state"]["singer_state"]["bookmarks"]
    assert set(single) == expected_streams(emulator)
    merged: dict[str, Any] = {}
    problems = []
    for extractor, state in loads["split_states"].items():
        bookmarks = state["singer_state"]["bookmarks"]
        # exactly its own streams: a state shared with another job would hold theirs too
        assert set(bookmarks) == job_streams(extractor, emulator), extractor
        merged.update(bookmarks)
        problems += _check_bookmarks(bookmarks, loads["split_tables"], loads["split_window"])
    assert set(merged) == set(single)
    for stream, bookmark in single.items():
        assert set(merged[stream]) == set(bookmark), stream
        assert merged[stream]["replication_key"] == bookmark["replication_key"], stream
        assert "eloqua_sync" not in merged[stream], stream  # no export left half read
    problems += _check_bookmarks(single, loads["single_tables"], loads["single_window"])
    assert problems == [], "\n".join(problems)


def test_no_export_definition_is_left_behind(loads: dict[str, Any], emulator: EloquaEmulator):
    assert emulator.live_definitions() == []


@pytest.fixture(scope="module")
def incremental(meltano: Meltano, postgres: Postgres, emulator: EloquaEmulator,
                loads: dict[str, Any], tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """Change a record of every job's streams, then run the split jobs together again, with
    OAuth through one shared token store."""
    for contact_id in UPDATED_CONTACTS:
        control(emulator, "update", {"kind": "contacts", "id": contact_id, "changes": {
            "C_FirstName": f"Changed {contact_id}"}})
    control(emulator, "update", {"kind": "accounts", "id": 3,
                                 "changes": {"M_CompanyName": "Renamed"}})
    co_stream, co_id = sorted(custom_object_streams(emulator).items())[0]
    first = sorted(r["Id"] for r in store_records(emulator, co_stream))[0]
    control(emulator, "update", {"kind": ["customObject", co_id], "id": first,
                                 "changes": {"ExternalId": "changed-by-test"}})
    opened = control(emulator, "add_activity", {"type": "EmailOpen", "values": {
        "ContactId": UPDATED_CONTACTS[0], "EmailAddress": "someone@example.com"}})
    time.sleep(0.01)  # the changes are older than the runs' window ends
    oauth = {  # TAP_ELOQUA_* reach every variant (inherit_from); OAuth wins over Basic
        "TAP_ELOQUA_CLIENT_ID": emulator.client_id,
        "TAP_ELOQUA_CLIENT_SECRET": emulator.client_secret,
        "TAP_ELOQUA_REFRESH_TOKEN": emulator.issue_refresh_token(),
        "TAP_ELOQUA_TOKEN_STORE_PATH": str(tmp_path_factory.mktemp("oauth") / "tokens.json"),
    }
    issued = len(emulator.auth.access)
    runs = run_jobs_together(meltano, postgres, emulator, oauth)
    return {
        "runs": runs, "refreshes": len(emulator.auth.access) - issued,
        "co_stream": co_stream, "co_record": first, "opened": opened,
        "tables": snapshot(postgres, DATABASE, SPLIT_SCHEMA),
        "source": {s: [dict(r) for r in store_records(emulator, s)]
                   for s in expected_streams(emulator)},
        "states": {x: meltano.state(state_id(x)) for x in JOBS.values()},
    }


def test_jobs_share_one_oauth_token_store_while_refreshing(incremental: dict[str, Any]):
    # every job ran to the end (run_jobs_together fails otherwise) and the rotations overlapped
    shortest = min(e - s for s, e in SPANS.values())
    assert incremental["refreshes"] >= len(JOBS) + 2, incremental["refreshes"]
    assert shortest > 2 * ACCESS_TOKEN_TTL, f"runs too short ({shortest:.1f} s) to overlap"
    for job in JOBS:
        assert "Refreshed the OAuth access token" in incremental["runs"][job].output, job


def test_second_concurrent_run_reads_exactly_the_changed_records(incremental: dict[str, Any]):
    counts: dict[str, int] = {}
    for job, extractor in JOBS.items():
        counts.update({s: n for s, n in incremental["runs"][job].record_counts(extractor).items()
                       if n})
    assert counts == {"contacts": len(UPDATED_CONTACTS), "accounts": 1,
                      incremental["co_stream"]: 1, "activity_email_open": 1}


def test_second_concurrent_run_upserts_without_duplicates(incremental: dict[str, Any],
                                                          loads: dict[str, Any]):
    tables = incremental["tables"]
    problems = []
    for stream, records in sorted(incremental["source"].items()):
        problems += mismatches(stream, tables[stream], records)  # also counts duplicate keys
    assert problems == [], "\n".join(problems[:40])
    before, after = loads["split_tables"], tables
    rewritten = {
        name: {key for key, row in after[name].by_key().items()
               if row["_sdc_batched_at"] != before[name].by_key().get(key, {}).get(
                   "_sdc_batched_at")}
        for name in after}
    assert {n: keys for n, keys in rewritten.items() if keys} == {
        "contacts": {(i,) for i in UPDATED_CONTACTS}, "accounts": {(3,)},
        incremental["co_stream"]: {(incremental["co_record"],)},
        "activity_email_open": {(incremental["opened"]["ExternalId"],)}}


def test_second_run_moves_every_bookmark_forward(incremental: dict[str, Any],
                                                 loads: dict[str, Any]):
    for extractor, state in incremental["states"].items():
        old = loads["split_states"][extractor]["singer_state"]["bookmarks"]
        new = state["singer_state"]["bookmarks"]
        assert set(new) == set(old), extractor
        for stream in new:
            assert _instant(new[stream]) > _instant(old[stream]), stream
