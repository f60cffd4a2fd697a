"""tap-eloqua and target-eloqua benchmarks against the emulator, each figure beside its floor,
printed as ONE table at the end of one run (progress goes to stderr).

    python -m benchmarks.run            # (a)-(e)
    python -m benchmarks.run --only d   # one of them

Figures are whole-process: rows/s = rows / wall seconds of that process; CPU = user + system
seconds of that process (os.wait4); memory = its peak resident set size. Each emulator runs in
its own process on the same two cores, so it competes with the plugin and its floor alike.
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

from benchmarks import floor_target
from benchmarks.roundtrip import meltano_env, meltano_run, piped_run, proc_cpu

FIELDS_IN_SEED = 20  # contact fields the emulator seeds besides the extra ones


LOADS: list[float] = []


def note(text: str) -> None:
    LOADS.append(os.getloadavg()[0])
    print(f"{datetime.now(timezone.utc):%H:%M:%S} {text} (load {LOADS[-1]:.2f})", file=sys.stderr,
          flush=True)


class Emulator:
    """The emulator in its own process, so this one stays small (a forked child briefly
    counts its parent's memory as its own peak) and CPU use is attributed honestly."""

    def __init__(self, **settings: object) -> None:
        args = [sys.executable, "-m", "eloqua_emulator"]
        for key, value in settings.items():
            args += [f"--{key.replace('_', '-')}", str(value)]
        started = time.perf_counter()
        self.proc = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                                     text=True)
        assert self.proc.stdout is not None
        self.info = json.loads(self.proc.stdout.readline())
        self.seed_seconds = time.perf_counter() - started  # start, seed and listen

    def __getattr__(self, name: str) -> str:
        return str(self.info[name])

    def cpu(self) -> float:
        return proc_cpu(self.proc.pid) or 0.0

    def peak_mb(self) -> float | None:
        """The emulator's own peak RSS so far (Linux VmHWM), None where /proc cannot tell."""
        try:
            status = Path(f"/proc/{self.proc.pid}/status").read_text()
        except OSError:
            return None
        kb = next((line.split()[1] for line in status.splitlines()
                   if line.startswith("VmHWM:")), None)
        return int(kb) / 1024 if kb else None

    def stop(self) -> None:
        self.proc.terminate()
        self.proc.wait(timeout=60)


@dataclass
class Measure:
    seconds: float
    peak_mb: float
    lines: int
    cpu: float = 0.0


@dataclass
class Row:
    bench: str
    figure: str
    floor: str
    ratio: str
    goal: str


ROWS: list[Row] = []


def run_child(args: list[str], out: Path | None, stdin: Path | None = None) -> Measure:
    started = time.perf_counter()
    with (out or Path(os.devnull)).open("wb") as sink, \
            (stdin or Path(os.devnull)).open("rb") as source:
        proc = subprocess.Popen(args, stdin=source, stdout=sink, stderr=subprocess.PIPE)
        assert proc.stderr is not None
        err = proc.stderr.read()
        _, status, usage = os.wait4(proc.pid, 0)
    seconds = time.perf_counter() - started
    if status != 0:
        sys.stderr.write(err.decode()[-3000:])
        raise SystemExit(f"{args} failed")
    lines = 0
    if out:
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
    """The contacts export alone (and the one seeded account): the rows the tap floor reads."""
    return tap_config(emu, tmp, activity_types=[], custom_objects=["none"], rest_streams=[])


def contacts_emulator(rows: int, extra_fields: int = 0) -> Emulator:
    return Emulator(contacts=rows, accounts=1, activities_per_type=1, custom_objects=0,
                    shuffle_rows="false", extra_contact_fields=extra_fields,
                    sync_active_seconds=0.0)


