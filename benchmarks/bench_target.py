"""Throughput of target-eloqua loading contacts into the emulator (prints figures).

    python -m benchmarks.bench_target --records 100000

The input is tap-shaped: every contact field of the emulator plus the tap's system properties,
as RECORD lines written with orjson. The floor is the same file parsed line by line with orjson.
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

import orjson

from eloqua_emulator import EloquaEmulator, EmulatorConfig


def write_input(path: Path, emu: EloquaEmulator, count: int) -> None:
    fields = {f["internalName"]: f["dataType"] for f in emu.store.contact_fields}
    props = {name: {"type": ["string", "null"], "format": "date-time"} if kind == "date"
             else {"type": ["number", "null"]} if kind == "number"
             else {"type": ["boolean", "null"]} if kind == "boolean"
             else {"type": ["string", "null"]} for name, kind in fields.items()}
    props.update({"Id": {"type": ["integer"]}, "UpdatedAt": {"type": ["string", "null"],
                                                             "format": "date-time"},
                  "IsSubscribed": {"type": ["boolean", "null"]}})
    with path.open("wb") as out:
        out.write(orjson.dumps({"type": "SCHEMA", "stream": "contacts", "key_properties": ["Id"],
                                "schema": {"type": "object", "properties": props}}) + b"\n")
        for i in range(count):
            rec = {"Id": i + 1, "UpdatedAt": "2024-03-01T10:00:00+00:00", "IsSubscribed": True}
            for name, kind in fields.items():
                rec[name] = (f"bench{i}@example.com" if name == "C_EmailAddress"
                             else "2024-02-03T04:05:06+00:00" if kind == "date"
                             else i % 1000 if kind == "number" else i % 2 == 0
                             if kind == "boolean" else f"{name[:12]} value {i}")
            out.write(orjson.dumps({"type": "RECORD", "stream": "contacts", "record": rec,
                                    "time_extracted": "2024-03-01T10:00:00+00:00"}) + b"\n")
        out.write(b'{"type":"STATE","value":{"bookmarks":{"contacts":{"done":true}}}}\n')


def floor(path: Path) -> float:
    started = time.perf_counter()
    with path.open("rb") as src:
        for line in src:
            orjson.loads(line)
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--records", type=int, default=100_000)
    parser.add_argument("--batch-size-rows", type=int, default=None)
    args = parser.parse_args()
    emu = EloquaEmulator(EmulatorConfig(contacts=0, accounts=1, activities_per_type=0,
                                        custom_objects=0, sync_pending_seconds=0.0,
                                        sync_active_seconds=0.0)).start()
    try:
        with tempfile.TemporaryDirectory() as tmp:
            data = Path(tmp) / "records.singer"
            write_input(data, emu, args.records)
            config = Path(tmp) / "config.json"
            settings = {"login_url": emu.login_url, "site_name": emu.site_name,
                        "username": emu.username, "password": emu.password,
                        "poll_interval_max_seconds": 0.2,
                        "rejects_file": str(Path(tmp) / "rejects.jsonl")}
            if args.batch_size_rows:
                settings["batch_size_rows"] = args.batch_size_rows
            config.write_text(json.dumps(settings))
            started = time.perf_counter()
            with data.open("rb") as stdin:
                proc = subprocess.run([sys.executable, "-m", "target_eloqua", "--config",
                                       str(config)], stdin=stdin, capture_output=True,
                                      check=False)
            seconds = time.perf_counter() - started
            usage = resource.getrusage(resource.RUSAGE_CHILDREN)
            if proc.returncode:
                sys.stderr.write(proc.stderr.decode()[-3000:])
                raise SystemExit(1)
            loaded = len(emu.store.contacts)
            size = data.stat().st_size / 1e6
            base = floor(data)
            cpu = usage.ru_utime + usage.ru_stime
            print(f"target: {args.records} records ({size:.0f} MB) in {seconds:.2f} s wall "
                  f"({args.records / seconds:,.0f} records/s, most of it the in-process "
                  f"emulator applying rows), target CPU {cpu:.2f} s "
                  f"({args.records / cpu:,.0f} records per CPU second), peak RSS "
                  f"{usage.ru_maxrss / 1024:.0f} MB, {loaded} contacts in the emulator, "
                  f"{emu.import_syncs.count} syncs")
            print(f"floor (orjson.loads per line): {base:.2f} s "
                  f"({args.records / base:,.0f} records/s)")
    finally:
        emu.stop()


if __name__ == "__main__":
    main()
