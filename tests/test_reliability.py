"""Issue-5 guarantees across both plugins: a killed target reruns to the right data, and no secret
appears in any output of any path, even at debug level and on failures."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import time
from pathlib import Path

from tests.tap_runner import basic_config, run_tap
from tests.target_runner import contact_messages, run_target, small_emulator, target_config


def _rows(count: int) -> list[dict]:
    return [{"C_EmailAddress": f"person{i}@example.com", "C_FirstName": f"First{i}",
             "C_LastName": f"Last{i}", "C_Lead_Score1": i} for i in range(count)]


def test_a_target_killed_mid_import_reruns_to_the_right_data(make_emulator, tmp_path: Path):
    emu = small_emulator(make_emulator, slow_sync_seconds=0.3)
    rows = _rows(3000)
    messages = contact_messages(rows)
    text = "".join(json.dumps(m) + "\n" for m in messages)
    config = target_config(emu, tmp_path, batch_size_rows=500)
    config_path = tmp_path / "config.json"
    config_path.write_text(json.dumps(config))
    proc = subprocess.Popen([sys.executable, "-m", "target_eloqua", "--config", str(config_path)],
                            stdin=subprocess.PIPE, stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL)
    assert proc.stdin is not None
    proc.stdin.write(text.encode())
    proc.stdin.close()
    def syncs() -> int:
        return sum(1 for method, path, status in list(emu.request_log)
                   if method == "POST" and path.endswith("/syncs") and status == 201)

    deadline = time.monotonic() + 60
    while syncs() < 2 and time.monotonic() < deadline:  # a few imports under way
        time.sleep(0.02)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    assert syncs() >= 2, "the target never started importing"
    loaded = {r["C_EmailAddress"] for r in emu.store.contacts.values()}
    assert not {r["C_EmailAddress"] for r in rows} <= loaded, "killed too late to prove anything"

    rerun = run_target(config, tmp_path / "rerun", messages)
    assert rerun.returncode == 0, rerun.stderr[-3000:]
    by_email = {r["C_EmailAddress"]: r for r in emu.store.contacts.values()}
    for row in rows:
        stored = by_email[row["C_EmailAddress"]]
        assert (stored["C_FirstName"], stored["C_LastName"], stored["C_Lead_Score1"]) == (
            row["C_FirstName"], row["C_LastName"], row["C_Lead_Score1"])
    assert len([e for e in by_email if e.startswith("person")]) == len(rows), "duplicates"
    assert rerun.states, "the rerun must end with the input's STATE"


def test_no_secret_reaches_any_output_on_any_path(make_emulator, tmp_path: Path):
    emu = make_emulator(contacts=30, accounts=5, activities_per_type=3, custom_objects=1,
                        custom_object_records=3)
    debug = {"TAP_ELOQUA_LOGLEVEL": "DEBUG", "TARGET_ELOQUA_LOGLEVEL": "DEBUG"}
    outputs: list[str] = []
    refresh = emu.issue_refresh_token()
    secrets = {emu.password, emu.client_secret, refresh}

    oauth = {"login_url": emu.login_url, "client_id": emu.client_id,
             "client_secret": emu.client_secret, "refresh_token": refresh,
             "token_store_path": str(tmp_path / "tokens.json"),
             "start_date": "2024-01-01T00:00:00Z", "activity_types": ["EmailOpen"],
             "activity_lag_minutes": 0}
    runs = [
        run_tap(oauth, tmp_path / "oauth-discover", discover=True, env=debug),
        run_tap(oauth, tmp_path / "oauth-sync", env=debug),
        run_tap(basic_config(emu, activity_types=["EmailOpen"]), tmp_path / "basic", env=debug),
        run_tap(basic_config(emu, password="wrong-" + emu.password), tmp_path / "bad",
                env=debug),
        run_tap({**oauth, "refresh_token": "spent-" + refresh,
                 "token_store_path": str(tmp_path / "other.json")}, tmp_path / "spent",
                discover=True, env=debug),
    ]
    emu.set_faults(rate=0.3, kinds=("429", "503", "reset"), seed=2)
    runs.append(run_tap(basic_config(emu, activity_types=[], max_retries=2), tmp_path / "faulty",
                        env=debug))
    emu.clear_faults()
    emu.fail_next_sync()
    runs.append(run_tap(basic_config(emu, activity_types=[]), tmp_path / "failed", env=debug))
    stored = json.loads((tmp_path / "tokens.json").read_text())
    secrets |= {stored["refresh_token"], stored["access_token"], "spent-" + refresh,
                "wrong-" + emu.password}
    for run in runs:
        outputs += [run.stdout, run.stderr]
    for path in tmp_path.rglob("*.json"):
        if path.name not in ("config.json", "tokens.json", "other.json"):
            outputs.append(path.read_text())

    target_runs = [
        run_target(target_config(emu, tmp_path / "t1"), tmp_path / "t1",
                   contact_messages([*_rows(5), {"C_EmailAddress": "not-an-email"}]), env=debug),
        run_target(target_config(emu, tmp_path / "t2", password="wrong-" + emu.password),
                   tmp_path / "t2", contact_messages(_rows(2)), env=debug),
    ]
    for run in target_runs:
        outputs += [run.stdout, run.stderr]
        if run.rejects_path.exists():
            outputs.append(run.rejects_path.read_text())
    about = subprocess.run([sys.executable, "-m", "tap_eloqua", "--about", "--format=json"],
                           capture_output=True, text=True, check=True)
    outputs.append(about.stdout)

    everything = "\n".join(outputs)
    assert "Traceback" not in everything
    for secret in secrets:
        assert secret not in everything, f"a secret ({len(secret)} chars) leaked"
    assert sum(r.returncode != 0 for r in runs) >= 3  # the bad, spent and failed paths ran
