"""The join of a wide export's parts: rows missing from a later part (changed between the
syncs) are left for the next window; the others are merged whole, across page boundaries."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from datetime import datetime, timezone
from typing import Any

from eloqua_plugin import entities
from tap_eloqua.exporter import ExportPlan
from tap_eloqua.wide import _LOOKUP_CHUNK, joined_pages

WHEN = datetime(2024, 1, 1, tzinfo=timezone.utc)


class FakeExporter:
    """Pages of rows per part, keyed by the part's first non-key field."""

    def __init__(self, parts: dict[str, list[list[dict[str, str]]]]) -> None:
        self.parts = parts
        self.finished: list[str] = []

    def start(self, plan: ExportPlan) -> str:
        return next(name for name in plan.fields if name != "Id")

    def pages(self, plan: ExportPlan, cursor: str) -> Iterator[tuple[list[dict[str, Any]], int]]:
        for page in self.parts[cursor]:
            yield [dict(row) for row in page], 0

    def finish(self, cursor: str) -> None:
        self.finished.append(cursor)


def test_rows_missing_from_a_later_part_are_dropped_and_the_rest_merged():
    contacts = entities.contacts()
    ids = [str(i) for i in range(1, 2 * _LOOKUP_CHUNK + 50)]
    first = [{"Id": i, "A": f"a{i}"} for i in ids]
    second = [{"Id": i, "B": f"b{i}"} for i in ids if i != "7"]
    third = [{"Id": i, "C": f"c{i}"} for i in reversed(ids) if i != "1000"]
    exporter = FakeExporter({"A": [first[:600], first[600:]], "B": [second],
                             "C": [third[:10], third[10:]]})
    plans = [ExportPlan(contacts, {"Id": "{{Contact.Id}}", name: f"{{{{Contact.Field({name})}}}}"},
                        "{{Contact.UpdatedAt}}", WHEN, WHEN) for name in ("A", "B", "C")]
    pages = list(joined_pages(exporter, plans, "Id",  # type: ignore[arg-type]
                              logging.getLogger("test")))
    rows = [row for page in pages for row in page]
    assert [len(page) for page in pages] == [600 - 1, len(ids) - 600 - 1]
    assert {row["Id"] for row in rows} == set(ids) - {"7", "1000"}
    assert all(row == {"Id": row["Id"], "A": f"a{row['Id']}", "B": f"b{row['Id']}",
                       "C": f"c{row['Id']}"} for row in rows)
    assert exporter.finished == ["A", "B", "C"]
