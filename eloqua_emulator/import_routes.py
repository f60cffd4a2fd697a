"""Routing of the import side (docs §2.1): import definitions, data, and syncs of imports.

`dispatch` answers the requests it owns and returns None for the rest, so the export router keeps
handling everything else unchanged. The request's Content-Type (JSON or CSV data) reaches it
through a thread-local that the server sets per request.
"""

from __future__ import annotations

import re
import threading
from typing import TYPE_CHECKING

import orjson

from .common import HttpError, envelope
from .handlers import (
    OBJ,
    Handler,
    Response,
    creation_answer,
    definition_routes,
    entity_of,
    json_response,
)

if TYPE_CHECKING:
    from .emulator import EloquaEmulator

REQUEST = threading.local()


def data_post(emu: EloquaEmulator, m: re.Match[str], q: dict[str, str], raw: bytes) -> Response:
    defn = emu.imports.get(entity_of(emu, m), int(m["id"]))
    emu.imports.stage(defn, raw, getattr(REQUEST, "content_type", "") or "")
    if defn.resource.get("isSyncTriggeredOnImport"):
        sync = emu.import_syncs.create(defn, {})
        return json_response(201, creation_answer(emu, sync.resource()))
    return 204, b""


def data_delete(emu: EloquaEmulator, m: re.Match[str], q: dict[str, str], _: bytes) -> Response:
    defn = emu.imports.get(entity_of(emu, m), int(m["id"]))
    if emu.import_syncs.in_progress(defn):
        raise HttpError(409, "There was a conflict.")
    with emu.imports.lock:
        defn.staged, defn.positions, defn.pushes = [], [], 0
    return 204, b""


def all_syncs(emu: EloquaEmulator, m: re.Match[str], q: dict[str, str], _: bytes) -> Response:
    items = emu.syncs.listing() + emu.import_syncs.listing()
    items.sort(key=lambda s: int(str(s["uri"]).rsplit("/", 1)[-1]))
    return json_response(200, envelope(items, q))


ROUTES: list[tuple[str, re.Pattern[str], Handler]] = [
    (meth, re.compile(pat + r"/?$"), fn)
    for meth, pat, fn in [
        *definition_routes("imports"),
        ("POST", rf"/{OBJ}/imports/(?P<id>\d+)/data", data_post),
        ("DELETE", rf"/{OBJ}/imports/(?P<id>\d+)/data", data_delete),
        ("GET", r"/syncs", all_syncs),
    ]
]
SYNC_PATH = re.compile(r"^/syncs/(?P<id>\d+)(?P<rest>/data|/logs|/rejects)?/?$")


def _sync_request(emu: EloquaEmulator, method: str, path: str, query: dict[str, str],
                  body: bytes) -> Response | None:
    """POST /syncs and GET /syncs/{id}[/logs|/rejects|/data] when they concern an import."""
    if method == "POST" and path.rstrip("/") == "/syncs":
        try:
            parsed = orjson.loads(body)
        except orjson.JSONDecodeError:
            return None
        uri = parsed.get("syncedInstanceUri") if isinstance(parsed, dict) else None
        defn = emu.imports.by_uri(uri) if isinstance(uri, str) else None
        if defn is None:
            return None
        created = emu.import_syncs.create(defn, parsed)
        return json_response(201, creation_answer(emu, created.resource()))
    m = SYNC_PATH.match(path)
    if m is None:
        return None
    sync = emu.import_syncs.get(int(m["id"]))
    if sync is None:
        return None
    rest = m["rest"] or ""
    if method == "GET" and rest == "":
        return json_response(200, sync.resource())
    if method == "GET" and rest == "/logs":
        return json_response(200, envelope(list(sync.logs), query))
    if method == "GET" and rest == "/rejects":
        return json_response(200, envelope(list(sync.rejects), query))
    if rest == "/data":
        emu.import_syncs.data(sync)
    raise HttpError(405, "Method Not Allowed")


def dispatch(emu: EloquaEmulator, method: str, rest: str, query: dict[str, str],
             body: bytes) -> Response | None:
    """Answer an import-side request, or None to leave it to the export router."""
    path = rest.lower()
    handled = _sync_request(emu, method, path, query, body)
    if handled is not None:
        return handled
    for meth, pattern, fn in ROUTES:
        if meth == method and pattern.match(path):
            return fn(emu, pattern.match(path), query, body)  # type: ignore[arg-type]
    return None
