"""REST streams are on by default; one the API user may not read (403) is left out with one
warning line, in discovery and in a sync whose catalog names it, while the others complete."""

from __future__ import annotations

from pathlib import Path

import pytest

from eloqua_emulator.__main__ import parse_args
from tests.expected import REST_STREAMS
from tests.tap_runner import basic_config, run_tap
from tests.test_rest_emulator import Rest

ONLY_REST = {"activity_types": [], "custom_objects": ["none"]}
WARNING = "REST streams left out: users (Eloqua answered 403 Forbidden"


def test_the_emulator_denies_named_rest_paths_as_eloqua_does(make_emulator):
    rest = Rest(make_emulator(rest_denied="system/users, data/form"))
    for path in ("system/users", "system/user/5", "data/form/1"):
        answer = rest(path, count=1)
        assert (answer.status_code, answer.text) == (403, "Forbidden"), path
    assert rest("assets/forms", count=1).status_code == 200
    assert rest("system/users", version="1.0").status_code == 403
    assert parse_args(["--rest-denied", "system/users"]).rest_denied == "system/users"


def test_discovery_offers_every_rest_stream_by_default_and_rest_streams_narrows(
        emulator, tmp_path: Path):
    plain = run_tap(basic_config(emulator, **ONLY_REST), tmp_path / "plain", discover=True)
    assert plain.returncode == 0, plain.stderr[-2000:]
    assert set(REST_STREAMS) <= {s["tap_stream_id"] for s in plain.catalog()["streams"]}
    assert "REST streams left out" not in plain.stderr
    none = run_tap(basic_config(emulator, rest_streams=[], **ONLY_REST), tmp_path / "none",
                   discover=True)
    assert none.returncode == 0, none.stderr[-2000:]
    assert not {s["tap_stream_id"] for s in none.catalog()["streams"]} & set(REST_STREAMS)


@pytest.fixture(scope="module")
def denied(tmp_path_factory):
    from eloqua_emulator import EloquaEmulator, EmulatorConfig  # noqa: PLC0415

    with EloquaEmulator(EmulatorConfig(seed=7, contacts=40, accounts=10, rest_forms=3,
                                       rest_denied="system/users")) as emu:
        yield emu, tmp_path_factory.mktemp("denied")


def test_a_denied_stream_is_left_out_of_discovery_with_one_warning(denied):
    emu, workdir = denied
    run = run_tap(basic_config(emu, **ONLY_REST), workdir / "discover", discover=True)
    assert run.returncode == 0, run.stderr[-2000:]
    streams = {s["tap_stream_id"] for s in run.catalog()["streams"]}
    assert streams >= set(REST_STREAMS) - {"users"}
    assert "users" not in streams
    assert run.stderr.count(WARNING) == 1, run.stderr[-3000:]


def test_a_default_sync_reads_the_other_rest_streams_and_skips_the_denied_one(denied):
    emu, workdir = denied
    run = run_tap(basic_config(emu, **ONLY_REST), workdir / "sync")
    assert run.returncode == 0, run.stderr[-3000:]
    assert run.stderr.count(WARNING) == 1, run.stderr[-3000:]
    assert "users" not in run.schemas()
    assert set(REST_STREAMS) - {"users"} <= set(run.schemas())
    assert {"campaigns", "emails", "forms", "form_submissions", "visitors"} <= run.streams()
    assert set(run.final_state["bookmarks"]) >= {"campaigns", "form_submissions", "visitors"}


def test_a_catalog_naming_the_denied_stream_syncs_the_others(denied, emulator, tmp_path):
    """A catalog discovered while the user could read users (e.g. before a role change)."""
    emu, _ = denied
    found = run_tap(basic_config(emulator, rest_streams=["users", "campaigns"], **ONLY_REST),
                    tmp_path / "discover", discover=True)
    assert found.returncode == 0, found.stderr[-2000:]
    catalog = found.catalog()
    for entry in catalog["streams"]:
        for item in entry["metadata"]:
            if item["breadcrumb"] == []:
                item["metadata"]["selected"] = entry["tap_stream_id"] in ("users", "campaigns")
    run = run_tap(basic_config(emu, rest_streams=["users", "campaigns"], **ONLY_REST),
                  tmp_path / "sync", catalog=catalog)
    assert run.returncode == 0, run.stderr[-3000:]
    assert run.stderr.count(WARNING) == 1, run.stderr[-3000:]
    assert run.streams() == {"campaigns"}


def test_a_sync_probes_only_the_rest_streams_its_catalog_selects(denied, emulator, tmp_path):
    """A job that reads other streams (e.g. meltano.yml's eloqua-core) asks nothing of the
    denied one, and has nothing to warn about. (A stream its catalog lacks would be synced by
    the SDK, so that one is probed.)"""
    emu, _ = denied
    config = basic_config(emu, **ONLY_REST)
    found = run_tap(basic_config(emulator, **ONLY_REST), tmp_path / "discover", discover=True)
    catalog = found.catalog()
    for entry in catalog["streams"]:
        for item in entry["metadata"]:
            if item["breadcrumb"] == []:
                item["metadata"]["selected"] = entry["tap_stream_id"] == "campaigns"
    before = len(emu.request_log)
    run = run_tap(config, tmp_path / "sync", catalog=catalog)
    assert run.returncode == 0, run.stderr[-3000:]
    assert "REST streams left out" not in run.stderr
    assert run.streams() == {"campaigns"}
    paths = [p for _, p, _ in emu.request_log[before:] if "/api/REST/" in p]
    assert not [p for p in paths if "system/user" in p or "/assets/emails" in p], paths
