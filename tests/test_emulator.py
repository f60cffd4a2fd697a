"""The Eloqua emulator behaves as Oracle documents the Bulk API (over real HTTP, no tap code)."""

from __future__ import annotations

import base64
import time
from datetime import datetime, timedelta
from typing import Any

import pytest
import requests

from tests.emulator import EloquaEmulator, EmulatorConfig, export_value
from tests.emulator.common import EASTERN, UTC
from tests.emulator.meta import CONTACT_SYSTEM_TS

BULK = "/api/bulk/2.0"


class Api:
    """A tiny Basic-auth client for the pod listener."""

    def __init__(self, emu: EloquaEmulator) -> None:
        self.emu = emu
        self.s = requests.Session()
        self.s.auth = (f"{emu.site_name}\\{emu.username}", emu.password)

    def __call__(self, method: str, path: str, **kw: Any) -> requests.Response:
        return self.s.request(method, self.emu.base_url + BULK + path, timeout=30, **kw)

    def wait(self, sync_uri: str) -> dict[str, Any]:
        for _ in range(400):
            body = self("GET", sync_uri).json()
            if body["status"] not in ("pending", "active"):
                return body
            time.sleep(0.02)
        raise AssertionError("sync never finished")

    def export(self, obj: str, body: dict[str, Any], limit: int = 50000) -> list[dict[str, str]]:
        r = self("POST", f"/{obj}/exports", json=body)
        assert r.status_code == 201, r.text
        sync = self("POST", "/syncs", json={"syncedInstanceUri": r.json()["uri"]}).json()
        assert self.wait(sync["uri"])["status"] == "success"
        rows: list[dict[str, str]] = []
        offset = 0
        while True:
            page = self(
                "GET", f"{sync['uri']}/data", params={"limit": limit, "offset": offset}
            ).json()
            rows += page.get("items", [])
            if not page["hasMore"]:
                return rows
            offset += limit


@pytest.fixture(scope="module")
def emu() -> Any:
    with EloquaEmulator(EmulatorConfig(seed=7, contacts=300, activities_per_type=60)) as e:
        yield e


@pytest.fixture(scope="module")
def api(emu: EloquaEmulator) -> Api:
    return Api(emu)


def fresh(**kw: Any) -> EloquaEmulator:
    kw.setdefault("contacts", 40)
    kw.setdefault("activities_per_type", 10)
    kw.setdefault("custom_object_records", 5)
    return EloquaEmulator(EmulatorConfig(**kw)).start()


def contact_fields(emu: EloquaEmulator) -> dict[str, str]:
    out = {
        "Id": "{{Contact.Id}}",
        "CreatedAt": "{{Contact.CreatedAt}}",
        "UpdatedAt": "{{Contact.UpdatedAt}}",
        "IsSubscribed": "{{Contact.Email.IsSubscribed}}",
        "IsBounced": "{{Contact.Email.IsBounced}}",
        "EmailFormat": "{{Contact.Email.Format}}",
    }
    out.update({f["internalName"]: f["statement"] for f in emu.store.contact_fields})
    return out


# ---- auth and discovery --------------------------------------------------------------------------
def test_id_with_basic_and_not_authenticated(emu: EloquaEmulator) -> None:
    good = requests.get(
        emu.login_url + "/id", auth=(f"{emu.site_name}\\{emu.username}", emu.password)
    )
    assert good.status_code == 200
    doc = good.json()
    assert doc["site"]["name"] == emu.site_name
    assert doc["urls"]["base"] == emu.base_url
    assert doc["urls"]["apis"]["rest"]["bulk"] == emu.base_url + "/API/Bulk/{version}/"
    for auth in (None, (f"{emu.site_name}\\{emu.username}", "wrong"), (emu.username, emu.password)):
        bad = requests.get(emu.login_url + "/id", auth=auth)
        assert bad.status_code == 200
        assert bad.content == b'"Not authenticated."'
        assert bad.headers["Content-Length"] == "20"


