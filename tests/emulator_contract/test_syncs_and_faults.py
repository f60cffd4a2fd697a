"""The sync lifecycle, paging, logs, expiry, faults and the seed."""

from __future__ import annotations

import time
from datetime import timedelta

import pytest
import requests

from eloqua_emulator import EloquaEmulator, EmulatorConfig
from tests.emulator_contract.support import BULK, Api, fresh


# ---- syncs, paging, logs, lifecycle --------------------------------------------------------------
def test_paging_at_50000_and_logs() -> None:
    emu = fresh(contacts=60_000, accounts=10, activities_per_type=1, custom_objects=1)
    api = Api(emu)
    try:
        defn = api(
            "POST",
            "/contacts/exports",
            json={
                "name": "big",
                "fields": {"Id": "{{Contact.Id}}", "Email": "{{Contact.Field(C_EmailAddress)}}"},
            },
        ).json()
        sync = api("POST", "/syncs", json={"syncedInstanceUri": defn["uri"]})
        assert sync.status_code == 201
        s = sync.json()
        assert (
            s["status"] == "pending"
            and s["uri"].startswith("/syncs/")
            and s["syncedInstanceUri"] == defn["uri"]
        )
        done = api.wait(s["uri"])
        assert done["status"] == "success" and done["syncStartedAt"] <= done["syncEndedAt"]
        first = api("GET", f"{s['uri']}/data", params={"limit": 50000})
        page = first.json()
        assert page["count"] == 50000 and page["hasMore"] and page["totalResults"] == 60_000
        second = api("GET", f"{s['uri']}/data", params={"limit": 50000, "offset": 50000}).json()
        assert second["count"] == 10_000 and not second["hasMore"]
        ids = {r["Id"] for r in page["items"]} | {r["Id"] for r in second["items"]}
        assert len(ids) == 60_000
        assert api("GET", f"{s['uri']}/data", params={"limit": 50001}).status_code == 400
        beyond = api(
            "GET", f"{s['uri']}/data", params={"offset": 60_000, "totalResults": "false"}
        ).json()
        assert beyond == {"limit": 1000, "offset": 60_000, "count": 0, "hasMore": False}
        logs = api("GET", f"{s['uri']}/logs").json()["items"]
        assert [lg["statusCode"] for lg in logs] == ["ELQ-00102", "ELQ-00131", "ELQ-00106"]
        assert (
            logs[0]["count"] == 60_000
            and logs[0]["message"] == "Successfully exported members to csv file."
        )
        assert all(lg["syncUri"] == s["uri"] and lg["severity"] == "information" for lg in logs)
        assert emu.sync_count == 1
        assert api("GET", "/syncs").json()["items"][0]["uri"] == s["uri"]
    finally:
        emu.stop()


def test_snapshot_is_taken_at_sync_creation_and_updates_show_next_time() -> None:
    emu = fresh(slow_sync_seconds=0.3)
    api = Api(emu)
    try:
        before = max(r["UpdatedAt"] for r in emu.store.contacts.values())
        flt = f"'{{{{Contact.UpdatedAt}}}}' > '{before.strftime('%Y-%m-%d %H:%M:%S.%f')[:-3]}'"
        body = {
            "name": "inc",
            "fields": {"Id": "{{Contact.Id}}", "First": "{{Contact.Field(C_FirstName)}}"},
            "filter": flt,
            "areSystemTimestampsInUTC": True,
        }
        uri = api("POST", "/contacts/exports", json=body).json()["uri"]
        sync = api("POST", "/syncs", json={"syncedInstanceUri": uri}).json()
        rec = emu.store.update("contacts", 3, {"C_FirstName": "Changed"})
        assert rec["UpdatedAt"] > before and rec["C_DateModified"] == rec["UpdatedAt"]
        new_id = emu.store.add("contacts", {"C_FirstName": "New"})
        api.wait(sync["uri"])
        assert "items" not in api("GET", f"{sync['uri']}/data").json()
        rows = api.export("contacts", body)
        assert {r["Id"]: r["First"] for r in rows} == {"3": "Changed", str(new_id): "New"}
        r = requests.post(
            emu.base_url + "/_emulator/update",
            json={"kind": "contacts", "id": 5, "changes": {"C_FirstName": "Remote"}},
        )
        assert r.status_code == 200 and emu.store.contacts[5]["C_FirstName"] == "Remote"
        act = emu.store.add_activity("EmailOpen", {"ContactId": 1})
        assert act["ExternalId"] not in {a["ExternalId"] for a in emu.store.activities["EmailSend"]}
    finally:
        emu.stop()


def test_failed_sync_cap_and_status_literal() -> None:
    emu = fresh(error_status_literal="errored", activity_export_cap=5)
    api = Api(emu)
    try:
        uri = api(
            "POST", "/contacts/exports", json={"name": "f", "fields": {"Id": "{{Contact.Id}}"}}
        ).json()["uri"]
        emu.fail_next_sync()
        sync = api("POST", "/syncs", json={"syncedInstanceUri": uri}).json()
        assert api.wait(sync["uri"])["status"] == "errored"
        logs = api("GET", f"{sync['uri']}/logs").json()["items"]
        assert {"statusCode": "ELQ-00146", "severity": "error"}.items() <= logs[0].items()
        assert api("GET", f"{sync['uri']}/data").status_code == 400
        ok = api("POST", "/syncs", json={"syncedInstanceUri": uri}).json()
        assert api.wait(ok["uri"])["status"] == "success"
        act = api(
            "POST",
            "/activities/exports",
            json={
                "name": "a",
                "fields": {"Id": "{{Activity.Id}}"},
                "filter": "'{{Activity.Type}}' = 'EmailOpen'",
            },
        ).json()
        big = api("POST", "/syncs", json={"syncedInstanceUri": act["uri"]}).json()
        assert api.wait(big["uri"])["status"] == "errored"
        logs = api("GET", f"{big['uri']}/logs").json()["items"]
        assert logs[0]["statusCode"] == "ELQ-00102" and logs[0]["count"] == 10
        assert any(lg["severity"] == "error" and "limit" in lg["message"] for lg in logs)
    finally:
        emu.stop()


