"""The floor a tap is measured against: export contacts with plain requests + orjson, write RECORDs.

No typing, no Singer SDK, no state: page `/syncs/{id}/data` and print each row as a RECORD line.

    python -m benchmarks.floor_tap CONFIG_JSON > /dev/null
"""

from __future__ import annotations

import json
import sys
import time

import orjson
import requests

SYSTEM = {"Id": "{{Contact.Id}}", "CreatedAt": "{{Contact.CreatedAt}}",
          "UpdatedAt": "{{Contact.UpdatedAt}}"}


def main() -> None:
    config = json.loads(open(sys.argv[1]).read())  # noqa: PTH123, SIM115
    http = requests.Session()
    http.auth = (f"{config['site_name']}\\{config['username']}", config["password"])
    base = http.get(config["login_url"] + "/id", timeout=60).json()["urls"]["base"]
    bulk = base + "/api/bulk/2.0"
    fields = dict(SYSTEM)
    offset = 0
    while True:
        page = http.get(f"{bulk}/contacts/fields", params={"limit": 1000, "offset": offset},
                        timeout=60).json()
        for item in page.get("items", []):
            fields[item["internalName"]] = item["statement"]
        if not page.get("hasMore"):
            break
        offset += 1000
    definition = http.post(f"{bulk}/contacts/exports", timeout=60, json={
        "name": "floor", "fields": fields, "areSystemTimestampsInUTC": True,
        "filter": "'{{Contact.UpdatedAt}}' >= '2024-01-01 00:00:00'"}).json()
    sync = http.post(f"{bulk}/syncs", json={"syncedInstanceUri": definition["uri"]},
                     timeout=60).json()
    while http.get(bulk + sync["uri"], timeout=60).json()["status"] not in ("success", "warning"):
        time.sleep(0.25)
    out = sys.stdout.buffer
    offset = 0
    while True:
        page = orjson.loads(http.get(f"{bulk}{sync['uri']}/data", timeout=300,
                                     params={"limit": 50000, "offset": offset}).content)
        for row in page.get("items", []):
            out.write(orjson.dumps({"type": "RECORD", "stream": "contacts", "record": row},
                                   option=orjson.OPT_APPEND_NEWLINE))
        if not page.get("hasMore"):
            break
        offset += len(page["items"])
    out.flush()
    http.delete(bulk + definition["uri"], timeout=60)


if __name__ == "__main__":
    main()
