"""Export data of every kind, and the filter language."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import pytest

from eloqua_emulator import EloquaEmulator, export_value
from eloqua_emulator.common import EASTERN, UTC
from eloqua_emulator.meta import CONTACT_SYSTEM_TS
from tests.emulator_contract.support import Api, contact_fields


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
