"""Exports wider than Eloqua's 250 columns: several definitions over one window, joined on the key.

Every part filters the same half-open window, so a row is in every part unless it changed (or was
deleted) between the syncs; such a row's timestamp is then past the window end, and the next
window brings it whole. The inner join therefore never emits a half-filled record. The parts other
than the first are staged in an on-disk SQLite file, so memory stays at one page.
"""

from __future__ import annotations

import logging
import sqlite3
import tempfile
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import orjson

from tap_eloqua.exporter import Exporter, ExportPlan

MAX_EXPORT_FIELDS = 250
_LOOKUP_CHUNK = 500  # under SQLite's 999 bound parameters of older builds


def split_plan(plan: ExportPlan, key: str, first: tuple[str, ...],
               limit: int = MAX_EXPORT_FIELDS) -> list[ExportPlan]:
    """Parts of at most `limit` columns, each with the key; `first` columns go in part one."""
    rest = [name for name in plan.fields if name != key and name not in first]
    head = [key, *[name for name in first if name != key]]
    groups: list[list[str]] = [head + rest[: limit - len(head)]]
    rest = rest[limit - len(head):]
    while rest:
        groups.append([key, *rest[: limit - 1]])
        rest = rest[limit - 1:]
    return [replace(plan, fields={name: plan.fields[name] for name in group}) for group in groups]


def joined_pages(exporter: Exporter, parts: list[ExportPlan], key: str,
                 logger: logging.Logger) -> Iterator[list[dict[str, str]]]:
    """Pages of merged rows; all syncs are created first so Eloqua prepares them together."""
    label = parts[0].entity.stream_name
    cursors = [exporter.start(part) for part in parts]
    logger.info("%s: %d columns exported as %d definitions joined on %s", label,
                sum(len(p.fields) for p in parts) - len(parts) + 1, len(parts), key)
    with tempfile.TemporaryDirectory(prefix="tap-eloqua-join-") as tmp:
        db = sqlite3.connect(Path(tmp) / "join.sqlite")
        try:
            staged = zip(parts[1:], cursors[1:], strict=True)
            for index, (part, cursor) in enumerate(staged, start=1):
                db.execute(f"CREATE TABLE part{index} (k TEXT PRIMARY KEY, row BLOB)")
                for rows, _ in exporter.pages(part, cursor):
                    db.executemany(f"INSERT OR REPLACE INTO part{index} VALUES (?, ?)",
                                   ((row.get(key, ""), orjson.dumps(row)) for row in rows))
                db.commit()
            dropped = 0
            for rows, _ in exporter.pages(parts[0], cursors[0]):
                keys = [row.get(key, "") for row in rows]
                found = [_staged(db, f"part{i}", keys) for i in range(1, len(parts))]
                merged = []
                for row, k in zip(rows, keys, strict=True):  # merged in place: not held twice
                    for held in found:
                        blob = held.get(k)
                        if blob is None:
                            break
                        row.update(orjson.loads(blob))
                    else:
                        merged.append(row)
                        continue
                    dropped += 1
                del rows, keys, found
                yield merged
                del merged
            if dropped:
                logger.info("%s: %d rows changed while the parts were exported; the next run "
                            "exports them whole", label, dropped)
        finally:
            db.close()
    for cursor in cursors:
        exporter.finish(cursor)


def _staged(db: sqlite3.Connection, table: str, keys: list[str]) -> dict[str, bytes]:
    """The staged rows of one page's keys, looked up a few hundred at a time (one query per
    row cost more than the rest of the join)."""
    found: dict[str, bytes] = {}
    for start in range(0, len(keys), _LOOKUP_CHUNK):
        chunk = keys[start:start + _LOOKUP_CHUNK]
        marks = ",".join("?" * len(chunk))
        found.update(db.execute(f"SELECT k, row FROM {table} WHERE k IN ({marks})", chunk))
    return found
