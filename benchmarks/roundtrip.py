"""(e) `meltano run tap-eloqua target-eloqua`: contacts exported from one emulator and imported
into a second, with each process's share of the CPU; and the same pair piped without Meltano.

CPU per process is read from /proc while the run goes (every 0.1 s, the descendants of the run
only), so a process's last tenth of a second may be missed; the emulators' CPU is read at the end.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CLOCK = os.sysconf("SC_CLK_TCK")
IMPORTED = re.compile(r"contacts: (\d+) records imported into contacts")


def proc_cpu(pid: int) -> float | None:
    """user + system seconds of a live process (None once it is gone)."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except (OSError, IndexError):
        return None
    return (int(stat[11]) + int(stat[12])) / CLOCK


def _children() -> dict[int, list[int]]:
    out: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                parent = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
            out.setdefault(parent, []).append(int(entry.name))
    return out


@dataclass
class CpuWatch:
    """The last CPU figure of every descendant of `root`, by role (from its command line)."""

    root: int
    classify: Callable[[list[str]], str]
    seen: dict[int, tuple[str, float]] = field(default_factory=dict)
    done: threading.Event = field(default_factory=threading.Event)

    def run(self) -> None:
        while not self.done.wait(0.1):
            tree, todo = _children(), [self.root]
            while todo:
                pid = todo.pop()
                todo += tree.get(pid, [])
                cpu = proc_cpu(pid)
                if cpu is None:
                    continue
                role = self.seen.get(pid, ("", 0.0))[0]
                if not role:
                    try:
                        args = Path(f"/proc/{pid}/cmdline").read_bytes().decode().split("\0")
                    except OSError:
                        continue
                    role = self.classify(args)
                self.seen[pid] = (role, cpu)

    def by_role(self) -> dict[str, float]:
        totals: dict[str, float] = {}
        for role, cpu in self.seen.values():
            totals[role] = totals.get(role, 0.0) + cpu
        return totals


def _role(args: list[str]) -> str:
    names = [Path(a).name for a in args[:3]]
    if "tap-eloqua" in names or "tap_eloqua" in args[:3]:
        return "tap"
    if "target-eloqua" in names or "target_eloqua" in args[:3]:
        return "target"
    return "runner"


@dataclass
class Trip:
    seconds: float
    cpu: dict[str, float]
    imported: int


def _watched(args: list[str], env: dict[str, str], stdin: int | None = None,
             shell: bool = False) -> tuple[subprocess.Popen[bytes], CpuWatch, threading.Thread]:
    proc = subprocess.Popen(args, cwd=ROOT, env=env, stdin=stdin, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, shell=shell)
    watch = CpuWatch(proc.pid, _role)
    thread = threading.Thread(target=watch.run, daemon=True)
    thread.start()
    return proc, watch, thread


def _finish(proc: subprocess.Popen[bytes], watch: CpuWatch, thread: threading.Thread,
            started: float, what: str) -> Trip:
    assert proc.stdout is not None
    output = proc.stdout.read().decode(errors="replace")
    _, status, usage = os.wait4(proc.pid, 0)
    seconds = time.perf_counter() - started
    watch.done.set()
    thread.join()
    if status:
        sys.stderr.write(output[-4000:])
        raise SystemExit(f"{what} failed")
    cpu = watch.by_role()
    # wait4 reports the run's whole tree: what /proc did not attribute is the root's own share
    own = usage.ru_utime + usage.ru_stime - sum(cpu.values())
    cpu["runner"] = cpu.get("runner", 0.0) + max(0.0, own)
    return Trip(seconds, cpu, sum(int(n) for n in IMPORTED.findall(output)))


def meltano_env(source: dict[str, str], dest: dict[str, str], tmp: Path) -> dict[str, str]:
    """The `emulator` environment of meltano.yml, pointed at the two emulators, contacts only."""
    sys_dir = tmp / "meltano-sys"
    sys_dir.mkdir(exist_ok=True)
    for kind in ("extractors", "loaders"):
        link = sys_dir / kind
        if not link.exists():
            link.symlink_to(ROOT / ".meltano" / kind, target_is_directory=True)
    env = {**os.environ, "PYTHONPATH": str(ROOT), "MELTANO_ENVIRONMENT": "emulator",
           "MELTANO_SYS_DIR_ROOT": str(sys_dir),
           "MELTANO_DATABASE_URI": f"sqlite:///{tmp / 'meltano.db'}",
           "MELTANO_SEND_ANONYMOUS_USAGE_STATS": "false", "MELTANO_PROJECT_READONLY": "false",
           "NO_COLOR": "1", "TAP_ELOQUA_REST_STREAMS": "[]", "TAP_ELOQUA_ACTIVITY_TYPES": "[]",
           "TAP_ELOQUA_CUSTOM_OBJECTS": '["none"]',
           "TARGET_ELOQUA_REJECTS_FILE": str(tmp / "trip-rejects.jsonl")}
    env.pop("PYTHONUNBUFFERED", None)
    for prefix, emu in (("TAP_ELOQUA", source), ("TARGET_ELOQUA", dest)):
        for key in ("login_url", "site_name", "username", "password"):
            env[f"{prefix}_{key.upper()}"] = emu[key]
    return env


def meltano_run(env: dict[str, str]) -> Trip:
    executable = str(ROOT / ".meltano-venv" / "bin" / "meltano")
    started = time.perf_counter()
    proc, watch, thread = _watched([executable, "run", "tap-eloqua", "target-eloqua"], env)
    return _finish(proc, watch, thread, started, "meltano run tap-eloqua target-eloqua")


def piped_run(tap_config: Path, target_config: Path, env: dict[str, str]) -> Trip:
    """The same pair without Meltano: `tap-eloqua | target-eloqua` through one OS pipe."""
    python = sys.executable
    command = (f"{python} -m tap_eloqua --config {tap_config} | "
               f"{python} -m target_eloqua --config {target_config}")
    started = time.perf_counter()
    proc, watch, thread = _watched(["/bin/sh", "-c", command], env)
    return _finish(proc, watch, thread, started, "tap-eloqua | target-eloqua")
