"""The emulator's import side behaves as Oracle documents it (raw HTTP, no target code)."""

from __future__ import annotations

from typing import Any

import pytest

from eloqua_emulator import EloquaEmulator, EmulatorConfig
from tests.emulator_contract.support import Api as ContractApi

EMAIL = "{{Contact.Field(C_EmailAddress)}}"
FIRST = "{{Contact.Field(C_FirstName)}}"
LAST = "{{Contact.Field(C_LastName)}}"


class Api(ContractApi):
    """The contract tests' client, with the import steps these tests repeat."""

    def definition(self, obj: str = "contacts", **body: Any) -> str:
        body.setdefault("name", "test import")
        body.setdefault("fields", {"email": EMAIL, "first": FIRST})
        body.setdefault("identifierFieldName", "email")
        body.setdefault("isSyncTriggeredOnImport", False)
        r = self("POST", f"/{obj}/imports", json=body)
        assert r.status_code == 201, r.text
        return str(r.json()["uri"])

    def sync(self, uri: str) -> dict[str, Any]:
        r = self("POST", "/syncs", json={"syncedInstanceUri": uri})
        assert r.status_code == 201, r.text
        assert r.json()["status"] == "pending"
        return self.wait(r.json()["uri"])

    def load(self, rows: list[dict[str, Any]], **body: Any) -> dict[str, Any]:
        uri = self.definition(**body)
        r = self("POST", f"{uri}/data", json=rows)
        assert r.status_code == 204, r.text
        return self.sync(uri)

    def logs(self, sync: dict[str, Any]) -> dict[str, int]:
        items = self("GET", f"{sync['uri']}/logs").json().get("items", [])
        return {i["statusCode"]: i["count"] for i in items}


@pytest.fixture
def emu() -> Any:
    with EloquaEmulator(EmulatorConfig(contacts=30, accounts=8, activities_per_type=0,
                                       custom_object_records=4, sync_pending_seconds=0.01,
                                       sync_active_seconds=0.02)) as e:
        yield e


@pytest.fixture
def api(emu: EloquaEmulator) -> Api:
    return Api(emu)


def by_email(emu: EloquaEmulator, email: str) -> dict[str, Any]:
    return next(c for c in emu.store.contacts.values()
                if (c["C_EmailAddress"] or "").lower() == email.lower())


def test_definition_echo_fills_defaults_and_omits_unsent_options(api):
    r = api("POST", "/contacts/imports", json={
        "name": "echo", "fields": {"email": EMAIL}, "identifierFieldName": "email"})
    assert r.status_code == 201
    body = r.json()
    assert body["isSyncTriggeredOnImport"] is True          # Oracle's documented default
    assert body["isUpdatingMultipleMatchedRecords"] is False
    assert body["dataRetentionDuration"] == "P7D"
    assert "updateRule" not in body and "syncActions" not in body
    assert body["uri"].startswith("/contacts/imports/")
    assert len(body["createdAt"]) == 28                    # 7 fractional digits and Z
    read = api("GET", body["uri"]).json()
    assert {**read, "createdAt": 0, "updatedAt": 0} == {**body, "createdAt": 0, "updatedAt": 0}
    assert body["uri"] in api.emu.live_definitions()
    assert api("DELETE", body["uri"]).status_code == 204
    assert api("GET", body["uri"]).status_code == 404
    assert api.emu.live_definitions() == []


