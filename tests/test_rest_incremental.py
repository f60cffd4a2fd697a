"""REST incremental runs: half-open windows at whole seconds, keyset paging, faults and 401s."""

from __future__ import annotations

import gzip
import json
import math
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path
from urllib.parse import urlparse

from eloqua_bulk.config import session_from
from tests.expected import REST_STREAMS, assert_stream_equals, rest_records
from tests.tap_runner import basic_config, run_tap

SMALL = {"contacts": 60, "accounts": 10, "activities_per_type": 20, "custom_objects": 0}
ONLY_REST = {"activity_types": [], "custom_objects": ["none"]}
UTC = timezone.utc


def _next_second() -> None:
    """Wait until the clock is in a later second than now (REST dates are whole seconds)."""
    now = time.time()
    time.sleep(math.floor(now) + 1.05 - now)


def _ids(run, stream: str, key: str = "id") -> list:
    return sorted(r[key] for r in run.records(stream))


def test_second_run_emits_exactly_the_changed_elements(make_emulator, tmp_path: Path):
    emu = make_emulator(**SMALL)
    rest = emu.store.rest
    config = basic_config(emu, rest_streams=["all"], **ONLY_REST)
    first = run_tap(config, tmp_path / "1")
    assert first.returncode == 0, first.stderr[-3000:]
    assert len(first.records("campaigns")) == 59

    _next_second()
    rest.touch("campaigns", 3, {"name": "Renamed, \"again\" 🎯"})
    rest.touch("emails", 1005)
    new_user = rest.add("users", {"name": "New Person", "loginName": "new.person"})
    submission = rest.submit(1001, 7, {5003: "someone@example.com"})
    visitor = sorted(rest.assets["visitors"])[4]
    rest.touch("visitors", visitor)
    new_member = next(c for c in sorted(emu.store.contacts)
                      if c not in emu.store.contact_lists[101].members)
    emu.store.contact_lists[101].members.add(new_member)
    rest.touch_list(101)
    _next_second()

    second = run_tap(config, tmp_path / "2", state=first.final_state)
    assert second.returncode == 0, second.stderr[-3000:]
    assert _ids(second, "campaigns") == [3]
    assert second.records("campaigns")[0]["name"] == "Renamed, \"again\" 🎯"
    assert _ids(second, "emails") == [1005]
    assert _ids(second, "users") == [new_user]
    assert [(r["formId"], r["id"]) for r in second.records("form_submissions")] == [
        (1001, submission["id"])]
    assert _ids(second, "visitors", "visitorId") == [visitor]
    assert _ids(second, "contact_lists") == [101]
    # list membership is read in full every run: the new member is there, nobody is missing
    members = {(r["listId"], r["contactId"]) for r in second.records("contact_list_members")}
    assert (101, new_member) in members
    assert len(members) == len(rest_records(emu, "contact_list_members"))
    quiet = set(REST_STREAMS) - {"campaigns", "emails", "users", "form_submissions", "visitors",
                                 "contact_lists", "contact_list_members"}
    assert not quiet & second.streams()

    third = run_tap(config, tmp_path / "3", state=second.final_state)
    assert third.returncode == 0, third.stderr[-3000:]
    assert third.streams() & set(REST_STREAMS) == {"contact_list_members"}


