"""Run target-eloqua as users do (its console module in a subprocess) and parse what it prints."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any


def target_config(emu: Any, workdir: Path, **overrides: Any) -> dict[str, Any]:
    """The connection settings the tap uses, a rejects file in `workdir`, plus overrides."""
    config = {
        "login_url": emu.login_url,
        "site_name": emu.site_name,
        "username": emu.username,
        "password": emu.password,
        "poll_interval_max_seconds": 0.05,
        "rejects_file": str(workdir / "rejects.jsonl"),
    }
    config.update(overrides)
    return config


def schema(stream: str, properties: dict[str, Any], key: Iterable[str] = ()) -> dict[str, Any]:
    return {"type": "SCHEMA", "stream": stream, "key_properties": list(key),
            "schema": {"type": "object", "properties": properties}}


def record(stream: str, values: dict[str, Any]) -> dict[str, Any]:
    return {"type": "RECORD", "stream": stream, "record": values}


def state(value: dict[str, Any]) -> dict[str, Any]:
    return {"type": "STATE", "value": value}


STRING = {"type": ["string", "null"]}
NUMBER = {"type": ["number", "null"]}
BOOLEAN = {"type": ["boolean", "null"]}
DATETIME = {"type": ["string", "null"], "format": "date-time"}


@dataclass
class TargetRun:
    """One finished target process: exit code, raw streams, STATE lines and rejects."""

    returncode: int
    stdout: str
    stderr: str
    rejects_path: Path

    @property
    def states(self) -> list[dict[str, Any]]:
        return [json.loads(line) for line in self.stdout.splitlines() if line.strip()]

    @property
    def rejects(self) -> list[dict[str, Any]]:
        if not self.rejects_path.exists():
            return []
        return [json.loads(line) for line in self.rejects_path.read_text().splitlines()]

    @property
    def last_stderr_line(self) -> str:
        lines = self.stderr.strip().splitlines()
        return lines[-1] if lines else ""


def run_target(config: dict[str, Any], workdir: Path, messages: Iterable[dict[str, Any]] | str,
               *, timeout: float = 300, env: dict[str, str] | None = None) -> TargetRun:
    """Invoke `python -m target_eloqua --config ...` with `messages` on stdin."""
    workdir.mkdir(parents=True, exist_ok=True)
    config_path = workdir / "target-config.json"
    config_path.write_text(json.dumps(config))
    text = messages if isinstance(messages, str) else \
        "".join(json.dumps(m) + "\n" for m in messages)
    state_home = workdir / "state"       # the default rejects location, kept out of $HOME
    proc = subprocess.run([sys.executable, "-m", "target_eloqua", "--config", str(config_path)],
                          input=text, capture_output=True, text=True, timeout=timeout,
                          env={**os.environ, "XDG_STATE_HOME": str(state_home), **(env or {})},
                          check=False, cwd=workdir)
    if config.get("rejects_file"):
        rejects = Path(config["rejects_file"])
    else:
        made = sorted((state_home / "eloqua-singer" / "rejects").glob("*.jsonl"))
        rejects = made[-1] if made else state_home / "none.jsonl"
    return TargetRun(proc.returncode, proc.stdout, proc.stderr, rejects)


FAST_SYNCS = {"sync_pending_seconds": 0.01, "sync_active_seconds": 0.02}


def small_emulator(make_emulator: Any, **overrides: Any) -> Any:
    """A private emulator with little seed data and quick syncs."""
    settings = {"contacts": 40, "accounts": 10, "activities_per_type": 0,
                "custom_object_records": 5, **FAST_SYNCS}
    settings.update(overrides)
    return make_emulator(**settings)


CONTACT_PROPS = {"C_EmailAddress": STRING, "C_FirstName": STRING, "C_LastName": STRING,
                 "C_Lead_Score1": NUMBER, "C_Birthday1": DATETIME}


def contact_messages(rows: Iterable[dict[str, Any]], stream: str = "contacts",
                     props: dict[str, Any] | None = None) -> list[dict[str, Any]]:
    """SCHEMA, one RECORD per row, and a final STATE."""
    out = [schema(stream, props or CONTACT_PROPS, ["C_EmailAddress"])]
    out += [record(stream, r) for r in rows]
    out.append(state({"bookmarks": {stream: {"done": True}}}))
    return out