@pytest.mark.parametrize(("body", "field"), [
    ({"fields": {"email": EMAIL}, "identifierFieldName": "nope"}, "identifierFieldName"),
    ({"fields": {"email": EMAIL}}, "identifierFieldName"),
    ({"fields": {"email": EMAIL, "made": "{{Contact.CreatedAt}}"},
      "identifierFieldName": "email"}, "fields"),
    ({"fields": {"email": EMAIL, "x": "{{Contact.Field(C_Nope)}}"},
      "identifierFieldName": "email"}, "fields"),
    ({"fields": {"email": EMAIL, "domain": "{{Contact.Field(C_EmailAddressDomain)}}"},
      "identifierFieldName": "email"}, "fields"),
    ({"fields": {"email": EMAIL, "birthday": "{{Contact.Field(C_Birthday1)}}"},
      "identifierFieldName": "birthday"}, "identifierFieldName"),
    ({"fields": {f"f{i}": EMAIL for i in range(101)}, "identifierFieldName": "f0"}, "fields"),
    ({"fields": {"email": EMAIL}, "identifierFieldName": "email", "updateRule": "sometimes"},
     "updateRule"),
    ({"fields": {"email": EMAIL}, "identifierFieldName": "email",
      "syncActions": [{"action": "add", "destination": "{{ContactList[101]}}"}] * 11},
     "syncActions"),
    ({"fields": {"email": EMAIL}, "identifierFieldName": "email",
      "syncActions": [{"action": "add", "destination": "{{ContactList[999]}}"}]}, "syncActions"),
    ({"fields": {"email": EMAIL}, "identifierFieldName": "email",
      "dataRetentionDuration": "P30D"}, "dataRetentionDuration"),
])
def test_invalid_definitions_answer_400_with_failures(api, body, field):
    r = api("POST", "/contacts/imports", json={"name": "bad", **body})
    assert r.status_code == 400, r.text
    assert field in {f["field"] for f in r.json()["failures"]}
    assert api.emu.live_definitions() == []


def test_upsert_creates_updates_and_rejects_invalid_emails(api, emu):
    existing = emu.store.contacts[3]
    before = existing["UpdatedAt"]
    sync = api.load([{"email": "new.person@example.com", "first": "New"},
                     {"email": existing["C_EmailAddress"].upper(), "first": "Renamed"},
                     {"email": "Polar bear", "first": "Weldon"}])
    assert sync["status"] == "warning"
    assert sync["syncStartedAt"] and sync["syncEndedAt"]
    logs = api.logs(sync)
    assert logs["ELQ-00001"] == 3 and logs["ELQ-00004"] == 1 and logs["ELQ-00022"] == 1
    assert logs["ELQ-00002"] == 1
    assert emu.store.contacts[3]["C_FirstName"] == "Renamed"
    assert emu.store.contacts[3]["UpdatedAt"] > before
    created = by_email(emu, "new.person@example.com")
    assert created["C_FirstName"] == "New" and created["C_EmailAddressDomain"] == "example.com"
    rejects = api("GET", f"{sync['uri']}/rejects").json()
    assert rejects["items"] == [{"fieldValues": {"email": "Polar bear", "first": "Weldon"},
                                 "message": "Invalid email address.", "statusCode": "ELQ-00002",
                                 "recordIndex": 3, "invalidFields": ["email"]}]
    assert api("GET", f"{sync['uri']}/data").status_code == 400


def test_unchanged_records_keep_updated_at(api, emu):
    c = emu.store.contacts[5]
    before = dict(c)
    sync = api.load([{"email": c["C_EmailAddress"], "first": c["C_FirstName"]}])
    assert sync["status"] == "success"
    assert emu.store.contacts[5] == before


@pytest.mark.parametrize(("rule", "expected_first", "expected_last"), [
    ("always", None, "Newlast"),
    ("ifNewIsNotNull", "Old", "Newlast"),
    ("ifExistingIsNull", "Old", "Oldlast"),
])
def test_update_rules(api, emu, rule, expected_first, expected_last):
    emu.store.update("contacts", 7, {"C_FirstName": "Old", "C_LastName": "Oldlast"})
    email = emu.store.contacts[7]["C_EmailAddress"]
    api.load([{"email": email, "first": None, "last": "Newlast"}], updateRule=rule,
             fields={"email": EMAIL, "first": FIRST, "last": LAST})
    assert emu.store.contacts[7]["C_FirstName"] == expected_first
    assert emu.store.contacts[7]["C_LastName"] == expected_last


