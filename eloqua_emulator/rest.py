"""REST Application API routing (docs: eloqua-rest-api.md): lists, single items, form data and
list members, served under /api/REST/1.0 and /api/REST/2.0 alike.

Lists answer `{elements, page, pageSize, total}`; `count` is 1..1000 (default 1000), `page` is
1-based; `depth` minimal (default), partial or complete; `search`, `orderBy` and
`lastUpdatedAt` filter and order; without `orderBy` elements come in id order. Values are
rendered as Eloqua does: ids, flags and numbers as strings, dates as Unix seconds in a string,
properties without a value left out. Errors use the REST shape: a JSON array of
`{type, parameter, value}` objects.
"""

from __future__ import annotations

import re
from datetime import datetime
from typing import TYPE_CHECKING, Any

import orjson

from .rest_search import SearchError, parse_order, parse_search, sort_key
from .rest_store import SPECS, KindSpec

if TYPE_CHECKING:
    from .emulator import EloquaEmulator
    from .store import Store

Response = tuple[int, bytes]
ROOT = re.compile(r"^/api/rest/(1\.0|2\.0)(/.*)?$", re.IGNORECASE)
LISTS = {"assets/campaigns": "campaigns", "assets/emails": "emails", "assets/forms": "forms",
         "assets/landingpages": "landingPages", "system/users": "users",
         "assets/contact/lists": "contactLists", "assets/contact/segments": "segments",
         "assets/email/groups": "emailGroups", "assets/externals": "externals",
         "data/visitors": "visitors"}
SINGLES = {"assets/campaign": "campaigns", "assets/email": "emails", "assets/form": "forms",
           "assets/landingpage": "landingPages", "system/user": "users",
           "assets/contact/list": "contactLists", "assets/contact/segment": "segments",
           "assets/email/group": "emailGroups", "assets/external": "externals"}
DEPTHS = ("minimal", "partial", "complete")
FORM_DATA_PARAMS = {"count", "page", "startat", "endat"}


class RestError(Exception):
    """An error answer in the REST shape."""

    def __init__(self, status: int, items: list[dict[str, Any]]) -> None:
        super().__init__(items)
        self.status = status
        self.items = items


def _param_error(parameter: str, value: Any) -> RestError:
    return RestError(400, [{"type": "EndpointParameterError", "parameter": parameter,
                            "value": value}])


def _not_found(path: str) -> RestError:
    return RestError(404, [{"type": "ObjectNotFound", "parameter": "path", "value": path}])


def denied(emu: EloquaEmulator, path: str) -> bool:
    """Whether `path` (below /api/REST/{version}) is one the config's `rest_denied` refuses; a
    single item (`system/user/5`) is refused with its list (`system/users`)."""
    low = path.lower().strip("/")
    single = re.fullmatch(r"(.+)/(\d+|current)", low)
    if single and single[1] in SINGLES:
        low = next(p for p, kind in LISTS.items() if kind == SINGLES[single[1]])
    for item in emu.config.rest_denied.split(","):
        prefix = item.strip().lower().strip("/")
        if prefix and (low == prefix or low.startswith(prefix + "/")):
            return True
    return False


def split(path: str) -> tuple[str, str] | None:
    """`/API/REST/2.0/assets/emails` -> ("2.0", "assets/emails"); None outside the REST API."""
    m = ROOT.match(path.rstrip("/"))
    if m is None:
        return None
    return m[1], (m[2] or "").strip("/")


# ---- rendering --------------------------------------------------------------------------------
def _value(value: Any) -> Any:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, datetime):
        return str(int(value.timestamp()))
    if isinstance(value, (int, float)):
        return str(value)
    if isinstance(value, list):
        return [_value(v) for v in value]
    if isinstance(value, dict):
        return {k: _value(v) for k, v in value.items() if v is not None}
    return value


FULL_CONTROL = frozenset({"Retrieve", "SetSecurity", "Delete", "Update"})


def _permissions(value: Any, version: str) -> Any:
    """REST 1.0 sends an element's permissions as one string ("fullControl" for every grant,
    as real 1.0 email groups show); 2.0 as the list of grants (real 2.0 segments)."""
    if version == "1.0" and isinstance(value, list) and set(value) >= FULL_CONTROL:
        return "fullControl"
    return value


def render(spec: KindSpec, element: dict[str, Any], depth: str,
           version: str = "2.0") -> dict[str, Any]:
    """An element as the API (of `version`) sends it at `depth`."""
    keys = (("type", "id", *spec.minimal) if depth == "minimal" else tuple(element))
    out: dict[str, Any] = {}
    for key in keys:
        value: Any = element.get(key)
        if value is None or (depth != "complete" and key in spec.complete_only):
            continue
        if depth != "complete" and key in spec.nested:
            value = [{"type": v.get("type"), "id": v.get("id"), "name": v.get("name")}
                     for v in value]
        if depth != "complete" and key == "htmlContent":
            value = {k: v for k, v in value.items() if k != "html"}
        if key == "permissions":
            value = _permissions(value, version)
        out[key] = value if key in spec.raw_ints else _value(value)
    out["depth"] = depth
    return out


# ---- element sources --------------------------------------------------------------------------
def contact_lists(store: Store) -> dict[int, dict[str, Any]]:
    """REST ContactList elements: the Bulk store's lists (members) plus REST metadata."""
    out = {}
    with store.rest.lock:
        for lid, member_list in sorted(store.contact_lists.items()):
            meta = store.rest.list_meta.get(lid, {})
            out[lid] = {"type": "ContactList", "id": lid, "name": member_list.name, **meta,
                        "count": len(member_list.members)}
    return out


