"""Eloqua entity kinds as data: one generic export stream runs every row of this table.

Each kind says where its fields are listed, the system statements `/fields` does not return,
its key, its replication field and the filter every export of it carries. Adding an entity means
adding a row here, not a class.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class SystemField:
    """A documented statement clients must hard-code (absent from `/fields`)."""

    name: str
    statement: str
    data_type: str            # Eloqua dataType: number | string | date | boolean
    integer: bool = False     # ids are integers, not just numbers
    required: bool = False    # never null: keys


@dataclass(frozen=True)
class EntityKind:
    """A family of Eloqua objects that export the same way; templates take `{id}`/`{type}`."""

    kind: str
    fields_path: str
    exports_path: str
    system_fields: tuple[SystemField, ...]
    key: tuple[str, ...]
    replication_key: str
    utc_fields: frozenset[str]                 # system timestamps: UTC with the UTC flag
    fields_params: dict[str, str] = field(default_factory=dict)
    base_filter: str | None = None
    lagged: bool = False                       # late-arriving rows: window ends before now


def _ts(name: str, statement: str) -> SystemField:
    return SystemField(name, statement, "date")


CONTACTS = EntityKind(
    kind="contacts",
    fields_path="/contacts/fields",
    exports_path="/contacts/exports",
    system_fields=(
        SystemField("Id", "{{Contact.Id}}", "number", integer=True, required=True),
        _ts("CreatedAt", "{{Contact.CreatedAt}}"),
        _ts("UpdatedAt", "{{Contact.UpdatedAt}}"),
        SystemField("IsSubscribed", "{{Contact.Email.IsSubscribed}}", "boolean"),
        SystemField("IsBounced", "{{Contact.Email.IsBounced}}", "boolean"),
        SystemField("EmailFormat", "{{Contact.Email.Format}}", "string"),
    ),
    key=("Id",),
    replication_key="UpdatedAt",
    utc_fields=frozenset({"CreatedAt", "UpdatedAt", "C_DateCreated", "C_DateModified",
                          "C_LastModifiedByExtIntegrateSystem"}),
)

ACCOUNTS = EntityKind(
    kind="accounts",
    fields_path="/accounts/fields",
    exports_path="/accounts/exports",
    system_fields=(
        SystemField("Id", "{{Account.Id}}", "number", integer=True, required=True),
        _ts("CreatedAt", "{{Account.CreatedAt}}"),
        _ts("UpdatedAt", "{{Account.UpdatedAt}}"),
    ),
    key=("Id",),
    replication_key="UpdatedAt",
    utc_fields=frozenset({"CreatedAt", "UpdatedAt", "M_DateCreated", "M_DateModified",
                          "M_LastModifiedByExtIntegrateSystem"}),
)

CUSTOM_OBJECT = EntityKind(
    kind="custom_object",
    fields_path="/customObjects/{id}/fields",
    exports_path="/customObjects/{id}/exports",
    system_fields=(
        SystemField("Id", "{{CustomObject[{id}].Id}}", "number", integer=True, required=True),
        SystemField("ExternalId", "{{CustomObject[{id}].ExternalId}}", "string"),
        _ts("CreatedAt", "{{CustomObject[{id}].CreatedAt}}"),
        _ts("UpdatedAt", "{{CustomObject[{id}].UpdatedAt}}"),
    ),
    key=("Id",),
    replication_key="UpdatedAt",
    utc_fields=frozenset({"CreatedAt", "UpdatedAt"}),
)

ACTIVITY = EntityKind(
    kind="activity",
    fields_path="/activities/fields",
    fields_params={"activityType": "{type}"},
    exports_path="/activities/exports",
    system_fields=(
        SystemField("ExternalId", "{{Activity.ExternalId}}", "string", required=True),
        SystemField("ActivityId", "{{Activity.Id}}", "number", integer=True),
        SystemField("ActivityType", "{{Activity.Type}}", "string"),
        _ts("ActivityDate", "{{Activity.CreatedAt}}"),
        SystemField("ContactId", "{{Activity.Contact.Id}}", "number", integer=True),
    ),
    key=("ExternalId",),
    replication_key="ActivityDate",
    utc_fields=frozenset({"ActivityDate", "LinkedToContactDate"}),
    base_filter="'{{Activity.Type}}' = '{type}'",
    lagged=True,
)

ACTIVITY_TYPES = ("EmailSend", "EmailOpen", "EmailClickthrough", "Subscribe", "Unsubscribe",
                  "Bounceback", "WebVisit", "PageView", "FormSubmit")


def fill_template(template: str, params: dict[str, Any]) -> str:
    """Put an object's parameters (`{id}`, `{type}`) into a path, statement or filter template."""
    for name, value in params.items():
        template = template.replace("{" + name + "}", str(value))
    return template


@dataclass(frozen=True)
class Entity:
    """One exportable object: a kind plus its parameters (custom object id, activity type)."""

    kind: EntityKind
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
        return tuple(
            SystemField(f.name, self._fill(f.statement), f.data_type, f.integer, f.required)
            for f in self.kind.system_fields)


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
    return Entity(ACTIVITY, f"activity_{snake_case(activity_type)}",
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


# -- events and campaign responses (Bulk exports like custom objects) --------------------------
EVENT = EntityKind(
    kind="event",
    fields_path="/events/{id}/fields",
    exports_path="/events/{id}/exports",
    system_fields=(
        SystemField("Id", "{{Event[{id}].Id}}", "number", integer=True, required=True),
        _ts("CreatedAt", "{{Event[{id}].CreatedAt}}"),
        _ts("UpdatedAt", "{{Event[{id}].UpdatedAt}}"),
    ),
    key=("Id",),
    replication_key="UpdatedAt",
    utc_fields=frozenset({"CreatedAt", "UpdatedAt"}),
)

# Responses are created once per contact and campaign, so they are read by creation time.
CAMPAIGN_RESPONSE = EntityKind(
    kind="campaign_response",
    fields_path="/campaignResponses/fields",
    exports_path="/campaignResponses/exports",
    system_fields=(
        SystemField("Id", "{{CampaignResponse.Id}}", "number", integer=True, required=True),
        _ts("CreatedAt", "{{CampaignResponse.CreatedAt}}"),
        SystemField("CampaignId", "{{CampaignResponse.Campaign.Id}}", "number", integer=True),
        SystemField("ContactId", "{{CampaignResponse.Contact.Id}}", "number", integer=True),
    ),
    key=("Id",),
    replication_key="CreatedAt",
    utc_fields=frozenset({"CreatedAt"}),
)


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
