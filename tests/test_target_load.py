"""target-eloqua end to end over real HTTP: upserts land with the right values, rejects are all
reported, replays change nothing, and batches respect Eloqua's limits."""

from __future__ import annotations

import copy
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import pytest

from eloqua_emulator import EloquaEmulator, EmulatorConfig
from tests.target_runner import (
    CONTACT_PROPS,
    NUMBER,
    STRING,
    contact_messages,
    record,
    run_target,
    schema,
    small_emulator,
    state,
    target_config,
)

BIG = 20_000
INVALID_AT = (17, 4_000, 9_999, 15_321, 19_998)        # 0-based positions of the bad emails


def big_rows(existing: dict[int, dict[str, Any]]) -> list[dict[str, Any]]:
    """20,000 contacts: the first 1,000 update seeded ones (by email, other case), 5 invalid."""
    rows = []
    seeded = [c["C_EmailAddress"] for c in existing.values()][:1000]
    for i in range(BIG):
        email = seeded[i].upper() if i < len(seeded) else f"person{i}@load.example.com"
        if i in INVALID_AT:
            email = f"not an email {i}"
        rows.append({"C_EmailAddress": email, "C_FirstName": f"First{i}", "C_LastName": "Load",
                     "C_Lead_Score1": i % 100,
                     "C_Birthday1": f"2024-0{1 + i % 9}-1{i % 10}T15:30:00+00:00"})
    return rows


@pytest.fixture(scope="module")
def big(tmp_path_factory) -> Any:
    emu = EloquaEmulator(EmulatorConfig(contacts=1000, accounts=10, activities_per_type=0,
                                        custom_object_records=2, sync_pending_seconds=0.01,
                                        sync_active_seconds=0.02)).start()
    workdir = tmp_path_factory.mktemp("big")
    rows = big_rows(emu.store.contacts)
    config = target_config(emu, workdir)
    first = run_target(config, workdir, contact_messages(rows))
    snapshot = copy.deepcopy(emu.store.contacts)
    syncs_after_first = emu.import_syncs.count
    replay = run_target({**config, "rejects_file": str(workdir / "replay-rejects.jsonl")},
                        workdir, contact_messages(rows))
    yield {"emu": emu, "rows": rows, "first": first, "replay": replay, "snapshot": snapshot,
           "syncs_after_first": syncs_after_first}
    emu.stop()


def test_twenty_thousand_contacts_are_upserted_with_their_values(big):
    emu, first = big["emu"], big["first"]
    assert first.returncode == 0, first.stderr[-3000:]
    by_email = {c["C_EmailAddress"].lower(): c for c in emu.store.contacts.values()}
    loaded = 0
    for i, row in enumerate(big["rows"]):
        if i in INVALID_AT:
            assert row["C_EmailAddress"].lower() not in by_email
            continue
        contact = by_email[row["C_EmailAddress"].lower()]
        assert contact["C_FirstName"] == row["C_FirstName"]
        assert contact["C_LastName"] == "Load" and contact["C_Lead_Score1"] == i % 100
        assert contact["C_Birthday1"] == datetime.fromisoformat(row["C_Birthday1"])
        loaded += 1
    assert loaded == BIG - len(INVALID_AT) == 19_995
    assert len(emu.store.contacts) == 1000 + BIG - 1000 - 4   # one invalid row was a seeded one
    assert big["syncs_after_first"] == 1                      # one batch, one sync
    assert emu.live_definitions() == []


def test_the_five_invalid_emails_are_reported(big):
    first = big["first"]
    rejects = first.rejects
    assert len(rejects) == 5
    assert sorted(r["record_number"] for r in rejects) == [i + 1 for i in INVALID_AT]
    for r in rejects:
        row = big["rows"][r["record_number"] - 1]
        assert r["statusCode"] == "ELQ-00002" and r["message"] == "Invalid email address."
        assert r["fieldValues"]["C_EmailAddress"] == row["C_EmailAddress"]
        assert r["invalidFields"] == ["C_EmailAddress"]
        assert r["stream"] == "contacts" and r["sync"].startswith("/syncs/")
        assert isinstance(r["recordIndex"], int)
    assert "Eloqua rejected 5 of 20000 records" in first.stderr
    assert str(first.rejects_path) in first.stderr
    assert first.states == [{"bookmarks": {"contacts": {"done": True}}}]


