"""What the tap should emit, derived from the emulator's typed store, not from tap code."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from eloqua_emulator import EloquaEmulator
from eloqua_emulator.rest import contact_lists
from eloqua_emulator.rest_store import SPECS

ACTIVITY_STREAMS = {
    "activity_email_send": "EmailSend", "activity_email_open": "EmailOpen",
    "activity_email_clickthrough": "EmailClickthrough", "activity_subscribe": "Subscribe",
    "activity_unsubscribe": "Unsubscribe", "activity_bounceback": "Bounceback",
    "activity_web_visit": "WebVisit", "activity_page_view": "PageView",
    "activity_form_submit": "FormSubmit",
}


def custom_object_streams(emu: EloquaEmulator) -> dict[str, int]:
    """Stream name -> custom object id, by the documented naming rule (id suffix on clashes)."""
    names = {
        "Event Registrations": "event_registrations",
        "Order Items (2024)": "order_items_2024",
        "Web Leads": "web_leads",
        "Web-Leads!": "web_leads",
    }
    out: dict[str, int] = {}
    for co_id in sorted(emu.store.custom_objects):
        base = names[emu.store.custom_objects[co_id].name]
        out[base if base not in out else f"{base}_{co_id}"] = co_id
    return out


def store_records(emu: EloquaEmulator, stream: str) -> list[dict[str, Any]]:
    store = emu.store
    if stream == "contacts":
        return list(store.contacts.values())
    if stream == "accounts":
        return list(store.accounts.values())
    if stream in ACTIVITY_STREAMS:
        return list(store.activities[ACTIVITY_STREAMS[stream]])
    return list(store.custom_objects[custom_object_streams(emu)[stream]].records.values())


def typed(record: dict[str, Any], schema: dict[str, Any]) -> dict[str, Any]:
    """A tap record with its date-time strings parsed, so it compares with store values."""
    out = {}
    for key, value in record.items():
        prop = schema["properties"].get(key, {})
        if value is not None and prop.get("format") == "date-time":
            parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
            assert parsed.utcoffset() is not None and parsed.utcoffset().total_seconds() == 0, (
                f"{key}={value} is not UTC")
            out[key] = parsed
        else:
            out[key] = value
    return out


EASTERN = ZoneInfo("America/New_York")


def same_instant(emitted: Any, source: Any) -> bool:
    """Equal, except that a local wall time in the autumn DST overlap names two instants.

    Eloqua writes non-system dates in Eastern time without an offset, so 01:30 on the first
    Sunday of November is ambiguous in the export itself; either reading is faithful.
    """
    if emitted == source:
        return True
    if not (isinstance(emitted, datetime) and isinstance(source, datetime)):
        return False
    local = source.astimezone(EASTERN)
    other_fold = local.replace(fold=1 - local.fold)
    ambiguous = other_fold.utcoffset() != local.utcoffset()
    return ambiguous and abs(emitted - source) == timedelta(hours=1)


# -- REST Application API streams, Bulk events and campaign responses ------------------------
REST_KINDS = {"campaigns": "campaigns", "emails": "emails", "forms": "forms",
              "landing_pages": "landingPages", "users": "users",
              "contact_segments": "segments", "email_groups": "emailGroups",
              "external_assets": "externals", "visitors": "visitors"}
REST_STREAMS = ("campaigns", "emails", "forms", "form_submissions", "landing_pages", "users",
                "contact_lists", "contact_list_members", "contact_segments", "email_groups",
                "visitors", "external_assets")
EVENT_STREAMS = {"event_spring_summit_2024": 40, "event_partner_webinar_q3": 41,
                 "event_customer_day_emea": 42}


REST_1_0 = {"contact_lists", "email_groups"}  # the streams read through REST 1.0


def rest_records(emu: EloquaEmulator, stream: str, *,
                 include_email_html: bool = False) -> list[dict[str, Any]]:
    """A REST stream's expected records: the store's elements as depth partial shows them
    (nested assets as {type, id, name}, no complete-only properties, no email HTML)."""
    store = emu.store
    if stream == "form_submissions":
        return [{"formId": form_id, "id": row["id"], "submittedAt": row["submittedAt"],
                 "submittedByContactId": row["submittedByContactId"],
                 "fieldValues": [{"id": v["id"], "value": v["value"]}
                                 for v in row["fieldValues"]]}
                for form_id, rows in store.rest.form_data.items() for row in rows]
    if stream == "contact_list_members":
        return [{"listId": list_id, "contactId": cid,
                 "emailAddress": store.contacts[cid]["C_EmailAddress"]}
                for list_id, members in store.contact_lists.items() for cid in members.members]
    if stream == "contact_lists":
        spec, elements = SPECS["contactLists"], list(contact_lists(store).values())
    else:
        spec = SPECS[REST_KINDS[stream]]
        elements = list(store.rest.assets[spec.name].values())
    html = include_email_html and stream == "emails"
    out = []
    for element in elements:
        record = {}
        for prop, stored in element.items():
            if prop in spec.complete_only and not html:
                continue
            value = stored
            if prop in spec.nested:
                value = [{"type": v["type"], "id": v["id"], "name": v["name"]} for v in stored]
            elif prop == "htmlContent" and not html:
                value = {k: v for k, v in stored.items() if k != "html"}
            elif prop == "fieldValues":
                value = [{"id": v["id"], "value": v["value"]} for v in stored]
            elif prop == "permissions" and stream in REST_1_0:
                value = ["fullControl"]  # REST 1.0's one-string form, as a one-grant list
            record[prop] = value
        out.append(record)
    return out


def bulk_extra_records(emu: EloquaEmulator, stream: str) -> list[dict[str, Any]]:
    """Records of an event stream or of campaign_responses, straight from the store."""
    if stream == "campaign_responses":
        return list(emu.store.campaign_responses)
    return list(emu.store.events[EVENT_STREAMS[stream]].records.values())


def assert_stream_equals(emitted_records: list[dict[str, Any]], schema: dict[str, Any],
                         key: list[str], expected: list[dict[str, Any]], stream: str) -> None:
    """Same records by key, every expected value equal, every other property null."""
    emitted = [typed(r, schema) for r in emitted_records]
    by_key = {tuple(r[k] for k in key): r for r in emitted}
    assert len(by_key) == len(emitted), f"{stream}: primary key values are not unique"
    assert len(emitted) == len(expected), f"{stream}: {len(emitted)} != {len(expected)}"
    for source in expected:
        record = by_key[tuple(source[k] for k in key)]
        assert set(source) <= set(record), f"{stream}: missing {set(source) - set(record)}"
        for prop, value in source.items():
            assert same_instant(record[prop], value), (
                f"{stream} {key}={[source[k] for k in key]}: {prop} {record[prop]!r} != {value!r}")
        for prop in set(record) - set(source):
            assert record[prop] is None, f"{stream}: {prop} is not in the source"
