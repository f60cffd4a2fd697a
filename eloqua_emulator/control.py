"""`/_emulator/*` control endpoints (no auth) for other processes."""

from __future__ import annotations

from datetime import datetime, timezone
from typing import TYPE_CHECKING, Any

import orjson

from .common import BadRequestError, HttpError, failure

if TYPE_CHECKING:
    from .emulator import EloquaEmulator


def _kind(raw: Any) -> str | tuple[str, int]:
    if isinstance(raw, list) and len(raw) == 2:
        return (str(raw[0]), int(raw[1]))
    if isinstance(raw, str) and raw.lower().startswith("customobject:"):
        return ("customObject", int(raw.split(":", 1)[1]))
    return str(raw)


def _dt(value: Any) -> datetime:
    dt = datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    return dt if dt.tzinfo else dt.replace(tzinfo=timezone.utc)


def _typed(types: dict[str, str], values: dict[str, Any]) -> dict[str, Any]:
    """JSON values -> store values (ISO strings become aware datetimes for date fields)."""
    return {k: _dt(v) if types.get(k) == "date" and v is not None else v for k, v in values.items()}


def handle(emu: EloquaEmulator, method: str, path: str, body: bytes) -> tuple[int, bytes]:
    """Serve one control request; returns (status, JSON bytes)."""
    name = path.rstrip("/").rsplit("/", 1)[-1].lower()
    try:
        data = orjson.loads(body) if body.strip() else {}
    except orjson.JSONDecodeError:
        raise BadRequestError([failure("body", None, "Must be valid JSON")]) from None
    store = emu.store
    try:
        if method == "GET" and name == "definitions":
            return 200, orjson.dumps({"definitions": emu.live_definitions()})
        if method == "GET" and name == "requests":
            return 200, orjson.dumps({"requests": emu.request_log, "syncCount": emu.sync_count})
        if method != "POST":
            raise HttpError(404, "Unknown control endpoint")
        if name == "update":
            kind = _kind(data["kind"])
            rec = store.update(
                kind, int(data["id"]), _typed(store.field_types(kind), data.get("changes", {}))
            )
            return 200, orjson.dumps(rec)
        if name == "add":
            kind = _kind(data["kind"])
            new_id = store.add(kind, _typed(store.field_types(kind), data.get("values", {})))
            return 200, orjson.dumps({"id": new_id})
        if name == "add_activity":
            values = _typed(store.field_types("activities"), data.get("values", {}))
            at = _dt(data["at"]) if data.get("at") else None
            return 200, orjson.dumps(store.add_activity(data["type"], values, at))
        if name == "faults":
            if data.get("clear") or not data.get("rate"):
                emu.clear_faults()
            else:
                emu.set_faults(
                    float(data["rate"]),
                    tuple(data.get("kinds", ("429", "503"))),
                    int(data.get("seed", 1)),
                    data.get("paths"),
                )
            return 200, orjson.dumps({"ok": True})
        if name == "fail_next_sync":
            emu.fail_next_sync(**{k: data[k] for k in ("code", "message") if k in data})
            return 200, orjson.dumps({"ok": True})
        if name == "expire_sync_data":
            emu.expire_sync_data(int(data["syncId"]))
            return 200, orjson.dumps({"ok": True})
    except (KeyError, ValueError, TypeError) as exc:
        raise BadRequestError([failure("body", None, f"Invalid control request: {exc}")]) from None
    raise HttpError(404, "Unknown control endpoint")
