"""Real pipelines for the tests: a throwaway PostgreSQL server and `meltano run` in this project.

Nothing here skips. A missing PostgreSQL or Meltano is an error that says how to install it
(`.ci/run` and `bash demo/install` do).
"""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
INSTALL_HINT = "run `bash demo/install` (or `bash .ci/run`) first"


class PipelineSetupError(RuntimeError):
    """A tool the pipeline tests need is missing; the message says how to get it."""


# ---- PostgreSQL ---------------------------------------------------------------------------------

def postgres_bindir() -> Path:
    """The directory holding initdb, pg_ctl and psql: $PG_BIN, `pg_config --bindir`, or the
    newest /usr/lib/postgresql/<version>/bin (Debian's layout)."""
    candidates: list[Path] = []
    if os.environ.get("PG_BIN"):
        candidates.append(Path(os.environ["PG_BIN"]))
    pg_config = shutil.which("pg_config")
    if pg_config:
        out = subprocess.run([pg_config, "--bindir"], capture_output=True, text=True, check=False)
        if out.returncode == 0:
            candidates.append(Path(out.stdout.strip()))

    def version(path: Path) -> tuple[int, ...]:
        return tuple(int(p) for p in re.findall(r"\d+", path.parent.name))

    candidates += sorted(Path("/usr/lib/postgresql").glob("*/bin"), key=version, reverse=True)
    for path in candidates:
        if all((path / tool).exists() for tool in ("initdb", "pg_ctl", "postgres", "psql")):
            return path
    raise PipelineSetupError(
        "PostgreSQL server binaries (initdb, pg_ctl, postgres, psql) were not found in $PG_BIN, "
        "`pg_config --bindir` or /usr/lib/postgresql/*/bin. Install them: "
        "`sudo apt-get install -y postgresql` (Debian/Ubuntu), or " + INSTALL_HINT + ".")


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class Postgres:
    """A PostgreSQL server on 127.0.0.1 that lives in a temporary directory."""

    bindir: Path
    port: int
    user: str = "postgres"
    password: str = "pipeline-Pa55"
    host: str = "127.0.0.1"
    _env: dict[str, str] = field(default_factory=dict)

    def psql(self, sql: str, database: str = "postgres") -> str:
        """Run SQL with psql (-At: unaligned, tuples only); raise with psql's error on failure."""
        proc = subprocess.run(
            [str(self.bindir / "psql"), "-X", "-At", "-v", "ON_ERROR_STOP=1", "-h", self.host,
             "-p", str(self.port), "-U", self.user, "-d", database, "-c", sql],
            capture_output=True, text=True, check=False, timeout=120,
            env={**os.environ, "PGPASSWORD": self.password, "PGCONNECT_TIMEOUT": "10"})
        if proc.returncode != 0:
            raise RuntimeError(f"psql failed: {proc.stderr.strip()}\nSQL: {sql}")
        return proc.stdout

    def query(self, sql: str, database: str) -> list[dict[str, Any]]:
        """Rows of `sql` as dicts, through row_to_json (timestamps as ISO text, numbers as JSON
        numbers)."""
        out = self.psql(f"SELECT coalesce(json_agg(q), '[]'::json) FROM ({sql}) AS q", database)
        rows: list[dict[str, Any]] = json.loads(out)
        return rows

    def create_database(self, name: str) -> str:
        self.psql(f'DROP DATABASE IF EXISTS "{name}"')
        self.psql(f'CREATE DATABASE "{name}"')
        return name

    def url(self, database: str) -> str:
        return f"postgresql://{self.user}:{self.password}@{self.host}:{self.port}/{database}"


def _as_postgres_user(cmd: list[str]) -> list[str]:
    """initdb and postgres refuse to run as root: run them as the `postgres` account then."""
    if os.geteuid() != 0:
        return cmd
    runuser = shutil.which("runuser")
    if runuser is None:
        raise PipelineSetupError("running as root needs `runuser` (util-linux) to start "
                                 "PostgreSQL as the postgres user")
    return [runuser, "-u", "postgres", "--", *cmd]


