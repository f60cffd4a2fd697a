"""OAuth with Eloqua's single-use refresh tokens, and Basic auth's failure answer."""

from __future__ import annotations

import json
import stat
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