def _token(emu: EloquaEmulator, data: dict[str, str], as_json: bool = False) -> requests.Response:
    kw: dict[str, Any] = {"json": data} if as_json else {"data": data}
    return requests.post(
        emu.login_url + "/auth/oauth2/token", auth=(emu.client_id, emu.client_secret), **kw
    )


def test_refresh_tokens_rotate_and_are_single_use(emu: EloquaEmulator) -> None:
    rt = emu.issue_refresh_token()
    first = _token(emu, {"grant_type": "refresh_token", "refresh_token": rt, "scope": "full"})
    assert first.status_code == 200
    body = first.json()
    assert list(body) == ["access_token", "token_type", "expires_in", "refresh_token"]
    assert (
        body["token_type"] == "bearer"
        and body["expires_in"] == 28800
        and body["refresh_token"] != rt
    )
    again = _token(emu, {"grant_type": "refresh_token", "refresh_token": rt})
    assert again.status_code == 401 and again.json()["error"] == "invalid_grant"
    assert set(again.json()) == {"error", "error_code", "error_description"}
    second = _token(
        emu, {"grant_type": "refresh_token", "refresh_token": body["refresh_token"]}, True
    )
    assert second.status_code == 200
    bearer = {"Authorization": f"Bearer {second.json()['access_token']}"}
    assert (
        requests.get(emu.login_url + "/id", headers=bearer).json()["site"]["name"] == emu.site_name
    )
    assert (
        requests.get(emu.base_url + BULK + "/contacts/fields?limit=1", headers=bearer).status_code
        == 200
    )


def test_token_endpoint_grants_and_client_auth(emu: EloquaEmulator) -> None:
    code = emu.issue_auth_code()
    assert _token(emu, {"grant_type": "authorization_code", "code": code}, True).status_code == 200
    assert _token(emu, {"grant_type": "authorization_code", "code": code}, True).status_code == 401
    login = f"{emu.site_name}\\{emu.username}"
    ok = _token(emu, {"grant_type": "password", "username": login, "password": emu.password}, True)
    assert ok.status_code == 200
    bad_client = requests.post(
        emu.login_url + "/auth/oauth2/token",
        auth=(emu.client_id, "nope"),
        data={"grant_type": "refresh_token", "refresh_token": "x"},
    )
    assert bad_client.status_code == 401 and bad_client.json()["error"] == "invalid_client"


def test_bulk_rejects_bad_auth_and_expired_tokens() -> None:
    emu = fresh(access_token_ttl=0.3)
    try:
        url = emu.base_url + BULK + "/contacts/fields"
        assert requests.get(url).status_code == 401
        assert requests.get(url, headers={"Authorization": "Bearer nope"}).status_code == 401
        raw = base64.b64encode(f"{emu.site_name}\\{emu.username}:{emu.password}".encode()).decode()
        upper = emu.base_url + "/API/Bulk/2.0/contacts/fields"
        assert requests.get(upper, headers={"Authorization": f"Basic {raw}"}).status_code == 200
        rt = emu.issue_refresh_token()
        token = _token(emu, {"grant_type": "refresh_token", "refresh_token": rt}).json()[
            "access_token"
        ]
        bearer = {"Authorization": f"Bearer {token}"}
        assert requests.get(url, headers=bearer).status_code == 200
        time.sleep(0.4)
        assert requests.get(url, headers=bearer).status_code == 401
        emu.revoke_all_tokens()
        assert _token(emu, {"grant_type": "refresh_token", "refresh_token": rt}).status_code == 401
    finally:
        emu.stop()