def test_replaying_the_same_input_changes_nothing(big):
    replay = big["replay"]
    assert replay.returncode == 0, replay.stderr[-3000:]
    assert big["emu"].store.contacts == big["snapshot"]
    assert len(replay.rejects) == 5
    assert "(0 created, 0 updated" in replay.stderr


def test_batch_size_rows_is_honoured_and_duplicates_merge(make_emulator, tmp_path: Path):
    emu = small_emulator(make_emulator)
    rows = [{"C_EmailAddress": f"b{i}@example.com", "C_FirstName": f"v{i}"} for i in range(100)]
    rows += [{"C_EmailAddress": "B5@EXAMPLE.COM", "C_FirstName": "last wins"}]
    run = run_target(target_config(emu, tmp_path, batch_size_rows=30), tmp_path,
                     contact_messages(rows))
    assert run.returncode == 0, run.stderr[-3000:]
    assert emu.import_syncs.count == 4                      # 30 + 30 + 30 + 11 records
    by_email = {c["C_EmailAddress"]: c for c in emu.store.contacts.values()}
    assert by_email["b5@example.com"]["C_FirstName"] == "last wins"
    assert by_email["b99@example.com"]["C_FirstName"] == "v99"


def test_an_import_over_100_fields_is_split_on_the_identifier(make_emulator, tmp_path: Path):
    emu = small_emulator(make_emulator, extra_contact_fields=160)
    extras = {f["internalName"]: f["dataType"] for f in emu.store.contact_fields
              if f["internalName"].startswith("C_Extra_Field_") and f["dataType"] != "date"}
    props = {"C_EmailAddress": STRING, "C_FirstName": STRING,
             **{name: NUMBER if kind == "number" else STRING for name, kind in extras.items()}}
    assert len(props) > 100

    def values(i: int) -> dict[str, Any]:
        return {name: i * 7 + n if kind == "number" else f"{name}-{i}"
                for n, (name, kind) in enumerate(extras.items())}

    rows = [{"C_EmailAddress": f"wide{i}@example.com", "C_FirstName": f"W{i}", **values(i)}
            for i in range(5)]
    rows.append({"C_EmailAddress": emu.store.contacts[1]["C_EmailAddress"], "C_FirstName": "Upd",
                 **values(99)})
    run = run_target(target_config(emu, tmp_path), tmp_path,
                     contact_messages(rows, props=props))
    assert run.returncode == 0, run.stderr[-3000:]
    definitions = emu.imports.seen
    assert len(definitions) == 2
    for d in definitions:
        assert len(d["fields"]) <= 100
        assert d["identifierFieldName"] == "C_EmailAddress" and "C_EmailAddress" in d["fields"]
    assert set(definitions[0]["fields"]) | set(definitions[1]["fields"]) == set(props)
    by_email = {c["C_EmailAddress"]: c for c in emu.store.contacts.values()}
    for row in rows:
        contact = by_email[row["C_EmailAddress"]]
        assert all(contact[k] == v for k, v in row.items()), row["C_EmailAddress"]
    assert emu.live_definitions() == []


