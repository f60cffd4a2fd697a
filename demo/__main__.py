"""The demo: Eloqua emulator -> `meltano run tap-eloqua target-duckdb` -> a local DuckDB file.

    bash demo/run                  # or: .venv/bin/python -m demo
    bash demo/run --keep-running   # leave the emulator up at the end until Ctrl-C

1. starts the bundled Eloqua emulator (seeded data, loopback, free ports) in this process;
2. runs `meltano --environment=emulator run tap-eloqua target-duckdb` (full refresh) and prints
   the tables and their row counts;
3. changes a few records through the emulator's control API (`/_emulator/update`, `/add`,
   `/add_activity`), runs the same pipeline again (incremental) and shows what it moved;
4. stops the emulator. Nothing is left running; the DuckDB file stays in output/.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from typing import Any

from eloqua_emulator import EloquaEmulator, EmulatorConfig

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_DB = ROOT / "output" / "eloqua-emulator.duckdb"
CHANGED_CONTACTS = (3, 17, 250)


def shown(path: Path) -> str:
    """A path relative to the repository when it is inside it."""
    try:
        return str(path.relative_to(ROOT))
    except ValueError:
        return str(path)


class DemoError(RuntimeError):
    """A failed step, with what to do about it."""


def meltano_executable() -> str:
    for candidate in (os.environ.get("MELTANO_BIN"), str(ROOT / ".meltano-venv/bin/meltano"),
                      shutil.which("meltano")):
        if candidate and Path(candidate).exists():
            return candidate
    raise DemoError("Meltano is not installed: run `bash demo/install` first.")


def control(emu: EloquaEmulator, name: str, body: dict[str, Any]) -> Any:
    """POST to the emulator's control API, as any other process could."""
    request = urllib.request.Request(
        f"{emu.base_url}/_emulator/{name}", data=json.dumps(body).encode(), method="POST",
        headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=30) as response:
        return json.loads(response.read())


def meltano_run(label: str, args: list[str], env: dict[str, str], log: Path) -> str:
    """Run meltano, its log to `log`; every few seconds a line with the rows extracted so far."""
    cmd = [meltano_executable(), "--environment=emulator", "run", "--state-id-suffix", "demo",
           *args, "tap-eloqua", "target-duckdb"]
    command = " ".join(["meltano", *cmd[1:]])
    print(f"== {label}: {command}", flush=True)
    started = last = time.monotonic()
    lines: list[str] = []
    rows = 0
    with subprocess.Popen(cmd, cwd=ROOT, env={**os.environ, **env}, stdout=subprocess.PIPE,
                          stderr=subprocess.STDOUT, text=True) as proc:
        assert proc.stdout is not None
        for line in proc.stdout:
            lines.append(line)
            rows += sum(extracted(line).values())
            if time.monotonic() - last >= 3:
                last = time.monotonic()
                print(f"   ... {last - started:.0f} s, {rows} rows extracted so far", flush=True)
    output = "".join(lines)
    log.write_text(output, encoding="utf-8")
    if proc.returncode != 0:
        tail = "\n".join(output.splitlines()[-25:])
        raise DemoError(f"meltano exited with {proc.returncode} (full log: {log}):\n{tail}")
    print(f"   done in {time.monotonic() - started:.0f} s, {rows} rows extracted "
          f"(log: {shown(log)})", flush=True)
    return output


def extracted(output: str) -> dict[str, int]:
    """Rows per stream the tap wrote, from the SDK's record_count metrics in Meltano's log."""
    counts: dict[str, int] = {}
    for line in output.splitlines():
        if " tap-eloqua " not in line or "METRIC: " not in line:
            continue
        metric = json.loads(line.split("METRIC: ", 1)[1])
        stream = metric.get("tags", {}).get("stream")
        if metric.get("metric") == "record_count" and stream:
            counts[stream] = counts.get(stream, 0) + int(metric["value"])
    return counts


def duckdb_summary(path: Path, *queries: str) -> dict[str, Any]:
    python = ROOT / ".meltano/loaders/target-duckdb/venv/bin/python"
    if not python.exists():
        raise DemoError("target-duckdb is not installed: run `bash demo/install` first.")
    proc = subprocess.run([str(python), str(ROOT / "demo/duckdb_summary.py"), str(path),
                           *queries], capture_output=True, text=True, check=False)
    if proc.returncode != 0:
        raise DemoError(f"reading {path} failed: {proc.stderr.strip()}")
    result: dict[str, Any] = json.loads(proc.stdout)
    return result


