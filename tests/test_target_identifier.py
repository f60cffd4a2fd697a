"""The target matches on the stream's key (Singer's key_properties), not on a default field.

Accounts keyed on CompanyIDExt used to be matched on M_CompanyName, so a renamed company became a
second account on every run; a key Eloqua does not keep unique is refused before any push.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from tests.target_runner import (
    STRING,
    record,
    run_target,
    schema,
    small_emulator,
    state,
    target_config,
)

PROPS = {"CompanyIDExt": STRING, "M_CompanyName": STRING, "M_City": STRING}


def _accounts_run(emu: Any, workdir: Path, name: str, city: str, key: list[str]) -> Any:
    target = emu.store.accounts[3]
    messages = [schema("accounts", PROPS, key),
                record("accounts", {"CompanyIDExt": target["CompanyIDExt"],
                                    "M_CompanyName": name, "M_City": city}),
                state({"run": city})]
    return run_target(target_config(emu, workdir), workdir, messages)


def test_accounts_keyed_on_company_id_ext_upsert_twice_without_duplicates(make_emulator,
                                                                         tmp_path: Path):
    emu = small_emulator(make_emulator)
    before = len(emu.store.accounts)
    ext = emu.store.accounts[3]["CompanyIDExt"]
    for n, city in enumerate(("Antwerp", "Ghent")):
        run = _accounts_run(emu, tmp_path / str(n), f"Renamed {n} NV", city, ["CompanyIDExt"])
        assert run.returncode == 0, run.stderr[-3000:]
        assert run.states == [{"run": city}]
    assert len(emu.store.accounts) == before
    matches = [a for a in emu.store.accounts.values() if a["CompanyIDExt"] == ext]
    assert len(matches) == 1
    assert matches[0]["M_City"] == "Ghent" and matches[0]["M_CompanyName"] == "Renamed 1 NV"


def test_a_key_that_is_not_unique_is_one_line_before_any_push(make_emulator, tmp_path: Path):
    emu = small_emulator(make_emulator)
    before = len(emu.request_log)
    run = _accounts_run(emu, tmp_path, "Any NV", "Bruges", ["M_City"])
    assert run.returncode == 1, run.stderr[-2000:]
    assert "Traceback" not in run.stderr
    line = run.last_stderr_line
    assert line.startswith("target-eloqua: error: ")
    assert "M_City" in line and "not a unique field" in line and "identifier_field" in line
    assert run.states == []
    posts = [e for e in emu.request_log[before:] if e[0] == "POST"]
    assert posts == []


def test_a_composite_key_needs_identifier_field(make_emulator, tmp_path: Path):
    emu = small_emulator(make_emulator)
    run = _accounts_run(emu, tmp_path, "Any NV", "Bruges", ["CompanyIDExt", "M_City"])
    assert run.returncode == 1 and "keyed on 2 properties" in run.last_stderr_line
