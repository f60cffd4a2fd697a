"""REST Application API streams over real HTTP equal the emulator's data, typed and complete."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.expected import REST_STREAMS, assert_stream_equals, rest_records
from tests.tap_runner import TapRun, basic_config, run_tap

ONLY_REST = {"activity_types": [], "custom_objects": ["none"]}


@pytest.fixture(scope="module")
def rest_run(emulator, tmp_path_factory) -> TapRun:
    config = basic_config(emulator, **ONLY_REST)  # default settings: every REST stream
    run = run_tap(config, tmp_path_factory.mktemp("rest"))
    assert run.returncode == 0, run.stderr[-3000:]
    return run


def test_every_rest_stream_is_emitted(rest_run):
    assert set(REST_STREAMS) <= set(rest_run.schemas())
    assert set(REST_STREAMS) <= rest_run.streams()


@pytest.mark.parametrize("stream", REST_STREAMS)
def test_records_equal_the_emulator_data(emulator, rest_run, stream):
    message = rest_run.schemas()[stream]
    assert_stream_equals(rest_run.records(stream), message["schema"],
                         message["key_properties"], rest_records(emulator, stream), stream)


def test_keys_and_replication(rest_run):
    schemas = rest_run.schemas()
    expected = {
        "campaigns": (["id"], ["updatedAt"]), "emails": (["id"], ["updatedAt"]),
        "forms": (["id"], ["updatedAt"]),
        "form_submissions": (["formId", "id"], ["submittedAt"]),
        "landing_pages": (["id"], ["updatedAt"]), "users": (["id"], ["updatedAt"]),
        "contact_lists": (["id"], ["updatedAt"]),
        "contact_list_members": (["listId", "contactId"], None),
        "contact_segments": (["id"], ["updatedAt"]), "email_groups": (["id"], ["updatedAt"]),
        "visitors": (["visitorId"], ["V_LastVisitDateAndTime"]),
        "external_assets": (["id"], ["updatedAt"]),
    }
    for stream, (key, bookmark) in expected.items():
        assert schemas[stream]["key_properties"] == key, stream
        assert schemas[stream].get("bookmark_properties") == bookmark, stream


def test_schema_types_are_real(rest_run):
    props = rest_run.schemas()["campaigns"]["schema"]["properties"]
    assert props["id"]["type"] == ["integer"]
    assert props["updatedAt"] == {"type": ["string", "null"], "format": "date-time"}
    assert props["createdBy"]["type"] == ["integer", "null"]
    assert props["isReadOnly"]["type"] == ["boolean", "null"]
    assert props["budgetedCost"]["type"] == ["number", "null"]
    assert props["elements"]["items"]["properties"]["id"]["type"] == ["integer", "null"]
    record = rest_run.records("campaigns")[0]
    assert isinstance(record["id"], int) and isinstance(record["isReadOnly"], bool)
    assert record["updatedAt"].endswith("+00:00")
    visitor = rest_run.records("visitors")[0]
    assert isinstance(visitor["visitorId"], int) and isinstance(visitor["id"], int)


def test_emails_are_read_at_partial_depth_without_html(emulator, rest_run):
    # leaving out discovery's access probe (count=1, default depth)
    email_calls = [p for _, p, _ in emulator.request_log
                   if "/assets/emails" in p and not p.endswith("?count=1&page=1")]
    assert email_calls and all("depth=partial" in p for p in email_calls)
    for record in rest_run.records("emails"):
        assert "html" not in (record["htmlContent"] or {})
        assert record["plainText"] is None
        assert record["subject"]


def test_final_state_bookmarks_the_window_end(rest_run):
    bookmarks = rest_run.final_state["bookmarks"]
    for stream in REST_STREAMS:
        if stream == "contact_list_members":
            assert "replication_key_value" not in bookmarks.get(stream, {})
            continue
        value = bookmarks[stream]["replication_key_value"]
        assert value.endswith("+00:00") and "." not in value, (stream, value)


def test_rest_data_is_consistent_with_the_bulk_data(emulator, rest_run):
    contacts = set(emulator.store.contacts)
    campaign_ids = {r["id"] for r in rest_run.records("campaigns")}
    activity_campaigns = {a["CampaignId"] for recs in emulator.store.activities.values()
                          for a in recs if a.get("CampaignId") is not None}
    assert activity_campaigns <= campaign_ids
    submitters = {r["submittedByContactId"] for r in rest_run.records("form_submissions")}
    assert submitters - {None} <= contacts
    assert {r["contactId"] for r in rest_run.records("contact_list_members")} <= contacts
    email_ids = {r["id"] for r in rest_run.records("emails")}
    email_assets = {a["AssetId"] for a in emulator.store.activities["EmailOpen"]}
    assert email_assets <= email_ids


def test_include_email_html_reads_emails_complete(make_emulator, tmp_path: Path):
    emu = make_emulator(contacts=20, accounts=5, activities_per_type=5, custom_objects=0)
    config = basic_config(emu, rest_streams=["emails"], include_email_html=True, **ONLY_REST)
    run = run_tap(config, tmp_path)
    assert run.returncode == 0, run.stderr[-3000:]
    message = run.schemas()["emails"]
    expected = rest_records(emu, "emails", include_email_html=True)
    assert_stream_equals(run.records("emails"), message["schema"], message["key_properties"],
                         expected, "emails")
    assert all(r["htmlContent"]["html"].startswith("<html>") for r in run.records("emails"))
    assert all(r["plainText"] for r in run.records("emails"))
    assert set(run.streams()) == {"emails", "contacts", "accounts"}


def test_rest_streams_narrows_discovery(emulator, tmp_path: Path):
    chosen = run_tap(basic_config(emulator, rest_streams=["users", "visitors"]),
                     tmp_path / "chosen", discover=True)
    assert chosen.returncode == 0, chosen.stderr[-2000:]
    streams = {s["tap_stream_id"]: s for s in chosen.catalog()["streams"]}
    assert {"users", "visitors"} <= set(streams)
    assert not set(streams) & (set(REST_STREAMS) - {"users", "visitors"})
    root = next(m for m in streams["visitors"]["metadata"] if m["breadcrumb"] == [])
    assert root["metadata"]["table-key-properties"] == ["visitorId"]
    assert root["metadata"]["valid-replication-keys"] == ["V_LastVisitDateAndTime"]


@pytest.mark.parametrize(("setting", "needle"), [
    ({"rest_streams": ["campaigns", "webinars"]}, "Unknown rest_streams ['webinars']"),
    ({"rest_streams": ["all"], "rest_page_size": 5000}, "rest_page_size 5000 is out of range"),
])
def test_bad_rest_settings_fail_in_one_line(emulator, tmp_path: Path, setting, needle):
    run = run_tap(basic_config(emulator, **setting), tmp_path, discover=True)
    assert run.returncode != 0
    assert "Traceback" not in run.stderr
    assert needle in run.stderr.strip().splitlines()[-1]
