"""Print the tables of a DuckDB file as JSON: row counts, and the rows of `--show` queries.

Runs with target-duckdb's own interpreter (it has duckdb), so the project needs no duckdb:
    .meltano/loaders/target-duckdb/venv/bin/python demo/duckdb_summary.py FILE [SQL ...]
"""

from __future__ import annotations

import json
import sys
from datetime import date, datetime
from decimal import Decimal
from typing import Any

import duckdb


def _plain(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return float(value)
    return value


def main(path: str, queries: list[str]) -> dict[str, Any]:
    con = duckdb.connect(path, read_only=True)
    try:
        tables = con.execute(
            "SELECT table_schema, table_name FROM information_schema.tables "
            "ORDER BY table_schema, table_name").fetchall()
        counts = {f"{schema}.{name}": con.execute(
            f'SELECT count(*) FROM "{schema}"."{name}"').fetchone()[0]  # type: ignore[index]
            for schema, name in tables}
        results = []
        for sql in queries:
            cursor = con.execute(sql)
            columns = [d[0] for d in cursor.description or []]
            results.append({"columns": columns,
                            "rows": [[_plain(v) for v in row] for row in cursor.fetchall()]})
        return {"tables": counts, "queries": results}
    finally:
        con.close()


if __name__ == "__main__":
    print(json.dumps(main(sys.argv[1], sys.argv[2:])))
