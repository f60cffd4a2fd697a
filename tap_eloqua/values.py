"""Eloqua's export strings -> typed values: the tap's hot path, one step per value of every row.

A row is converted by a function generated for its field list (`python_row_converter`): the
common shapes (a plain string, an integer, a `YYYY-MM-DD HH:MM:SS[.fff]` date) are handled inline,
as text, without a call; anything else goes to the converter of its type below, which is the
reference for every shape and logs what it cannot read. Where the C extension `tap_eloqua._rows`
was built at install, `row_converter` runs the same steps compiled (typing was most of the tap's
CPU), and hands it every value and row it does not read itself.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Iterator
from datetime import datetime, timedelta, timezone
from typing import Any, cast
from zoneinfo import ZoneInfo

from tap_eloqua.schema import Field

CompiledRowConverter: type[Any] | None
try:  # built from _rows.c at install where a C compiler is present (hatch_build.py)
    from tap_eloqua._rows import RowConverter as CompiledRowConverter
except ImportError:  # pragma: no cover - exercised where no compiler was present
    CompiledRowConverter = None

LOGGER = logging.getLogger("tap_eloqua.schema")
Converter = Callable[[str], Any]
TRUE_WORDS = frozenset({"true", "1", "yes", "y", "t"})
FALSE_WORDS = frozenset({"false", "0", "no", "n", "f"})
MAX_HOURS_HELD = 100_000  # local hours remembered (11 years of them); then forgotten at once


def _string(value: str) -> str | None:
    return value if value != "" else None


def _integer(value: str) -> int | None:
    if value == "":
        return None
    try:
        return int(value)
    except ValueError:
        try:
            return int(float(value))
        except ValueError:
            LOGGER.warning("Unreadable Eloqua integer %r; emitted as null", value)
            return None


def _number(value: str) -> int | float | None:
    if value == "":
        return None
    try:
        if "." in value or "e" in value or "E" in value:
            return float(value)
        return int(value)
    except ValueError:
        LOGGER.warning("Unreadable Eloqua number %r; emitted as null", value)
        return None


def _boolean(value: str) -> bool | None:
    lowered = value.strip().lower()
    if lowered in TRUE_WORDS:
        return True
    if lowered in FALSE_WORDS:
        return False
    return None


class Dates:
    """Eloqua writes `YYYY-MM-DD HH:MM:SS[.fff]` without offset; `zone` says which clock
    (None: UTC). `heads` maps a local hour `YYYY-MM-DD HH` to its UTC `YYYY-MM-DDTHH` when the
    zone is a whole number of hours off then, so minutes and seconds carry over as text."""

    def __init__(self, zone: ZoneInfo | None) -> None:
        self.zone = zone
        self.heads: dict[str, str | None] = {}
        self._offsets: dict[str, timedelta] = {}

    def _utc_head(self, key: str) -> str | None:
        if key[10:11] != " " or key[4:5] != "-":
            return None
        try:
            local = datetime.fromisoformat(key + ":00:00")
        except ValueError:
            return None
        offset = local.replace(tzinfo=self.zone).utcoffset() or timedelta(0)
        if offset.total_seconds() % 3600:
            return None
        try:
            return (local - offset).isoformat()[:13]
        except OverflowError:       # the UTC hour is past 9999 or before year 1
            return None

    def _local_offset(self, moment: datetime, hour: str) -> timedelta:
        """The zone's UTC offset for this wall-clock hour, computed once per hour seen."""
        found = self._offsets.get(hour)
        if found is None:
            if len(self._offsets) >= MAX_HOURS_HELD:
                self._offsets.clear()
            found = moment.replace(tzinfo=self.zone).utcoffset() or timedelta(0)
            self._offsets[hour] = found
        return found

    def __call__(self, value: str) -> str | None:
        size = len(value)
        if (size == 19 or (size == 23 and value[19] == ".")) and value[10] == " " and \
                value[13] == ":" and value[4] == "-":
            if self.zone is None:
                return value[:10] + "T" + value[11:] + "+00:00"
            key = value[:13]
            heads = self.heads
            head = heads.get(key)
            if head is None and key not in heads:
                if len(heads) >= MAX_HOURS_HELD:
                    heads.clear()
                head = heads[key] = self._utc_head(key)
            if head is not None:
                return head + value[13:] + "+00:00"      # text only
        if value == "":
            return None
        moment: datetime | None
        try:
            moment = datetime.fromisoformat(value)
        except ValueError:
            moment = _parse_us_date(value)
        if moment is None:
            LOGGER.warning("Unreadable Eloqua date %r; emitted as null", value)
            return None
        if self.zone is not None and moment.tzinfo is None:
            offset = self._local_offset(moment, value[:13] if value[10:11] == " " else
                                        moment.isoformat()[:13])
            moment = moment.replace(tzinfo=timezone(offset))
        if moment.tzinfo is None:
            return moment.isoformat() + "+00:00"
        try:
            return moment.astimezone(timezone.utc).isoformat()
        except OverflowError:
            # 9999-12-31 23:00 in New York is in year 10000 in UTC: the same instant, written
            # with the zone's offset, rather than a crash or a null
            return moment.isoformat()


