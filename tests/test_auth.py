"""OAuth with Eloqua's single-use refresh tokens, and Basic auth's failure answer."""

from __future__ import annotations

import json
import stat
import threading
import time
from pathlib import Path

from tests.tap_runner import run_tap


def oauth_config(emu, store: Path, refresh_token: str) -> dict:
    return {
        "login_url": emu.login_url,
        "client_id": emu.client_id,
        "client_secret": emu.client_secret,
        "refresh_token": refresh_token,
        "token_store_path": str(store),
        "start_date": "2024-01-01T00:00:00Z",
        "activity_types": ["EmailOpen"],
        "activity_lag_minutes": 0,
    }


def test_rotated_refresh_token_is_stored_privately_and_reused(emulator, tmp_path: Path):
    store = tmp_path / "tokens" / "eloqua.json"
    original = emulator.issue_refresh_token()
    config = oauth_config(emulator, store, original)
    first = run_tap(config, tmp_path / "1", discover=True)
    assert first.returncode == 0, first.stderr[-2000:]
    assert stat.S_IMODE(store.stat().st_mode) == 0o600
    saved = json.loads(store.read_text())
    assert saved["refresh_token"] != original
    for secret in (original, saved["refresh_token"], saved["access_token"],
                   emulator.client_secret):
        assert secret not in first.stdout + first.stderr

    # Meltano writes the same (now spent) token into the config again: the store wins.
    second = run_tap(config, tmp_path / "2")
    assert second.returncode == 0, second.stderr[-2000:]
    assert len(second.records("contacts")) == len(emulator.store.contacts)


def test_spent_refresh_token_says_how_to_reauthorise(emulator, tmp_path: Path):
    token = emulator.issue_refresh_token()
    ok = run_tap(oauth_config(emulator, tmp_path / "a.json", token), tmp_path / "1",
                 discover=True)
    assert ok.returncode == 0, ok.stderr[-2000:]
    # A different store (e.g. a new machine) with the spent token from the config.
    run = run_tap(oauth_config(emulator, tmp_path / "b.json", token), tmp_path / "2",
                  discover=True)
    assert run.returncode != 0
    assert "Traceback" not in run.stderr
    last = run.stderr.strip().splitlines()[-1]
    assert "refresh token" in last and "authorise" in last
    assert token not in run.stderr


def test_wrong_client_secret(emulator, tmp_path: Path):
    config = oauth_config(emulator, tmp_path / "s.json", emulator.issue_refresh_token())
    config["client_secret"] = "not-the-secret"
    run = run_tap(config, tmp_path, discover=True)
    assert run.returncode != 0
    assert "client_secret" in run.stderr.strip().splitlines()[-1]


def test_corrupt_token_store_is_named(emulator, tmp_path: Path):
    store = tmp_path / "t.json"
    store.write_text("{not json")
    run = run_tap(oauth_config(emulator, store, emulator.issue_refresh_token()), tmp_path,
                  discover=True)
    assert run.returncode != 0
    last = run.stderr.strip().splitlines()[-1]
    assert str(store) in last and "corrupt" in last


def test_base_url_setting_skips_discovery(emulator, tmp_path: Path):
    config = oauth_config(emulator, tmp_path / "s.json", emulator.issue_refresh_token())
    config["base_url"] = emulator.base_url
    before = sum(1 for e in emulator.request_log if e[1].startswith("/id"))
    run = run_tap(config, tmp_path, discover=True)
    assert run.returncode == 0, run.stderr[-2000:]
    after = sum(1 for e in emulator.request_log if e[1].startswith("/id"))
    assert after == before


def test_expiring_access_tokens_are_refreshed_during_a_long_run(make_emulator, tmp_path: Path):
    emu = make_emulator(contacts=30, accounts=5, activities_per_type=3, custom_objects=1,
                        custom_object_records=3, access_token_ttl=1.0, slow_sync_seconds=1.5)
    store = tmp_path / "s.json"
    run = run_tap(oauth_config(emu, store, emu.issue_refresh_token()), tmp_path)
    assert run.returncode == 0, run.stderr[-2000:]
    assert len(run.records("contacts")) == 30
    refreshes = [e for e in emu.request_log if e[1].startswith("/auth/oauth2/token")]
    assert len(refreshes) >= 2, "the access token was never refreshed"


