"""A Singer message writer on orjson: one encode per message, flush only at non-RECORDs."""

from __future__ import annotations

import decimal
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


class OrjsonWriter(GenericSingerWriter[bytes, Message]):
    """The SDK's writer flushes after every message; a pipe only needs it at STATE and exit."""

    @override
    def serialize_message(self, message: Message) -> bytes:
        return orjson.dumps(message.to_dict(), default=_default, option=_OPTIONS)

    @override
    def write_message(self, message: Message) -> None:
        out = output.stdout()
        out.write(self.format_message(message))
        if not isinstance(message, RecordMessage):
            out.flush()