@contextmanager
def postgres_server() -> Iterator[Postgres]:
    """initdb into a temporary directory, start on a free loopback port, stop and delete after.

    Host connections need the password (scram-sha-256), as a real server's would; fsync is off
    because the data is thrown away.
    """
    bindir = postgres_bindir()
    if os.geteuid() == 0:
        try:
            import pwd  # noqa: PLC0415 - POSIX only

            pg_account = pwd.getpwnam("postgres")
        except KeyError:
            raise PipelineSetupError("running as root needs a `postgres` account (the Debian "
                                     "package creates it): " + INSTALL_HINT) from None
    base = Path(tempfile.mkdtemp(prefix="eloqua-pipeline-pg-"))
    data, sockets = base / "data", base / "sock"
    sockets.mkdir()
    server = Postgres(bindir=bindir, port=free_port())
    pwfile = base / "pwfile"
    pwfile.write_text(server.password + "\n", encoding="utf-8")
    if os.geteuid() == 0:
        for path in (base, sockets, pwfile):
            os.chown(path, pg_account.pw_uid, pg_account.pw_gid)
    log = base / "server.log"
    try:
        init = subprocess.run(
            _as_postgres_user([str(bindir / "initdb"), "-D", str(data), "-U", server.user,
                               "--pwfile", str(pwfile), "--auth-local=trust",
                               "--auth-host=scram-sha-256", "-E", "UTF8", "--locale=C.UTF-8",
                               "--no-sync"]),
            capture_output=True, text=True, check=False, timeout=300)
        if init.returncode != 0:
            raise PipelineSetupError(f"initdb failed: {init.stderr.strip() or init.stdout}")
        options = (f"-c listen_addresses=127.0.0.1 -p {server.port} -k {sockets} "
                   "-c fsync=off -c synchronous_commit=off -c full_page_writes=off "
                   "-c max_connections=50")
        start = subprocess.run(
            _as_postgres_user([str(bindir / "pg_ctl"), "-D", str(data), "-l", str(log), "-w",
                               "-t", "60", "-o", options, "start"]),
            capture_output=True, text=True, check=False, timeout=120)
        if start.returncode != 0:
            text = log.read_text(encoding="utf-8", errors="replace") if log.exists() else ""
            raise PipelineSetupError(f"PostgreSQL did not start: {start.stderr.strip()}\n{text}")
        server.psql("SELECT 1")
        yield server
    finally:
        if (data / "postmaster.pid").exists():
            subprocess.run(_as_postgres_user([str(bindir / "pg_ctl"), "-D", str(data), "-m",
                                              "fast", "-w", "stop"]),
                           capture_output=True, check=False, timeout=120)
        shutil.rmtree(base, ignore_errors=True)


# ---- Meltano ------------------------------------------------------------------------------------

def meltano_executable() -> str:
    """$MELTANO_BIN, this project's .meltano-venv, or `meltano` on PATH."""
    for candidate in (os.environ.get("MELTANO_BIN"), str(ROOT / ".meltano-venv/bin/meltano"),
                      shutil.which("meltano")):
        if candidate and Path(candidate).exists():
            return candidate
    raise PipelineSetupError("Meltano was not found ($MELTANO_BIN, .meltano-venv/bin/meltano or "
                             "PATH): " + INSTALL_HINT + ".")


@dataclass
class MeltanoRun:
    args: list[str]
    returncode: int
    output: str
    seconds: float

    def record_counts(self, plugin: str = "tap-eloqua") -> dict[str, int]:
        """Records `plugin` wrote per stream, from the SDK's `record_count` METRIC log lines."""
        counts: dict[str, int] = {}
        pattern = re.compile(r"\]\s+" + re.escape(plugin) + r"\s+METRIC: (\{.*\})\s*$")
        for line in self.output.splitlines():
            match = pattern.search(line)
            if match is None:
                continue
            metric = json.loads(match.group(1))
            stream = metric.get("tags", {}).get("stream")
            if metric.get("metric") == "record_count" and stream:
                counts[stream] = counts.get(stream, 0) + int(metric["value"])
        return counts

    def failure(self) -> str:
        return (f"`meltano {' '.join(self.args)}` exited {self.returncode} after "
                f"{self.seconds:.0f} s; last output:\n{self.output[-6000:]}")


