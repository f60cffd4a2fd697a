"""Run the emulator in the foreground: `eloqua-emulator --help` (or `python -m eloqua_emulator`).

Prints one JSON line (URLs, Basic credentials, OAuth client, a fresh refresh token) once it
serves, and serves until SIGINT/SIGTERM. Data lives in memory: every start seeds the same
records for the same --seed and sizes.
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import sys
import threading
from dataclasses import fields
from pathlib import Path
from typing import Any

from .config import EmulatorConfig
from .emulator import EloquaEmulator
from .faults import KINDS

SIZE_OPTIONS = ("seed", "contacts", "accounts", "activities_per_type", "custom_objects",
                "custom_object_records", "extra_contact_fields", "rest_forms",
                "rest_submissions_per_form", "rest_extra_visitors", "events", "event_records")
START_DATE = "2024-01-01T00:00:00Z"  # before every seeded record


def _bool(text: str) -> bool:
    return text.lower() in ("1", "true", "yes")


def _kinds(text: str) -> tuple[str, ...]:
    kinds = tuple(k.strip() for k in text.split(",") if k.strip())
    bad = sorted(set(kinds) - set(KINDS))
    if bad or not kinds:
        raise argparse.ArgumentTypeError(f"unknown fault kinds {bad}; choose from {list(KINDS)}")
    return kinds


def _rate(text: str) -> float:
    rate = float(text)
    if not 0.0 <= rate <= 1.0:
        raise argparse.ArgumentTypeError("the fault rate is a fraction between 0 and 1")
    return rate


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    p = argparse.ArgumentParser(prog="eloqua-emulator", description=__doc__,
                                formatter_class=argparse.ArgumentDefaultsHelpFormatter)
    net = p.add_argument_group("listeners")
    net.add_argument("--host", default="127.0.0.1", help="address both listeners bind")
    net.add_argument("--port-login", type=int, default=0,
                     help="login listener port (tap login_url; 0 = any free port)")
    net.add_argument("--port-pod", type=int, default=0,
                     help="pod listener port (Bulk and REST APIs; 0 = any free port)")
    out = p.add_argument_group("what it writes")
    out.add_argument("--config-out", type=Path,
                     help="write a tap-eloqua/target-eloqua config JSON here")
    out.add_argument("--state-dir", type=Path,
                     help="keep config.json (as --config-out), emulator.json (the JSON line), "
                          "emulator.env (TAP_ELOQUA_*/TARGET_ELOQUA_* for Meltano) and "
                          "emulator.pid here while it serves; the pid file goes at exit")
    faults = p.add_argument_group("faults (answered before the request is processed)")
    faults.add_argument("--fault-rate", type=_rate, default=0.0,
                        help="fraction of API requests answered with a fault")
    faults.add_argument("--fault-kinds", type=_kinds, default=("429", "503"),
                        help=f"comma-separated, from {','.join(KINDS)}")
    faults.add_argument("--fault-paths", default=None,
                        help="comma-separated path fragments; only matching requests fault")
    faults.add_argument("--fault-seed", type=int, default=1, help="seed of the fault picks")
    sizes = p.add_argument_group("seeded data")
    tuning = p.add_argument_group("credentials, timings and limits")
    for f in fields(EmulatorConfig):
        if f.name in ("host", "login_port", "pod_port"):
            continue
        group = sizes if f.name in SIZE_OPTIONS else tuning
        kind = type(f.default)
        flag = "--" + f.name.replace("_", "-")
        if kind is bool:
            group.add_argument(flag, type=_bool, default=f.default, help="true or false")
        else:
            group.add_argument(flag, type=kind, default=f.default, help=" ")
    return p.parse_args(argv)


def tap_config(info: dict[str, Any]) -> dict[str, Any]:
    """The settings tap-eloqua and target-eloqua need to reach this emulator (Basic auth)."""
    config = {k: info[k] for k in ("login_url", "site_name", "username", "password")}
    config["start_date"] = START_DATE
    return config


def meltano_env(config: dict[str, Any]) -> str:
    """Environment lines that point Meltano's tap-eloqua and target-eloqua at this emulator."""
    lines = []
    for prefix in ("TAP_ELOQUA_", "TARGET_ELOQUA_"):
        for key, value in config.items():
            if prefix == "TARGET_ELOQUA_" and key == "start_date":
                continue
            lines.append(f"{prefix}{key.upper()}={value}")
    return "\n".join(lines) + "\n"


def write_state(state_dir: Path, info: dict[str, Any], config: dict[str, Any]) -> Path:
    """Write the files of --state-dir; returns the pid file (removed at exit)."""
    state_dir.mkdir(parents=True, exist_ok=True)
    _write(state_dir / "config.json", json.dumps(config, indent=2) + "\n")
    _write(state_dir / "emulator.json", json.dumps(info, indent=2) + "\n")
    _write(state_dir / "emulator.env", meltano_env(config))
    pid = state_dir / "emulator.pid"
    _write(pid, f"{os.getpid()}\n")
    return pid


def _write(path: Path, text: str) -> None:
    """Write whole or not at all (a CI step may poll for the file), readable by the owner only."""
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(text, encoding="utf-8")
    tmp.chmod(0o600)
    tmp.replace(path)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    values: dict[str, Any] = {
        f.name: getattr(args, f.name) for f in fields(EmulatorConfig) if hasattr(args, f.name)
    }
    values.update(host=args.host, login_port=args.port_login, pod_port=args.port_pod)
    try:
        emu = EloquaEmulator(EmulatorConfig(**values)).start()
    except OSError as exc:
        print(f"eloqua-emulator: cannot listen on {args.host} ({exc.strerror}); choose other "
              "--port-login/--port-pod or 0 for free ports", file=sys.stderr)
        return 2
    if args.fault_rate:
        paths = [p for p in args.fault_paths.split(",") if p] if args.fault_paths else None
        emu.set_faults(args.fault_rate, args.fault_kinds, args.fault_seed, paths)
    info = {
        "login_url": emu.login_url,
        "base_url": emu.base_url,
        "site_name": emu.site_name,
        "username": emu.username,
        "password": emu.password,
        "client_id": emu.client_id,
        "client_secret": emu.client_secret,
        "refresh_token": emu.issue_refresh_token(),
    }
    config = tap_config(info)
    if args.config_out:
        _write(args.config_out, json.dumps(config, indent=2) + "\n")
    pid_file = write_state(args.state_dir, info, config) if args.state_dir else None
    stop = threading.Event()
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, lambda *_: stop.set())
    print(json.dumps(info), flush=True)
    try:
        while not stop.wait(0.5):
            pass
    finally:
        emu.stop()
        if pid_file is not None:
            pid_file.unlink(missing_ok=True)
    print("emulator stopped", file=sys.stderr, flush=True)
    return 0


def cli() -> None:
    """Console script `eloqua-emulator`."""
    sys.exit(main())


if __name__ == "__main__":
    cli()
