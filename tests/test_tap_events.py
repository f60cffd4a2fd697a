"""Bulk events (one stream per event) and campaign responses through the export machinery."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest

from eloqua_emulator.common import now_ms
from tests.expected import EVENT_STREAMS, assert_stream_equals, bulk_extra_records
from tests.tap_runner import TapRun, basic_config, run_tap

SMALL = {"contacts": 60, "accounts": 10, "activities_per_type": 40, "custom_objects": 0,
         "event_records": 15}
EXTRAS = {"events": ["all"], "campaign_responses": True, "activity_types": [],
          "custom_objects": ["none"]}


@pytest.fixture(scope="module")
def events_run(emulator, tmp_path_factory) -> TapRun:
    run = run_tap(basic_config(emulator, **EXTRAS), tmp_path_factory.mktemp("events"))
    assert run.returncode == 0, run.stderr[-3000:]
    return run


@pytest.mark.parametrize("stream", [*EVENT_STREAMS, "campaign_responses"])
def test_records_equal_the_emulator_data(emulator, events_run, stream):
    message = events_run.schemas()[stream]
    expected = bulk_extra_records(emulator, stream)
    assert expected, f"the emulator seeds no {stream}"
    assert_stream_equals(events_run.records(stream), message["schema"],
                         message["key_properties"], expected, stream)


def test_keys_replication_and_types(events_run):
    event = events_run.schemas()["event_spring_summit_2024"]
    assert event["key_properties"] == ["Id"]
    assert event["bookmark_properties"] == ["UpdatedAt"]
    props = event["schema"]["properties"]
    assert props["Id"]["type"] == ["integer"]
    assert props["Attended1"]["type"] == ["boolean", "null"]
    assert props["Guests1"]["type"] == ["number", "null"]
    assert props["Registered_On1"]["format"] == "date-time"
    responses = events_run.schemas()["campaign_responses"]
    assert responses["key_properties"] == ["Id"]
    assert responses["bookmark_properties"] == ["CreatedAt"]
    assert responses["schema"]["properties"]["CampaignId"]["type"] == ["integer", "null"]


def test_exports_use_event_statements_and_half_open_windows(emulator, events_run):
    definitions = emulator.export_definitions_seen()
    event = [d for d in definitions if d["uri"].startswith("/events/40/")]
    assert event, "no export of event 40"
    assert "{{Event[40].Id}}" in event[0]["fields"].values()
    assert "'{{Event[40].UpdatedAt}}' >= '" in event[0]["filter"]
    assert "'{{Event[40].UpdatedAt}}' < '" in event[0]["filter"]
    responses = [d for d in definitions if d["uri"].startswith("/campaignResponses/exports/")]
    assert responses and "'{{CampaignResponse.CreatedAt}}' >= '" in responses[0]["filter"]


def test_responses_share_campaigns_and_contacts_with_activities(emulator, events_run):
    activity_pairs = {(a["CampaignId"], a["ContactId"])
                      for t in ("EmailOpen", "EmailClickthrough")
                      for a in emulator.store.activities[t]}
    emitted = {(r["CampaignId"], r["ContactId"]) for r in events_run.records("campaign_responses")}
    assert emitted <= activity_pairs
    contacts = {c["C_EmailAddress"] for c in emulator.store.contacts.values()}
    registrants = {r["Registrant_Email1"] for r in events_run.records("event_partner_webinar_q3")}
    assert registrants - {None} <= contacts


def test_events_and_responses_are_offered_only_when_asked(emulator, tmp_path: Path):
    plain = run_tap(basic_config(emulator), tmp_path / "plain", discover=True)
    assert plain.returncode == 0, plain.stderr[-2000:]
    names = {s["tap_stream_id"] for s in plain.catalog()["streams"]}
    assert not names & {*EVENT_STREAMS, "campaign_responses"}
    chosen = run_tap(basic_config(emulator, events=["41", "customer day (emea)"]),
                     tmp_path / "chosen", discover=True)
    assert chosen.returncode == 0, chosen.stderr[-2000:]
    names = {s["tap_stream_id"] for s in chosen.catalog()["streams"]}
    assert names & set(EVENT_STREAMS) == {"event_partner_webinar_q3", "event_customer_day_emea"}
    assert "campaign_responses" not in names


def test_second_run_emits_exactly_the_changed_records(make_emulator, tmp_path: Path):
    emu = make_emulator(**SMALL)
    config = basic_config(emu, **EXTRAS)
    first = run_tap(config, tmp_path / "1")
    assert first.returncode == 0, first.stderr[-3000:]
    assert len(first.records("event_spring_summit_2024")) == 15

    event = emu.store.events[40]
    with emu.store.lock:
        event.records[4] = {**event.records[4], "Session1": "Moved, again",
                            "UpdatedAt": now_ms()}
        emu.store.campaign_responses.append({
            "Id": 900, "CreatedAt": now_ms() - timedelta(milliseconds=5), "CampaignId": 12,
            "ContactId": 3, "MemberStatus": "Responded", "IntegrationReturnValue": None})

    second = run_tap(config, tmp_path / "2", state=first.final_state)
    assert second.returncode == 0, second.stderr[-3000:]
    assert [(r["Id"], r["Session1"]) for r in second.records("event_spring_summit_2024")] == [
        (4, "Moved, again")]
    assert [r["Id"] for r in second.records("campaign_responses")] == [900]
    assert not second.streams() & {"event_partner_webinar_q3", "event_customer_day_emea"}
    assert emu.live_definitions() == []
