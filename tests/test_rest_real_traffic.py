"""REST properties as real Eloqua sends them (StanHilliar/RSSapp's copies of a p02 instance's
answers): REST 1.0 `permissions` is the string "fullControl" (2.0 segments list the grants), and
email groups spell their subscription properties `unsubscriptionLandingPageId` but
`unSubscriptionListId` / `unSubscriptionListDataLookupId`."""

from __future__ import annotations

import re

import pytest
import requests

from tests.tap_runner import TapRun, basic_config, run_tap

SUBSCRIPTION = ("subscriptionLandingPageId", "unsubscriptionLandingPageId", "subscriptionListId",
                "unSubscriptionListId", "subscriptionListDataLookupId",
                "unSubscriptionListDataLookupId")
GUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")


@pytest.fixture(scope="module")
def run(emulator, tmp_path_factory) -> TapRun:
    config = basic_config(emulator, rest_streams=["email_groups", "contact_lists", "campaigns",
                                                  "contact_segments"],
                          activity_types=[], custom_objects=["none"])
    done = run_tap(config, tmp_path_factory.mktemp("rest-real"))
    assert done.returncode == 0, done.stderr[-3000:]
    return done


def _get(emu, path: str) -> dict:
    answer = requests.get(f"{emu.base_url}/API/REST/{path}", timeout=10,
                          auth=(f"{emu.site_name}\\{emu.username}", emu.password))
    assert answer.status_code == 200, answer.text
    return answer.json()


def test_emulator_sends_the_real_shapes(emulator):
    group = _get(emulator, "1.0/assets/email/groups?depth=complete")["elements"][0]
    assert group["permissions"] == "fullControl"
    for name in SUBSCRIPTION:
        assert name in group, name
    assert "unSubscriptionLandingPageId" not in group and "unsubscriptionListId" not in group
    assert GUID.match(group["unSubscriptionListDataLookupId"])
    assert _get(emulator, "1.0/assets/contact/lists")["elements"][0]["permissions"] == (
        "fullControl")
    segment = _get(emulator, "2.0/assets/contact/segments")["elements"][0]
    assert segment["permissions"] == ["Retrieve", "SetSecurity", "Delete", "Update"]


def test_rest_1_0_permissions_string_is_kept_as_a_one_grant_list(run):
    for stream in ("email_groups", "contact_lists"):
        records = run.records(stream)
        assert records, stream
        assert all(r["permissions"] == ["fullControl"] for r in records), stream
        prop = run.schemas()[stream]["schema"]["properties"]["permissions"]
        assert "array" in prop["type"], prop
    for stream in ("campaigns", "contact_segments"):  # REST 2.0: the list of grants
        assert all(r["permissions"] == ["Retrieve", "SetSecurity", "Delete", "Update"]
                   for r in run.records(stream)), stream
    assert "emitted as null" not in run.stderr


def test_email_group_subscription_properties_are_read_under_their_real_names(emulator, run):
    records = run.records("email_groups")
    assert len(records) == len(emulator.store.rest.assets["emailGroups"])
    for record in records:
        stored = emulator.store.rest.assets["emailGroups"][record["id"]]
        for name in SUBSCRIPTION:
            assert record[name] is not None, (record["id"], name)
            assert record[name] == stored[name], (record["id"], name)
        assert GUID.match(record["subscriptionListDataLookupId"])