def test_a_401_mid_run_triggers_one_reauthentication(make_emulator, tmp_path: Path):
    emu = make_emulator(contacts=30, accounts=5, activities_per_type=3, custom_objects=1,
                        custom_object_records=3, slow_sync_seconds=1.5)
    config = oauth_config(emu, tmp_path / "s.json", emu.issue_refresh_token())
    stop = threading.Event()

    def revoke_once_a_sync_runs() -> None:
        while not stop.is_set():
            if any(e[0] == "POST" and e[1].startswith("/api/bulk/2.0/syncs")
                   for e in list(emu.request_log)):
                with emu.auth.lock:
                    emu.auth.access.clear()  # the instance revokes every bearer token
                return
            time.sleep(0.05)

    watcher = threading.Thread(target=revoke_once_a_sync_runs)
    watcher.start()
    try:
        run = run_tap(config, tmp_path / "run")
    finally:
        stop.set()
        watcher.join()
    assert run.returncode == 0, run.stderr[-2000:]
    assert any(e[2] == 401 for e in emu.request_log)
    assert "answered 401; re-authenticating" in run.stderr
    assert len(run.records("contacts")) == 30


def test_two_processes_share_one_token_store_without_spending_each_others_tokens(
        make_emulator, tmp_path: Path):
    """Parallel jobs (or a tap and a target) on one store: every refresh is serialised through
    the store's lock, so neither process ever presents a refresh token the other has spent."""
    emu = make_emulator(contacts=30, accounts=5, activities_per_type=3, custom_objects=1,
                        custom_object_records=3, access_token_ttl=1.0, slow_sync_seconds=1.2)
    config = oauth_config(emu, tmp_path / "shared.json", emu.issue_refresh_token())
    runs: dict[str, object] = {}
    workers = [threading.Thread(target=lambda n=n: runs.update({n: run_tap(config, tmp_path / n)}))
               for n in ("a", "b")]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    for run in runs.values():
        assert run.returncode == 0, run.stderr[-2000:]  # type: ignore[attr-defined]
        assert len(run.records("contacts")) == 30  # type: ignore[attr-defined]
    refreshes = [e for e in emu.request_log if e[1].startswith("/auth/oauth2/token")]
    assert len(refreshes) >= 4, "the runs did not overlap in refreshing"
    assert all(e[2] == 200 for e in refreshes), [e[2] for e in refreshes]


def password_grant_config(emu, password: str, store: Path) -> dict:
    return {"login_url": emu.login_url, "client_id": emu.client_id,
            "client_secret": emu.client_secret, "site_name": emu.site_name,
            "username": emu.username, "password": password, "token_store_path": str(store),
            "start_date": "2024-01-01T00:00:00Z", "activity_types": ["EmailOpen"],
            "activity_lag_minutes": 0}


def test_password_grant_gets_bearer_tokens_and_renews_them(make_emulator, tmp_path: Path):
    # 1 s tokens: Eloqua's one-authorization-a-minute throttle shrinks with them (to 0.5 s),
    # as a real 8-hour token outlives the real one-minute window.
    emu = make_emulator(contacts=30, accounts=5, activities_per_type=3, custom_objects=1,
                        custom_object_records=3, access_token_ttl=1.0, slow_sync_seconds=1.5,
                        authorization_window_seconds=0.5)
    run = run_tap(password_grant_config(emu, emu.password, tmp_path / "t.json"), tmp_path)
    assert run.returncode == 0, run.stderr[-2000:]
    assert len(run.records("contacts")) == 30
    grants = [e for e in emu.request_log if e[1].startswith("/auth/oauth2/token")]
    assert len(grants) >= 2 and all(e[2] == 200 for e in grants), grants
    api_calls = [e for e in emu.request_log if e[1].startswith("/api/bulk")]
    assert api_calls and all(e[2] != 401 for e in api_calls)
    for secret in (emu.password, emu.client_secret):
        assert secret not in run.stdout + run.stderr


def test_password_grant_refused_is_one_line(emulator, tmp_path: Path):
    run = run_tap(password_grant_config(emulator, "not-the-password", tmp_path / "t.json"),
                  tmp_path)
    assert run.returncode != 0
    assert "Traceback" not in run.stderr
    last = run.stderr.strip().splitlines()[-1]
    assert "refused the password grant" in last and "password" in last
    assert "not-the-password" not in run.stderr
