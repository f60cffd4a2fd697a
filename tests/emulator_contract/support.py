"""A tiny HTTP client of the emulator's pod listener, and helpers the contract tests share."""

from __future__ import annotations

import time
from typing import Any

import requests

from eloqua_emulator import EloquaEmulator, EmulatorConfig

BULK = "/api/bulk/2.0"


class Api:
    """A tiny Basic-auth client for the pod listener."""

    def __init__(self, emu: EloquaEmulator) -> None:
        self.emu = emu
        self.s = requests.Session()
        self.s.auth = (f"{emu.site_name}\\{emu.username}", emu.password)

    def __call__(self, method: str, path: str, **kw: Any) -> requests.Response:
        return self.s.request(method, self.emu.base_url + BULK + path, timeout=30, **kw)

    def wait(self, sync_uri: str) -> dict[str, Any]:
        for _ in range(400):
            body = self("GET", sync_uri).json()
            if body["status"] not in ("pending", "active"):
                return body
            time.sleep(0.02)
        raise AssertionError("sync never finished")

    def export(self, obj: str, body: dict[str, Any], limit: int = 50000) -> list[dict[str, str]]:
        r = self("POST", f"/{obj}/exports", json=body)
        assert r.status_code == 201, r.text
        sync = self("POST", "/syncs", json={"syncedInstanceUri": r.json()["uri"]}).json()
        assert self.wait(sync["uri"])["status"] == "success"
        rows: list[dict[str, str]] = []
        offset = 0
        while True:
            page = self(
                "GET", f"{sync['uri']}/data", params={"limit": limit, "offset": offset}
            ).json()
            rows += page.get("items", [])
            if not page["hasMore"]:
                return rows
            offset += limit



def fresh(**kw: Any) -> EloquaEmulator:
    kw.setdefault("contacts", 40)
    kw.setdefault("activities_per_type", 10)
    kw.setdefault("custom_object_records", 5)
    return EloquaEmulator(EmulatorConfig(**kw)).start()


def contact_fields(emu: EloquaEmulator) -> dict[str, str]:
    out = {
        "Id": "{{Contact.Id}}",
        "CreatedAt": "{{Contact.CreatedAt}}",
        "UpdatedAt": "{{Contact.UpdatedAt}}",
        "IsSubscribed": "{{Contact.Email.IsSubscribed}}",
        "IsBounced": "{{Contact.Email.IsBounced}}",
        "EmailFormat": "{{Contact.Email.Format}}",
    }
    out.update({f["internalName"]: f["statement"] for f in emu.store.contact_fields})
    return out

