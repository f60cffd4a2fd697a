"""Run tap-eloqua as users do (its console module in a subprocess) and parse what it prints."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

START_DATE = "2024-01-01T00:00:00Z"


def basic_config(emu: Any, **overrides: Any) -> dict[str, Any]:
    """A config of just the settings the README's quickstart asks for, plus overrides."""
    config = {
        "login_url": emu.login_url,
        "site_name": emu.site_name,
        "username": emu.username,
        "password": emu.password,
        "start_date": START_DATE,
        "activity_lag_minutes": 0,
        "settle_lag_minutes": 0.01,  # above the emulator's default visibility delay (0.2 s)
        "max_retries": 8,
        "poll_interval_max_seconds": 0.25,   # the emulator's syncs take 0.15 s, not 1-3 s
    }
    config.update(overrides)
    return config


@dataclass
class TapRun:
    """One finished tap process: exit code, raw streams and the Singer messages it wrote."""

    returncode: int
    stdout: str
    stderr: str
    messages: list[dict[str, Any]] = field(default_factory=list)

    def records(self, stream: str) -> list[dict[str, Any]]:
        return [m["record"] for m in self.messages
                if m.get("type") == "RECORD" and m.get("stream") == stream]

    def streams(self) -> set[str]:
        return {m["stream"] for m in self.messages if m.get("type") == "RECORD"}

    def schemas(self) -> dict[str, dict[str, Any]]:
        return {m["stream"]: m for m in self.messages if m.get("type") == "SCHEMA"}

    @property
    def states(self) -> list[dict[str, Any]]:
        return [m["value"] for m in self.messages if m.get("type") == "STATE"]

    @property
    def final_state(self) -> dict[str, Any]:
        return self.states[-1] if self.states else {}

    def catalog(self) -> dict[str, Any]:
        return json.loads(self.stdout)


def run_tap(config: dict[str, Any], workdir: Path, *, catalog: dict[str, Any] | None = None,
            state: dict[str, Any] | None = None, discover: bool = False,
            args: tuple[str, ...] = (), env: dict[str, str] | None = None,
            timeout: float = 600) -> TapRun:
    """Invoke `python -m tap_eloqua` with files written to `workdir`."""
    workdir.mkdir(parents=True, exist_ok=True)
    config_path = workdir / "config.json"
    config_path.write_text(json.dumps(config))
    cmd = [sys.executable, "-m", "tap_eloqua", "--config", str(config_path), *args]
    if discover:
        cmd.append("--discover")
    if catalog is not None:
        path = workdir / "catalog.json"
        path.write_text(json.dumps(catalog))
        cmd += ["--catalog", str(path)]
    if state is not None:
        path = workdir / "state.json"
        path.write_text(json.dumps(state))
        cmd += ["--state", str(path)]
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout,
                          env={**os.environ, **(env or {})}, check=False)
    messages = []
    if not discover:
        for line in proc.stdout.splitlines():
            if line.strip():
                messages.append(json.loads(line))
    return TapRun(proc.returncode, proc.stdout, proc.stderr, messages)


def select_streams(catalog: dict[str, Any], names: set[str]) -> dict[str, Any]:
    """The catalog with only `names` selected (stream-level metadata)."""
    for stream in catalog["streams"]:
        for entry in stream["metadata"]:
            if entry["breadcrumb"] == []:
                entry["metadata"]["selected"] = stream["tap_stream_id"] in names
    return catalog
