"""The floor target-eloqua is measured against: Singer lines read with orjson, posted as JSON
chunks through one import definition with plain requests, one sync, polled to the end.

No SDK, no validation, no rejects report, no state:

    python -m benchmarks.floor_target CONFIG_JSON < records.singer
"""

from __future__ import annotations

import json
import sys
import time

import orjson
import requests

CHUNK_ROWS = 20_000


def main() -> None:
    config = json.loads(open(sys.argv[1]).read())  # noqa: PTH123, SIM115
    http = requests.Session()
    http.auth = (f"{config['site_name']}\\{config['username']}", config["password"])
    base = http.get(config["login_url"] + "/id", timeout=60).json()["urls"]["base"]
    bulk = base + "/api/bulk/2.0"
    statements: dict[str, str] = {}
    offset = 0
    while True:
        page = http.get(f"{bulk}/contacts/fields", params={"limit": 1000, "offset": offset},
                        timeout=60).json()
        statements.update({f["internalName"]: f["statement"] for f in page.get("items", [])
                           if not f.get("hasReadOnlyConstraint")})
        if not page.get("hasMore"):
            break
        offset += 1000
    definition = None
    chunk: list[dict] = []

    def push() -> None:
        http.post(f"{bulk}{definition['uri']}/data", data=orjson.dumps(chunk), timeout=300,
                  headers={"Content-Type": "application/json"}).raise_for_status()
        chunk.clear()

    for line in sys.stdin.buffer:
        message = orjson.loads(line)
        if message.get("type") != "RECORD":
            continue
        record = message["record"]
        if definition is None:
            fields = {k: statements[k] for k in record if k in statements}
            definition = http.post(f"{bulk}/contacts/imports", timeout=60, json={
                "name": "floor", "fields": fields, "identifierFieldName": "C_EmailAddress",
                "isSyncTriggeredOnImport": False}).json()
        chunk.append({k: v for k, v in record.items() if k in statements})
        if len(chunk) >= CHUNK_ROWS:
            push()
    if definition is None:
        return
    if chunk:
        push()
    sync = http.post(f"{bulk}/syncs", json={"syncedInstanceUri": definition["uri"]},
                     timeout=60).json()
    while http.get(bulk + sync["uri"], timeout=60).json()["status"] in ("pending", "active"):
        time.sleep(0.2)
    http.delete(bulk + definition["uri"], timeout=60)


if __name__ == "__main__":
    main()
