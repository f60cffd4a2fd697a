"""Throughput of tap-eloqua on a large contacts export from the emulator (prints figures).

    python -m benchmarks.bench_tap --contacts 200000
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from eloqua_emulator import EloquaEmulator, EmulatorConfig


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--contacts", type=int, default=200_000)
    parser.add_argument("--page-size", type=int, default=50_000)
    args = parser.parse_args()
    began = time.perf_counter()
    emu = EloquaEmulator(EmulatorConfig(contacts=args.contacts, accounts=1,
                                        activities_per_type=1, custom_objects=0,
                                        sync_active_seconds=0.0, shuffle_rows=False))
    emu.start()
    print(f"emulator seeded {args.contacts} contacts in {time.perf_counter() - began:.1f} s")
    try:
        with tempfile.TemporaryDirectory() as tmp:
            config = Path(tmp) / "config.json"
            config.write_text(json.dumps({
                "login_url": emu.login_url, "site_name": emu.site_name,
                "username": emu.username, "password": emu.password,
                "start_date": "2024-01-01T00:00:00Z", "activity_types": [],
                "rest_streams": [], "page_size": args.page_size}))
            out = Path(tmp) / "out.jsonl"
            started = time.perf_counter()
            with out.open("wb") as sink:
                proc = subprocess.run(
                    [sys.executable, "-m", "tap_eloqua", "--config", str(config)],
                    stdout=sink, stderr=subprocess.PIPE, check=False)
            seconds = time.perf_counter() - started
            usage = resource.getrusage(resource.RUSAGE_CHILDREN)
            if proc.returncode:
                sys.stderr.write(proc.stderr.decode()[-3000:])
                raise SystemExit(1)
            lines = sum(1 for _ in out.open("rb"))
            size = out.stat().st_size / 1e6
            print(f"tap: {lines} lines, {size:.0f} MB in {seconds:.2f} s wall "
                  f"({args.contacts / seconds:,.0f} records/s), tap CPU "
                  f"{usage.ru_utime + usage.ru_stime:.2f} s, "
                  f"peak RSS {usage.ru_maxrss / 1024:.0f} MB")
    finally:
        emu.stop()


if __name__ == "__main__":
    main()