def test_use_field_rule_applies_per_field_rules(api, emu):
    emu.store.update("contacts", 8, {"C_FirstName": "Keep", "C_LastName": "Replace"})
    email = emu.store.contacts[8]["C_EmailAddress"]
    api.load([{"email": email, "first": "Lost", "last": "Replaced"}], updateRule="useFieldRule",
             updateRuleByField={"first": "ifExistingIsNull"},
             fields={"email": EMAIL, "first": FIRST, "last": LAST})
    assert emu.store.contacts[8]["C_FirstName"] == "Keep"
    assert emu.store.contacts[8]["C_LastName"] == "Replaced"


def test_multiple_matches_update_one_or_all(api, emu):
    for cid in (10, 11, 12):
        emu.store.update("contacts", cid, {"C_Company": "Twins Inc"})
    fields = {"company": "{{Contact.Field(C_Company)}}", "title": "{{Contact.Field(C_Title)}}"}
    api.load([{"company": "twins inc", "title": "One"}], fields=fields,
             identifierFieldName="company")
    assert [emu.store.contacts[c]["C_Title"] for c in (10, 11, 12)].count("One") == 1
    api.load([{"company": "Twins Inc", "title": "All"}], fields=fields,
             identifierFieldName="company", isUpdatingMultipleMatchedRecords=True)
    assert {emu.store.contacts[c]["C_Title"] for c in (10, 11, 12)} == {"All"}


def test_id_identifier_updates_only(api, emu):
    sync = api.load([{"id": 4, "first": "ById"}, {"id": 99999, "first": "Nobody"}],
                    fields={"id": "{{Contact.Id}}", "first": FIRST}, identifierFieldName="id")
    assert emu.store.contacts[4]["C_FirstName"] == "ById"
    rejects = api("GET", f"{sync['uri']}/rejects").json()["items"]
    assert [(r["recordIndex"], r["statusCode"]) for r in rejects] == [(2, "ELQ-00034")]


def test_csv_data_unknown_keys_and_typed_values(api, emu):
    uri = api.definition(fields={"email": EMAIL, "score": "{{Contact.Field(C_Lead_Score1)}}",
                                 "opted": "{{Contact.Field(C_Opted_In1)}}",
                                 "birthday": "{{Contact.Field(C_Birthday1)}}"})
    csv_body = (b"email,score,opted,birthday,color\n"
                b"csv.one@example.com,42,true,2024-05-01 08:00:00,red\n"
                b"csv.two@example.com,lots,false,,blue\n")
    r = api("POST", f"{uri}/data", data=csv_body, headers={"Content-Type": "text/csv"})
    assert r.status_code == 204, r.text
    sync = api.sync(uri)
    one = by_email(emu, "csv.one@example.com")
    assert one["C_Lead_Score1"] == 42 and one["C_Opted_In1"] is True
    assert one["C_Birthday1"].isoformat() == "2024-05-01T12:00:00+00:00"   # Eastern wall time
    logs = api.logs(sync)
    assert logs["ELQ-00111"] == 1                                           # "color" ignored
    rejects = api("GET", f"{sync['uri']}/rejects").json()["items"]
    assert [(r["statusCode"], r["invalidFields"]) for r in rejects] == [("ELQ-00144", ["score"])]


def test_body_over_the_size_cap_answers_404(make_emulator):
    emu = make_emulator(contacts=5, activities_per_type=0, custom_object_records=1,
                        import_max_bytes=2000)
    api = Api(emu)
    uri = api.definition()
    small = [{"email": f"s{i}@example.com"} for i in range(10)]
    big = [{"email": f"b{i}@example.com", "first": "x" * 50} for i in range(40)]
    assert api("POST", f"{uri}/data", json=small).status_code == 204
    r = api("POST", f"{uri}/data", json=big)
    assert r.status_code == 404
    assert len(emu.imports.pushes_seen) == 1 and emu.imports.pushes_seen[0] <= 2000
    assert len(emu.imports.get(None, int(uri.rsplit("/", 1)[-1])).staged) == 10


