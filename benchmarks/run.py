"""tap-eloqua benchmarks against the emulator, each beside its floor, printing figures.

    python -m benchmarks.run            # (a) 200k x 60 columns, (b) 1M rows, (c) all streams,
                                        # (d) target-eloqua
    python -m benchmarks.run --only a   # one of them

Figures are whole-process: records/s = rows / wall seconds of that process; memory is the peak
resident set size of that process alone (os.wait4). The emulator runs in this process, so it
competes for the same two cores in every run alike.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

FIELDS_IN_SEED = 20  # contact fields the emulator seeds besides the extra ones


class Emulator:
    """The emulator in its own process, so this one stays small (a forked child briefly
    counts its parent's memory as its own peak) and CPU use is attributed honestly."""

    def __init__(self, **settings: object) -> None:
        args = [sys.executable, "-m", "eloqua_emulator"]
        for key, value in settings.items():
            args += [f"--{key.replace('_', '-')}", str(value)]
        self.proc = subprocess.Popen(args, stdout=subprocess.PIPE, text=True)
        assert self.proc.stdout is not None
        self.info = json.loads(self.proc.stdout.readline())

    def __getattr__(self, name: str) -> str:
        return str(self.info[name])

    def stop(self) -> None:
        self.proc.terminate()
        self.proc.wait(timeout=60)


@dataclass
class Measure:
    seconds: float
    peak_mb: float
    lines: int
    cpu: float = 0.0


def run_child(args: list[str], out: Path) -> Measure:
    started = time.perf_counter()
    with out.open("wb") as sink:
        proc = subprocess.Popen(args, stdout=sink, stderr=subprocess.PIPE)
        assert proc.stderr is not None
        err = proc.stderr.read()
        _, status, usage = os.wait4(proc.pid, 0)
    seconds = time.perf_counter() - started
    if status != 0:
        sys.stderr.write(err.decode()[-3000:])
        raise SystemExit(f"{args} failed")
    with out.open("rb") as handle:
        lines = sum(1 for _ in handle)
    return Measure(seconds, usage.ru_maxrss / 1024, lines, usage.ru_utime + usage.ru_stime)


def tap_config(emu: Emulator, tmp: Path, **extra: object) -> Path:
    config = {"login_url": emu.login_url, "site_name": emu.site_name,
              "username": emu.username, "password": emu.password,
              "start_date": "2024-01-01T00:00:00Z", "activity_lag_minutes": 0, **extra}
    path = tmp / f"config-{len(list(tmp.iterdir()))}.json"
    path.write_text(json.dumps(config))
    return path


def contacts_only(emu: Emulator, tmp: Path) -> Path:
    return tap_config(emu, tmp, activity_types=[], custom_objects=["none"])


def bench_throughput(rows: int, columns: int, tmp: Path) -> None:
    emu = Emulator(contacts=rows, accounts=1, activities_per_type=1,
                                        custom_objects=0, shuffle_rows="false",
                                        extra_contact_fields=max(0, columns - FIELDS_IN_SEED),
                                        sync_active_seconds=0.0)
    try:
        config = contacts_only(emu, tmp)
        floor = run_child([sys.executable, "-m", "benchmarks.floor_tap", str(config)],
                          tmp / "floor.jsonl")
        tap = run_child([sys.executable, "-m", "tap_eloqua", "--config", str(config)],
                        tmp / "tap.jsonl")
    finally:
        emu.stop()
    floor_rate, tap_rate = rows / floor.seconds, rows / tap.seconds
    print(f"  floor: {rows:,} rows in {floor.seconds:.2f} s = {floor_rate:,.0f} rows/s, "
          f"peak {floor.peak_mb:.0f} MB, CPU {floor.cpu:.1f} s")
    print(f"  tap:   {rows:,} rows in {tap.seconds:.2f} s = {tap_rate:,.0f} rows/s, "
          f"peak {tap.peak_mb:.0f} MB, CPU {tap.cpu:.1f} s")
    print(f"  tap / floor = {tap_rate / floor_rate:.2f}x (goal >= 0.6x)")


def bench_memory(rows: int, tmp: Path) -> None:
    emu = Emulator(contacts=rows, accounts=1, activities_per_type=1,
                                        custom_objects=0, shuffle_rows="false",
                                        sync_active_seconds=0.0)
    try:
        tap = run_child([sys.executable, "-m", "tap_eloqua", "--config",
                         str(contacts_only(emu, tmp))], tmp / "tap.jsonl")
    finally:
        emu.stop()
    print(f"  tap: {rows:,} rows in {tap.seconds:.1f} s ({rows / tap.seconds:,.0f} rows/s), "
          f"peak {tap.peak_mb:.0f} MB (goal <= 150 MB)")


def bench_all_streams(prepare_seconds: float, tmp: Path) -> None:
    emu = Emulator(contacts=5000, accounts=500, activities_per_type=500,
                                        custom_objects=4, custom_object_records=200,
                                        slow_sync_seconds=prepare_seconds)
    try:
        single = run_child([sys.executable, "-m", "tap_eloqua", "--config",
                            str(contacts_only(emu, tmp))], tmp / "one.jsonl")
        streams = 2 + 9 + 4
        runs = {}
        for label, extra in (("default (3 open, 1 activity)", {}),
                             ("all at once", {"max_concurrent_syncs": streams,
                                              "max_concurrent_activity_syncs": 9}),
                             ("one at a time", {"max_concurrent_syncs": 1})):
            runs[label] = run_child([sys.executable, "-m", "tap_eloqua", "--config",
                                     str(tap_config(emu, tmp, **extra))], tmp / "all.jsonl")
    finally:
        emu.stop()
    print(f"  slowest single stream (contacts, incl. accounts): {single.seconds:.1f} s")
    for label, measure in runs.items():
        print(f"  all {streams} streams, {label}: {measure.seconds:.1f} s = "
              f"{measure.seconds / single.seconds:.2f}x the single stream (goal <= 1.3x)")
    # By default activity syncs run one after another (Oracle's advice): 9 of them cannot take
    # less than 9 preparations, whatever else overlaps.
    chain = 9 * prepare_seconds
    default = runs["default (3 open, 1 activity)"].seconds
    print(f"  default vs its minimum with activity syncs one after another (9 x "
          f"{prepare_seconds:.0f} s = {chain:.0f} s): {default / chain:.2f}x")


def bench_target(rows: int, tmp: Path) -> None:
    """target-eloqua and its floor load the same tap-shaped contacts into fresh emulators."""
    from benchmarks.bench_target import write_input  # noqa: PLC0415 - needs an in-process store
    from eloqua_emulator import EloquaEmulator, EmulatorConfig  # noqa: PLC0415

    schema_source = EloquaEmulator(EmulatorConfig(contacts=0, accounts=1,
                                                  activities_per_type=0, custom_objects=0))
    data = tmp / "records.singer"
    write_input(data, schema_source, rows)
    results = {}
    for label, module in (("floor", "benchmarks.floor_target"), ("target", "target_eloqua")):
        emu = Emulator(contacts=0, accounts=1, activities_per_type=0, custom_objects=0,
                       sync_pending_seconds=0.0, sync_active_seconds=0.0)
        try:
            config = tap_config(emu, tmp, poll_interval_max_seconds=0.2,
                                rejects_file=str(tmp / "rejects.jsonl"))
            args = [sys.executable, "-m", module, "--config", str(config)]
            if module.startswith("benchmarks"):
                args = [sys.executable, "-m", module, str(config)]
            started = time.perf_counter()
            with data.open("rb") as stdin:
                proc = subprocess.Popen(args, stdin=stdin, stdout=subprocess.DEVNULL,
                                        stderr=subprocess.PIPE)
                assert proc.stderr is not None
                err = proc.stderr.read()
                _, status, usage = os.wait4(proc.pid, 0)
            if status:
                sys.stderr.write(err.decode()[-3000:])
                raise SystemExit(f"{module} failed")
            results[label] = (time.perf_counter() - started, usage.ru_utime + usage.ru_stime,
                              usage.ru_maxrss / 1024)
        finally:
            emu.stop()
    for label, (seconds, cpu, peak) in results.items():
        print(f"  {label}: {rows:,} records in {seconds:.2f} s = {rows / seconds:,.0f} records/s,"
              f" CPU {cpu:.1f} s, peak {peak:.0f} MB")
    ratio = results["floor"][0] / results["target"][0]
    print(f"  target / floor = {ratio:.2f}x (goal >= 0.5x)")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--only", choices=["a", "b", "c", "d"])
    parser.add_argument("--rows", type=int, default=200_000)
    parser.add_argument("--big-rows", type=int, default=1_000_000)
    parser.add_argument("--prepare-seconds", type=float, default=5.0)
    args = parser.parse_args()
    print(f"# tap-eloqua benchmarks, {datetime.now(timezone.utc):%Y-%m-%d %H:%M} UTC, "
          f"{platform.processor() or platform.machine()}, {os.cpu_count()} cores, "
          f"Python {platform.python_version()}")
    with tempfile.TemporaryDirectory() as name:
        tmp = Path(name)
        if args.only in (None, "a"):
            print(f"(a) contacts, 60 columns, {args.rows:,} rows")
            bench_throughput(args.rows, 60, tmp)
        if args.only in (None, "b"):
            print(f"(b) contacts, {FIELDS_IN_SEED + 6} columns, {args.big_rows:,} rows")
            bench_memory(args.big_rows, tmp)
        if args.only in (None, "c"):
            print(f"(c) every stream, each sync prepared for {args.prepare_seconds:.0f} s")
            bench_all_streams(args.prepare_seconds, tmp)
        if args.only in (None, "d"):
            print(f"(d) target-eloqua, {args.rows:,} tap-shaped contacts into the emulator")
            bench_target(args.rows, tmp)


if __name__ == "__main__":
    main()