def test_an_element_updated_in_the_window_end_second_is_read_once(make_emulator,
                                                                    tmp_path: Path):
    """The window end is exclusive: the boundary second belongs to the next run, whole."""
    emu = make_emulator(**SMALL)
    rest = emu.store.rest
    boundary = datetime(2025, 6, 1, tzinfo=UTC)  # after every seeded date
    second = timedelta(seconds=1)
    for element_id, at in ((1, boundary - second), (2, boundary), (3, boundary),
                           (4, boundary + second)):
        rest.touch("campaigns", element_id, at=at)
    early = rest.submit(1002, 5, {5006: "a"}, at=boundary - second)
    on_edge = rest.submit(1002, 6, {5006: "b"}, at=boundary)
    streams = ["campaigns", "form_submissions"]

    first = run_tap(basic_config(emu, rest_streams=streams, end_date=boundary.isoformat(),
                                 **ONLY_REST), tmp_path / "1")
    assert first.returncode == 0, first.stderr[-3000:]
    first_ids = _ids(first, "campaigns")
    assert 1 in first_ids and not {2, 3, 4} & set(first_ids)
    first_subs = {(r["formId"], r["id"]) for r in first.records("form_submissions")}
    assert (1002, early["id"]) in first_subs and (1002, on_edge["id"]) not in first_subs
    assert first.final_state["bookmarks"]["campaigns"]["replication_key_value"] == \
        "2025-06-01T00:00:00+00:00"

    later = (boundary + 2 * second).isoformat()
    second_run = run_tap(basic_config(emu, rest_streams=streams, end_date=later, **ONLY_REST),
                         tmp_path / "2", state=first.final_state)
    assert second_run.returncode == 0, second_run.stderr[-3000:]
    assert _ids(second_run, "campaigns") == [2, 3, 4]
    assert [(r["formId"], r["id"]) for r in second_run.records("form_submissions")] == [
        (1002, on_edge["id"])]
    searches = [p for _, p, _ in emu.request_log if "/assets/campaigns" in p and "search" in p]
    assert any("%3E%3D" in p and "%3C" in p for p in searches), searches  # >= start, < end


def test_small_pages_and_a_crowded_second_read_everything_once(make_emulator, tmp_path: Path):
    emu = make_emulator(**SMALL)
    crowded = datetime(2025, 3, 1, 12, 0, 0, tzinfo=UTC)
    for email_id in range(1010, 1030):  # 20 emails in one second, pages of 7
        emu.store.rest.touch("emails", email_id, at=crowded)
    config = basic_config(emu, rest_streams=["emails", "form_submissions", "visitors"],
                          rest_page_size=7, **ONLY_REST)
    run = run_tap(config, tmp_path)
    assert run.returncode == 0, run.stderr[-3000:]
    for stream in ("emails", "form_submissions", "visitors"):
        message = run.schemas()[stream]
        assert_stream_equals(run.records(stream), message["schema"], message["key_properties"],
                             rest_records(emu, stream), stream)
    email_calls = [p for _, p, _ in emu.request_log if "/assets/emails" in p]
    assert len(email_calls) >= math.ceil(100 / 7)
    one_second = f"updatedAt%3D%27{int(crowded.timestamp())}%27"
    assert any(one_second in p for p in email_calls), "the crowded second was not read alone"
    assert any("count=7" in p and "/data/form/" in p and "page=2" in p
               for _, p, _ in emu.request_log)
    assert "read 100 of 100 elements" in run.stderr


def test_more_than_one_page_at_the_maximum_count(make_emulator, tmp_path: Path):
    emu = make_emulator(rest_extra_visitors=1500, **SMALL)
    run = run_tap(basic_config(emu, rest_streams=["visitors"], **ONLY_REST), tmp_path)
    assert run.returncode == 0, run.stderr[-3000:]
    message = run.schemas()["visitors"]
    expected = rest_records(emu, "visitors")
    assert len(expected) > 1500
    assert_stream_equals(run.records("visitors"), message["schema"], message["key_properties"],
                         expected, "visitors")
    calls = [p for _, p, _ in emu.request_log  # leaving out discovery's access probe (count=1)
             if "/data/visitors" in p and not p.endswith("?count=1&page=1")]
    assert len(calls) >= 2 and all("count=1000" in p for p in calls)


def test_throttling_and_outages_on_rest_calls_change_nothing(make_emulator, tmp_path: Path):
    emu = make_emulator(**SMALL)
    streams = ["campaigns", "form_submissions", "contact_list_members", "users"]
    emu.set_faults(rate=0.2, kinds=("429", "500", "503", "reset", "truncate"), seed=4,
                   paths=["/api/REST"])
    run = run_tap(basic_config(emu, rest_streams=streams, rest_page_size=40, max_retries=10,
                               **ONLY_REST), tmp_path)
    emu.clear_faults()
    assert run.returncode == 0, run.stderr[-3000:]
    faulted = [e for e in emu.request_log if "/api/REST" in e[1] and e[2] in (0, 429, 500, 503)]
    assert len(faulted) >= 5, "fault injection did not happen"
    for stream in streams:
        message = run.schemas()[stream]
        assert_stream_equals(run.records(stream), message["schema"], message["key_properties"],
                             rest_records(emu, stream), stream)
    assert "retry" in run.stderr


