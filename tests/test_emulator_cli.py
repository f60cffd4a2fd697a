"""`eloqua-emulator` options: the fault plan and the --state-dir files (over real HTTP)."""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path

import requests


def _start(state: Path, *options: str) -> subprocess.Popen[str]:
    proc = subprocess.Popen([sys.executable, "-m", "eloqua_emulator", "--state-dir", str(state),
                             *options], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 30
    while not (state / "emulator.pid").exists():
        assert proc.poll() is None, proc.communicate()[1]
        assert time.monotonic() < deadline
        time.sleep(0.1)
    return proc


def test_fault_options_fault_the_api_and_state_dir_holds_working_credentials(tmp_path: Path):
    proc = _start(tmp_path, "--fault-rate", "1", "--fault-kinds", "503", "--fault-paths", "/id")
    try:
        info = json.loads((tmp_path / "emulator.json").read_text())
        auth = (f"{info['site_name']}\\{info['username']}", info["password"])
        statuses = [requests.get(f"{info['login_url']}/id", auth=auth, timeout=10).status_code
                    for _ in range(4)]
        # every request faults, but no path more than max_consecutive_faults (3) times in a row
        assert statuses == [503, 503, 503, 200]
        env = (tmp_path / "emulator.env").read_text().splitlines()
        assert f"TARGET_ELOQUA_PASSWORD={info['password']}" in env
        assert (tmp_path / "config.json").stat().st_mode & 0o077 == 0
    finally:
        proc.terminate()
        proc.wait(timeout=30)
    assert not (tmp_path / "emulator.pid").exists()


def test_an_unknown_fault_kind_is_one_line_and_exit_2(tmp_path: Path):
    proc = subprocess.run([sys.executable, "-m", "eloqua_emulator", "--fault-kinds", "418"],
                          capture_output=True, text=True, timeout=30, check=False)
    assert proc.returncode == 2
    assert "unknown fault kinds ['418']" in proc.stderr
    assert "Traceback" not in proc.stderr
