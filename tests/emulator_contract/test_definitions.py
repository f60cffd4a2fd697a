"""Export definitions: validation failures, CRUD, echo and listing."""

from __future__ import annotations

import requests

from tests.emulator_contract.support import Api, fresh


# ---- definitions ---------------------------------------------------------------------------------
def _failures(r: requests.Response) -> list[str]:
    assert r.status_code == 400, r.text
    return [f["field"] for f in r.json()["failures"]]


def test_definition_validation_failures(api: Api) -> None:
    base = {"name": "x", "fields": {"Id": "{{Contact.Id}}"}}
    assert _failures(
        api("POST", "/contacts/exports", json={**base, "fields": {"a": "{{Contact.Nope}}"}})
    ) == ["fields"]
    assert _failures(
        api("POST", "/contacts/exports", json={**base, "fields": {"a": "Contact.Id"}})
    ) == ["fields"]
    assert _failures(api("POST", "/contacts/exports", json={**base, "fields": {}})) == ["fields"]
    assert _failures(api("POST", "/contacts/exports", json={**base, "name": "n" * 101})) == ["name"]
    for bad in (
        "'{{Contact.Id}}' = 5",
        "{{Contact.Id}} = '5'",
        "'{{Contact.Id}}' = '5' AND",
        "'{{Contact.Field(C_Nope)}}' = 'x'",
        "'{{Contact.UpdatedAt}}' >= 'yesterday'",
        "EXISTS('{{ContactList[101]}}') AND EXISTS('{{ContactList[102]}}')",
        "EXISTS('{{ContactList[999]}}')",
        "'{{Contact.Id}}' = '1' OR " * 50 + "'{{Contact.Id}}' = '1'",
    ):
        assert _failures(api("POST", "/contacts/exports", json={**base, "filter": bad})) == [
            "filter"
        ], bad
    assert _failures(
        api("POST", "/contacts/exports", json={**base, "dataRetentionDuration": "P15D"})
    ) == ["dataRetentionDuration"]
    assert _failures(
        api("POST", "/contacts/exports", json={**base, "autoDeleteDuration": "PT30M"})
    ) == ["autoDeleteDuration"]
    act = {"name": "a", "fields": {"ActivityId": "{{Activity.Id}}"}}
    assert _failures(api("POST", "/activities/exports", json=act)) == ["filter"]
    assert _failures(
        api(
            "POST",
            "/activities/exports",
            json={**act, "filter": "'{{Activity.CreatedAt}}' >= '2024-01-01'"},
        )
    ) == ["filter"]
    assert _failures(
        api(
            "POST",
            "/activities/exports",
            json={
                **act,
                "filter": "'{{Activity.Type}}' = 'EmailOpen' OR '{{Activity.Type}}' = 'EmailSend'",
            },
        )
    ) == ["filter"]
    assert _failures(
        api(
            "POST",
            "/activities/exports",
            json={
                **act,
                "filter": "'{{Activity.Type}}' = 'EmailOpen' AND "
                "'{{Activity.Contact.Field(C_Country)}}' = 'BE'",
            },
        )
    ) == ["filter"]
    raw = {
        "name": "a",
        "fields": {"RawData": "{{Activity.Field(RawData)}}"},
        "filter": "'{{Activity.Type}}'='EmailOpen'",
    }
    assert _failures(api("POST", "/activities/exports", json=raw)) == [
        "fields"
    ]  # not an EmailOpen field
    many = {
        f"c{i}": f"{{{{Activity.Contact.Field({f['internalName']})}}}}"
        for i, f in enumerate(api.emu.store.contact_fields[:11])
    }
    assert _failures(
        api(
            "POST",
            "/activities/exports",
            json={"name": "a", "fields": many, "filter": "'{{Activity.Type}}' = 'EmailOpen'"},
        )
    ) == ["fields"]
    assert _failures(
        api("POST", "/syncs", json={"syncedInstanceUri": "/contacts/exports/99999"})
    ) == ["syncedInstanceUri"]


def test_definition_crud_echo_and_listing() -> None:
    emu = fresh()
    api = Api(emu)
    try:
        body = {
            "name": "crud",
            "fields": {"Id": "{{Contact.Id}}"},
            "filter": "'{{Contact.Id}}' > '3'",
        }
        created = api("POST", "/contacts/exports", json=body)
        assert created.status_code == 201
        res = created.json()
        assert list(res) == [
            "name",
            "fields",
            "filter",
            "dataRetentionDuration",
            "uri",
            "createdBy",
            "createdAt",
            "updatedBy",
            "updatedAt",
        ]
        assert res["dataRetentionDuration"] == "PT12H" and res["createdAt"].endswith("Z")
        assert len(res["createdAt"].split(".")[1]) == 8  # 7 digits + Z
        assert "areSystemTimestampsInUTC" not in res
        uri = res["uri"]
        read = api("GET", uri).json()      # the 201 shows the creation time ahead (fact 7)
        assert read["createdAt"] < res["createdAt"]
        stamps = ("createdAt", "updatedAt")
        assert {k: v for k, v in read.items() if k not in stamps} == \
            {k: v for k, v in res.items() if k not in stamps}
        put = api("PUT", uri, json={**body, "name": "renamed", "areSystemTimestampsInUTC": True})
        assert (
            put.status_code == 200
            and put.json()["name"] == "renamed"
            and put.json()["areSystemTimestampsInUTC"]
        )
        co = api(
            "POST",
            "/customObjects/6/exports",
            json={"name": "co", "fields": {"Id": "{{CustomObject[6].Id}}"}},
        )
        assert co.json()["uri"].startswith("/customObjects/6/exports/")
        assert [d["uri"] for d in api("GET", "/exports").json()["items"]] == [uri, co.json()["uri"]]
        assert [d["uri"] for d in api("GET", "/contacts/exports").json()["items"]] == [uri]
        assert emu.live_definitions() == [uri, co.json()["uri"]]
        assert api("DELETE", uri).status_code == 204
        assert api("GET", uri).status_code == 404
        assert emu.live_definitions() == [co.json()["uri"]]
        seen = emu.export_definitions_seen()
        assert [d["name"] for d in seen] == ["crud", "renamed", "co"] and seen[0]["filter"] == body[
            "filter"
        ]
    finally:
        emu.stop()
