"""The built wheel, installed alone in a fresh virtualenv, gives the three console scripts, and the
installed tap reads the installed emulator (`eloqua-emulator --state-dir`) row for row.

The virtualenv gets the wheel's dependencies from the package index (uv when it is on PATH or in
.meltano-venv, which is fast with its cache; pip otherwise): nothing from this checkout or .venv.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SCRIPTS = ("tap-eloqua", "target-eloqua", "eloqua-emulator")
# Without this checkout on the path: the installed scripts must run from the wheel alone.
ALONE = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV")}


def _uv() -> str | None:
    found = shutil.which("uv")
    local = ROOT / ".meltano-venv/bin/uv"
    return found or (str(local) if local.exists() else None)


def _run(*cmd: str | Path, timeout: float = 300) -> subprocess.CompletedProcess[str]:
    proc = subprocess.run([str(c) for c in cmd], capture_output=True, text=True,
                          timeout=timeout, check=False, env=ALONE, cwd=Path.home())
    assert proc.returncode == 0, f"{cmd} exited {proc.returncode}:\n{proc.stderr[-3000:]}"
    return proc


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """bin/ of a fresh virtualenv holding the wheel built from this checkout, and its deps."""
    base = tmp_path_factory.mktemp("wheel")
    _run(sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", base / "dist", ROOT)
    (wheel,) = (base / "dist").glob("eloqua_singer-*.whl")
    venv = base / "venv"
    uv = _uv()
    if uv:
        _run(uv, "venv", "-q", "--python", sys.executable, venv)
        _run(uv, "pip", "install", "-q", "--python", venv / "bin/python", wheel)
    else:
        _run(sys.executable, "-m", "venv", venv)
        _run(venv / "bin/python", "-m", "pip", "install", "-q", wheel)
    return venv / "bin"


def test_the_wheel_installs_the_three_console_scripts(installed: Path) -> None:
    for script in SCRIPTS:
        assert (installed / script).exists(), f"{script} is not in the installed wheel"
        _run(installed / script, "--help", timeout=60)
    about = json.loads(_run(installed / "tap-eloqua", "--about", "--format=json").stdout)
    assert about["name"] == "tap-eloqua"
    assert "discover" in about["capabilities"]
    version = _run(installed / "python", "-c", "import importlib.metadata as m; "
                   "print(m.version('eloqua-singer'))").stdout.strip()
    assert about["version"] == version, "--about does not report the installed version"
    assert version[0].isdigit()
    where = _run(installed / "python", "-c", "import tap_eloqua; print(tap_eloqua.__file__)")
    assert str(ROOT) not in where.stdout, "tap_eloqua was imported from the checkout"


def test_the_installed_tap_reads_the_installed_emulator(installed: Path, tmp_path: Path) -> None:
    state = tmp_path / "state"
    emulator = subprocess.Popen(
        [installed / "eloqua-emulator", "--contacts", "37", "--accounts", "11", "--state-dir",
         state], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=ALONE,
        cwd=tmp_path)
    try:
        deadline = time.monotonic() + 60
        while not (state / "emulator.pid").exists():
            assert emulator.poll() is None, emulator.communicate()[1]
            assert time.monotonic() < deadline, "the emulator wrote no state in 60 s"
            time.sleep(0.2)
        info = json.loads((state / "emulator.json").read_text())
        assert int((state / "emulator.pid").read_text()) == emulator.pid
        assert f"TAP_ELOQUA_LOGIN_URL={info['login_url']}" in (state / "emulator.env").read_text()
        config = json.loads((state / "config.json").read_text())
        config.update(activity_types=[], custom_objects=[], events=[])
        (tmp_path / "tap.json").write_text(json.dumps(config))
        out = _run(installed / "tap-eloqua", "--config", tmp_path / "tap.json").stdout
    finally:
        emulator.terminate()
        emulator.wait(timeout=30)
    assert not (state / "emulator.pid").exists(), "the pid file outlived the emulator"
    messages = [json.loads(line) for line in out.splitlines() if line.startswith("{")]
    rows = Counter(m["stream"] for m in messages if m["type"] == "RECORD")
    assert rows["contacts"] == 37
    assert rows["accounts"] == 11
    (key,) = next(m["key_properties"] for m in messages
                  if m["type"] == "SCHEMA" and m["stream"] == "contacts")
    ids = {m["record"][key] for m in messages
           if m["type"] == "RECORD" and m["stream"] == "contacts"}
    assert len(ids) == 37


def test_the_wheel_carries_the_compiled_row_typing(installed: Path) -> None:
    """hatch_build.py compiles tap_eloqua/_rows.c into the wheel, and the tap uses it."""
    proc = _run(installed / "python", "-c",
                "from tap_eloqua import values; print(values.CompiledRowConverter.__module__)")
    assert proc.stdout.strip() == "tap_eloqua._rows"