def test_the_push_after_the_limit_answers_400_until_a_sync(make_emulator):
    emu = make_emulator(contacts=5, activities_per_type=0, custom_object_records=1,
                        import_max_pushes=3, sync_pending_seconds=0.0, sync_active_seconds=0.0)
    api = Api(emu)
    uri = api.definition()
    for i in range(3):
        assert api("POST", f"{uri}/data", json=[{"email": f"p{i}@example.com"}]).status_code == 204
    r = api("POST", f"{uri}/data", json=[{"email": "p3@example.com"}])
    assert r.status_code == 400
    assert r.json()["failures"][0]["field"] == "data"
    assert api.sync(uri)["status"] == "success"
    assert api("POST", f"{uri}/data", json=[{"email": "p3@example.com"}]).status_code == 204


def test_auto_triggered_import_answers_201_with_a_sync(api, emu):
    uri = api.definition(isSyncTriggeredOnImport=True)
    r = api("POST", f"{uri}/data", json=[{"email": "auto@example.com", "first": "Auto"}])
    assert r.status_code == 201
    assert r.json()["syncedInstanceUri"] == uri and r.json()["status"] == "pending"
    assert api.wait(r.json()["uri"])["status"] == "success"
    assert by_email(emu, "auto@example.com")["C_FirstName"] == "Auto"


def test_sync_actions_change_list_membership_and_subscription(api, emu):
    members = emu.store.contact_lists[102].members
    c1, c2 = emu.store.contacts[1], emu.store.contacts[2]
    members.discard(1)
    members.add(2)
    emu.store.update("contacts", 1, {"IsSubscribed": True})
    api.load([{"email": c1["C_EmailAddress"]}], fields={"email": EMAIL}, syncActions=[
        {"action": "add", "destination": "{{ContactList[102]}}"},
        {"action": "setStatus", "destination": "{{GlobalSubscribe}}", "status": "unsubscribed"}])
    api.load([{"email": c2["C_EmailAddress"]}], fields={"email": EMAIL}, syncActions=[
        {"action": "remove", "destination": "{{ContactList[102]}}"}])
    assert 1 in members and 2 not in members
    assert emu.store.contacts[1]["IsSubscribed"] is False


def test_rejects_page_at_most_1000(api):
    rows = [{"email": f"broken {i}"} for i in range(1500)]
    sync = api.load(rows, fields={"email": EMAIL})
    page = api("GET", f"{sync['uri']}/rejects", params={"limit": 1000, "offset": 0}).json()
    assert page["count"] == 1000 and page["hasMore"] is True and page["totalResults"] == 1500
    rest = api("GET", f"{sync['uri']}/rejects", params={"limit": 1000, "offset": 1000}).json()
    assert rest["count"] == 500 and rest["hasMore"] is False
    assert rest["items"][-1]["recordIndex"] == 1500
    assert api("GET", f"{sync['uri']}/rejects", params={"limit": 1001}).status_code == 400


def test_custom_object_upsert_and_contact_linking(api, emu):
    co = emu.store.custom_objects[6]
    stmt = {f["internalName"]: f["statement"] for f in co.fields}
    email = emu.store.contacts[9]["C_EmailAddress"]
    body = {"fields": {"key": stmt["Record_Key1"], "mail": stmt["Email_Address1"],
                       "qty": stmt["Quantity1"], "ext": "{{CustomObject[6].ExternalId}}"},
            "identifierFieldName": "key", "mapDataCards": True,
            "mapDataCardsEntityType": "Contact", "mapDataCardsSourceField": "mail",
            "mapDataCardsEntityField": EMAIL, "mapDataCardsCaseSensitiveMatch": False}
    r = api("POST", "/customObjects/6/imports", json={"name": "co", **body,
                                                     "isSyncTriggeredOnImport": False})
    assert r.status_code == 201, r.text
    uri = r.json()["uri"]
    assert uri.startswith("/customObjects/6/imports/") and r.json()["mapDataCards"] is True
    rows = [{"key": "K6-1", "mail": email.upper(), "qty": 7, "ext": "EXT-1"},
            {"key": "NEW-KEY", "mail": "nobody@example.com", "qty": "3"}]
    assert api("POST", f"{uri}/data", json=rows).status_code == 204
    sync = api.sync(uri)
    assert api.logs(sync)["ELQ-00007"] == 1 and api.logs(sync)["ELQ-00012"] == 1
    assert co.records[1]["Quantity1"] == 7 and co.records[1]["ExternalId"] == "EXT-1"
    new_id = next(i for i, r in co.records.items() if r["Record_Key1"] == "NEW-KEY")
    assert co.records[new_id]["Quantity1"] == 3
    assert emu.imports.links[(6, 1)] == ("contacts", 9)
    assert (6, new_id) not in emu.imports.links


