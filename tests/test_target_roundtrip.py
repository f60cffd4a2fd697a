"""tap-eloqua | target-eloqua between two emulators: the copy ends equal; a replay is a no-op."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from eloqua_emulator import EloquaEmulator, EmulatorConfig
from tests.tap_runner import basic_config, run_tap
from tests.target_runner import FAST_SYNCS, run_target, target_config

# Set by Eloqua itself (ids, system dates, read-only fields, bounce and format flags).
CONTACT_OWN = {"Id", "CreatedAt", "UpdatedAt", "C_DateCreated", "C_DateModified",
               "C_LastModifiedByExtIntegrateSystem", "ContactIDExt", "IsBounced", "EmailFormat"}
ACCOUNT_OWN = {"Id", "CreatedAt", "UpdatedAt", "M_DateCreated", "M_DateModified",
               "M_LastModifiedByExtIntegrateSystem", "CompanyIDExt"}
CO_OWN = {"Id", "CreatedAt", "UpdatedAt"}


@pytest.fixture(scope="module")
def copied(tmp_path_factory) -> Any:
    source = EloquaEmulator(EmulatorConfig(seed=31, contacts=250, accounts=30,
                                           activities_per_type=6, custom_object_records=15,
                                           **FAST_SYNCS)).start()
    dest = EloquaEmulator(EmulatorConfig(seed=32, contacts=0, accounts=0, activities_per_type=0,
                                         custom_object_records=0, **FAST_SYNCS)).start()
    workdir = tmp_path_factory.mktemp("roundtrip")
    tap = run_tap(basic_config(source, activity_types=["EmailOpen"], rest_streams=[]),
                  workdir / "tap")
    assert tap.returncode == 0, tap.stderr[-3000:]
    config = target_config(dest, workdir, apply_subscription_status=True)
    first = run_target(config, workdir, tap.stdout)
    snapshot = copy.deepcopy((dest.store.contacts, dest.store.accounts,
                              {k: co.records for k, co in dest.store.custom_objects.items()}))
    replay = run_target({**config, "rejects_file": str(workdir / "replay-rejects.jsonl")},
                        workdir, tap.stdout)
    # The tap's BATCH mode (gzip JSON-lines files named in BATCH messages) into a third instance.
    batched = EloquaEmulator(EmulatorConfig(seed=33, contacts=0, accounts=0,
                                            activities_per_type=0, custom_object_records=0,
                                            **FAST_SYNCS)).start()
    bulk_only = basic_config(source, activity_types=[], rest_streams=[])
    tap_batch = run_tap({**bulk_only, "batch_config": {
        "encoding": {"format": "jsonl", "compression": "gzip"},
        "storage": {"root": f"file://{workdir / 'batches'}", "prefix": "eloqua-"},
        "batch_size": 100}}, workdir / "tap-batch")
    assert tap_batch.returncode == 0, tap_batch.stderr[-3000:]
    from_batches = run_target(target_config(batched, workdir / "batch",
                                            apply_subscription_status=True), workdir / "batch",
                              tap_batch.stdout)
    yield {"source": source, "dest": dest, "tap": tap, "first": first, "replay": replay,
           "snapshot": snapshot, "batched": batched, "from_batches": from_batches}
    for emu in (source, dest, batched):
        emu.stop()


def _same(source: dict[int, dict[str, Any]], dest: dict[int, dict[str, Any]], key: str,
          own: set[str]) -> None:
    by_key = {r[key]: r for r in dest.values()}
    assert len(by_key) == len(dest) == len(source)
    for record in source.values():
        copy_ = by_key[record[key]]
        for name, value in record.items():
            if name not in own:
                assert copy_[name] == value, f"{key}={record[key]}: {name}"


def test_the_tap_output_loads_unchanged(copied):
    first = copied["first"]
    assert first.returncode == 0, first.stderr[-3000:]
    assert first.states and first.states[-1] == copied["tap"].final_state
    assert copied["dest"].live_definitions() == []


def test_contacts_accounts_and_custom_objects_end_equal(copied):
    source, dest = copied["source"].store, copied["dest"].store
    _same(source.contacts, dest.contacts, "C_EmailAddress", CONTACT_OWN)
    _same(source.accounts, dest.accounts, "M_CompanyName", ACCOUNT_OWN)
    for co_id, co in source.custom_objects.items():
        _same(co.records, dest.custom_objects[co_id].records, "Record_Key1", CO_OWN)
    assert {c["IsSubscribed"] for c in dest.contacts.values()} == {True, False}


def test_activities_the_tap_exported_are_reported_not_lost(copied):
    rejects = [r for r in copied["first"].rejects if r["stream"] == "activity_email_open"]
    assert len(rejects) == len(copied["source"].store.activities["EmailOpen"]) == 6
    assert {r["statusCode"] for r in rejects} == {"ELQ-00070"}    # not an external activity


def test_replaying_the_copy_changes_nothing(copied):
    replay, dest = copied["replay"], copied["dest"]
    assert replay.returncode == 0, replay.stderr[-3000:]
    assert (dest.store.contacts, dest.store.accounts,
            {k: co.records for k, co in dest.store.custom_objects.items()}) == copied["snapshot"]


def test_the_taps_batch_files_load_the_same(copied):
    run, source, batched = copied["from_batches"], copied["source"].store, copied["batched"]
    assert run.returncode == 0, run.stderr[-3000:]
    _same(source.contacts, batched.store.contacts, "C_EmailAddress", CONTACT_OWN)
    _same(source.accounts, batched.store.accounts, "M_CompanyName", ACCOUNT_OWN)
    for co_id, co in source.custom_objects.items():
        _same(co.records, batched.store.custom_objects[co_id].records, "Record_Key1", CO_OWN)
    assert batched.live_definitions() == []
