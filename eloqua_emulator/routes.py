"""Bulk API 2.0 routing (docs §2.1): metadata, export definitions, syncs, data and logs.

Paths are matched case-insensitively; uris in bodies use Eloqua's canonical casing.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

from . import events, import_routes
from .common import BadRequestError, HttpError, envelope, failure
from .handlers import (
    NOT_FOUND,
    OBJ,
    Handler,
    Response,
    creation_answer,
    definition_routes,
    entity_of,
    json_response,
    parse_body,
)
from .meta import ACTIVITY_TYPES

if TYPE_CHECKING:
    from .emulator import EloquaEmulator


# ---- metadata ------------------------------------------------------------------------------------
def fields_list(emu: EloquaEmulator, m: re.Match[str], q: dict[str, str], _: bytes) -> Response:
    items = _field_items(emu, m, q)
    return json_response(200, envelope(items, q))


def field_one(emu: EloquaEmulator, m: re.Match[str], q: dict[str, str], _: bytes) -> Response:
    for item in _field_items(emu, m, {}):
        if item["uri"].rsplit("/", 1)[-1] == m["id"]:
            return json_response(200, item)
    raise NOT_FOUND


def _field_items(emu: EloquaEmulator, m: re.Match[str], q: dict[str, str]) -> list[dict[str, Any]]:
    store = emu.store
    if m["co"]:
        co = store.custom_objects.get(int(m["co"]))
        if co is None:
            raise NOT_FOUND
        return co.fields
    obj = m["obj"]
    if obj == "contacts":
        return store.contact_fields
    if obj == "accounts":
        return store.account_fields
    wanted = q.get("activityType") or q.get("activitytype")
    if wanted is None:
        return store.activity_fields()
    for t in ACTIVITY_TYPES:
        if t.lower() == wanted.lower():
            return store.activity_fields(t)
    raise BadRequestError([failure("activityType", wanted, "Must be a valid activity type")])


def co_list(emu: EloquaEmulator, m: re.Match[str], q: dict[str, str], _: bytes) -> Response:
    return json_response(200, envelope([co.meta for co in emu.store.custom_objects.values()], q))


def co_one(emu: EloquaEmulator, m: re.Match[str], q: dict[str, str], _: bytes) -> Response:
    co = emu.store.custom_objects.get(int(m["co"]))
    if co is None:
        raise NOT_FOUND
    return json_response(200, co.meta)


def lists(emu: EloquaEmulator, m: re.Match[str], q: dict[str, str], _: bytes) -> Response:
    store = emu.store
    src, label = (
        (store.contact_lists, "ContactList")
        if m["obj"] == "contacts"
        else (store.account_lists, "AccountList")
    )
    items = [
        {
            "count": len(v.members),
            "createdAt": v.created_at,
            "createdBy": "api.admin",
            "name": v.name,
            "statement": f"{{{{{label}[{v.id}]}}}}",
            "updatedAt": v.created_at,
            "updatedBy": "api.admin",
            "uri": f"/{m['obj']}/lists/{v.id}",
        }
        for v in src.values()
    ]
    if m["id"]:
        for item in items:
            if str(item["uri"]).endswith(f"/{m['id']}"):
                return json_response(200, item)
        raise NOT_FOUND
    return json_response(200, envelope(items, q))


# ---- export definitions --------------------------------------------------------------------------
def export_data(emu: EloquaEmulator, m: re.Match[str], q: dict[str, str], _: bytes) -> Response:
    return 200, emu.syncs.definition_data(emu.exports.get(entity_of(emu, m), int(m["id"])), q)


def export_data_delete(
    emu: EloquaEmulator, m: re.Match[str], q: dict[str, str], _: bytes
) -> Response:
    defn = emu.exports.get(entity_of(emu, m), int(m["id"]))
    if emu.syncs.in_progress(defn):
        raise HttpError(409, "There was a conflict.")
    for s in defn.syncs:
        s.data_gone, s.rows = True, None
    return 204, b""


# ---- syncs ---------------------------------------------------------------------------------------
def sync_create(emu: EloquaEmulator, m: re.Match[str], q: dict[str, str], raw: bytes) -> Response:
    return json_response(201, creation_answer(emu, emu.syncs.create(parse_body(raw)).resource()))


def sync_list(emu: EloquaEmulator, m: re.Match[str], q: dict[str, str], _: bytes) -> Response:
    return json_response(200, envelope(emu.syncs.listing(), q))


def sync_get(emu: EloquaEmulator, m: re.Match[str], q: dict[str, str], _: bytes) -> Response:
    return json_response(200, emu.syncs.get(int(m["id"])).resource())


def sync_data(emu: EloquaEmulator, m: re.Match[str], q: dict[str, str], _: bytes) -> Response:
    return 200, emu.syncs.data_page(int(m["id"]), q)


def sync_data_delete(
    emu: EloquaEmulator, m: re.Match[str], q: dict[str, str], _: bytes
) -> Response:
    emu.syncs.delete_data(int(m["id"]))
    return 204, b""


def sync_logs(emu: EloquaEmulator, m: re.Match[str], q: dict[str, str], _: bytes) -> Response:
    return json_response(200, envelope(list(emu.syncs.get(int(m["id"])).logs), q))


def sync_rejects(emu: EloquaEmulator, m: re.Match[str], q: dict[str, str], _: bytes) -> Response:
    emu.syncs.get(int(m["id"]))
    return json_response(200, envelope([], q))


ROUTES: list[tuple[str, re.Pattern[str], Handler]] = [
    (meth, re.compile(pat + r"/?$"), fn)
    for meth, pat, fn in [
        ("GET", rf"/{OBJ}/fields", fields_list),
        ("GET", rf"/{OBJ}/fields/(?P<id>\d+)", field_one),
        ("GET", r"/customobjects", co_list),
        ("GET", r"/customobjects/(?P<co>\d+)", co_one),
        ("GET", r"/(?P<obj>contacts|accounts)/lists(?:/(?P<id>\d+))?", lists),
        *definition_routes("exports"),
        ("GET", rf"/{OBJ}/exports/(?P<id>\d+)/data", export_data),
        ("DELETE", rf"/{OBJ}/exports/(?P<id>\d+)/data", export_data_delete),
        ("POST", r"/syncs", sync_create),
        ("GET", r"/syncs", sync_list),
        ("GET", r"/syncs/(?P<id>\d+)", sync_get),
        ("GET", r"/syncs/(?P<id>\d+)/data", sync_data),
        ("DELETE", r"/syncs/(?P<id>\d+)/data", sync_data_delete),
        ("GET", r"/syncs/(?P<id>\d+)/logs", sync_logs),
        ("GET", r"/syncs/(?P<id>\d+)/rejects", sync_rejects),
    ]
]


def dispatch(
    emu: EloquaEmulator, method: str, rest: str, query: dict[str, str], body: bytes
) -> Response:
    """Route a Bulk request (path below /api/bulk/2.0); 404 for unknown paths, 405 for wrong
    methods.
    """
    imported = import_routes.dispatch(emu, method, rest, query, body)
    if imported is not None:
        return imported
    evented = events.dispatch(emu, method, rest, query, body)
    if evented is not None:
        return evented
    path = rest.lower()
    known = False
    for meth, pattern, fn in ROUTES:
        m = pattern.match(path)
        if m:
            known = True
            if meth == method:
                return fn(emu, m, query, body)
    if known:
        raise HttpError(405, "Method Not Allowed")
    raise NOT_FOUND
