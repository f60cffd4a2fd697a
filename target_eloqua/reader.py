"""A Singer message reader on orjson, reading stdin as bytes (no text decoding pass).

`process_lines` is the SDK's loop with the per-line work cut to one parse, one type check and one
dispatch: the SDK's (an extra method call, a set comparison and a defaultdict per line) was a
tenth of the target's CPU on the short record path (fastpath.py).
"""

from __future__ import annotations

import sys
from collections import Counter
from collections.abc import Callable
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
    def process_lines(self, file_input: IO[Any] | None,
                      callbacks: dict[str, Callable[[dict[str, Any]], None]]) -> Counter[str]:
        """Each line parsed and handed to the callback of its type; the lines counted by type."""
        stats: dict[str, int] = {}
        loads, decode_error = orjson.loads, orjson.JSONDecodeError
        for line in file_input or self.default_input:
            self._current_message = line
            try:
                message = loads(line)
            except decode_error:
                raise InvalidInputLine(f"a line is not valid JSON: {_shown(line)}") from None
            if type(message) is not dict:
                raise InvalidInputLine(f"a line is not a Singer message object: {_shown(line)}")
            if "type" not in message:
                self.assert_line_requires(message, requires={"type"})    # raises
            kind = message["type"]
            callback = callbacks.get(kind)
            if callback:
                callback(message)
            else:
                self._process_unknown_message(message)
            stats[kind] = stats.get(kind, 0) + 1
        return Counter(stats)

    @override
    def _process_unknown_message(self, message_dict: dict[str, Any]) -> None:
        raise InvalidInputLine(f"unknown Singer message type {message_dict.get('type')!r}")


def _shown(line: Any) -> str:
    text = line.decode("utf-8", "replace") if isinstance(line, bytes) else str(line)
    text = text.strip()
    return text if len(text) <= MAX_SHOWN else text[:MAX_SHOWN] + "..."