def _elements(store: Store, kind: str) -> list[dict[str, Any]]:
    if kind == "contactLists":
        return list(contact_lists(store).values())
    with store.rest.lock:
        table = store.rest.assets[kind]
        return [table[k] for k in sorted(table)]


def _terms(elements: list[dict[str, Any]], extra: tuple[str, ...]) -> dict[str, str]:
    names = {"id", "type", "name", "createdat", "updatedat", *extra}
    out = {n.lower(): n for n in names}
    for element in elements:
        out.update({k.lower(): k for k in element})
    return out


# ---- lists ------------------------------------------------------------------------------------
def _int_param(query: dict[str, str], name: str, default: int, low: int,
               high: int | None) -> int:
    raw = query.get(name)
    if raw is None or raw == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        raise _param_error(name, raw) from None
    if value < low or (high is not None and value > high):
        raise _param_error(name, raw)
    return value


def _depth(query: dict[str, str], default: str) -> str:
    raw = (query.get("depth") or default).strip().lower()
    return raw if raw in DEPTHS else "minimal"


def listing(elements: list[dict[str, Any]], query: dict[str, str], spec: KindSpec,
            terms: dict[str, str], version: str = "2.0") -> dict[str, Any]:
    """Filter, order and page `elements` (already in id order) into the list envelope."""
    count = _int_param(query, "count", 1000, 1, 1000)
    page = _int_param(query, "page", 1, 1, None)
    try:
        if query.get("search"):
            predicate = parse_search(query["search"], terms)
            elements = [e for e in elements if predicate(e)]
        if query.get("lastUpdatedAt"):
            since = _int_param(query, "lastUpdatedAt", 0, 0, None)
            elements = [e for e in elements if e.get("updatedAt") is not None
                        and e["updatedAt"].timestamp() >= since]
        if query.get("orderBy"):
            name, descending = parse_order(query["orderBy"], terms)
            elements = sorted(elements, key=sort_key(name), reverse=descending)
    except SearchError as exc:
        raise _param_error(exc.parameter, exc.value) from None
    depth = _depth(query, "minimal")
    chunk = elements[(page - 1) * count: page * count]
    return {"elements": [render(spec, e, depth, version) for e in chunk], "page": page,
            "pageSize": count, "total": len(elements)}


def _form_data(store: Store, form_id: int, query: dict[str, str]) -> dict[str, Any]:
    unknown = sorted(k for k in query if k.lower() not in FORM_DATA_PARAMS)
    if unknown:
        raise _param_error(unknown[0], query[unknown[0]])
    with store.rest.lock:
        if form_id not in store.rest.form_data:
            raise _not_found(f"data/form/{form_id}")
        rows = list(store.rest.form_data[form_id])
    lowered = {k.lower(): v for k, v in query.items()}
    start = _int_param(lowered, "startat", 0, 0, None)
    end = _int_param(lowered, "endat", 2**62, 0, None)
    rows = [r for r in rows if start <= r["submittedAt"].timestamp() <= end]
    count = _int_param(lowered, "count", 1000, 1, 1000)
    page = _int_param(lowered, "page", 1, 1, None)
    chunk = rows[(page - 1) * count: page * count]
    spec = KindSpec("formData", "FormData", ())
    elements = [{k: v for k, v in render(spec, r, "complete").items() if k != "depth"}
                for r in chunk]
    return {"elements": elements,
            "page": page, "pageSize": count, "total": len(rows)}


def _members(store: Store, list_id: int, query: dict[str, str]) -> dict[str, Any]:
    member_list = store.contact_lists.get(list_id)
    if member_list is None:
        raise _not_found(f"data/contacts/list/{list_id}")
    contacts = [store.contacts[c] for c in sorted(member_list.members) if c in store.contacts]
    elements = [{"type": "Contact", "id": c["Id"], "name": c["C_EmailAddress"],
                 "emailAddress": c["C_EmailAddress"], "createdAt": c["CreatedAt"],
                 "updatedAt": c["UpdatedAt"], "currentStatus": "Awaiting action"}
                for c in contacts]
    spec = KindSpec("contacts", "Contact", ("name", "emailAddress", "createdAt", "updatedAt",
                                            "currentStatus"))
    return listing(elements, query, spec, _terms(elements, ("emailaddress",)))


def _route(emu: EloquaEmulator, path: str, query: dict[str, str], version: str) -> Any:
    store = emu.store
    low = path.lower()
    if low in LISTS:
        kind = LISTS[low]
        elements = _elements(store, kind)
        return listing(elements, query, SPECS[kind], _terms(elements, ()), version)
    m = re.fullmatch(r"data/form/(\d+)", low)
    if m:
        return _form_data(store, int(m[1]), query)
    m = re.fullmatch(r"data/contacts/list/(\d+)", low)
    if m:
        return _members(store, int(m[1]), query)
    m = re.fullmatch(r"(.+)/(\d+|current)", low)
    if m and m[1] in SINGLES:
        kind = SINGLES[m[1]]
        wanted = 314 if m[2] == "current" else int(m[2])
        if m[2] == "current" and kind != "users":
            raise _not_found(path)
        found = {e["id"]: e for e in _elements(store, kind)}.get(wanted)
        if found is None:
            raise _not_found(path)
        return render(SPECS[kind], found, _depth(query, "complete"), version)
    raise _not_found(path)


def dispatch(emu: EloquaEmulator, method: str, path: str, query: dict[str, str],
             version: str = "2.0") -> Response:
    """Answer one REST request (path below /api/REST/{version}); errors in the REST shape."""
    try:
        if method != "GET":
            return 405, orjson.dumps([{"type": "MethodNotAllowed", "value": method}])
        return 200, orjson.dumps(_route(emu, path, query, version))
    except RestError as exc:
        return exc.status, orjson.dumps(exc.items)
