"""The floor a tap is measured against: export contacts with plain requests + orjson, write RECORDs.

No typing, no Singer SDK, no state: page `/syncs/{id}/data` and print each row as a RECORD line.
An export wider than Eloqua's 250 fields is split into definitions that each carry the Id, as
the tap does; the later parts are held in a dict by Id and merged into the first part's rows.
Pages hold as many rows as the tap's do (about 300,000 values, 200,000 past 250 columns): with
whole 50,000-row pages it spent about twice the CPU (measured at 60 and 260 columns), most of
it faulting in the memory of pages it held whole.

    python -m benchmarks.floor_tap CONFIG_JSON > /dev/null
"""

from __future__ import annotations

import json
import sys
import time
from collections.abc import Iterator
from typing import Any

import orjson
import requests

SYSTEM = {"Id": "{{Contact.Id}}", "CreatedAt": "{{Contact.CreatedAt}}",
          "UpdatedAt": "{{Contact.UpdatedAt}}"}
MAX_FIELDS = 250


def page_rows(columns: int) -> int:
    """The tap's page size for an export of this width (tap_eloqua/streams.py, `_exporter`)."""
    cells = 300_000 if columns <= MAX_FIELDS else 200_000
    return min(50_000, max(250, cells // columns))


class Export:
    def __init__(self, config: dict[str, Any]) -> None:
        self.http = requests.Session()
        self.http.auth = (f"{config['site_name']}\\{config['username']}", config["password"])
        base = self.http.get(config["login_url"] + "/id", timeout=60).json()["urls"]["base"]
        self.bulk = base + "/api/bulk/2.0"

    def fields(self) -> dict[str, str]:
        fields = dict(SYSTEM)
        offset = 0
        while True:
            page = self.http.get(f"{self.bulk}/contacts/fields", timeout=60,
                                 params={"limit": 1000, "offset": offset}).json()
            for item in page.get("items", []):
                fields[item["internalName"]] = item["statement"]
            if not page.get("hasMore"):
                return fields
            offset += 1000

    def start(self, fields: dict[str, str]) -> tuple[str, str]:
        definition = self.http.post(f"{self.bulk}/contacts/exports", timeout=60, json={
            "name": "floor", "fields": fields, "areSystemTimestampsInUTC": True,
            "filter": "'{{Contact.UpdatedAt}}' >= '2024-01-01 00:00:00'"}).json()["uri"]
        sync = self.http.post(f"{self.bulk}/syncs", json={"syncedInstanceUri": definition},
                              timeout=60).json()["uri"]
        return definition, sync

    def rows(self, definition: str, sync: str,
             limit: int) -> Iterator[list[dict[str, Any]]]:
        while self.http.get(self.bulk + sync, timeout=60).json()["status"] not in ("success",
                                                                                   "warning"):
            time.sleep(0.25)
        offset = 0
        while True:
            page = orjson.loads(self.http.get(f"{self.bulk}{sync}/data", timeout=300,
                                              params={"limit": limit, "offset": offset}).content)
            yield page.get("items", [])
            if not page.get("hasMore"):
                break
            offset += len(page["items"])
        self.http.delete(self.bulk + definition, timeout=60)


def main() -> None:
    export = Export(json.loads(open(sys.argv[1]).read()))  # noqa: PTH123, SIM115
    fields = list(export.fields().items())
    parts = [dict(fields[:MAX_FIELDS])]
    rest = fields[MAX_FIELDS:]
    while rest:
        parts.append({"Id": SYSTEM["Id"], **dict(rest[:MAX_FIELDS - 1])})
        rest = rest[MAX_FIELDS - 1:]
    started = [export.start(part) for part in parts]
    limit = page_rows(len(fields))
    later: list[dict[Any, dict[str, Any]]] = []
    for definition, sync in started[1:]:
        later.append({row["Id"]: row for page in export.rows(definition, sync, limit)
                      for row in page})
    out = sys.stdout.buffer
    for page in export.rows(*started[0], limit):
        for row in page:
            for held in later:
                row.update(held.pop(row["Id"]))
            out.write(orjson.dumps({"type": "RECORD", "stream": "contacts", "record": row},
                                   option=orjson.OPT_APPEND_NEWLINE))
    out.flush()


if __name__ == "__main__":
    main()
