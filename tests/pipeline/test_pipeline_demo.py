"""`bash demo/run` works end to end and leaves nothing running."""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
from pathlib import Path

from tests.pipeline.support import ROOT, Meltano


def test_the_demo_loads_duckdb_twice_and_stops_the_emulator(meltano: Meltano, tmp_path: Path):
    db = tmp_path / "demo.duckdb"
    env = {**os.environ, **meltano.base_env(), "PYTHON": sys.executable,
           "MELTANO_BIN": meltano.executable}
    proc = subprocess.run(["bash", str(ROOT / "demo/run"), "--duckdb", str(db)], cwd=tmp_path,
                          env=env, capture_output=True, text=True, timeout=900, check=False)
    output = proc.stdout + proc.stderr
    assert proc.returncode == 0, output[-4000:]
    assert db.exists()
    assert "27 tables, 3564 rows" in output  # run 1: every seeded record, REST streams too
    # run 2: the changes, and the list members (the one REST stream read whole every run)
    assert ("extracted this time: activity_email_open 1, contact_list_members 216, "
            "contacts 4 ") in output
    assert "27 tables, 3566 rows" in output
    assert "duplicate contact ids after the upsert: 0" in output
    assert re.search(r"^\s+3 \| Renamed-3 \| 99(\.0)? \|", output, re.MULTILINE), output
    assert output.rstrip().endswith("== emulator stopped; nothing is left running")
    ports = re.findall(r"http://127\.0\.0\.1:(\d+)", output.split("\n", 1)[0])
    assert len(ports) == 2
    for port in ports:
        with socket.socket() as sock:
            assert sock.connect_ex(("127.0.0.1", int(port))) != 0, f"port {port} still open"
