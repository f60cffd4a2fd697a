"""A `warning` import with no reject (eloqua-real-traffic.md, fact 1): rows carrying keys the
definition does not map end the sync `warning`, `/rejects` is empty and the logs say why. The
target reports it (the log lines, the count of unmapped keys), is not failed by it, and still
emits STATE for what Eloqua accepted."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

from tests.target_runner import contact_messages, small_emulator, target_config
from tests.test_target_emulator import EMAIL, FIRST, Api

# The target only sends keys it defined; this stand-in for a row Eloqua does not fully map
# adds one key to every row it pushes, then runs the target as its console script does.
EXTRA_KEY = """
import orjson
from eloqua_bulk.client import BulkClient
push = BulkClient.push_data
def push_with_extra(self, uri, data, content_type="application/json"):
    rows = [dict(row, Not_In_Definition="x") for row in orjson.loads(data)]
    return push(self, uri, orjson.dumps(rows), content_type)
BulkClient.push_data = push_with_extra
from target_eloqua.target import cli
cli()
"""


def test_emulator_ends_an_import_warning_with_no_reject(make_emulator):
    api = Api(small_emulator(make_emulator))
    uri = api.definition(fields={"email": EMAIL, "first": FIRST})
    rows = [{"email": "w1@warn.example.com", "first": "A", "extra": 1},
            {"email": "w2@warn.example.com", "other": 2}]
    assert api("POST", f"{uri}/data", json=rows).status_code == 204
    sync = api.sync(uri)
    assert sync["status"] == "warning"
    rejects = api("GET", f"{sync['uri']}/rejects").json()
    assert rejects["items"] == [] and rejects["totalResults"] == 0
    logs = api("GET", f"{sync['uri']}/logs").json()["items"]
    warnings = [log for log in logs if log["severity"] == "warning"]
    assert [w["statusCode"] for w in warnings] == ["ELQ-00111"]
    assert "extra" in warnings[0]["message"] and "other" in warnings[0]["message"]
    assert api.logs(sync)["ELQ-00004"] == 2          # both rows were created all the same


def test_target_reports_a_warning_sync_and_still_emits_state(make_emulator, tmp_path: Path):
    emu = small_emulator(make_emulator)
    config = target_config(emu, tmp_path, fail_on_rejects=True)
    (tmp_path / "config.json").write_text(json.dumps(config))
    rows = [{"C_EmailAddress": f"w{i}@warn.example.com", "C_FirstName": "W"} for i in range(5)]
    text = "".join(json.dumps(m) + "\n" for m in contact_messages(rows))
    proc = subprocess.run([sys.executable, "-c", EXTRA_KEY, "--config",
                           str(tmp_path / "config.json")], input=text, capture_output=True,
                          text=True, timeout=300, check=False, cwd=tmp_path,
                          env={**os.environ, "XDG_STATE_HOME": str(tmp_path / "state")})
    assert proc.returncode == 0, proc.stderr[-3000:]
    states: list[Any] = [json.loads(line) for line in proc.stdout.splitlines()]
    assert states == [{"bookmarks": {"contacts": {"done": True}}}]
    assert sum(1 for c in emu.store.contacts.values()
               if str(c["C_EmailAddress"]).endswith("@warn.example.com")) == 5
    lines = [line for line in proc.stderr.splitlines() if "ended 'warning'" in line]
    assert len(lines) == 1, proc.stderr[-3000:]
    assert "1 of 1 syncs ended 'warning' (with no rejected rows)" in lines[0]
    assert "ELQ-00111" in lines[0] and "Not_In_Definition" in lines[0]
    assert "1 keys of the rows match no field of the import definition" in lines[0]
    assert not (tmp_path / "state" / "eloqua-singer" / "rejects").exists()