def test_pushes_stay_under_the_byte_cap_and_syncs_come_every_n_pushes(make_emulator,
                                                                       tmp_path: Path):
    emu = small_emulator(make_emulator, import_max_bytes=3000, import_max_pushes=4)
    rows = [{"C_EmailAddress": f"chunk{i}@example.com", "C_FirstName": "x" * 40,
             "C_LastName": f"L{i}"} for i in range(120)]
    config = target_config(emu, tmp_path, max_push_bytes=2500, max_pushes_per_sync=4)
    run = run_target(config, tmp_path, contact_messages(rows))
    assert run.returncode == 0, run.stderr[-3000:]
    pushes = emu.imports.pushes_seen
    assert len(pushes) > 4 and max(pushes) <= 2500
    assert emu.import_syncs.count == -(-len(pushes) // 4)    # a sync after every 4 pushes
    assert len(emu.imports.seen) == 1                        # one definition for the batch
    by_email = {c["C_EmailAddress"]: c for c in emu.store.contacts.values()}
    assert all(by_email[r["C_EmailAddress"]]["C_LastName"] == r["C_LastName"] for r in rows)


def test_the_emulator_limits_fail_a_target_configured_past_them(make_emulator, tmp_path: Path):
    emu = small_emulator(make_emulator, import_max_bytes=3000, import_max_pushes=3)
    rows = [{"C_EmailAddress": f"over{i}@example.com", "C_FirstName": "y" * 40}
            for i in range(100)]
    run = run_target(target_config(emu, tmp_path, max_push_bytes=2500, max_pushes_per_sync=10),
                     tmp_path, contact_messages(rows))
    assert run.returncode == 1
    assert "Traceback" not in run.stderr
    assert run.last_stderr_line.startswith("target-eloqua: error:")
    assert "HTTP 400" in run.last_stderr_line and "files" in run.last_stderr_line
    assert run.states == []
    assert emu.live_definitions() == []


@pytest.mark.parametrize("content", ["rows", "big_row"])
def test_a_record_larger_than_the_cap_is_a_clear_error(make_emulator, tmp_path: Path, content):
    emu = small_emulator(make_emulator)
    rows = [{"C_EmailAddress": "fine@example.com", "C_FirstName": "ok"},
            {"C_EmailAddress": "huge@example.com", "C_FirstName": "z" * 2000}]
    run = run_target(target_config(emu, tmp_path, max_push_bytes=1000), tmp_path,
                     contact_messages(rows if content == "big_row" else rows[1:]))
    assert run.returncode == 1
    assert "record" in run.last_stderr_line and "max_push_bytes" in run.last_stderr_line
    assert emu.live_definitions() == []


def test_missing_properties_are_never_sent_as_empty(make_emulator, tmp_path: Path):
    emu = small_emulator(make_emulator)
    seeded = emu.store.contacts[2]
    assert seeded["C_LastName"] is not None
    rows = [{"C_EmailAddress": seeded["C_EmailAddress"], "C_FirstName": "OnlyFirst"},
            {"C_EmailAddress": "full@example.com", "C_FirstName": "F", "C_LastName": "L"}]
    run = run_target(target_config(emu, tmp_path), tmp_path, contact_messages(rows))
    assert run.returncode == 0, run.stderr[-3000:]
    assert emu.store.contacts[2]["C_FirstName"] == "OnlyFirst"
    assert emu.store.contacts[2]["C_LastName"] == seeded["C_LastName"]
    assert len(emu.imports.seen) == 2           # one definition per record shape


def test_wrong_types_and_missing_identifiers_are_reported_rejects(make_emulator, tmp_path: Path):
    emu = small_emulator(make_emulator)
    rows = [{"C_EmailAddress": "typed@example.com", "C_Lead_Score1": "a lot"},
            {"C_EmailAddress": None, "C_FirstName": "Nobody"},
            {"C_EmailAddress": "good@example.com", "C_Lead_Score1": 3}]
    run = run_target(target_config(emu, tmp_path), tmp_path, contact_messages(rows))
    assert run.returncode == 0, run.stderr[-3000:]
    codes = sorted((r["record_number"], r["statusCode"]) for r in run.rejects)
    assert codes == [(1, "ELQ-00144"), (2, "ELQ-00061")]
    assert "Eloqua rejected 2 of 3 records" in run.stderr
    assert any(c["C_EmailAddress"] == "good@example.com" for c in emu.store.contacts.values())


def test_fail_on_rejects_stops_before_state(make_emulator, tmp_path: Path):
    emu = small_emulator(make_emulator)
    rows = [{"C_EmailAddress": "ok@example.com"}, {"C_EmailAddress": "nope"}]
    run = run_target(target_config(emu, tmp_path, fail_on_rejects=True), tmp_path,
                     contact_messages(rows))
    assert run.returncode == 1
    assert "Traceback" not in run.stderr
    assert "Eloqua rejected 1 of 2 records" in run.last_stderr_line
    assert "fail_on_rejects" in run.last_stderr_line
    assert len(run.rejects) == 1 and run.states == []
    assert emu.live_definitions() == []


def test_more_than_a_page_of_rejects_is_read_to_the_end(make_emulator, tmp_path: Path):
    emu = small_emulator(make_emulator)
    rows = [{"C_EmailAddress": f"broken address {i}"} for i in range(1100)]
    rows.append({"C_EmailAddress": "the.only.good.one@example.com"})
    run = run_target(target_config(emu, tmp_path), tmp_path, contact_messages(rows))
    assert run.returncode == 0, run.stderr[-3000:]
    assert len(run.rejects) == 1100
    assert sorted(r["record_number"] for r in run.rejects) == list(range(1, 1101))
    pages = [p for m, p, s in emu.request_log if m == "GET" and "/rejects" in p]
    assert len(pages) == 2


def test_a_failed_sync_fails_with_eloquas_message_and_no_state(make_emulator, tmp_path: Path):
    emu = small_emulator(make_emulator)
    emu.fail_next_sync(code="ELQ-00146", message="The sync failed because of a temporary error.")
    run = run_target(target_config(emu, tmp_path), tmp_path,
                     contact_messages([{"C_EmailAddress": "x@example.com"}]))
    assert run.returncode == 1
    assert "Traceback" not in run.stderr
    last = run.last_stderr_line
    assert last.startswith("target-eloqua: error: contacts: Eloqua sync /syncs/")
    assert "ELQ-00146" in last and "temporary error" in last
    assert run.states == []
    assert emu.live_definitions() == []


def test_state_waits_for_every_stream_of_the_drain(make_emulator, tmp_path: Path):
    emu = small_emulator(make_emulator)
    messages = [
        schema("contacts", CONTACT_PROPS, ["C_EmailAddress"]),
        schema("accounts", {"M_CompanyName": STRING, "M_City": STRING}, ["M_CompanyName"]),
        record("contacts", {"C_EmailAddress": "first@example.com"}),
        state({"n": 1}),
        record("accounts", {"M_CompanyName": "Later Inc", "M_City": "Gent"}),
        state({"n": 2}),
    ]
    emu.fail_next_sync()             # the first sync (contacts: drained first) fails
    failed = run_target(target_config(emu, tmp_path), tmp_path, messages)
    assert failed.returncode == 1 and failed.states == []
    ok = run_target(target_config(emu, tmp_path), tmp_path, messages)
    assert ok.returncode == 0, ok.stderr[-3000:]
    assert ok.states == [{"n": 2}]
    assert any(a["M_CompanyName"] == "Later Inc" for a in emu.store.accounts.values())
    assert emu.live_definitions() == []


def test_dates_are_sent_in_the_instance_time_zone(make_emulator, tmp_path: Path):
    emu = small_emulator(make_emulator)
    rows = [{"C_EmailAddress": "tz@example.com", "C_Birthday1": "2024-01-15T17:45:30.250000Z"}]
    run = run_target(target_config(emu, tmp_path), tmp_path, contact_messages(rows))
    assert run.returncode == 0, run.stderr[-3000:]
    contact = next(c for c in emu.store.contacts.values()
                   if c["C_EmailAddress"] == "tz@example.com")
    assert contact["C_Birthday1"] == datetime(2024, 1, 15, 17, 45, 30, 250000, tzinfo=timezone.utc)


def test_numbers_in_identifier_and_id_identifier(make_emulator, tmp_path: Path):
    emu = small_emulator(make_emulator)
    messages = [schema("people", {"Id": NUMBER, "C_Title": STRING}, ["Id"]),
                record("people", {"Id": 3, "C_Title": "Chief"}),
                record("people", {"Id": 4242, "C_Title": "Ghost"})]
    config = target_config(emu, tmp_path, streams={
        "people": {"object": "contacts", "identifier_field": "Id"}})
    run = run_target(config, tmp_path, messages)
    assert run.returncode == 0, run.stderr[-3000:]
    assert emu.store.contacts[3]["C_Title"] == "Chief"
    assert [(r["record_number"], r["statusCode"]) for r in run.rejects] == [(2, "ELQ-00034")]


def test_throttling_and_outages_change_nothing(make_emulator, tmp_path: Path):
    emu = small_emulator(make_emulator, import_max_bytes=4000)
    rows = [{"C_EmailAddress": f"flaky{i}@example.com", "C_FirstName": f"F{i}",
             "C_LastName": "z" * 30} for i in range(150)]
    emu.set_faults(rate=0.25, kinds=("429", "500", "503"), seed=5,
                   paths=["/imports", "/syncs", "/fields"])
    run = run_target(target_config(emu, tmp_path, max_push_bytes=3500, max_retries=10),
                     tmp_path, contact_messages(rows))
    emu.clear_faults()
    assert run.returncode == 0, run.stderr[-3000:]
    faulted = [e for e in emu.request_log if e[2] in (429, 500, 503)]
    assert len(faulted) >= 5 and any("/data" in path for _, path, _ in faulted)
    by_email = {c["C_EmailAddress"]: c for c in emu.store.contacts.values()}
    assert all(by_email[r["C_EmailAddress"]]["C_FirstName"] == r["C_FirstName"] for r in rows)
    assert sum(len(s.rejects) for s in emu.import_syncs.syncs.values()) == 0
    assert run.states and emu.live_definitions() == []