# ---- metadata -----------------------------------------------------------------------------------
def test_fields_page_at_1000_with_the_documented_envelope() -> None:
    emu = fresh(extra_contact_fields=1100, contacts=5)
    api = Api(emu)
    try:
        first = api("GET", "/contacts/fields").json()
        assert list(first) == ["items", "totalResults", "limit", "offset", "count", "hasMore"]
        total = len(emu.store.contact_fields)
        assert first["totalResults"] == total > 1000 and first["count"] == 1000 and first["hasMore"]
        rest = api(
            "GET", "/contacts/fields", params={"offset": 1000, "totalResults": "false"}
        ).json()
        assert "totalResults" not in rest and rest["count"] == total - 1000 and not rest["hasMore"]
        names = [f["internalName"] for f in first["items"] + rest["items"]]
        assert names == [f["internalName"] for f in emu.store.contact_fields]
        assert "C_EmailAddress" in names and "Id" not in names  # system statements are not listed
        r = api("GET", "/contacts/fields", params={"limit": 1001})
        assert r.status_code == 400 and r.json()["failures"][0]["field"] == "limit"
        empty = api("GET", "/contacts/fields", params={"offset": 5000}).json()
        assert "items" not in empty and empty["count"] == 0
    finally:
        emu.stop()


def test_field_items_activity_fields_and_custom_objects(api: Api, emu: EloquaEmulator) -> None:
    item = api("GET", "/contacts/fields/100001").json()
    assert item["internalName"] == "C_EmailAddress" and item["dataType"] == "emailAddress"
    assert (
        item["statement"] == "{{Contact.Field(C_EmailAddress)}}"
        and item["uri"] == "/contacts/fields/100001"
    )
    types = {f["dataType"] for f in emu.store.contact_fields}
    assert types == {"number", "string", "boolean", "date", "emailAddress"}
    acts = api("GET", "/activities/fields", params={"activityType": "EmailOpen"}).json()["items"]
    by_name = {f["internalName"]: f for f in acts}
    assert by_name["ActivityDate"]["statement"] == "{{Activity.CreatedAt}}"
    assert by_name["ContactId"]["statement"] == "{{Activity.Contact.Id}}"
    assert by_name["DeploymentId"]["statement"] == "{{Activity.Field(EmailDeploymentId)}}"
    assert by_name["CampaignResponseDate"]["statement"] == "{{Activity.CampaignResponse.CreatedAt}}"
    assert "EmailOpen" in by_name["ExternalId"]["activityTypes"]
    assert "RawData" not in by_name
    assert api("GET", "/activities/fields", params={"activityType": "Nope"}).status_code == 400
    cos = api("GET", "/customObjects").json()["items"]
    assert [c["name"] for c in cos] == [
        "Event Registrations",
        "Order Items (2024)",
        "Web Leads",
        "Web-Leads!",
    ]
    co_uri = cos[0]["uri"]
    fields = api("GET", f"{co_uri}/fields").json()["items"]
    assert (
        fields[0]["statement"]
        == f"{{{{CustomObject[{co_uri.split('/')[-1]}].Field[{fields[0]['uri'].split('/')[-1]}]}}}}"
    )
    assert cos[0]["uniqueFieldUri"] == fields[0]["uri"]


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
        assert api("GET", uri).json() == res
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


# ---- export cycle --------------------------------------------------------------------------------
def _expected(
    rec: dict[str, Any], fields: dict[str, str], emu: EloquaEmulator, utc: bool
) -> dict[str, str]:
    types = emu.store.field_types("contacts")
    out = {}
    for name in fields:
        system = name in ("CreatedAt", "UpdatedAt") or name in CONTACT_SYSTEM_TS
        out[name] = export_value(rec[name], types[name], utc and system)
    return out