def _parse_us_date(value: str) -> datetime | None:
    for fmt in ("%m/%d/%Y %I:%M:%S %p", "%m/%d/%Y %H:%M:%S", "%m/%d/%Y"):
        try:
            return datetime.strptime(value, fmt)
        except ValueError:
            continue
    return None


def converters(fields: Iterable[Field], local_zone: ZoneInfo) -> list[tuple[str, Converter]]:
    """One converter per field, chosen once per stream rather than once per value."""
    utc_parser, local_parser = Dates(None), Dates(local_zone)
    chosen: list[tuple[str, Converter]] = []
    for f in fields:
        if f.data_type == "date":
            conv: Converter = utc_parser if f.utc else local_parser
        elif f.data_type == "number":
            conv = _integer if f.integer else _number
        elif f.data_type == "boolean":
            conv = _boolean
        else:
            conv = _string
        chosen.append((f.name, conv))
    return chosen


_SHAPED = "(len(v) == 19 or len(v) == 23 and v[19] == '.') and v[13] == ':'"


def _inline(name: str, index: int, conv: Converter) -> list[str]:
    """The statements that set `d[name]` from a non-empty `v`: the common shape as text,
    anything else through `c[index]`, the reference converter."""
    target, slow = f"d[{name!r}]", f"c[{index}](v)"
    if conv is _string:
        return [f"{target} = v"]
    if conv is _integer:
        return ["try:", f"    {target} = int(v)", "except ValueError:", f"    {target} = {slow}"]
    if conv is _number:
        return ["try:", f"    {target} = float(v) if '.' in v or 'e' in v or 'E' in v "
                "else int(v)", "except ValueError:", f"    {target} = {slow}"]
    if isinstance(conv, Dates) and conv.zone is None:
        return [f"if {_SHAPED} and v[10] == ' ' and v[4] == '-':",
                f"    {target} = v[:10] + 'T' + v[11:] + '+00:00'",
                "else:", f"    {target} = {slow}"]
    if isinstance(conv, Dates):
        return [f"h = c[{index}].heads.get(v[:13])", f"if h is not None and {_SHAPED}:",
                f"    {target} = h + v[13:] + '+00:00'", "else:", f"    {target} = {slow}"]
    return [f"{target} = {slow}"]


RowFunction = Callable[[dict[str, str]], dict[str, Any]]


def _kind(conv: Converter) -> int:
    """The code `_rows.c` knows each converter by (K_STRING .. K_OTHER there)."""
    if conv is _string:
        return 0
    if conv is _integer:
        return 1
    if conv is _number:
        return 2
    if isinstance(conv, Dates):
        return 3 if conv.zone is None else 4
    return 5


def row_converter(plan: list[tuple[str, Converter]], *,
                  compiled: bool | None = None) -> RowFunction:
    """The fastest converter for this field list: compiled where `_rows` was built (unless
    `compiled=False`), else the generated Python one; both give the same records.

    The compiled one types a row in place (and returns it) when the row holds exactly the
    plan's fields in the plan's order, as Eloqua sends them; any other row is copied.
    """
    python = python_row_converter(plan)
    if compiled is False or (compiled is None and CompiledRowConverter is None):
        return python
    if CompiledRowConverter is None:
        raise RuntimeError("tap_eloqua._rows was not built (no C compiler at install)")
    convs = tuple(conv for _, conv in plan)
    return cast("RowFunction", CompiledRowConverter(
        tuple(name for name, _ in plan), bytes(_kind(conv) for conv in convs), convs,
        tuple(conv.heads if isinstance(conv, Dates) and conv.zone is not None else None
              for conv in convs),
        dict.fromkeys(name for name, _ in plan), python))


def python_row_converter(plan: list[tuple[str, Converter]]) -> RowFunction:
    """A function built for this field list: a copy of a dict of nulls, then one short block per
    field that sets it only when Eloqua sent a value.

    Field names enter the generated source only through `repr`, which yields a plain string
    literal; converters are passed in a tuple, never as text.
    """
    lines = ["def convert(row):", "    g = row.get", "    d = nulls.copy()"]
    for index, (name, conv) in enumerate(plan):
        lines += [f"    v = g({name!r})", "    if v:"]
        lines += [f"        {line}" for line in _inline(name, index, conv)]
    lines.append("    return d")
    namespace: dict[str, Any] = {"c": tuple(conv for _, conv in plan),
                                 "nulls": dict.fromkeys(name for name, _ in plan)}
    exec(compile("\n".join(lines) + "\n", "<tap_eloqua row converter>", "exec"), namespace)
    return cast("Callable[[dict[str, str]], dict[str, Any]]", namespace["convert"])


def convert_rows(rows: list[dict[str, str]], convert: RowFunction) -> Iterator[dict[str, Any]]:
    """Typed records from a page of Eloqua rows, one at a time (no second copy of the page)."""
    return map(convert, rows)
