"""Bulk entities offered on request: events (one stream each) and campaign responses.

They are opt-in (`events`, `campaign_responses` settings): Oracle documents campaign response
exports for AppCloud services, and event lists differ per instance, so a default run asks
Eloqua for neither. Their kinds (EVENT, CAMPAIGN_RESPONSE: export only) are rows of
`eloqua_bulk/kinds.py` like every other entity; this module only decides which ones a run asks for.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from eloqua_bulk import BulkClient
from eloqua_plugin import entities as ent


def _names(setting: Any) -> set[str]:
    if isinstance(setting, str):
        setting = setting.split(",")
    return {str(x).strip().lower() for x in setting or [] if str(x).strip()}


def extra_entities(client: BulkClient, config: Mapping[str, Any],
                   taken: set[str]) -> list[ent.Entity]:
    """The events (`GET /events`) the `events` setting names, then campaign responses."""
    found: list[ent.Entity] = []
    wanted = _names(config.get("events"))
    if wanted:
        chosen = []
        for item in client.list_all("/events"):
            event_id = int(str(item["uri"]).rstrip("/").rsplit("/", 1)[-1])
            name = str(item.get("name") or f"event {event_id}")
            if wanted & {"all", "*", str(event_id), name.strip().lower()}:
                chosen.append((event_id, name))
        found += ent.events(chosen, taken)
    if config.get("campaign_responses"):
        found.append(ent.campaign_responses())
    return found
