"""Streams reach the right Eloqua object with the right options; what cannot load fails clearly."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from tests.target_runner import (
    BOOLEAN,
    CONTACT_PROPS,
    DATETIME,
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


def contact(emu: Any, email: str) -> dict[str, Any]:
    return next(c for c in emu.store.contacts.values()
                if (c["C_EmailAddress"] or "").lower() == email.lower())


def one_line_error(run: Any) -> str:
    assert run.returncode == 1, run.stderr[-2000:]
    assert "Traceback" not in run.stderr
    assert run.last_stderr_line.startswith("target-eloqua: error: ")
    assert run.states == []
    return run.last_stderr_line


def test_accounts_custom_object_links_and_lists_in_one_run(make_emulator, tmp_path: Path):
    emu = small_emulator(make_emulator)
    members = emu.store.contact_lists[102].members
    leaver = emu.store.contacts[5]
    members.add(5)
    co_email = emu.store.contacts[7]["C_EmailAddress"]
    messages = [
        schema("order_items_2024", {"Record Key": STRING, "Email_Address1": STRING,
                                    "amount": NUMBER, "Is Active": BOOLEAN,
                                    "Event_Date1": DATETIME, "ExternalId": STRING,
                                    "Id": NUMBER, "UpdatedAt": DATETIME}, ["Record Key"]),
        record("order_items_2024", {"Record Key": "ORD-1", "Email_Address1": co_email.upper(),
                                    "amount": 12.5, "Is Active": True, "ExternalId": "E1",
                                    "Event_Date1": "2024-07-04T16:00:00+00:00", "Id": 1,
                                    "UpdatedAt": "2024-07-05T00:00:00+00:00"}),
        schema("crm_people", {"email": STRING, "first name": STRING}, ["email"]),
        record("crm_people", {"email": "listed@example.com", "first name": "Listed"}),
        schema("leavers", {"C_EmailAddress": STRING}, ["C_EmailAddress"]),
        record("leavers", {"C_EmailAddress": leaver["C_EmailAddress"]}),
        schema("accounts", {"M_CompanyName": STRING, "M_City": STRING, "Id": NUMBER,
                            "CreatedAt": DATETIME}, ["M_CompanyName"]),
        record("accounts", {"M_CompanyName": emu.store.accounts[2]["M_CompanyName"],
                            "M_City": "Antwerp", "Id": 999, "CreatedAt": None}),
        record("accounts", {"M_CompanyName": "Brand New BV", "M_City": "Ghent", "Id": 1000}),
        state({"done": 1}),
    ]
    streams = {
        "order_items_2024": {"link": {"to": "contacts", "source_field": "Email_Address1"},
                             "field_map": {"amount": "Amount"}},
        "crm_people": {"object": "contacts", "field_map": {"email": "C_EmailAddress"},
                       "sync_actions": [{"action": "add", "destination": "{{ContactList[102]}}"},
                                        {"action": "setStatus",
                                         "destination": "{{GlobalSubscribe}}",
                                         "status": "unsubscribed"}]},
        "leavers": {"object": "contacts",
                    "sync_actions": [{"action": "remove",
                                      "destination": "{{ContactList[102]}}"}]},
    }
    run = run_target(target_config(emu, tmp_path, streams=streams), tmp_path, messages)
    assert run.returncode == 0, run.stderr[-3000:]
    assert run.states == [{"done": 1}]
    co_id = next(i for i, co in emu.store.custom_objects.items() if co.name == "Order Items (2024)")
    co = emu.store.custom_objects[co_id]
    order = next((rid, r) for rid, r in co.records.items() if r["Record_Key1"] == "ORD-1")
    assert order[1]["Amount1"] == 12.5 and order[1]["Is_Active1"] is True
    assert order[1]["ExternalId"] == "E1"
    assert order[1]["Event_Date1"].isoformat() == "2024-07-04T16:00:00+00:00"
    assert emu.imports.links[(co_id, order[0])] == ("contacts", 7)
    listed = contact(emu, "listed@example.com")
    assert listed["C_FirstName"] == "Listed" and listed["Id"] in members
    assert listed["IsSubscribed"] is False
    assert 5 not in members
    assert emu.store.accounts[2]["M_City"] == "Antwerp"
    assert any(a["M_CompanyName"] == "Brand New BV" and a["M_City"] == "Ghent"
               for a in emu.store.accounts.values())
    # The custom object's identifier defaults to its unique field; Id/UpdatedAt are left out.
    co_def = next(d for d in emu.imports.seen if d["uri"].startswith(f"/customObjects/{co_id}/"))
    assert co_def["identifierFieldName"] == "Record_Key1"
    assert co_def["mapDataCards"] is True and co_def["mapDataCardsSourceField"] == "Email_Address1"
    assert not any("UpdatedAt" in s or s.endswith(".Id}}") for s in co_def["fields"].values())
    assert emu.live_definitions() == []


@pytest.mark.parametrize(("rule", "first", "title"), [
    ("always", None, "New title"),
    ("ifNewIsNotNull", "Kept", "New title"),
    ("ifExistingIsNull", "Kept", "Old title"),
])
def test_update_rule_setting(make_emulator, tmp_path: Path, rule, first, title):
    emu = small_emulator(make_emulator)
    emu.store.update("contacts", 4, {"C_FirstName": "Kept", "C_Title": "Old title"})
    props = {"C_EmailAddress": STRING, "C_FirstName": STRING, "C_Title": STRING}
    rows = [{"C_EmailAddress": emu.store.contacts[4]["C_EmailAddress"], "C_FirstName": None,
             "C_Title": "New title"}]
    run = run_target(target_config(emu, tmp_path, update_rule=rule), tmp_path,
                     contact_messages(rows, props=props))
    assert run.returncode == 0, run.stderr[-3000:]
    assert emu.store.contacts[4]["C_FirstName"] == first
    assert emu.store.contacts[4]["C_Title"] == title
    assert emu.imports.seen[0]["updateRule"] == rule


def test_other_identifier_and_multiple_matches(make_emulator, tmp_path: Path):
    emu = small_emulator(make_emulator)
    for cid in (11, 12):
        emu.store.update("contacts", cid, {"C_SFDCContactID": "003SHARED"})
    messages = [schema("sfdc", {"C_SFDCContactID": STRING, "C_City": STRING}),
                record("sfdc", {"C_SFDCContactID": "003shared", "C_City": "Leuven"})]
    streams = {"sfdc": {"object": "contacts", "identifier_field": "SFDC Contact ID",
                        "update_multiple_matches": True}}
    run = run_target(target_config(emu, tmp_path, streams=streams), tmp_path, messages)
    assert run.returncode == 0, run.stderr[-3000:]
    assert emu.store.contacts[11]["C_City"] == emu.store.contacts[12]["C_City"] == "Leuven"
    assert emu.imports.seen[0]["identifierFieldName"] == "C_SFDCContactID"
    assert emu.imports.seen[0]["isUpdatingMultipleMatchedRecords"] is True


def test_external_activities_load_from_an_activity_stream(make_emulator, tmp_path: Path):
    emu = small_emulator(make_emulator)
    email = emu.store.contacts[3]["C_EmailAddress"]
    messages = [schema("activity_webinar", {"EmailAddress": STRING, "ActivityDate": DATETIME,
                                            "AssetName": STRING, "AssetType": STRING,
                                            "ExternalId": STRING, "IpAddress": STRING}),
                record("activity_webinar", {"EmailAddress": email, "AssetName": "Launch",
                                            "AssetType": "Webinar", "ExternalId": "X1",
                                            "ActivityDate": "2024-06-01T14:00:00+00:00",
                                            "IpAddress": "10.0.0.1"})]
    config = target_config(emu, tmp_path,
                           streams={"activity_webinar": {"activity_type": "Webinar"}})
    run = run_target(config, tmp_path, messages)
    assert run.returncode == 0, run.stderr[-3000:]
    [webinar] = emu.store.activities["Webinar"]
    assert webinar["ContactId"] == 3 and webinar["AssetName"] == "Launch"
    assert webinar["ActivityDate"].isoformat() == "2024-06-01T14:00:00+00:00"
    assert "identifierFieldName" not in emu.imports.seen[0]


def test_a_stream_that_maps_to_nothing_names_the_setting(make_emulator, tmp_path: Path):
    emu = small_emulator(make_emulator)
    run = run_target(target_config(emu, tmp_path), tmp_path,
                     [schema("widgets", {"id": NUMBER}), record("widgets", {"id": 1})])
    line = one_line_error(run)
    assert "'widgets'" in line and "streams" in line and '"object": "contacts"' in line
    assert "order_items_2024" in line            # the custom-object names it would accept


def test_an_unknown_object_in_the_settings_lists_what_exists(make_emulator, tmp_path: Path):
    emu = small_emulator(make_emulator)
    run = run_target(target_config(emu, tmp_path, streams={"x": {"object": "Leads"}}), tmp_path,
                     [schema("x", {"id": NUMBER})])
    line = one_line_error(run)
    assert "streams.x.object 'Leads'" in line and "Web Leads" in line


def test_unknown_properties_fail_or_are_left_out(make_emulator, tmp_path: Path):
    emu = small_emulator(make_emulator)
    props = {**CONTACT_PROPS, "shoe_size": NUMBER, "favourite colour": STRING}
    rows = [{"C_EmailAddress": "unknown@example.com", "shoe_size": 44, "C_FirstName": "U"}]
    strict = run_target(target_config(emu, tmp_path), tmp_path,
                        contact_messages(rows, props=props))
    line = one_line_error(strict)
    assert "shoe_size" in line and "favourite colour" in line
    assert "ignore_unknown_properties" in line
    lenient = run_target(target_config(emu, tmp_path, ignore_unknown_properties=True), tmp_path,
                         contact_messages(rows, props=props))
    assert lenient.returncode == 0, lenient.stderr[-2000:]
    assert "left out: shoe_size, favourite colour" in lenient.stderr
    assert contact(emu, "unknown@example.com")["C_FirstName"] == "U"


def test_missing_identifier_property_and_undeclared_record_keys(make_emulator, tmp_path: Path):
    emu = small_emulator(make_emulator)
    run = run_target(target_config(emu, tmp_path), tmp_path,
                     [schema("contacts", {"C_FirstName": STRING})])
    assert "no property for its identifier C_EmailAddress" in one_line_error(run)
    run = run_target(target_config(emu, tmp_path), tmp_path, contact_messages(
        [{"C_EmailAddress": "a@example.com", "surprise": 1}]))
    assert "does not declare: surprise" in one_line_error(run)


@pytest.mark.parametrize(("stdin", "expected"), [
    ('{"type": "SCHEMA", "stream": "contacts", "schema": {"properties": '
     '{"C_EmailAddress": {"type": "string"}}}}\n{not json\n', "not valid JSON"),
    ('{"type": "RECORD", "stream": "contacts", "record": {"C_EmailAddress": "a@b.co"}}\n',
     "before a corresponding schema"),
    ('{"type": "SCHEMA", "stream": "contacts", "schema": {"type": "object"}}\n', "properties"),
    ('{"type": "WHATEVER"}\n', "unknown Singer message type"),
])
def test_malformed_input_is_one_line(make_emulator, tmp_path: Path, stdin, expected):
    emu = small_emulator(make_emulator)
    line = one_line_error(run_target(target_config(emu, tmp_path), tmp_path, stdin))
    assert expected in line


def test_bad_settings_are_one_line_and_secrets_stay_out(make_emulator, tmp_path: Path):
    emu = small_emulator(make_emulator)
    run = run_target(target_config(emu, tmp_path, update_rule="sometimes"), tmp_path, "")
    line = one_line_error(run)
    assert "update_rule" in line and emu.password not in run.stderr
    run = run_target(target_config(emu, tmp_path, max_push_bytes=64 * 1024 * 1024), tmp_path, "")
    assert "max_push_bytes" in one_line_error(run)
    run = run_target(target_config(emu, tmp_path, password="Wrong-Pa55word!"), tmp_path,
                     contact_messages([{"C_EmailAddress": "a@example.com"}]))
    line = one_line_error(run)
    assert "Not authenticated" in line and "Wrong-Pa55word!" not in run.stderr


def test_validate_records_turns_schema_violations_into_one_line(make_emulator, tmp_path: Path):
    emu = small_emulator(make_emulator)
    rows = [{"C_EmailAddress": "v@example.com", "C_Lead_Score1": "ten"}]
    run = run_target(target_config(emu, tmp_path, validate_records=True), tmp_path,
                     contact_messages(rows))
    line = one_line_error(run)
    assert "record 1 does not match its schema" in line and "'ten'" in line


def test_about_lists_the_target_settings(tmp_path: Path):
    proc = subprocess.run([sys.executable, "-m", "target_eloqua", "--about", "--format=json"],
                          capture_output=True, text=True, check=True)
    settings = json.loads(proc.stdout)["settings"]["properties"]
    for name in ("streams", "update_rule", "rejects_file", "fail_on_rejects", "max_push_bytes",
                 "max_pushes_per_sync", "batch_size_rows", "password", "login_url"):
        assert name in settings, name
    assert settings["password"].get("secret") is True
    assert settings["validate_records"]["default"] is False


@pytest.mark.parametrize("content", ['{"login_url": ', "[1, 2]", None])
def test_an_unreadable_config_file_is_one_line(tmp_path: Path, content):
    path = tmp_path / "config.json"
    if content is not None:
        path.write_text(content)
    proc = subprocess.run([sys.executable, "-m", "target_eloqua", "--config", str(path)],
                          input="", capture_output=True, text=True, check=False)
    assert proc.returncode == 1 and "Traceback" not in proc.stderr
    assert proc.stderr.strip().splitlines()[-1].startswith("target-eloqua: error: ")
    assert str(path) in proc.stderr


def test_a_field_map_to_a_read_only_field_is_a_warning(make_emulator, tmp_path: Path):
    emu = small_emulator(make_emulator)
    read_only = next(f["internalName"] for f in emu.store.contact_fields
                     if f.get("hasReadOnlyConstraint"))
    props = {**CONTACT_PROPS, "external_ref": STRING}
    rows = [{"C_EmailAddress": "ro@example.com", "external_ref": "X-1"}]
    config = target_config(emu, tmp_path,
                           streams={"contacts": {"field_map": {"external_ref": read_only}}})
    run = run_target(config, tmp_path, contact_messages(rows, props=props))
    assert run.returncode == 0, run.stderr[-2000:]
    assert f"field_map.external_ref names {read_only}" in run.stderr
    assert "ro@example.com" in {r["C_EmailAddress"] for r in emu.store.contacts.values()}
