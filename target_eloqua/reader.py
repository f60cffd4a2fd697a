"""A Singer message reader on orjson, reading stdin as bytes (no text decoding pass)."""

from __future__ import annotations

import sys
from typing import IO, Any

import orjson
from singer_sdk.singerlib.encoding.base import GenericSingerReader
from singer_sdk.singerlib.exceptions import InvalidInputLine
from typing_extensions import override

MAX_SHOWN = 200


class OrjsonReader(GenericSingerReader[Any]):
    """Parses each line with orjson; a bad line is an `InvalidInputLine` naming it."""

    @property
    @override
    def default_input(self) -> IO[Any]:
        return sys.stdin.buffer

    @override
    def deserialize_json(self, line: Any) -> dict[str, Any]:
        try:
            message = orjson.loads(line)
        except orjson.JSONDecodeError:
            raise InvalidInputLine(f"a line is not valid JSON: {_shown(line)}") from None
        if not isinstance(message, dict):
            raise InvalidInputLine(f"a line is not a Singer message object: {_shown(line)}")
        return message

    @override
    def _process_unknown_message(self, message_dict: dict[str, Any]) -> None:
        raise InvalidInputLine(f"unknown Singer message type {message_dict.get('type')!r}")


def _shown(line: Any) -> str:
    text = line.decode("utf-8", "replace") if isinstance(line, bytes) else str(line)
    text = text.strip()
    return text if len(text) <= MAX_SHOWN else text[:MAX_SHOWN] + "..."
