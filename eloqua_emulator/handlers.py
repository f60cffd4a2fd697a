"""Pieces every Bulk router uses (docs §2.1, §7): JSON answers, body parsing, the entity of a path,
and the definition CRUD routes, which exports and imports answer the same way.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import orjson

from .catalog import Entity
from .common import BadRequestError, HttpError, envelope, failure

if TYPE_CHECKING:
    from .emulator import EloquaEmulator

Response = tuple[int, bytes]
Handler = Callable[["EloquaEmulator", re.Match[str], dict[str, str], bytes], Response]
NOT_FOUND = HttpError(404, "The requested resource was not found.")
OBJ = r"(?:(?P<obj>contacts|accounts|activities)|customobjects/(?P<co>\d+))"


def json_response(status: int, obj: Any) -> Response:
    return status, orjson.dumps(obj)


def creation_answer(emu: EloquaEmulator, resource: dict[str, Any],
                    *stamps: str) -> dict[str, Any]:
    """A 201's body: the stored resource, but its times (`createdAt` unless named) as the
    creation answer shows them, with 7 digits and later than any later read (fact 7)."""
    now = emu.store.clock.creation_stamp(emu.config.creation_echo_lead_seconds)
    return {**resource, **dict.fromkeys(stamps or ("createdAt",), now)}


def parse_body(raw: bytes) -> Any:
    try:
        return orjson.loads(raw)
    except orjson.JSONDecodeError:
        raise BadRequestError([failure("body", None, "There was a parsing error.")]) from None


def entity_of(emu: EloquaEmulator, m: re.Match[str]) -> Entity:
    """The entity a `{OBJ}` path names; 404 for an unknown custom object."""
    groups = m.groupdict()
    if groups.get("co"):
        co_id = int(groups["co"])
        if co_id not in emu.store.custom_objects:
            raise NOT_FOUND
        return Entity("customObjects", co_id)
    return Entity(groups["obj"])


def definition_routes(segment: str) -> list[tuple[str, str, Handler]]:
    """Create, list, get, PUT and DELETE of `/{obj}/{segment}` definitions ("exports" or
    "imports"), answered by the emulator's registry of the same name (`emu.exports`,
    `emu.imports`).
    """

    def create(emu: EloquaEmulator, m: re.Match[str], q: dict[str, str], raw: bytes) -> Response:
        registry = getattr(emu, segment)
        created = registry.create(entity_of(emu, m), parse_body(raw)).resource
        return json_response(201, creation_answer(emu, created, "createdAt", "updatedAt"))

    def listing(emu: EloquaEmulator, m: re.Match[str], q: dict[str, str], _: bytes) -> Response:
        groups = m.groupdict()
        entity = entity_of(emu, m) if groups.get("obj") or groups.get("co") else None
        return json_response(200, envelope(getattr(emu, segment).listing(entity), q))

    def get_one(emu: EloquaEmulator, m: re.Match[str], q: dict[str, str], _: bytes) -> Response:
        registry = getattr(emu, segment)
        return json_response(200, registry.get(entity_of(emu, m), int(m["id"])).resource)

    def put(emu: EloquaEmulator, m: re.Match[str], q: dict[str, str], raw: bytes) -> Response:
        defn = getattr(emu, segment).replace(entity_of(emu, m), int(m["id"]), parse_body(raw))
        return json_response(200, defn.resource)

    def delete(emu: EloquaEmulator, m: re.Match[str], q: dict[str, str], _: bytes) -> Response:
        getattr(emu, segment).delete(entity_of(emu, m), int(m["id"]))
        return 204, b""

    return [
        ("POST", rf"/{OBJ}/{segment}", create),
        ("GET", rf"/{OBJ}/{segment}", listing),
        ("GET", rf"/{segment}", listing),
        ("GET", rf"/{OBJ}/{segment}/(?P<id>\d+)", get_one),
        ("PUT", rf"/{OBJ}/{segment}/(?P<id>\d+)", put),
        ("DELETE", rf"/{OBJ}/{segment}/(?P<id>\d+)", delete),
    ]
