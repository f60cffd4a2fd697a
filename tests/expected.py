"""What the tap should emit, derived from the emulator's typed store, not from tap code."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from tests.emulator import EloquaEmulator

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