def print_counts(counts: dict[str, int], before: dict[str, int] | None = None) -> None:
    width = max(len(name) for name in counts)
    print(f"   {'table':<{width}}  {'rows':>6}" + ("  change" if before else ""))
    for name, rows in counts.items():
        line = f"   {name:<{width}}  {rows:>6}"
        if before is not None:
            diff = rows - before.get(name, 0)
            line += f"  {diff:+d}" if diff else ""
        print(line)
    print(f"   {len(counts)} tables, {sum(counts.values())} rows")


def change_records(emu: EloquaEmulator) -> None:
    print("== changing data in the emulator through its control API (/_emulator/...)")
    for contact_id in CHANGED_CONTACTS:
        control(emu, "update", {"kind": "contacts", "id": contact_id,
                                "changes": {"C_FirstName": f"Renamed-{contact_id}",
                                            "C_Lead_Score1": 99}})
    new_id = control(emu, "add", {"kind": "contacts", "values": {
        "C_EmailAddress": "new.person@example.com", "C_FirstName": "New", "C_LastName": "Person"}})
    control(emu, "add_activity", {"type": "EmailOpen", "values": {
        "ContactId": new_id["id"], "EmailAddress": "new.person@example.com"}})
    print(f"   updated contacts {', '.join(map(str, CHANGED_CONTACTS))} (first name, lead "
          f"score); added contact {new_id['id']} and one EmailOpen activity")


def demo(db_path: Path, keep_running: bool) -> None:
    db_path.parent.mkdir(parents=True, exist_ok=True)
    for stale in (db_path, db_path.with_name(db_path.name + ".wal")):
        stale.unlink(missing_ok=True)
    meltano_executable()  # fail early with the install hint
    config = EmulatorConfig(seed=7)
    emu = EloquaEmulator(config).start()
    try:
        print(f"== Eloqua emulator on {emu.login_url} (login) and {emu.base_url} (Bulk API): "
              f"{config.contacts} contacts, {config.accounts} accounts, 9 activity types x "
              f"{config.activities_per_type}, {config.custom_objects} custom objects x "
              f"{config.custom_object_records}")
        env = {
            "TAP_ELOQUA_LOGIN_URL": emu.login_url,
            "TARGET_DUCKDB_FILEPATH": str(db_path),
            "MELTANO_SEND_ANONYMOUS_USAGE_STATS": "false",
        }
        logs = db_path.parent
        meltano_run("run 1 (full)", ["--full-refresh"], env, logs / "demo-run-1.log")
        first = duckdb_summary(db_path)["tables"]
        print_counts(first)

        change_records(emu)
        output = meltano_run("run 2 (incremental)", [], env, logs / "demo-run-2.log")
        moved = {s: n for s, n in extracted(output).items() if n}
        print("   extracted this time: " + ", ".join(f"{s} {n}" for s, n in sorted(moved.items()))
              + f" (the other {len(extracted(output)) - len(moved)} streams: 0 rows)")
        ids = ", ".join(map(str, CHANGED_CONTACTS))
        second = duckdb_summary(
            db_path,
            "SELECT id, c_firstname, c_lead_score1, updatedat FROM eloqua.contacts "
            f"WHERE id IN ({ids}) OR c_firstname = 'New' ORDER BY id",
            "SELECT count(*) - count(DISTINCT id) AS duplicate_ids FROM eloqua.contacts")
        print_counts(second["tables"], first)
        changed = second["queries"][0]
        print("   changed rows in eloqua.contacts:")
        print("     " + " | ".join(changed["columns"]))
        for row in changed["rows"]:
            print("     " + " | ".join(str(v) for v in row))
        duplicates = second["queries"][1]["rows"][0][0]
        print(f"   duplicate contact ids after the upsert: {duplicates}")
        print(f"== DuckDB file: {shown(db_path)}")
        print("   look inside: .meltano/loaders/target-duckdb/venv/bin/python "
              f"demo/duckdb_summary.py {shown(db_path)} 'SELECT * FROM eloqua.accounts LIMIT 3'")
        if keep_running:
            print("== the emulator keeps running (Ctrl-C stops it); meltano's emulator "
                  f"environment reaches it with TAP_ELOQUA_LOGIN_URL={emu.login_url}")
            while True:
                time.sleep(3600)
    except KeyboardInterrupt:
        pass
    finally:
        emu.stop()
        print("== emulator stopped; nothing is left running")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="bash demo/run", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--duckdb", type=Path, default=DEFAULT_DB,
                        help=f"DuckDB file to (re)create (default {shown(DEFAULT_DB)})")
    parser.add_argument("--keep-running", action="store_true",
                        help="leave the emulator up at the end until Ctrl-C")
    args = parser.parse_args(argv)
    try:
        demo(args.duckdb.resolve(), args.keep_running)
    except DemoError as exc:
        print(f"demo failed: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
