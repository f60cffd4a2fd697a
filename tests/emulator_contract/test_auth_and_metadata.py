"""Auth, `/id` discovery, the token endpoint and the paged metadata lists."""

from __future__ import annotations

import base64
import time
from typing import Any

import requests

from eloqua_emulator import EloquaEmulator
from tests.emulator_contract.support import BULK, Api, fresh


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
    # Eloqua 18D: the code grant just authorised this user for this app; a password grant
    # within the minute is a 429 with Retry-After. The refresh-token grant is not throttled.
    throttled = _token(
        emu, {"grant_type": "password", "username": login, "password": emu.password}, True
    )
    assert throttled.status_code == 429 and 1 <= int(throttled.headers["Retry-After"]) <= 60
    quick = fresh(authorization_window_seconds=0.2)  # the window is the emulator's setting
    try:
        grant = {"grant_type": "password", "username": login, "password": quick.password}
        assert _token(quick, grant, True).status_code == 200
        assert _token(quick, grant, True).status_code == 429
        time.sleep(0.3)
        assert _token(quick, grant, True).status_code == 200
    finally:
        quick.stop()
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
        assert empty["items"] == [] and empty["count"] == 0  # real non-data lists keep items: []
    finally:
        emu.stop()


def test_field_items_activity_fields_and_custom_objects(api: Api, emu: EloquaEmulator) -> None:
    item = api("GET", "/contacts/fields/100001").json()
    assert item["internalName"] == "C_EmailAddress" and item["dataType"] == "emailAddress"
    # real instances (grouparoo recordings, fact 9): email is not-null and unique, others not
    assert item["hasNotNullConstraint"] is True and item["hasUniquenessConstraint"] is True
    assert not any(f["hasNotNullConstraint"] for f in emu.store.contact_fields[1:])
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
