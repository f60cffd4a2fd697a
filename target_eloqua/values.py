"""Record values -> what Eloqua imports, converting only where it matters (the hot path).

Most values go out as they came: Eloqua validates every value itself and a bad one becomes a
reported reject. Two conversions are needed:
* dates: an ISO 8601 date-time with an offset (what tap-eloqua and most taps emit) becomes
  Eloqua's own `YYYY-MM-DD HH:MM:SS[.fff]` wall time in the instance's time zone, the form its
  exports use; anything else (naive or date-only text) is passed through for Eloqua to read.
* nested objects and arrays (possible only where the schema allows them) become JSON text.
"""

from __future__ import annotations

import decimal
from collections.abc import Callable, Mapping
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import orjson

Converter = Callable[[Any], Any]


SIXTY = frozenset(f"{n:02d}" for n in range(60))
MAX_HOURS_HELD = 100_000     # distinct (hour, offset) pairs remembered; then forgotten at once


def local_date(zone: ZoneInfo) -> Converter:
    """An ISO 8601 instant -> Eloqua wall time in `zone`; other values unchanged.

    Whole-second instants (what taps emit) take a text path: the local hour is computed once per
    hour and offset seen, the minutes and seconds are copied. Anything else is parsed."""
    heads: dict[str, str | None] = {}

    def head(key: str) -> str | None:
        """`YYYY-MM-DD HH` in `zone` for the hour `YYYY-MM-DDTHH` at the offset `key[13:]`, if
        the whole hour has one offset in `zone`, whole hours from that one; else None."""
        try:
            start = datetime.fromisoformat(f"{key[:13]}:00:00{key[13:]}")
            first = start.astimezone(zone)
            last = (start + timedelta(minutes=59, seconds=59)).astimezone(zone)
        except (ValueError, OverflowError):
            return None
        offset, given = first.utcoffset(), start.utcoffset()
        if offset is None or given is None or offset != last.utcoffset() or \
                (offset - given) % timedelta(hours=1):
            return None
        return first.replace(tzinfo=None).isoformat(" ", "hours")

    def convert(value: Any) -> Any:
        if type(value) is not str or len(value) < 20:
            return value
        text = value[:-1] + "+00:00" if value.endswith("Z") else value
        if text[-6] not in "+-" or text[-3] != ":":
            return value
        if len(text) == 25 and text[10] == "T" and text[13] == ":" and text[16] == ":" and \
                text[14:16] in SIXTY and text[17:19] in SIXTY:
            key = text[:13] + text[19:]
            found = heads.get(key)
            if found is None and key not in heads:
                if len(heads) >= MAX_HOURS_HELD:
                    heads.clear()
                found = heads[key] = head(key)
            if found is not None:
                return found + text[13:19]
        try:
            moment = datetime.fromisoformat(text)
        except ValueError:
            return value
        try:
            local = moment.astimezone(zone).replace(tzinfo=None)
        except OverflowError:   # its UTC instant is before year 1 or past 9999
            local = moment.replace(tzinfo=None)
            if local.replace(tzinfo=zone).utcoffset() != moment.utcoffset():
                return value    # not a wall time of the zone: Eloqua rejects the row and the
                                # rejects file names it, rather than a crash
        return local.isoformat(" ", "milliseconds" if local.microsecond else "seconds")
    return convert


def as_text(value: Any) -> Any:
    """Nested values as JSON text; scalars unchanged."""
    if isinstance(value, (dict, list)):
        return orjson.dumps(value, default=encode_default).decode()
    return value


def converter(data_type: str, prop_schema: Mapping[str, Any], zone: ZoneInfo) -> Converter | None:
    """The conversion one column needs, or None (the common case: values pass as they are)."""
    if data_type == "date":
        return local_date(zone)
    types = prop_schema.get("type")
    kinds = set(types) if isinstance(types, list) else {types}
    if kinds & {"object", "array"} or not types:
        return as_text
    return None


def encode_default(value: Any) -> Any:
    """orjson fallback: Decimal (from some readers and stream maps) as a JSON number."""
    if isinstance(value, decimal.Decimal):
        if value == value.to_integral_value():
            return int(value)
        return float(value) if len(value.as_tuple().digits) <= 15 else str(value)
    if isinstance(value, datetime):
        return value.isoformat()
    raise TypeError(f"cannot encode {type(value).__name__}")
