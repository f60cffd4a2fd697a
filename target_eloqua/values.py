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
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

import orjson

Converter = Callable[[Any], Any]


def local_date(zone: ZoneInfo) -> Converter:
    """An ISO 8601 instant -> Eloqua wall time in `zone`; other values unchanged."""
    def convert(value: Any) -> Any:
        if type(value) is not str or len(value) < 20:
            return value
        text = value[:-1] + "+00:00" if value.endswith("Z") else value
        if text[-6] not in "+-" or text[-3] != ":":
            return value
        try:
            moment = datetime.fromisoformat(text)
        except ValueError:
            return value
        local = moment.astimezone(zone).replace(tzinfo=None)
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
