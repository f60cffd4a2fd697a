"""A Singer message writer on orjson: one encode per message, flush only at non-RECORDs."""

from __future__ import annotations

import decimal
import json
import math
from datetime import date, datetime
from typing import Any

import orjson
from singer_sdk.singerlib import Message, RecordMessage
from singer_sdk.singerlib.encoding.base import GenericSingerWriter
from typing_extensions import override

from tap_eloqua import output

_OPTIONS = orjson.OPT_APPEND_NEWLINE | orjson.OPT_UTC_Z


def _default(value: Any) -> Any:
    if isinstance(value, decimal.Decimal):
        return float(value)
    raise TypeError(f"cannot serialise {type(value).__name__}")


def _exact(value: Any) -> Any:
    """The value as orjson would write it, for the standard library (non-finite floats: null)."""
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, dict):
        return {key: _exact(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_exact(item) for item in value]
    return value


def _default_text(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    return _default(value)


def encode(value: Any, option: int = 0) -> bytes:
    """orjson's encoding; an integer past 64 bits (Eloqua can send 20-digit numbers), which
    orjson refuses, is written exactly by the standard library instead of stopping the run."""
    try:
        return orjson.dumps(value, default=_default, option=option)
    except TypeError as exc:
        if "64-bit" not in str(exc):
            raise
    text = json.dumps(_exact(value), default=_default_text, separators=(",", ":"),
                      ensure_ascii=False)
    return text.encode() + (b"\n" if option & orjson.OPT_APPEND_NEWLINE else b"")


class OrjsonWriter(GenericSingerWriter[bytes, Message]):
    """The SDK's writer flushes after every message; a pipe only needs it at STATE and exit."""

    @override
    def serialize_message(self, message: Message) -> bytes:
        return encode(message.to_dict(), _OPTIONS)

    @override
    def write_message(self, message: Message) -> None:
        out = output.stdout()
        out.write(self.format_message(message))
        if not isinstance(message, RecordMessage):
            out.flush()
