"""The floor target-eloqua is measured against: Singer lines read with orjson and posted with
plain requests as the same batches of the same JSON rows, one after the other.

Same batches: a new import definition per `batch_size_rows` records (the target's default,
100,000), one data POST per `STAGE_ROWS` records (10,000), then a sync polled to its end, its
logs read, the definition deleted. Same JSON: the properties that name a writable field, dates
converted to the instance's wall time as the target does (in plain `datetime` calls), the email
address as identifier. No SDK, no validation, no deduplication, no rejects report, no state,
and no overlap: every call waits for the one before.

    python -m benchmarks.floor_target CONFIG_JSON [BATCH_ROWS] < records.singer
"""

from __future__ import annotations

import json
import sys
import time
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

import orjson
import requests

# The target's defaults (settings.BATCH_SIZE_ROWS, sinks.STAGE_ROWS; benchmarks.run checks they
# still match). Not imported: the floor must not pay for importing the Singer SDK.
BATCH_SIZE_ROWS = 100_000
STAGE_ROWS = 10_000
ZONE = ZoneInfo("America/New_York")


def wall_time(value: Any) -> Any:
    """An ISO 8601 instant -> Eloqua's wall time in the instance's zone (what the target sends)."""
    if not isinstance(value, str):
        return value
    local = datetime.fromisoformat(value).astimezone(ZONE).replace(tzinfo=None)
    return local.isoformat(" ", "milliseconds" if local.microsecond else "seconds")


class Floor:
    def __init__(self, config: dict[str, Any]) -> None:
        self.http = requests.Session()
        self.http.auth = (f"{config['site_name']}\\{config['username']}", config["password"])
        base = self.http.get(config["login_url"] + "/id", timeout=60).json()["urls"]["base"]
        self.bulk = base + "/api/bulk/2.0"
        self.statements: dict[str, str] = {}
        self.dates: set[str] = set()
        offset = 0
        while True:
            page = self.http.get(f"{self.bulk}/contacts/fields", timeout=60,
                                 params={"limit": 1000, "offset": offset}).json()
            for item in page.get("items", []):
                if not item.get("hasReadOnlyConstraint"):
                    self.statements[item["internalName"]] = item["statement"]
                    if item.get("dataType") == "date":
                        self.dates.add(item["internalName"])
            if not page.get("hasMore"):
                break
            offset += 1000
        self.definition: str | None = None

    def push(self, rows: list[dict[str, Any]]) -> None:
        if self.definition is None:
            self.definition = self.http.post(f"{self.bulk}/contacts/imports", timeout=60, json={
                "name": "floor", "fields": {k: self.statements[k] for k in rows[0]},
                "identifierFieldName": "C_EmailAddress", "isSyncTriggeredOnImport": False,
            }).json()["uri"]
        self.http.post(f"{self.bulk}{self.definition}/data", data=orjson.dumps(rows),
                       timeout=300, headers={"Content-Type": "application/json"}
                       ).raise_for_status()

    def sync(self) -> None:
        if self.definition is None:
            return
        sync = self.http.post(f"{self.bulk}/syncs", timeout=60,
                              json={"syncedInstanceUri": self.definition}).json()["uri"]
        while self.http.get(self.bulk + sync, timeout=60).json()["status"] in ("pending",
                                                                                "active"):
            time.sleep(0.2)
        self.http.get(f"{self.bulk}{sync}/logs", timeout=60).raise_for_status()
        self.http.delete(self.bulk + self.definition, timeout=60)
        self.definition = None


def main() -> None:
    config = json.loads(open(sys.argv[1]).read())  # noqa: PTH123, SIM115
    batch_rows = int(sys.argv[2]) if len(sys.argv) > 2 else BATCH_SIZE_ROWS
    floor = Floor(config)
    statements, dates = floor.statements, floor.dates
    rows: list[dict[str, Any]] = []
    in_batch = 0
    for line in sys.stdin.buffer:
        message = orjson.loads(line)
        if message.get("type") != "RECORD":
            continue
        record = message["record"]
        rows.append({k: wall_time(v) if k in dates else v
                     for k, v in record.items() if k in statements})
        in_batch += 1
        if len(rows) >= STAGE_ROWS:
            floor.push(rows)
            rows = []
        if in_batch >= batch_rows:
            if rows:
                floor.push(rows)
                rows = []
            floor.sync()
            in_batch = 0
    if rows:
        floor.push(rows)
    floor.sync()


if __name__ == "__main__":
    main()
