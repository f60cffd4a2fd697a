"""Mistakes a user can make end in one line that names the problem, exit 1, no traceback."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.tap_runner import basic_config, run_tap


def _one_line_error(run) -> str:
    assert run.returncode != 0
    assert "Traceback" not in run.stderr, run.stderr[-3000:]
    lines = [line for line in run.stderr.strip().splitlines() if line.strip()]
    return lines[-1]


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        ({"password": "wrong-password"}, "Not authenticated"),
        ({"username": ""}, "username"),
        ({"start_date": "2024-13-45"}, "start_date"),
        ({"start_date": None}, "start_date"),
        ({"login_url": "ftp://example"}, "login_url"),
        ({"login_url": "http://example.com"}, "https"),
        ({"login_url": "http://127.0.0.1:9"}, "kept failing"),
        ({"page_size": 60000}, "page_size"),
        ({"activity_types": ["EmailOpen", "Telepathy"]}, "Telepathy"),
        ({"client_id": "x"}, "client_secret"),
        ({"client_id": "x", "client_secret": "y", "username": ""}, "password grant needs"),
        ({"client_id": "x", "client_secret": "y"}, "invalid_client"),
        ({"max_retries": "many"}, "max_retries"),
    ],
)
def test_bad_config_is_one_clear_line(emulator, tmp_path: Path, change, expected):
    config = basic_config(emulator, max_retries=2)
    for key, value in change.items():
        if value is None:
            config.pop(key, None)
        else:
            config[key] = value
    run = run_tap(config, tmp_path, discover=True)
    line = _one_line_error(run)
    assert expected in line, line
    assert emulator.password not in run.stderr + run.stdout
    assert "wrong-password" not in run.stderr + run.stdout


def test_unknown_stream_in_the_catalog(emulator, tmp_path: Path):
    discovered = run_tap(basic_config(emulator), tmp_path / "d", discover=True)
    catalog = discovered.catalog()
    ghost = dict(catalog["streams"][0])
    ghost["tap_stream_id"] = ghost["stream"] = "no_such_stream"
    catalog["streams"].append(ghost)
    run = run_tap(basic_config(emulator), tmp_path / "s", catalog=catalog)
    line = _one_line_error(run)
    assert "no_such_stream" in line


def test_secrets_never_reach_any_output(make_emulator, tmp_path: Path):
    emu = make_emulator(contacts=10, accounts=5, activities_per_type=3, custom_objects=1,
                        custom_object_records=2)
    run = run_tap(basic_config(emu, activity_types=["EmailOpen"]), tmp_path,
                  env={"TAP_ELOQUA_LOGLEVEL": "DEBUG"})
    assert run.returncode == 0, run.stderr[-2000:]
    everything = run.stdout + run.stderr
    assert emu.password not in everything
    assert "RW11bGF0b3JTaXRl" not in everything  # base64 of the Basic header's start
