"""Dagster definitions for meltano.yml's split jobs: eloqua-core, eloqua-activities and
eloqua-custom-objects run at the same time, each as `meltano run <job>` in its own process.

Meltano keeps its state in its system database. Point MELTANO_DATABASE_URI at PostgreSQL
(`postgresql+psycopg://user:password@host:5432/meltano`, `meltano[postgres]` has the driver) and
every worker, on any host, reads and writes the same bookmarks: each job resumes from its own
state ID. The first op brings that database up to date once (Meltano migrates it on first use,
and three processes migrating a new database at once would race), then the three jobs fan out
on the multiprocess executor.

Run once:  DAGSTER_HOME=$PWD/.dagster .dagster-venv/bin/dagster job execute \
               -f orchestration/dagster/definitions.py -j eloqua_split_jobs
Schedule:  .dagster-venv/bin/dagster dev -f orchestration/dagster/definitions.py (hourly)

Environment: MELTANO_BIN (default .meltano-venv/bin/meltano), ELOQUA_MELTANO_PROJECT (default
this repository), ELOQUA_DAGSTER_LOG_DIR (default output/dagster: each job's Meltano output in
<job>.log and its start, end and exit code in <job>.json), plus the TAP_ELOQUA_*,
TARGET_POSTGRES_* and MELTANO_* settings the jobs need.
"""

# no `from __future__ import annotations`: Dagster reads the `context` annotation at runtime

import json
import os
import subprocess
import time
from pathlib import Path
from typing import Any

from dagster import (
    Definitions,
    Failure,
    In,
    Nothing,
    OpDefinition,
    OpExecutionContext,
    ScheduleDefinition,
    job,
    multiprocess_executor,
    op,
)

SPLIT_JOBS = ("eloqua-core", "eloqua-activities", "eloqua-custom-objects")  # meltano.yml jobs


def _project() -> Path:
    return Path(os.environ.get("ELOQUA_MELTANO_PROJECT") or Path(__file__).resolve().parents[2])


def _meltano() -> str:
    return os.environ.get("MELTANO_BIN") or str(_project() / ".meltano-venv" / "bin" / "meltano")


def _log_dir() -> Path:
    path = Path(os.environ.get("ELOQUA_DAGSTER_LOG_DIR") or _project() / "output" / "dagster")
    path.mkdir(parents=True, exist_ok=True)
    return path


def _meltano_call(context: OpExecutionContext, name: str, *args: str) -> dict[str, Any]:
    """Run `meltano <args>` in the project; its output goes to <log dir>/<name>.log, and a
    failure fails the op with the output's last lines."""
    log_path = _log_dir() / f"{name}.log"
    started = time.time()
    context.log.info(f"{name}: meltano {' '.join(args)} (output: {log_path})")
    with log_path.open("w", encoding="utf-8") as log:
        code = subprocess.run([_meltano(), *args], cwd=_project(), stdout=log,
                              stderr=subprocess.STDOUT, check=False).returncode
    span = {"job": name, "started": started, "ended": time.time(), "returncode": code}
    (_log_dir() / f"{name}.json").write_text(json.dumps(span), encoding="utf-8")
    if code != 0:
        tail = log_path.read_text(encoding="utf-8", errors="replace")[-3000:]
        raise Failure(f"meltano {' '.join(args)} exited {code}", metadata={"output": tail})
    context.log.info(f"{name}: done in {span['ended'] - started:.1f} s")
    return span


@op(description="Create or migrate Meltano's system database (state) before the jobs start.")
def meltano_system_database(context: OpExecutionContext) -> None:
    _meltano_call(context, "system-database", "state", "list")


def meltano_job_op(meltano_job: str) -> OpDefinition:
    """An op running `meltano run <meltano_job>` once the system database is ready."""

    @op(name=meltano_job.replace("-", "_"), ins={"ready": In(Nothing)},
        description=f"meltano run {meltano_job}")
    def run_job(context: OpExecutionContext) -> dict[str, Any]:
        return _meltano_call(context, meltano_job, "run", meltano_job)

    return run_job


JOB_OPS = [meltano_job_op(name) for name in SPLIT_JOBS]


@job(executor_def=multiprocess_executor.configured({"max_concurrent": len(SPLIT_JOBS)}),
     description="meltano.yml's split Eloqua jobs, concurrently, after one system-database step.")
def eloqua_split_jobs() -> None:
    ready = meltano_system_database()
    for job_op in JOB_OPS:
        job_op(ready)


defs = Definitions(
    jobs=[eloqua_split_jobs],
    schedules=[ScheduleDefinition(job=eloqua_split_jobs, cron_schedule="0 * * * *")],
)
