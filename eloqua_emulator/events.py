"""Bulk events and campaign responses (docs §3.1): metadata, field lists and export routes.

Events are custom-object-like (`/events`, `/events/{id}/fields`, statements
`{{Event[id].Field[n]}}`) with registrants who are seeded contacts; campaign responses come from
the seeded email activities that carry a response (same campaign and contact ids). Exports reuse
the emulator's definition, filter and sync machinery unchanged.
"""

from __future__ import annotations

import random
import re
from collections.abc import Callable
from datetime import timedelta
from typing import TYPE_CHECKING, Any

from .catalog import Column, Entity
from .common import HttpError, envelope, iso7
from .config import EmulatorConfig
from .handlers import NOT_FOUND, Response, json_response, parse_body
from .meta import field_item
from .seed_clock import local_ts, ts
from .store import CustomObject, Store

if TYPE_CHECKING:
    from .emulator import EloquaEmulator

EVENT_NAMES = ["Spring Summit 2024", "Partner Webinar: Q3", "Customer Day (EMEA)"]
EVENT_FIELDS = [("Registrant Email", "emailAddress"), ("Full Name", "string"),
                ("Session", "string"), ("Attended", "boolean"), ("Registered On", "date"),
                ("Guests", "number")]
CR_FIELDS = [("MemberStatus", "Member Status", "string"),
             ("IntegrationReturnValue", "Integration Return Value", "string")]


def _internal(label: str) -> str:
    return "".join(c if c.isalnum() else "_" for c in label) + "1"


# ---- seeding --------------------------------------------------------------------------------
def seed_events(store: Store, cfg: EmulatorConfig) -> None:
    """`cfg.events` events (ids 40..) of `cfg.event_records` registrations each."""
    rng = random.Random(cfg.seed * 7919 + 3)
    contacts = list(store.contacts)
    field_id = 700
    for n in range(cfg.events):
        event_id = 40 + n
        name = EVENT_NAMES[n] if n < len(EVENT_NAMES) else f"Event #{n + 1}"
        fields = []
        for label, dtype in EVENT_FIELDS:
            fields.append(field_item(
                label, _internal(label), dtype, f"{{{{Event[{event_id}].Field[{field_id}]}}}}",
                f"/events/{event_id}/fields/{field_id}", unique=label == "Registrant Email",
                created_at="2023-05-01T10:00:00.0000000Z",
                updated_at="2023-05-01T10:00:00.0000000Z"))
            field_id += 1
        uri = f"/events/{event_id}"
        meta = {"name": name, "uri": uri,
                "displayNameFieldUri": f"{uri}/fields/{field_id - 5}",
                "emailAddressFieldUri": f"{uri}/fields/{field_id - 6}",
                "uniqueFieldUri": f"{uri}/fields/{field_id - 6}",
                "createdBy": "api.admin", "createdAt": "2023-05-01T10:00:00.0000000Z",
                "updatedBy": "api.admin", "updatedAt": iso7(ts(event_id * 86_400_000))}
        event = CustomObject(event_id, name, meta, fields)
        for rid in range(1, cfg.event_records + 1):
            created = ts(rng.randrange(300 * 86_400_000))
            cid = rng.choice(contacts) if contacts else None
            event.records[rid] = {
                "Id": rid, "CreatedAt": created,
                "UpdatedAt": created + timedelta(milliseconds=rng.randrange(60 * 86_400_000)),
                "Registrant_Email1": store.contacts[cid]["C_EmailAddress"] if cid else None,
                "Full_Name1": (f"{store.contacts[cid]['C_FirstName']} "
                               f"{store.contacts[cid]['C_LastName']}") if cid else None,
                "Session1": rng.choice(["Keynote", "Workshop, part 2", None]),
                "Attended1": None if rng.random() < 0.2 else rng.random() < 0.6,
                "Registered_On1": local_ts(rng.randrange(300 * 86_400_000), cfg),
                "Guests1": None if rng.random() < 0.3 else rng.randrange(0, 4),
            }
        store.events[event_id] = event


def seed_campaign_responses(store: Store) -> None:
    """One response per email activity that records one (its campaign, contact and date)."""
    rid = 0
    for atype in ("EmailOpen", "EmailClickthrough"):
        for a in store.activities[atype]:
            if a.get("CampaignResponseDate") is None or a.get("CampaignId") is None:
                continue
            rid += 1
            store.campaign_responses.append({
                "Id": rid, "CreatedAt": a["CampaignResponseDate"], "CampaignId": a["CampaignId"],
                "ContactId": a["ContactId"],
                "MemberStatus": a.get("CampaignResponseMemberStatus") or "Opened",
                "IntegrationReturnValue": None if rid % 3 else f"00v{rid:012d}"})


def campaign_response_fields() -> list[dict[str, Any]]:
    return [field_item(name, internal, dtype, f"{{{{CampaignResponse.Field({internal})}}}}",
                       f"/campaignResponses/fields/{n}")
            for n, (internal, name, dtype) in enumerate(CR_FIELDS, start=1)]