@dataclass
class Meltano:
    """`meltano` in this project, with a private system directory in `workdir`.

    The system database (state) and the run directory (`.meltano/run/<plugin>`, which Meltano
    empties at every invocation) are private, so test sessions running at the same time in one
    checkout cannot clobber each other; the plugin virtualenvs are shared with the project's
    `.meltano/` through symlinks, so plugins are installed once (`meltano install`).
    """

    executable: str
    workdir: Path
    env: dict[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        sys_dir = self.workdir / "sysdir"
        sys_dir.mkdir(parents=True, exist_ok=True)
        for plugin_type in ("extractors", "loaders"):
            shared = ROOT / ".meltano" / plugin_type
            shared.mkdir(parents=True, exist_ok=True)
            link = sys_dir / plugin_type
            if not link.exists():
                link.symlink_to(shared, target_is_directory=True)

    def run(self, *args: str, env: Mapping[str, str] | None = None,
            timeout: float = 900) -> MeltanoRun:
        full_env = {**os.environ, **self.base_env(), **self.env, **(env or {})}
        started = time.monotonic()
        proc = subprocess.Popen([self.executable, *args], cwd=ROOT, env=full_env,
                                stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                                start_new_session=True)
        try:
            output, _ = proc.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGTERM)
            output, _ = proc.communicate()
            output += f"\n[killed after {timeout} s]"
        return MeltanoRun(list(args), proc.returncode, output, time.monotonic() - started)

    def base_env(self) -> dict[str, str]:
        return {
            "MELTANO_SYS_DIR_ROOT": str(self.workdir / "sysdir"),
            "MELTANO_DATABASE_URI": f"sqlite:///{self.workdir / 'meltano.db'}",
            "MELTANO_SEND_ANONYMOUS_USAGE_STATS": "false",
            "MELTANO_PROJECT_READONLY": "false",
            "MELTANO_CLI_LOG_LEVEL": "info",
            "NO_COLOR": "1",
        }

    def state(self, state_id: str) -> dict[str, Any]:
        run = self.run("state", "get", state_id)
        if run.returncode != 0:
            raise RuntimeError(run.failure())
        match = re.search(r"^\{.*\}\s*$", run.output, re.MULTILINE)
        if match is None:
            raise RuntimeError(f"no state JSON in: {run.output[-2000:]}")
        state: dict[str, Any] = json.loads(match.group(0))
        return state


def python_for_plugin(plugin_type: str, name: str) -> Path:
    """The interpreter of a Meltano-installed plugin (e.g. target-duckdb's, which has duckdb)."""
    return ROOT / ".meltano" / plugin_type / name / "venv" / "bin" / "python"


def emulator_env(emu: Any, *, rest: bool = False) -> dict[str, str]:
    """Point both Eloqua plugins of the `emulator` environment at this emulator instance.

    Without `rest`, tap-eloqua's REST streams (on by default) are off: these pipelines compare
    the Bulk tables value by value; test_pipeline_dagster runs with them."""
    return {
        **({} if rest else {"TAP_ELOQUA_REST_STREAMS": "[]"}),
        "MELTANO_ENVIRONMENT": "emulator",
        "TAP_ELOQUA_LOGIN_URL": emu.login_url,
        "TAP_ELOQUA_SITE_NAME": emu.site_name,
        "TAP_ELOQUA_USERNAME": emu.username,
        "TAP_ELOQUA_PASSWORD": emu.password,
        "TARGET_ELOQUA_LOGIN_URL": emu.login_url,
        "TARGET_ELOQUA_SITE_NAME": emu.site_name,
        "TARGET_ELOQUA_USERNAME": emu.username,
        "TARGET_ELOQUA_PASSWORD": emu.password,
    }


def postgres_env(prefix: str, server: Postgres, database: str) -> dict[str, str]:
    """TARGET_POSTGRES_* / TAP_POSTGRES_* settings for one database of `server`."""
    return {
        f"{prefix}_HOST": server.host,
        f"{prefix}_PORT": str(server.port),
        f"{prefix}_USER": server.user,
        f"{prefix}_PASSWORD": server.password,
        f"{prefix}_DATABASE": database,
    }


if __name__ == "__main__":  # a manual check: start a server, print how to reach it, wait
    with postgres_server() as pg:
        print(pg.url("postgres"), flush=True)
        try:
            signal.pause()
        except KeyboardInterrupt:
            sys.exit(0)
