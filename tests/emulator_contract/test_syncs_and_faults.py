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


def test_extra_fields_share_pooled_values_without_moving_other_seeded_data() -> None:
    plain = EloquaEmulator(EmulatorConfig(seed=3, contacts=200, activities_per_type=5))
    wide = EloquaEmulator(EmulatorConfig(seed=3, contacts=200, activities_per_type=5,
                                         extra_contact_fields=8))
    again = EloquaEmulator(EmulatorConfig(seed=3, contacts=200, activities_per_type=5,
                                          extra_contact_fields=8))
    assert wide.store.contacts == again.store.contacts
    assert wide.store.activities == plain.store.activities
    extras = [f for f in wide.store.contact_fields if "_Extra_Field_" in f["internalName"]]
    assert [f["dataType"] for f in extras] == ["string", "number", "date"] * 2 + ["string",
                                                                                 "number"]
    for cid, rec in wide.store.contacts.items():
        assert {k: v for k, v in rec.items() if "_Extra_Field_" not in k} == \
            plain.store.contacts[cid]
        for f in extras:
            value = rec[f["internalName"]]
            if value is None:
                continue
            if f["dataType"] == "string":
                assert type(value) is str and value[0] == "v" and 0 <= int(value[1:]) < 1000
            elif f["dataType"] == "number":
                assert type(value) is int and -500 <= value < 500
            else:
                assert value.year == 2024 and value.microsecond % 1000 == 0
    columns = {f["internalName"]: [r[f["internalName"]] for r in wide.store.contacts.values()]
               for f in extras}
    for values in columns.values():
        assert 0.15 < sum(v is None for v in values) / len(values) < 0.45
        assert len(set(values)) > 50


def test_exports_past_eager_cells_render_each_page_as_it_is_read(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from eloqua_emulator import syncs  # noqa: PLC0415

    emu = fresh(contacts=120, accounts=10, extra_contact_fields=12, shuffle_rows=False)
    api = Api(emu)
    try:
        fields = {"Id": "{{Contact.Id}}", "Account": "{{Contact.Account.Field(M_CompanyName)}}",
                  "Created": "{{Contact.CreatedAt}}",
                  "Subscribed": "{{Contact.Email.IsSubscribed}}"}
        fields.update({f["internalName"]: f["statement"] for f in emu.store.contact_fields})
        body = {"name": "wide", "fields": fields, "areSystemTimestampsInUTC": True,
                "filter": "'{{Contact.Id}}' > '5'"}
        eager = api.export("contacts", body, limit=17)
        assert not any(s.build for s in emu.syncs.syncs.values())
        monkeypatch.setattr(syncs, "EAGER_CELLS", 0)
        uri = api("POST", "/contacts/exports", json=body).json()["uri"]
        sync = api("POST", "/syncs", json={"syncedInstanceUri": uri}).json()
        emu.store.update("contacts", 7, {"C_FirstName": "After the snapshot"})
        assert api.wait(sync["uri"])["status"] == "success"
        assert emu.syncs.syncs[int(sync["uri"].rsplit("/", 1)[1])].build is not None
        lazy, offset = [], 0
        while True:
            page = api("GET", f"{sync['uri']}/data", params={"limit": 17, "offset": offset})
            lazy += page.json().get("items", [])
            if not page.json()["hasMore"]:
                break
            offset += 17
        assert lazy == eager and len(eager) == 115
        assert api("GET", f"{sync['uri']}/logs").json()["items"][0]["count"] == 115
        beyond = api("GET", f"{sync['uri']}/data", params={"offset": 115}).json()
        assert beyond == {"totalResults": 115, "limit": 1000, "offset": 115, "count": 0,
                          "hasMore": False}
        assert api("DELETE", f"{sync['uri']}/data").status_code == 204
        assert api("GET", f"{sync['uri']}/data").status_code == 404
    finally:
        emu.stop()