# ---- export support ---------------------------------------------------------------------------
def catalog_entries(store: Store, entity: Entity) -> dict[str, Column]:
    """statement -> Column for an event or campaign-response export."""
    if entity.kind == "campaignResponses":
        out = {"{{CampaignResponse.Id}}": Column("Id", "number"),
               "{{CampaignResponse.CreatedAt}}": Column("CreatedAt", "date", True),
               "{{CampaignResponse.Campaign.Id}}": Column("CampaignId", "number"),
               "{{CampaignResponse.Contact.Id}}": Column("ContactId", "number")}
        for f in campaign_response_fields():
            out[f["statement"]] = Column(f["internalName"], f["dataType"])
        return out
    event = store.events[entity.co_id or 0]
    p = f"Event[{event.id}]"
    out = {f"{{{{{p}.Id}}}}": Column("Id", "number"),
           f"{{{{{p}.CreatedAt}}}}": Column("CreatedAt", "date", True),
           f"{{{{{p}.UpdatedAt}}}}": Column("UpdatedAt", "date", True)}
    for f in event.fields:
        out[f["statement"]] = Column(f["internalName"], f["dataType"])
    return out


def records(store: Store, entity: Entity) -> list[dict[str, Any]]:
    if entity.kind == "campaignResponses":
        return list(store.campaign_responses)
    return list(store.events[entity.co_id or 0].records.values())


# ---- routes -----------------------------------------------------------------------------------
def _entity(emu: EloquaEmulator, m: re.Match[str]) -> Entity:
    if m["event"] is None:
        return Entity("campaignResponses")
    event_id = int(m["event"])
    if event_id not in emu.store.events:
        raise NOT_FOUND
    return Entity("events", event_id)


def _fields(emu: EloquaEmulator, m: re.Match[str]) -> list[dict[str, Any]]:
    entity = _entity(emu, m)
    if entity.kind == "campaignResponses":
        return campaign_response_fields()
    return emu.store.events[entity.co_id or 0].fields


def _route(emu: EloquaEmulator, method: str, m: re.Match[str], q: dict[str, str],
           body: bytes) -> Response:
    part, item, sub = m["part"], m["item"], m["sub"]
    if part is None:
        if method != "GET":
            raise HttpError(405, "Method Not Allowed")
        if m["event"] is None:
            raise NOT_FOUND
        return json_response(200, emu.store.events[_entity(emu, m).co_id or 0].meta)
    if part == "fields":
        if method != "GET":
            raise HttpError(405, "Method Not Allowed")
        items = _fields(emu, m)
        if item is None:
            return json_response(200, envelope(items, q))
        for f in items:
            if f["uri"].rsplit("/", 1)[-1] == item:
                return json_response(200, f)
        raise NOT_FOUND
    return _exports(emu, method, _entity(emu, m), item, sub, q, body)


def _exports(emu: EloquaEmulator, method: str, entity: Entity, item: str | None,
             sub: str | None, q: dict[str, str], body: bytes) -> Response:
    exports = emu.exports
    if item is None:
        if method == "POST":
            return json_response(201, exports.create(entity, parse_body(body)).resource)
        if method == "GET":
            return json_response(200, envelope(exports.listing(entity), q))
        raise HttpError(405, "Method Not Allowed")
    defn_id = int(item)

    def delete() -> Response:
        exports.delete(entity, defn_id)
        return 204, b""

    actions: dict[tuple[str, str | None], Callable[[], Response]] = {
        ("GET", None): lambda: json_response(200, exports.get(entity, defn_id).resource),
        ("PUT", None): lambda: json_response(
            200, exports.replace(entity, defn_id, parse_body(body)).resource),
        ("DELETE", None): delete,
        ("GET", "data"): lambda: (200, emu.syncs.definition_data(exports.get(entity, defn_id),
                                                                  q)),
    }
    action = actions.get((method, sub))
    if action is None:
        raise HttpError(405, "Method Not Allowed")
    return action()


PATTERN = re.compile(
    r"^/(?:events(?:/(?P<event>\d+))?|(?P<cr>campaignresponses))"
    r"(?:/(?P<part>fields|exports)(?:/(?P<item>\d+)(?:/(?P<sub>data))?)?)?/?$")


def dispatch(emu: EloquaEmulator, method: str, rest: str, query: dict[str, str],
             body: bytes) -> Response | None:
    """Answer `/events...` and `/campaignResponses...`; None for every other path."""
    m = PATTERN.match(rest.lower())
    if m is None:
        return None
    if m["event"] is None and m["cr"] is None:  # the event list itself
        if m["part"] is not None:
            raise NOT_FOUND
        if method != "GET":
            raise HttpError(405, "Method Not Allowed")
        return json_response(200, envelope([e.meta for e in emu.store.events.values()], query))
    if m["cr"] is not None and m["part"] is None:
        raise NOT_FOUND
    return _route(emu, method, m, query, body)
