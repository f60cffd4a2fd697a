"""Which input record a reject names.

Real Eloqua counts a reject's `recordIndex` from 1 within the data POST the row came in, not
across the sync (eloqua-real-traffic.md, fact 4), and a reject does not say which POST that
was. So for every definition we keep, per sync, the record numbers of its rows in push order,
the row count of each push, and one 64-bit fingerprint per row: of the identifier's value, or
of every value when the import has no identifier (activities). A reject then names the POSTs
long enough to hold its index; when several are, its `fieldValues` (Eloqua's echo of the row)
pick the one whose row at that index has the same fingerprint. The recordings never show a
sync of several POSTs with a reject, so the row at that index across the whole sync is a
candidate too, and the fingerprint decides: either numbering maps right. Memory is 16 bytes
per row of one batch.
"""

from __future__ import annotations

from array import array
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any


def echo(value: Any) -> str:
    """A value as Eloqua echoes it in `fieldValues`, compared case- and space-insensitively."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip().casefold()


def fingerprint(values: Mapping[str, Any], identifier: str | None) -> int:
    """The row's identifier value, or (no identifier) all its values, as one hash."""
    if identifier is not None:
        return hash(echo(values.get(identifier)))
    return hash(tuple(sorted((key, echo(value)) for key, value in values.items())))


@dataclass
class PushLog:
    """The rows of one definition's pushes since its last sync."""

    identifier: str | None
    numbers: list[int] = field(default_factory=list)     # record numbers, in push order
    sizes: list[int] = field(default_factory=list)       # rows per push
    prints: array[int] = field(default_factory=lambda: array("q"))

    def __len__(self) -> int:
        return len(self.numbers)

    def add(self, rows: list[dict[str, Any]], numbers: list[int]) -> None:
        """One data POST of `rows` (the records `numbers`)."""
        self.numbers.extend(numbers)
        self.sizes.append(len(rows))
        ident = self.identifier
        self.prints.extend(fingerprint(row, ident) for row in rows)

    def locate(self, record_index: Any, field_values: Any) -> tuple[int | None, list[int]]:
        """The record a reject names, else None and the records it may name."""
        if not isinstance(record_index, int) or record_index < 1:
            return None, []
        offsets, start = [], 0
        for size in self.sizes:
            if record_index <= size:
                offsets.append(start + record_index - 1)
            start += size
        if record_index <= start and record_index - 1 not in offsets:
            offsets.append(record_index - 1)          # counted across the sync
        if len(offsets) > 1 and isinstance(field_values, Mapping):
            wanted = fingerprint(field_values, self.identifier)
            matching = [at for at in offsets if self.prints[at] == wanted]
            if matching:
                offsets = matching
        if len(offsets) == 1:
            return self.numbers[offsets[0]], []
        return None, [self.numbers[at] for at in offsets]
