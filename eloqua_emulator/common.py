"""Shared helpers: clocks, Eloqua timestamp formats, ISO durations, list envelopes.

Kept in one place so every endpoint formats dates and pages lists the same way (docs §2, §8).
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta, timezone
from typing import Any
from zoneinfo import ZoneInfo

UTC = timezone.utc
EASTERN = ZoneInfo("America/New_York")


def now_ms() -> datetime:
    """UTC now truncated to milliseconds, the precision Eloqua stores."""
    now = datetime.now(UTC)
    return now.replace(microsecond=(now.microsecond // 1000) * 1000)


def iso7(dt: datetime) -> str:
    """Resource-metadata timestamp: ISO-8601 UTC, 7 fractional digits, `Z` (docs §2)."""
    dt = dt.astimezone(UTC)
    return f"{dt:%Y-%m-%dT%H:%M:%S}.{dt.microsecond:06d}0Z"


def export_dt(dt: datetime, utc: bool) -> str:
    """Exported-row date string `YYYY-MM-DD HH:MM:SS.fff`, no offset (docs §4.3, §8)."""
    local = dt.astimezone(UTC if utc else EASTERN).replace(tzinfo=None)
    return local.isoformat(" ", "milliseconds")


_DURATION = re.compile(
    r"^P(?!$)(?:(\d+)Y)?(?:(\d+)M)?(?:(\d+)W)?(?:(\d+)D)?(?:T(?=\d)(?:(\d+)H)?(?:(\d+)M)?(?:(\d+(?:\.\d+)?)S)?)?$"
)


def parse_duration(text: Any) -> timedelta | None:
    """ISO-8601 duration to timedelta (years 365 d, months 30 d); None when malformed."""
    if not isinstance(text, str):
        return None
    m = _DURATION.match(text.strip().upper())
    if not m:
        return None
    y, mo, w, d, h, mi, s = m.groups()
    days = int(y or 0) * 365 + int(mo or 0) * 30 + int(w or 0) * 7 + int(d or 0)
    return timedelta(days=days, hours=int(h or 0), minutes=int(mi or 0), seconds=float(s or 0))


class BadRequestError(Exception):
    """A 400 answered with the Bulk `failures` body (docs §7.2)."""

    def __init__(self, failures: list[dict[str, Any]]) -> None:
        super().__init__(failures)
        self.failures = failures


class HttpError(Exception):
    """Any other non-2xx answer with a short text body."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


def failure(field: str, value: Any, constraint: str) -> dict[str, Any]:
    """One item of a 400 `failures` list."""
    return {"field": field, "value": value, "constraint": constraint}


def _bool_param(query: dict[str, str], name: str, default: bool) -> bool:
    raw = query.get(name)
    if raw is None:
        return default
    low = raw.strip().lower()
    if low in ("true", "1"):
        return True
    if low in ("false", "0"):
        return False
    raise BadRequestError([failure(name, raw, "Must be a boolean")])


def paging(query: dict[str, str], max_limit: int = 1000) -> tuple[int, int, bool]:
    """Read `limit`/`offset`/`totalResults`; 400 outside the documented ranges (docs §2)."""
    out = []
    for name, default, lo, hi in (("limit", 1000, 1, max_limit), ("offset", 0, 0, None)):
        raw = query.get(name)
        if raw is None or raw == "":
            out.append(default)
            continue
        try:
            val = int(raw)
        except ValueError:
            raise BadRequestError([failure(name, raw, "Must be an integer")]) from None
        if val < lo or (hi is not None and val > hi):
            rng = f"between {lo} and {hi}" if hi is not None else f"at least {lo}"
            raise BadRequestError([failure(name, raw, f"Must be {rng}")])
        out.append(val)
    return out[0], out[1], _bool_param(query, "totalResults", True)


def envelope(items: list[Any], query: dict[str, str], max_limit: int = 1000) -> dict[str, Any]:
    """Standard list envelope; key order items,totalResults,limit,offset,count,hasMore; no empty
    items.
    """
    limit, offset, total = paging(query, max_limit)
    out = page(items, limit, offset, total)
    out.setdefault("items", [])  # real non-data lists keep an empty items; data pages omit it
    return {"items": out.pop("items"), **out}


def page(items: list[Any], limit: int, offset: int, total: bool) -> dict[str, Any]:
    """One page of `items` in the list envelope (also the body of `/syncs/{id}/data`)."""
    chunk = items[offset : offset + limit]
    out: dict[str, Any] = {}
    if chunk:
        out["items"] = chunk
    if total:
        out["totalResults"] = len(items)
    out["limit"] = limit
    out["offset"] = offset
    out["count"] = len(chunk)
    out["hasMore"] = offset + len(chunk) < len(items)
    return out