def test_data_deletion_expiry_and_definition_deleted_mid_sync() -> None:
    emu = fresh(slow_sync_seconds=0.4)
    api = Api(emu)
    try:
        body = {"name": "d", "fields": {"Id": "{{Contact.Id}}"}, "dataRetentionDuration": "PT1H"}
        uri = api("POST", "/contacts/exports", json=body).json()["uri"]
        sync = api("POST", "/syncs", json={"syncedInstanceUri": uri}).json()
        assert api("DELETE", f"{sync['uri']}/data").status_code == 409
        assert api("DELETE", f"{uri}/data").status_code == 409
        assert api("GET", f"{sync['uri']}/data").status_code == 400  # not finished yet
        api.wait(sync["uri"])
        assert api("GET", f"{sync['uri']}/data").status_code == 200
        assert api("DELETE", f"{sync['uri']}/data").status_code == 204
        assert api("GET", f"{sync['uri']}/data").status_code == 404
        second = api("POST", "/syncs", json={"syncedInstanceUri": uri}).json()
        api.wait(second["uri"])
        emu.expire_sync_data(int(second["uri"].rsplit("/", 1)[1]))
        assert api("GET", f"{second['uri']}/data").status_code == 404
        third = api("POST", "/syncs", json={"syncedInstanceUri": uri}).json()
        assert api("DELETE", uri).status_code == 204
        final = api.wait(third["uri"])
        assert final["status"] == "error"
        assert "ELQ-00143" in [
            lg["statusCode"] for lg in api("GET", f"{third['uri']}/logs").json()["items"]
        ]
        assert emu.live_definitions() == []
    finally:
        emu.stop()


# ---- faults --------------------------------------------------------------------------------------
def test_faults_have_no_side_effects_and_let_retries_through() -> None:
    emu = fresh(fault_sleep_seconds=0.05)
    api = Api(emu)
    try:
        emu.set_faults(rate=1.0, kinds=("503",), seed=3)
        body = {"name": "f", "fields": {"Id": "{{Contact.Id}}"}}
        statuses = [api("POST", "/contacts/exports", json=body).status_code for _ in range(4)]
        assert statuses == [503, 503, 503, 201]
        assert len(emu.live_definitions()) == 1
        emu.set_faults(rate=1.0, kinds=("reset",), seed=3)
        with pytest.raises(requests.ConnectionError):
            api("POST", "/syncs", json={"syncedInstanceUri": emu.live_definitions()[0]})
        emu.set_faults(rate=1.0, kinds=("truncate",), seed=3)
        with pytest.raises(requests.exceptions.RequestException):
            api("GET", "/contacts/fields").json()
        emu.set_faults(rate=1.0, kinds=("429",), seed=3)
        assert requests.get(emu.login_url + "/id").status_code == 429  # the login listener too
        emu.set_faults(rate=1.0, kinds=("timeout",), seed=3, paths=["/contacts/fields"])
        t = time.monotonic()
        assert api("GET", "/contacts/fields").status_code == 200
        assert time.monotonic() - t >= 0.05
        assert api("GET", "/customObjects").status_code == 200  # not in `paths`
        emu.set_faults(rate=1.0, kinds=("timeout",), seed=3, paths=["/exports"])
        assert (
            api("POST", "/contacts/exports", json=body).status_code == 503
        )  # POSTs stay unprocessed
        assert len(emu.live_definitions()) == 1
        emu.clear_faults()
        assert emu.sync_count == 0
        emu.set_faults(rate=0.3, kinds=("429", "500", "502", "503"), seed=11)
        codes = [api("GET", "/customObjects").status_code for _ in range(60)]
        assert 0 < codes.count(200) < 60 and set(codes) <= {200, 429, 500, 502, 503}
        assert ("GET", BULK + "/customObjects", 200) in emu.request_log
    finally:
        emu.stop()


def test_chunked_request_bodies_are_read(api: Api) -> None:
    chunks = (c for c in [b'{"name": "chunked", ', b'"fields": {"Id": "{{Contact.Id}}"}}'])
    r = api("POST", "/contacts/exports", data=chunks, headers={"Content-Type": "application/json"})
    assert r.status_code == 201 and r.json()["name"] == "chunked"
    assert api("DELETE", r.json()["uri"]).status_code == 204


def test_seed_is_deterministic() -> None:
    a, b = (
        EloquaEmulator(EmulatorConfig(seed=3, contacts=30)),
        EloquaEmulator(EmulatorConfig(seed=3, contacts=30)),
    )
    assert a.store.contacts == b.store.contacts and a.store.activities == b.store.activities
    dates = [r["UpdatedAt"] for r in a.store.contacts.values()]
    assert all(
        d.year == 2024 and d.microsecond % 1000 == 0 and d.utcoffset() == timedelta(0)
        for d in dates
    )
