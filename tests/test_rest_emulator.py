"""The emulator's REST Application API behaves as Oracle documents it (no tap code involved)."""

from __future__ import annotations

from typing import Any

import pytest
import requests

from eloqua_emulator import EloquaEmulator, EmulatorConfig


class Rest:
    """A tiny Basic-auth client for /api/REST/{version}."""

    def __init__(self, emu: EloquaEmulator) -> None:
        self.emu = emu
        self.s = requests.Session()
        self.s.auth = (f"{emu.site_name}\\{emu.username}", emu.password)

    def __call__(self, path: str, version: str = "2.0", **params: Any) -> requests.Response:
        return self.s.get(f"{self.emu.base_url}/api/REST/{version}/{path}", params=params,
                          timeout=30)


@pytest.fixture(scope="module")
def rest() -> Any:
    with EloquaEmulator(EmulatorConfig(seed=7, contacts=120, activities_per_type=40)) as emu:
        yield Rest(emu)


def test_list_envelope_paging_and_string_values(rest):
    body = rest("assets/campaigns", count=10, page=2).json()
    assert set(body) == {"elements", "page", "pageSize", "total"}
    assert (body["page"], body["pageSize"], body["total"]) == (2, 10, 59)
    ids = [e["id"] for e in body["elements"]]
    assert ids == [str(i) for i in range(11, 21)]  # id order, ids as strings
    first = body["elements"][0]
    assert first["depth"] == "minimal" and first["updatedAt"].isdigit()
    assert "campaignType" not in first  # minimal depth: no type-specific properties


@pytest.mark.parametrize(("params", "parameter"), [
    ({"count": 1001}, "count"), ({"count": 0}, "count"), ({"page": 0}, "page"),
    ({"count": "x"}, "count"), ({"search": "nosuchterm='1'"}, "search"),
    ({"orderBy": "nosuchterm"}, "orderBy"), ({"orderBy": "name SIDEWAYS"}, "orderBy"),
])
def test_bad_parameters_answer_400_in_the_rest_shape(rest, params, parameter):
    response = rest("assets/emails", **params)
    assert response.status_code == 400
    body = response.json()
    assert body[0]["type"] == "EndpointParameterError" and body[0]["parameter"] == parameter


def test_depths_cut_nested_assets_and_html(rest):
    partial = rest("assets/emails", count=1, depth="partial").json()["elements"][0]
    assert "html" not in partial["htmlContent"] and "plainText" not in partial
    assert set(partial["hyperlinks"][0]) == {"type", "id", "name"}
    complete = rest("assets/emails", count=1, depth="complete").json()["elements"][0]
    assert complete["htmlContent"]["html"].startswith("<html>") and complete["plainText"]
    assert "href" in complete["hyperlinks"][0]
    single = rest("assets/email/1003").json()
    assert single["depth"] == "complete"  # single items default to complete


def test_search_order_and_last_updated_at(rest):
    body = rest("assets/campaigns", search="updatedAt>='1719792000' updatedAt<'1727740800'",
                orderBy="updatedAt ASC", depth="partial").json()
    stamps = [int(e["updatedAt"]) for e in body["elements"]]
    assert stamps == sorted(stamps) and all(1719792000 <= s < 1727740800 for s in stamps)
    assert body["total"] == len(stamps) > 0
    by_date = rest("assets/campaigns", search="updatedAt>='2024-07-01'", count=1).json()
    by_seconds = rest("assets/campaigns", search="updatedAt>=1719792000", count=1).json()
    assert by_date["total"] == by_seconds["total"]
    since = rest("assets/campaigns", lastUpdatedAt=1719792000).json()["total"]
    assert since == by_seconds["total"]
    named = rest("assets/campaigns", search="name='campaign 1*'").json()
    assert named["total"] == 11  # case-insensitive, `*` wildcard: 1 and 10..19
    desc = rest("assets/forms", orderBy="id DESC", count=2).json()["elements"]
    assert [e["id"] for e in desc] == ["1011", "1010"]


def test_form_data_and_list_members(rest):
    emu = rest.emu
    rows = emu.store.rest.form_data[1000]
    body = rest("data/form/1000", count=3).json()
    assert body["total"] == len(rows) and [e["id"] for e in body["elements"]] == ["1", "2", "3"]
    assert body["elements"][0]["type"] == "FormData"
    start = int(rows[1]["submittedAt"].timestamp())
    end = int(rows[2]["submittedAt"].timestamp())
    window = rest("data/form/1000", startAt=start, endAt=end).json()
    assert [e["id"] for e in window["elements"]] == ["2", "3"]  # both bounds inclusive
    assert rest("data/form/1000", search="x").status_code == 400
    assert rest("data/form/99").status_code == 404
    members = rest("data/contacts/list/101").json()
    assert {int(e["id"]) for e in members["elements"]} == emu.store.contact_lists[101].members
    lists = rest("assets/contact/lists", version="1.0", depth="partial").json()
    assert {e["id"]: int(e["count"]) for e in lists["elements"]} == {
        str(k): len(v.members) for k, v in emu.store.contact_lists.items()}


def test_visitors_and_users(rest):
    visitors = rest("data/visitors", count=5, depth="partial").json()
    assert isinstance(visitors["elements"][0]["id"], int)  # the one numeric id
    assert visitors["elements"][0]["type"] == "VisitorViewData"
    current = rest("system/user/current").json()
    assert current["loginName"] == rest.emu.username and "securityGroups" in current


def test_auth_and_unknown_paths(rest):
    anonymous = requests.get(f"{rest.emu.base_url}/api/REST/2.0/assets/emails", timeout=30)
    assert anonymous.status_code == 401
    assert rest("assets/nothing").status_code == 404
    assert rest.s.post(f"{rest.emu.base_url}/api/REST/2.0/assets/emails",
                       timeout=30).status_code == 405