def test_a_401_on_a_rest_call_reauthenticates_once(make_emulator, tmp_path: Path):
    emu = make_emulator(**SMALL)
    session = session_from({"login_url": emu.login_url, "client_id": emu.client_id,
                            "client_secret": emu.client_secret,
                            "refresh_token": emu.issue_refresh_token(),
                            "token_store_path": str(tmp_path / "tokens.json")}, "test")
    first = session.rest_request("GET", "/assets/campaigns", {"count": 1})
    assert first["total"] == 59
    with emu.auth.lock:
        emu.auth.access.clear()  # the instance revokes every bearer token
    again = session.rest_request("GET", "/assets/contact/lists", {"depth": "partial"},
                                 version="1.0")
    assert again["total"] == 2
    statuses = [s for _, p, s in emu.request_log if p.startswith("/api/REST/")]
    assert statuses == [200, 401, 200]


def test_a_rest_error_ends_the_run_in_one_line(make_emulator, tmp_path: Path):
    emu = make_emulator(**SMALL)
    emu.store.rest.assets["users"].clear()  # nothing to read is fine ...
    ok = run_tap(basic_config(emu, rest_streams=["users"], **ONLY_REST), tmp_path / "ok")
    assert ok.returncode == 0, ok.stderr[-3000:]
    assert ok.records("users") == []
    emu.set_faults(rate=1.0, kinds=("500",), paths=["/api/REST"])
    bad = run_tap(basic_config(emu, rest_streams=["users"], max_retries=2, **ONLY_REST),
                  tmp_path / "bad")
    emu.clear_faults()
    assert bad.returncode != 0
    assert "Traceback" not in bad.stderr
    last = bad.stderr.strip().splitlines()[-1]
    assert "GET /system/users kept failing after 2 attempts" in last
    assert emu.password not in bad.stderr


def test_batch_mode_writes_the_same_rest_records_and_state(make_emulator, tmp_path: Path):
    emu = make_emulator(**SMALL)
    streams = ["campaigns", "form_submissions", "contact_list_members"]
    config = basic_config(emu, rest_streams=streams, rest_page_size=25,
                          end_date="2026-01-01T00:00:00Z", **ONLY_REST)
    plain = run_tap(config, tmp_path / "plain")
    assert plain.returncode == 0, plain.stderr[-2000:]
    batched = run_tap({**config, "batch_config": {
        "encoding": {"format": "jsonl", "compression": "gzip"},
        "storage": {"root": f"file://{tmp_path / 'batches'}", "prefix": "rest-"},
        "batch_size": 20}}, tmp_path / "batched")
    assert batched.returncode == 0, batched.stderr[-2000:]
    from_files: dict[str, list[dict]] = {}
    for message in batched.messages:
        if message["type"] == "BATCH":
            for url in message["manifest"]:
                with gzip.open(urlparse(url).path, "rt") as handle:
                    from_files.setdefault(message["stream"], []).extend(
                        json.loads(line) for line in handle)
        elif message["type"] == "STATE":  # a bookmark never runs ahead of the files written
            mark = message["value"]["bookmarks"].get("campaigns", {}).get("replication_key_value")
            if mark and "campaigns" in plain.streams():
                before = {r["id"] for r in plain.records("campaigns") if r["updatedAt"] < mark}
                assert before <= {r["id"] for r in from_files.get("campaigns", [])}, mark
    for stream in streams:
        key = plain.schemas()[stream]["key_properties"]
        assert sorted(from_files[stream], key=lambda r: [r[k] for k in key]) == sorted(
            plain.records(stream), key=lambda r: [r[k] for k in key]), stream
    assert batched.final_state["bookmarks"]["campaigns"] == \
        plain.final_state["bookmarks"]["campaigns"]
