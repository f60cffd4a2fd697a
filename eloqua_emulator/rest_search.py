"""The REST `search` and `orderBy` parameters (docs: O-url-params, O-search tutorial).

`search` is `{term}{operator}{value}` terms ANDed (separated by spaces, `AND`, or nothing after a
quoted value); no term means `name`; `*` is a wildcard for `=`/`!=`; `''` matches blank; string
comparisons ignore case. Timestamp terms take Unix seconds or `YYYY-MM-DD[ HH:MM[:SS[.fff]]]`
with an optional zone, read as UTC when it has none. An unknown term is a 400.
"""

from __future__ import annotations

import fnmatch
import operator
import re
from collections.abc import Callable
from datetime import datetime
from typing import Any

from .common import UTC

Predicate = Callable[[dict[str, Any]], bool]
OPS: dict[str, Callable[[Any, Any], bool]] = {
    "=": operator.eq, "!=": operator.ne, ">": operator.gt, ">=": operator.ge,
    "<": operator.lt, "<=": operator.le}
TERM = re.compile(
    r"\s*(?:AND\s+)?(?P<term>[A-Za-z_][\w.]*)?\s*(?P<op>!=|>=|<=|=|>|<)?\s*"
    r"(?P<value>'[^']*'|\"[^\"]*\"|[^\s'\"]+)", re.IGNORECASE)


class SearchError(ValueError):
    """A malformed `search`/`orderBy`, or an unknown term; answered with a 400."""

    def __init__(self, parameter: str, value: str) -> None:
        super().__init__(f"{parameter}={value}")
        self.parameter = parameter
        self.value = value


def _timestamp(text: str) -> float | None:
    if re.fullmatch(r"-?\d+(\.\d+)?", text):
        return float(text)
    try:
        moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.timestamp()


def _comparable(value: Any) -> Any:
    """Stored value -> what a term compares: seconds for dates, text for strings."""
    if isinstance(value, datetime):
        return value.timestamp()
    if isinstance(value, bool):
        return "true" if value else "false"
    return value


def _clause(name: str, op: str, raw: str) -> Predicate:
    literal = raw[1:-1] if raw[:1] in "'\"" and len(raw) > 1 else raw
    compare = OPS[op]

    def match(element: dict[str, Any]) -> bool:
        stored = element.get(name)
        if stored is None or stored == "":
            return (literal == "" and op == "=") or (literal != "" and op == "!=")
        if isinstance(stored, datetime):
            other = _timestamp(literal)
            return other is not None and compare(stored.timestamp(), other)
        value = _comparable(stored)
        if isinstance(value, (int, float)):
            try:
                return compare(value, float(literal))
            except ValueError:
                return compare(str(value), literal)
        text, wanted = str(value).casefold(), literal.casefold()
        if op in ("=", "!=") and "*" in wanted:
            hit = fnmatch.fnmatchcase(text, wanted.replace("[", "[[]"))
            return hit if op == "=" else not hit
        return compare(text, wanted)
    return match


def parse_search(text: str, terms: dict[str, str]) -> Predicate:
    """`search` -> predicate; `terms` maps lower-cased term -> element property."""
    clauses: list[Predicate] = []
    pos, text = 0, text.strip()
    while pos < len(text):
        m = TERM.match(text, pos)
        if m is None or m.end() == pos:
            raise SearchError("search", text)
        term, op, value = m["term"], m["op"], m["value"]
        if op is None:  # a bare value: `name = value`
            if term is not None and not value:
                raise SearchError("search", text)
            value = f"{term}{value}" if term else value
            term, op = "name", "="
        name = terms.get((term or "name").lower())
        if name is None:
            raise SearchError("search", text)
        clauses.append(_clause(name, op, value))
        pos = m.end()
    return lambda element: all(c(element) for c in clauses)


def parse_order(text: str, terms: dict[str, str]) -> tuple[str, bool]:
    """`orderBy` -> (property, descending)."""
    parts = text.replace("+", " ").split()
    if not parts or len(parts) > 2 or (len(parts) == 2 and parts[1].upper() not in ("ASC",
                                                                                      "DESC")):
        raise SearchError("orderBy", text)
    name = terms.get(parts[0].lower())
    if name is None:
        raise SearchError("orderBy", text)
    return name, len(parts) == 2 and parts[1].upper() == "DESC"


def sort_key(name: str) -> Callable[[dict[str, Any]], tuple[int, Any]]:
    """Blank values first, then by value (dates by instant, text without case)."""
    def key(element: dict[str, Any]) -> tuple[int, Any]:
        value = _comparable(element.get(name))
        if value is None:
            return (0, 0)
        if isinstance(value, str):
            return (2, value.casefold())
        return (1, value)
    return key
