"""Run the emulator in the foreground: `eloqua-emulator --help` (or `python -m eloqua_emulator`).

Prints one JSON line (URLs, Basic credentials, OAuth client, a fresh refresh token) and serves until
SIGINT/SIGTERM.
"""

from __future__ import annotations

import argparse
import json
import signal
import sys
import threading
from dataclasses import fields
from pathlib import Path
from typing import Any

from .config import EmulatorConfig
from .emulator import EloquaEmulator


def _bool(text: str) -> bool:
    return text.lower() in ("1", "true", "yes")


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    p = argparse.ArgumentParser(prog="eloqua-emulator", description=__doc__)
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port-login", type=int, default=0, help="login listener port (0 = any free)")
    p.add_argument("--port-pod", type=int, default=0, help="pod (Bulk API) listener port")
    p.add_argument("--config-out", type=Path, help="write a tap config JSON here")
    for f in fields(EmulatorConfig):
        if f.name in ("host", "login_port", "pod_port"):
            continue
        kind = type(f.default)
        flag = "--" + f.name.replace("_", "-")
        if kind is bool:
            p.add_argument(flag, type=_bool, default=f.default)
        else:
            p.add_argument(flag, type=kind, default=f.default)
    return p.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    values: dict[str, Any] = {
        f.name: getattr(args, f.name) for f in fields(EmulatorConfig) if hasattr(args, f.name)
    }
    values.update(host=args.host, login_port=args.port_login, pod_port=args.port_pod)
    emu = EloquaEmulator(EmulatorConfig(**values)).start()
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
    if args.config_out:
        config = {k: info[k] for k in ("login_url", "site_name", "username", "password")}
        config["start_date"] = "2024-01-01T00:00:00Z"
        args.config_out.write_text(json.dumps(config, indent=2) + "\n", encoding="utf-8")
    print(json.dumps(info), flush=True)
    stop = threading.Event()
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, lambda *_: stop.set())
    while not stop.wait(0.5):
        pass
    emu.stop()
    print("emulator stopped", file=sys.stderr, flush=True)
    return 0


def cli() -> None:
    """Console script `eloqua-emulator`."""
    sys.exit(main())


if __name__ == "__main__":
    cli()
