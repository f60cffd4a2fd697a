"""Eloqua Markup Language statements and Expression Language filters, built and quoted once."""

from __future__ import annotations

from datetime import datetime, timezone

FILTER_MAX_CHARS = 1000


def eloqua_datetime(moment: datetime) -> str:
    """A filter literal: UTC, `YYYY-MM-DD HH:MM:SS.fff` (the form exports use)."""
    utc = moment.astimezone(timezone.utc)
    return utc.strftime("%Y-%m-%d %H:%M:%S.") + f"{utc.microsecond // 1000:03d}"


def quote(value: str) -> str:
    """A quoted operand; Eloqua has no documented escape, so a quote in a value is refused."""
    if "'" in value:
        raise ValueError(f"Eloqua filter values cannot contain a single quote: {value!r}")
    return f"'{value}'"


def compare(statement: str, operator: str, value: str) -> str:
    """`'{{statement}}' op 'value'`: both sides quoted, as the Expression Language requires."""
    return f"{quote(statement)} {operator} {quote(value)}"


def half_open_window(statement: str, start: datetime, end: datetime) -> str:
    """Rows with start <= timestamp < end: a row on the boundary lands in exactly one window."""
    return (f"{compare(statement, '>=', eloqua_datetime(start))} AND "
            f"{compare(statement, '<', eloqua_datetime(end))}")


def all_of(*clauses: str | None) -> str:
    """AND-join the non-empty clauses; parenthesise each so user filters cannot leak."""
    parts = [c for c in clauses if c]
    if len(parts) == 1:
        return parts[0]
    return " AND ".join(f"({part})" if " OR " in part.upper() else part for part in parts)
