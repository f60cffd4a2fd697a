"""Rows -> JSON array bodies under Eloqua's per-POST size limit, each byte encoded once.

Every row is encoded on its own (orjson), so chunk boundaries are known from the sizes alone;
a body is then one `join` of the encoded rows: no re-encoding, no intermediate copies.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import orjson

from eloqua_bulk import EloquaError
from target_eloqua.values import encode_default


def encode(rows: list[dict[str, Any]]) -> list[bytes]:
    """Each row as compact JSON bytes."""
    dumps = orjson.dumps
    return [dumps(row, default=encode_default) for row in rows]


def spans(sizes: list[int], max_bytes: int) -> Iterator[tuple[int, int]]:
    """[start, end) row ranges whose JSON array (`[` rows joined by `,` `]`) fits max_bytes."""
    start, used = 0, 2
    for i, size in enumerate(sizes):
        if size + 2 > max_bytes:
            raise RowTooLargeError(i, size, max_bytes)
        extra = size + (1 if i > start else 0)
        if used + extra > max_bytes:
            yield start, i
            start, used = i, 2 + size
        else:
            used += extra
    if start < len(sizes):
        yield start, len(sizes)


def body(encoded: list[bytes], start: int, end: int) -> bytes:
    """The JSON array of rows start..end, built with a single join."""
    parts: list[bytes] = [b"["]
    for i in range(start, end):
        if i > start:
            parts.append(b",")
        parts.append(encoded[i])
    parts.append(b"]")
    return b"".join(parts)


class RowTooLargeError(EloquaError):
    """One row alone is larger than a data POST may be."""

    def __init__(self, index: int, size: int, max_bytes: int) -> None:
        super().__init__(f"a record encodes to {size} bytes, more than max_push_bytes "
                         f"({max_bytes}) allows in one data POST")
        self.index = index