@pytest.mark.parametrize("utc", [True, False])
def test_full_contact_export_equals_the_store(api: Api, emu: EloquaEmulator, utc: bool) -> None:
    fields = contact_fields(emu)
    rows = api.export(
        "contacts", {"name": "all", "fields": fields, "areSystemTimestampsInUTC": utc}
    )
    assert len(rows) == len(emu.store.contacts)
    assert all(
        list(r) == list(fields) and all(isinstance(v, str) for v in r.values()) for r in rows
    )
    by_id = {int(r["Id"]): r for r in rows}
    for cid, rec in emu.store.contacts.items():
        assert by_id[cid] == _expected(rec, fields, emu, utc)
    rec = next(r for r in emu.store.contacts.values() if r["C_Birthday1"] and r["C_Title"] is None)
    row = by_id[rec["Id"]]
    assert row["C_Title"] == ""
    fmt = "%Y-%m-%d %H:%M:%S.%f"
    assert (
        row["UpdatedAt"] == rec["UpdatedAt"].astimezone(UTC if utc else EASTERN).strftime(fmt)[:-3]
    )
    assert (
        row["C_Birthday1"] == rec["C_Birthday1"].astimezone(EASTERN).strftime(fmt)[:-3]
    )  # never UTC
    assert {r["C_Opted_In1"] for r in rows} == {"true", "false", ""}
    assert [int(r["Id"]) for r in rows] != sorted(by_id)  # order is not guaranteed


def test_account_custom_object_and_linked_fields(api: Api, emu: EloquaEmulator) -> None:
    rows = api.export(
        "contacts",
        {
            "name": "acct",
            "fields": {
                "Id": "{{Contact.Id}}",
                "Company": "{{Contact.Account.Field(M_CompanyName)}}",
            },
        },
    )
    for r in rows:
        aid = emu.store.contact_account.get(int(r["Id"]))
        assert r["Company"] == (emu.store.accounts[aid]["M_CompanyName"] if aid else "")
    accts = api.export(
        "accounts",
        {
            "name": "a",
            "areSystemTimestampsInUTC": True,
            "fields": {
                "Id": "{{Account.Id}}",
                "M": "{{Account.Field(M_DateModified)}}",
                "Rev": "{{Account.Field(M_Annual_Revenue1)}}",
            },
        },
    )
    assert len(accts) == len(emu.store.accounts)
    for r in accts:
        rec = emu.store.accounts[int(r["Id"])]
        assert r["M"] == export_value(rec["UpdatedAt"], "date", True)
        assert r["Rev"] == export_value(rec["M_Annual_Revenue1"], "number", False)
    co = emu.store.custom_objects[7]
    fields = {
        "Id": "{{CustomObject[7].Id}}",
        "ExternalId": "{{CustomObject[7].ExternalId}}",
        "UpdatedAt": "{{CustomObject[7].UpdatedAt}}",
    } | {f["internalName"]: f["statement"] for f in co.fields}
    rows = api.export(
        "customObjects/7", {"name": "co", "fields": fields, "areSystemTimestampsInUTC": True}
    )
    types = {f["internalName"]: f["dataType"] for f in co.fields} | {
        "Id": "number",
        "ExternalId": "string",
        "UpdatedAt": "date",
    }
    assert {int(r["Id"]): r for r in rows} == {
        rid: {k: export_value(rec[k], types[k], k == "UpdatedAt") for k in fields}
        for rid, rec in co.records.items()
    }


def test_activity_export_window_and_ids(api: Api, emu: EloquaEmulator) -> None:
    fields = {
        f["internalName"]: f["statement"]
        for f in api("GET", "/activities/fields", params={"activityType": "EmailSend"}).json()[
            "items"
        ]
    }
    fields["Country"] = "{{Activity.Contact.Field(C_Country)}}"
    window = (
        "'{{Activity.CreatedAt}}' >= '2024-03-01 00:00:00' AND "
        "'{{Activity.CreatedAt}}' < '2024-09-01 00:00:00'"
    )
    rows = api.export(
        "activities",
        {
            "name": "sends",
            "fields": fields,
            "areSystemTimestampsInUTC": True,
            "filter": f"{window} AND '{{{{Activity.Type}}}}' = 'EmailSend'",
        },
    )
    start, end = datetime(2024, 3, 1, tzinfo=UTC), datetime(2024, 9, 1, tzinfo=UTC)
    expected = [a for a in emu.store.activities["EmailSend"] if start <= a["ActivityDate"] < end]
    assert sorted(r["ExternalId"] for r in rows) == sorted(a["ExternalId"] for a in expected)
    assert len({r["ActivityId"] for r in rows}) < len(rows)  # EmailSend ActivityIds repeat
    by_ext = {r["ExternalId"]: r for r in rows}
    for a in expected:
        row = by_ext[a["ExternalId"]]
        assert row["ActivityDate"] == export_value(a["ActivityDate"], "date", True)
        assert row["Country"] == emu.store.contacts[a["ContactId"]]["C_Country"]