def test_external_activities_are_created_never_updated(api, emu):
    fields = {"type": "{{Activity.Type}}", "at": "{{Activity.CreatedAt}}",
              "email": "{{Activity.Contact.Field(C_EmailAddress)}}",
              "atype": "{{Activity.Asset.Type}}", "aname": "{{Activity.Asset.Name}}"}
    email = emu.store.contacts[2]["C_EmailAddress"]
    row = {"type": "Webinar", "at": "2024-06-01 10:00:00", "email": email, "atype": "Webinar",
           "aname": "Launch"}
    sync = api.load([row, {**row, "type": "EmailOpen"}], obj="activities", fields=fields,
                    identifierFieldName="email")
    logs = api.logs(sync)
    assert "ELQ-00123" in logs and logs["ELQ-00069"] == 1
    rejects = api("GET", f"{sync['uri']}/rejects").json()["items"]
    assert [r["statusCode"] for r in rejects] == ["ELQ-00070"]
    webinars = emu.store.activities["Webinar"]
    assert len(webinars) == 1 and webinars[0]["ContactId"] == 2
    r = api("POST", "/activities/imports", json={"name": "x", "fields": {"type": fields["type"]}})
    assert r.status_code == 400


def test_a_failing_import_sync_logs_the_error_and_applies_nothing(api, emu):
    emu.fail_next_sync(code="ELQ-00146", message="The sync failed because of a temporary error.")
    sync = api.load([{"email": "never@example.com", "first": "Never"}])
    assert sync["status"] == "error"
    assert "ELQ-00146" in api.logs(sync)
    assert not any(c["C_EmailAddress"] == "never@example.com" for c in emu.store.contacts.values())


def test_faults_hit_import_calls_too(api, emu):
    uri = api.definition()
    emu.set_faults(rate=1.0, kinds=("503",), paths=["/imports/"])
    try:
        assert api("POST", f"{uri}/data", json=[{"email": "f@example.com"}]).status_code == 503
    finally:
        emu.clear_faults()
    assert emu.imports.get(None, int(uri.rsplit("/", 1)[-1])).staged == []  # not processed


def test_reject_index_counts_rows_within_their_post_and_echoes_every_field(api):
    """Real traffic (fact 4): recordIndex restarts at 1 in every data POST of a sync, and
    fieldValues lists every definition field, in definition order, "" for a value left out."""
    uri = api.definition(fields={"first": FIRST, "email": EMAIL})
    for rows in ([{"email": "ok.1@posts.example.com"}, {"email": "broken one", "first": "A"}],
                 [{"email": "broken two"}, {"first": "B", "email": "ok.2@posts.example.com"}]):
        assert api("POST", f"{uri}/data", json=rows).status_code == 204
    sync = api.sync(uri)
    items = api("GET", f"{sync['uri']}/rejects").json()["items"]
    assert [(r["recordIndex"], r["fieldValues"]) for r in items] == [
        (2, {"first": "A", "email": "broken one"}), (1, {"first": "", "email": "broken two"})]
    assert [list(r["fieldValues"]) for r in items] == [["first", "email"]] * 2


def test_a_bare_object_is_one_row(api, emu):
    """Real Eloqua accepts a single JSON object as a data POST (grouparoo recordings)."""
    uri = api.definition()
    r = api("POST", f"{uri}/data", json={"email": "bare.object@example.com", "first": "Bare"})
    assert r.status_code == 204 and r.content == b""
    assert api.sync(uri)["status"] == "success"
    assert by_email(emu, "bare.object@example.com")["C_FirstName"] == "Bare"
