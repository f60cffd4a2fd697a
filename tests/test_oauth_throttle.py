"""OAuth under parallel jobs: Eloqua allows one authorization per minute per user of an app
(release 18D) and answers 429 to the next, so processes sharing a token store must reuse one
valid access token, and a 429 must be waited out as its Retry-After says."""

from __future__ import annotations

import json
import stat
import threading
from pathlib import Path
from typing import Any

import pytest
import requests

from eloqua_bulk.auth import PasswordGrantCredentials
from eloqua_bulk.errors import AuthenticationError
from tests.tap_runner import TapRun, run_tap

SMALL = {"contacts": 30, "accounts": 5, "activities_per_type": 3, "custom_objects": 1,
         "custom_object_records": 3}
BASE = {"start_date": "2024-01-01T00:00:00Z", "activity_types": ["EmailOpen"],
        "activity_lag_minutes": 0}


def password_config(emu: Any, store: Path) -> dict[str, Any]:
    return {**BASE, "login_url": emu.login_url, "client_id": emu.client_id,
            "client_secret": emu.client_secret, "site_name": emu.site_name,
            "username": emu.username, "password": emu.password, "token_store_path": str(store)}


def refresh_config(emu: Any, store: Path) -> dict[str, Any]:
    return {**BASE, "login_url": emu.login_url, "client_id": emu.client_id,
            "client_secret": emu.client_secret, "refresh_token": emu.issue_refresh_token(),
            "token_store_path": str(store)}


def token_calls(emu: Any) -> list[int]:
    return [status for method, path, status in list(emu.request_log)
            if method == "POST" and path.startswith("/auth/oauth2/token")]


def run_together(config: dict[str, Any], workdir: Path, n: int = 3) -> list[TapRun]:
    """`n` real tap processes at once on one config (so one token store)."""
    runs: dict[int, TapRun] = {}
    workers = [threading.Thread(target=lambda i=i: runs.update(
        {i: run_tap(config, workdir / f"job{i}")})) for i in range(n)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    return [runs[i] for i in range(n)]


def authorize_directly(emu: Any) -> None:
    """Another client of the same app and user authorises first (starts Eloqua's window)."""
    answer = requests.post(emu.login_url + "/auth/oauth2/token",
                           auth=(emu.client_id, emu.client_secret),
                           data={"grant_type": "password", "scope": "full",
                                 "username": f"{emu.site_name}\\{emu.username}",
                                 "password": emu.password}, timeout=10)
    assert answer.status_code == 200, answer.text


def test_emulator_throttles_a_second_authorization_within_its_window(make_emulator):
    emu = make_emulator(**SMALL)
    authorize_directly(emu)
    again = requests.post(emu.login_url + "/auth/oauth2/token",
                          auth=(emu.client_id, emu.client_secret),
                          data={"grant_type": "password", "username":
                                f"{emu.site_name}\\{emu.username}", "password": emu.password},
                          timeout=10)
    assert again.status_code == 429
    assert 1 <= int(again.headers["Retry-After"]) <= 60
    assert "already authorized this app" in again.json()["error_description"]
    # renewing an authorization (the refresh-token grant) is not an authorization
    refreshed = requests.post(emu.login_url + "/auth/oauth2/token",
                              auth=(emu.client_id, emu.client_secret),
                              data={"grant_type": "refresh_token",
                                    "refresh_token": emu.issue_refresh_token()}, timeout=10)
    assert refreshed.status_code == 200


@pytest.mark.parametrize("grant", ["password", "refresh_token"])
def test_three_parallel_processes_authorize_once(make_emulator, tmp_path: Path, grant: str):
    emu = make_emulator(**SMALL)  # Eloqua's 8-hour tokens and one-minute throttle
    store = tmp_path / "shared" / "tokens.json"
    config = (password_config if grant == "password" else refresh_config)(emu, store)
    runs = run_together(config, tmp_path)
    for run in runs:
        assert run.returncode == 0, run.stderr[-2000:]
        assert len(run.records("contacts")) == 30
        for secret in (emu.password, emu.client_secret, config.get("refresh_token") or "?"):
            assert secret not in run.stdout + run.stderr
    assert token_calls(emu) == [200], token_calls(emu)
    assert stat.S_IMODE(store.stat().st_mode) == 0o600
    saved = json.loads(store.read_text())
    assert saved["access_token"] and saved["access_expires_at"] > 0
    assert all(saved["access_token"] not in r.stdout + r.stderr for r in runs)


def test_a_429_from_the_token_endpoint_is_waited_out(make_emulator, tmp_path: Path):
    # A 4 s window: backoff without Retry-After (at most 1 s, then 2 s) would ask 3+ times.
    emu = make_emulator(**SMALL, authorization_window_seconds=4.0)
    authorize_directly(emu)
    run = run_tap(password_config(emu, tmp_path / "t.json"), tmp_path / "run")
    assert run.returncode == 0, run.stderr[-2000:]
    assert len(run.records("contacts")) == 30
    assert token_calls(emu) == [200, 429, 200], token_calls(emu)
    assert "token endpoint answered 429" in run.stderr
    assert emu.password not in run.stderr


def test_a_429_that_never_clears_is_one_line(make_emulator, tmp_path: Path,
                                             monkeypatch: pytest.MonkeyPatch):
    emu = make_emulator(**SMALL, authorization_window_seconds=3600.0)
    authorize_directly(emu)
    monkeypatch.setattr("eloqua_bulk.auth.time.sleep", lambda _seconds: None)
    creds = PasswordGrantCredentials(emu.login_url, emu.client_id, emu.client_secret,
                                     emu.site_name, emu.username, emu.password,
                                     token_store_path=str(tmp_path / "t.json"))
    with pytest.raises(AuthenticationError) as failure:
        creds.authorization(requests.Session(), 10.0)
    message = str(failure.value)
    assert "\n" not in message and "429" in message and "token_store_path" in message
    assert emu.password not in message and emu.client_secret not in message
    assert token_calls(emu)[1:] == [429] * 4