def median(measures: list[Measure]) -> Measure:
    return sorted(measures, key=lambda m: m.seconds)[len(measures) // 2]


def pairs_note(floors: list[Measure], plugins: list[Measure]) -> str:
    """How the median was taken, and the spread of the pairs' time ratios (floor / plugin)."""
    if len(floors) == 1:
        return ""
    ratios = sorted(f.seconds / p.seconds for f, p in zip(floors, plugins, strict=True))
    return f" (median of {len(floors)} pairs run in turn, pairs {ratios[0]:.2f}-{ratios[-1]:.2f}x)"


def tap_and_floor(rows: int, columns: int, tmp: Path,
                  repeats: int) -> tuple[list[Measure], list[Measure]]:
    emu = contacts_emulator(rows, max(0, columns - FIELDS_IN_SEED))
    taps, floors = [], []
    try:
        config = contacts_only(emu, tmp)
        for _ in range(repeats):
            floors.append(run_child([sys.executable, "-m", "benchmarks.floor_tap", str(config)],
                                    tmp / "floor.jsonl"))
            taps.append(run_child([sys.executable, "-m", "tap_eloqua", "--config", str(config)],
                                  tmp / "tap.jsonl"))
    finally:
        emu.stop()
    for what, measure in (*(("floor", m) for m in floors), *(("tap", m) for m in taps)):
        if measure.lines < rows:
            raise SystemExit(f"the {what} wrote {measure.lines} lines for {rows} rows")
    return taps, floors


def bench_tap(rows: int, columns: int, tmp: Path, label: str, repeats: int) -> None:
    taps, floors = tap_and_floor(rows, columns, tmp, repeats)
    tap, floor = median(taps), median(floors)
    tap_rate, floor_rate = rows / tap.seconds, rows / floor.seconds
    tap_us = sorted(m.cpu for m in taps)[len(taps) // 2] / rows * 1e6
    floor_us = sorted(m.cpu for m in floors)[len(floors) // 2] / rows * 1e6
    ROWS.append(Row(f"{label} tap-eloqua throughput{pairs_note(floors, taps)}",
                    f"{tap_rate:,.0f} rows/s", f"{floor_rate:,.0f} rows/s",
                    f"{tap_rate / floor_rate:.2f}x", ">= 0.6x"))
    ROWS.append(Row(f"{label} tap-eloqua CPU per row (user+sys, medians)", f"{tap_us:.1f} µs",
                    f"{floor_us:.1f} µs", f"{tap_us / floor_us:.2f}x", "<= 1.1x"))
    ROWS.append(Row(f"{label} tap-eloqua peak RSS (the largest)",
                    f"{max(m.peak_mb for m in taps):.0f} MB",
                    f"{max(m.peak_mb for m in floors):.0f} MB", "", "<= 150 MB"))


def bench_memory(rows: int, tmp: Path, label: str, extra_fields: int = 0) -> None:
    emu = contacts_emulator(rows, extra_fields)
    note(f"{label} emulator started and seeded in {emu.seed_seconds:.1f} s, "
         f"{emu.peak_mb() or 0:,.0f} MB")
    try:
        tap = run_child([sys.executable, "-m", "tap_eloqua", "--config",
                         str(contacts_only(emu, tmp))], None)
        note(f"{label} tap {tap.seconds:.1f} s, {tap.cpu:.1f} CPU s, {tap.peak_mb:.0f} MB; "
             f"emulator peak {emu.peak_mb() or 0:,.0f} MB, {emu.cpu():.1f} CPU s")
    finally:
        emu.stop()
    ROWS.append(Row(f"{label} tap-eloqua peak RSS ({rows / tap.seconds:,.0f} rows/s)",
                    f"{tap.peak_mb:.0f} MB", "", "", "<= 150 MB"))


def bench_all_streams(prepare_seconds: float, tmp: Path) -> None:
    emu = Emulator(contacts=5000, accounts=500, activities_per_type=500,
                   custom_objects=4, custom_object_records=200,
                   slow_sync_seconds=prepare_seconds)
    try:
        # contacts (and accounts) beside the REST streams, which every run below has too
        single = run_child([sys.executable, "-m", "tap_eloqua", "--config",
                            str(tap_config(emu, tmp, activity_types=[],
                                           custom_objects=["none"]))], None)
        streams = 2 + 9 + 4
        runs = {}
        for label, extra in (("default", {}),
                             ("all at once", {"max_concurrent_syncs": streams,
                                              "max_concurrent_activity_syncs": 9})):
            runs[label] = run_child([sys.executable, "-m", "tap_eloqua", "--config",
                                     str(tap_config(emu, tmp, **extra))], None)
    finally:
        emu.stop()
    head = f"(c) {streams} streams, each sync prepared in {prepare_seconds:.0f} s"
    best = runs["all at once"].seconds
    ROWS.append(Row(f"{head}, max_concurrent_syncs {streams}", f"{best:.1f} s",
                    f"slowest single stream {single.seconds:.1f} s",
                    f"{best / single.seconds:.2f}x", "<= 1.3x"))
    # By default activity syncs run one after another (Oracle's advice): 9 of them cannot take
    # less than 9 preparations, whatever else overlaps.
    chain = 9 * prepare_seconds
    default = runs["default"].seconds
    ROWS.append(Row(f"{head}, defaults (1 activity sync at a time)", f"{default:.1f} s",
                    f"9 activity syncs x {prepare_seconds:.0f} s = {chain:.0f} s",
                    f"{default / chain:.2f}x", "<= 1.3x"))


def write_target_input(rows: int, tmp: Path) -> Path:
    from benchmarks.bench_target import write_input  # noqa: PLC0415 - needs an in-process store
    from eloqua_emulator import EloquaEmulator, EmulatorConfig  # noqa: PLC0415

    schema_source = EloquaEmulator(EmulatorConfig(contacts=0, accounts=1,
                                                  activities_per_type=0, custom_objects=0))
    data = tmp / "records.singer"
    write_input(data, schema_source, rows)
    return data


def bench_target(rows: int, tmp: Path, repeats: int) -> None:
    """target-eloqua and its floor load the same tap-shaped contacts into fresh emulators."""
    from target_eloqua.settings import BATCH_SIZE_ROWS  # noqa: PLC0415
    from target_eloqua.sinks import STAGE_ROWS  # noqa: PLC0415

    # the floor copies the target's defaults, so that it posts the same batches
    assert (floor_target.BATCH_SIZE_ROWS, floor_target.STAGE_ROWS) == (BATCH_SIZE_ROWS,
                                                                       STAGE_ROWS)
    data = write_target_input(rows, tmp)
    results: dict[str, list[tuple[Measure, float]]] = {"floor": [], "target": []}
    for _ in range(repeats):
        for label, module in (("floor", "benchmarks.floor_target"),
                              ("target", "target_eloqua")):
            emu = Emulator(contacts=0, accounts=1, activities_per_type=0, custom_objects=0,
                           sync_pending_seconds=0.0, sync_active_seconds=0.0)
            try:
                config = tap_config(emu, tmp, poll_interval_max_seconds=0.2,
                                    rejects_file=str(tmp / "rejects.jsonl"))
                args = [sys.executable, "-m", module, "--config", str(config)]
                if module.startswith("benchmarks"):
                    args = [sys.executable, "-m", module, str(config)]
                measure = run_child(args, None, stdin=data)
                results[label].append((measure, emu.cpu()))
            finally:
                emu.stop()
    targets, floors = [m for m, _ in results["target"]], [m for m, _ in results["floor"]]
    target, floor = median(targets), median(floors)
    target_emu = next(cpu for m, cpu in results["target"] if m is target)
    floor_emu = next(cpu for m, cpu in results["floor"] if m is floor)
    head = f"(d) target-eloqua, {rows:,} tap-shaped contacts"
    ROWS.append(Row(f"{head}: throughput{pairs_note(floors, targets)}",
                    f"{rows / target.seconds:,.0f} records/s",
                    f"{rows / floor.seconds:,.0f} records/s",
                    f"{floor.seconds / target.seconds:.2f}x", ">= 1.0x"))
    ROWS.append(Row(f"{head}: CPU of the median runs (their emulator's)",
                    f"{target.cpu:.1f} s ({target_emu:.1f} s)",
                    f"{floor.cpu:.1f} s ({floor_emu:.1f} s)", "", ""))
    ROWS.append(Row(f"{head}: peak RSS (the largest)",
                    f"{max(m.peak_mb for m in targets):.0f} MB",
                    f"{max(m.peak_mb for m in floors):.0f} MB", "", "one batch"))


def bench_roundtrip(rows: int, tmp: Path) -> None:
    source = contacts_emulator(rows)
    dest = Emulator(contacts=0, accounts=0, activities_per_type=0, custom_objects=0,
                    sync_pending_seconds=0.0, sync_active_seconds=0.0)
    try:
        env = meltano_env(source.info, dest.info, tmp)
        trip = meltano_run(env)
        emu_cpu = source.cpu() + dest.cpu()
    finally:
        source.stop()
        dest.stop()
    source = contacts_emulator(rows)
    dest = Emulator(contacts=0, accounts=0, activities_per_type=0, custom_objects=0,
                    sync_pending_seconds=0.0, sync_active_seconds=0.0)
    try:
        tap_cfg = tap_config(source, tmp, activity_types=[], custom_objects=["none"],
                             rest_streams=[], settle_lag_minutes=0.02,
                             poll_interval_max_seconds=1)
        target_cfg = tap_config(dest, tmp, poll_interval_max_seconds=1,
                                rejects_file=str(tmp / "pipe-rejects.jsonl"))
        pipe = piped_run(tap_cfg, target_cfg, {**os.environ, "PYTHONPATH": env["PYTHONPATH"]})
    finally:
        source.stop()
        dest.stop()
    for run, what in ((trip, "meltano run"), (pipe, "tap | target")):
        if run.imported != rows:
            raise SystemExit(f"{what}: {run.imported} contacts imported, expected {rows}")
    total = sum(trip.cpu.values()) + emu_cpu
    shares = " · ".join(f"{label} {cpu / total:.0%}" for label, cpu in (
        ("tap", trip.cpu.get("tap", 0.0)), ("target", trip.cpu.get("target", 0.0)),
        ("meltano", trip.cpu.get("runner", 0.0)), ("emulators", emu_cpu)))
    ROWS.append(Row(f"(e) `meltano run tap-eloqua target-eloqua`, {rows:,} contacts, emulator "
                    "to emulator", f"{trip.seconds:.1f} s = {rows / trip.seconds:,.0f} rows/s",
                    f"`tap \\| target` piped: {pipe.seconds:.1f} s",
                    f"{pipe.seconds / trip.seconds:.2f}x", ""))
    ROWS.append(Row(f"(e) each side's share of the run's {total:.0f} CPU s", shares,
                    f"piped: tap {pipe.cpu.get('tap', 0.0):.1f} s, target "
                    f"{pipe.cpu.get('target', 0.0):.1f} s", "", ""))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--only", choices=["a", "b", "c", "d", "e"])
    parser.add_argument("--rows", type=int, default=200_000)
    parser.add_argument("--big-rows", type=int, default=1_000_000)
    parser.add_argument("--wide-rows", type=int, default=20_000)
    parser.add_argument("--huge-rows", type=int, default=1_000_000,
                        help="rows of (b)'s peak RSS at 260 columns (0 leaves it out)")
    parser.add_argument("--prepare-seconds", type=float, default=5.0)
    parser.add_argument("--repeats", type=int, default=3,
                        help="pairs of (a), (b) 260 columns and (d), each floor then plugin")
    args = parser.parse_args()
    began = time.perf_counter()
    stamp = datetime.now(timezone.utc)
    with tempfile.TemporaryDirectory() as name:
        tmp = Path(name)
        if args.only in (None, "a"):
            note(f"(a) contacts, 60 columns, {args.rows:,} rows")
            bench_tap(args.rows, 60, tmp, f"(a) {args.rows:,} contacts x 60 columns:",
                      args.repeats)
        if args.only in (None, "b"):
            note(f"(b) contacts, {FIELDS_IN_SEED + 6} columns, {args.big_rows:,} rows; "
                 f"{args.wide_rows:,} and {args.huge_rows:,} rows x 260 columns")
            bench_memory(args.big_rows, tmp, f"(b) {args.big_rows:,} contacts x "
                         f"{FIELDS_IN_SEED + 6} columns:")
            bench_tap(args.wide_rows, 260, tmp, f"(b) {args.wide_rows:,} contacts x 260 "
                      "columns:", args.repeats)
            if args.huge_rows:
                bench_memory(args.huge_rows, tmp, f"(b) {args.huge_rows:,} contacts x 260 "
                             "columns:", 260 - FIELDS_IN_SEED)
        if args.only in (None, "c"):
            note(f"(c) every stream, each sync prepared for {args.prepare_seconds:.0f} s")
            bench_all_streams(args.prepare_seconds, tmp)
        if args.only in (None, "d"):
            note(f"(d) target-eloqua, {args.big_rows:,} tap-shaped contacts")
            bench_target(args.big_rows, tmp, args.repeats)
        if args.only in (None, "e"):
            note(f"(e) meltano run tap-eloqua target-eloqua, {args.rows:,} contacts")
            bench_roundtrip(args.rows, tmp)
    note("done")
    print(f"`python -m benchmarks.run`, {stamp:%Y-%m-%d %H:%M} UTC, "
          f"{platform.processor() or platform.machine()}, {os.cpu_count()} vCPU, "
          f"Python {platform.python_version()}, {time.perf_counter() - began:.0f} s; 1-minute "
          f"load average {min(LOADS):.2f}-{max(LOADS):.2f} at the benchmarks' starts")
    print()
    print("| benchmark | figure | floor | ratio | goal |")
    print("|---|---|---|---|---|")
    for row in ROWS:
        print(f"| {row.bench} | {row.figure} | {row.floor} | {row.ratio} | {row.goal} |")


if __name__ == "__main__":
    main()