# ---- filters -------------------------------------------------------------------------------------
def _ids(api: Api, flt: str, utc: bool = True) -> set[int]:
    rows = api.export(
        "contacts",
        {
            "name": "f",
            "fields": {"Id": "{{Contact.Id}}"},
            "filter": flt,
            "areSystemTimestampsInUTC": utc,
        },
    )
    return {int(r["Id"]) for r in rows}


def test_filter_date_ranges_are_half_open_in_the_right_zone(api: Api, emu: EloquaEmulator) -> None:
    recs = sorted(emu.store.contacts.values(), key=lambda r: r["UpdatedAt"])
    lo, hi = recs[50]["UpdatedAt"], recs[120]["UpdatedAt"]

    def lit(dt: Any, tz: Any) -> str:
        return dt.astimezone(tz).strftime("%Y-%m-%d %H:%M:%S.%f")[:-3]

    want = {r["Id"] for r in recs if lo <= r["UpdatedAt"] < hi}
    stmt = "'{{Contact.UpdatedAt}}'"
    flt = f"{stmt} >= '{lit(lo, UTC)}' AND {stmt} < '{lit(hi, UTC)}'"
    got = _ids(api, flt, utc=True)
    assert got == want and recs[50]["Id"] in got and recs[120]["Id"] not in got
    eastern = f"{stmt} >= '{lit(lo, EASTERN)}' AND {stmt} < '{lit(hi, EASTERN)}'"
    assert _ids(api, eastern, utc=False) == want
    custom = "'{{Contact.Field(C_Birthday1)}}' >= '2024-06-01'"
    start = datetime(2024, 6, 1, tzinfo=EASTERN)
    assert _ids(api, custom, utc=True) == {
        r["Id"] for r in recs if r["C_Birthday1"] and r["C_Birthday1"] >= start
    }


def test_filter_logic_like_and_exists(api: Api, emu: EloquaEmulator) -> None:
    contacts = emu.store.contacts.values()
    got = _ids(
        api,
        "'{{Contact.Field(C_Country)}}' = 'be' OR ('{{Contact.Field(C_Country)}}' = 'DE' "
        "AND NOT '{{Contact.Field(C_Lead_Score1)}}' < '50')",
    )
    assert got == {
        r["Id"]
        for r in contacts
        if r["C_Country"] == "BE"
        or (
            r["C_Country"] == "DE"
            and not (r["C_Lead_Score1"] is not None and r["C_Lead_Score1"] < 50)
        )
    }
    assert _ids(api, "'{{Contact.Field(C_EmailAddress)}}' ~ '*@EXAMPLE.org'") == {
        r["Id"] for r in contacts if r["C_EmailAddress"].endswith("@example.org")
    }
    assert _ids(api, "'{{Contact.Field(C_Title)}}' = ''") == {
        r["Id"] for r in contacts if not r["C_Title"]
    }
    assert _ids(api, "'{{Contact.Field(C_Annual_Revenue1)}}' >= '2500000.5'") == {
        r["Id"]
        for r in contacts
        if r["C_Annual_Revenue1"] is not None and r["C_Annual_Revenue1"] >= 2500000.5
    }
    assert _ids(api, "'{{Contact.Field(C_Opted_In1)}}' = 'true'") == {
        r["Id"] for r in contacts if r["C_Opted_In1"]
    }
    members = emu.store.contact_lists[102].members
    assert _ids(api, "EXISTS('{{ContactList[102]}}') AND '{{Contact.Id}}' > '100'") == {
        i for i in members if i > 100
    }


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
