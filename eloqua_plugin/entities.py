"""Eloqua objects as Singer streams: a kind from `eloqua_bulk.kinds`, its stream name, parameters.

tap-eloqua exports each one as the stream named here; target-eloqua maps a stream name back to its
object by the same rule, so both use this module.

The kinds themselves (fields and exports paths, system statements, key, replication field, base
filter) are data in `eloqua_bulk/kinds.py`, shared with target-eloqua; one generic export stream
runs every one. A new entity is one `ObjectKind` row there plus, here, the constructor that names
its stream(s).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field, replace
from typing import Any

from eloqua_bulk.kinds import (
    ACCOUNTS,
    ACTIVITIES,
    ACTIVITY_TYPES,
    CAMPAIGN_RESPONSE,
    CONTACTS,
    CUSTOM_OBJECT,
    EVENT,
    ObjectKind,
    SystemField,
    fill_template,
)

__all__ = ["ACTIVITY_TYPES", "Entity", "SystemField", "accounts", "activity", "campaign_responses",
           "contacts", "custom_objects", "events", "fill_template", "snake_case"]


@dataclass(frozen=True)
class Entity:
    """One exportable object: a kind plus its parameters (custom object id, activity type)."""

    kind: ObjectKind
    stream_name: str
    label: str
    params: dict[str, Any] = field(default_factory=dict)

    def _fill(self, template: str) -> str:
        return fill_template(template, self.params)

    @property
    def fields_path(self) -> str:
        return self._fill(self.kind.fields_path)

    @property
    def fields_params(self) -> dict[str, str]:
        return {k: self._fill(v) for k, v in self.kind.fields_params.items()}

    @property
    def exports_path(self) -> str:
        return self._fill(self.kind.exports_path)

    @property
    def base_filter(self) -> str | None:
        return self._fill(self.kind.base_filter) if self.kind.base_filter else None

    @property
    def system_fields(self) -> tuple[SystemField, ...]:
        """The kind's exported system fields, statements filled in."""
        return tuple(replace(f, statement=self._fill(f.statement))
                     for f in self.kind.export_fields)


def snake_case(text: str) -> str:
    """ASCII snake_case: `Order Items (2024)` -> `order_items_2024`; accents dropped."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    spaced = re.sub(r"([a-z0-9])([A-Z])", r"\1_\2", ascii_text)
    return re.sub(r"[^a-z0-9]+", "_", spaced.lower()).strip("_")


def contacts() -> Entity:
    return Entity(CONTACTS, "contacts", "contacts")


def accounts() -> Entity:
    return Entity(ACCOUNTS, "accounts", "accounts")


def activity(activity_type: str) -> Entity:
    return Entity(ACTIVITIES, f"activity_{snake_case(activity_type)}",
                  f"{activity_type} activities", {"type": activity_type})


def custom_objects(objects: list[tuple[int, str]], taken: set[str]) -> list[Entity]:
    """One entity per custom object; names stay unique (id suffix on a collision), by id order."""
    entities = []
    for co_id, name in sorted(objects):
        base = snake_case(name) or "custom_object"
        if base[0].isdigit():
            base = f"co_{base}"
        stream = base if base not in taken else f"{base}_{co_id}"
        taken.add(stream)
        entities.append(Entity(CUSTOM_OBJECT, stream, f"custom object '{name}'",
                               {"id": co_id, "name": name}))
    return entities


def events(objects: list[tuple[int, str]], taken: set[str]) -> list[Entity]:
    """One entity per event, named `event_<name>` (id suffix on a collision), by id order."""
    entities = []
    for event_id, name in sorted(objects):
        base = f"event_{snake_case(name) or event_id}"
        stream = base if base not in taken else f"{base}_{event_id}"
        taken.add(stream)
        entities.append(Entity(EVENT, stream, f"event '{name}'",
                               {"id": event_id, "name": name}))
    return entities


def campaign_responses() -> Entity:
    return Entity(CAMPAIGN_RESPONSE, "campaign_responses", "campaign responses")
