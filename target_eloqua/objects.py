"""Eloqua objects a stream can be imported into, as data: one generic sink runs every row.

Each kind says where its fields are listed and its imports are created, which properties the tap
emits that `/fields` does not list (and what an import may do with them), and the identifier used
when none is configured. Roles of those system properties:

* `identifier`: may only be the identifier (records are matched on it, never created with it),
  e.g. `Id` -> `{{Contact.Id}}`; otherwise left out.
* `writable`: imported like a field.
* `drop`: set by Eloqua itself (CreatedAt, UpdatedAt, IsBounced...): left out, logged at debug.
* `subscription`: contacts' IsSubscribed, applied as a global (un)subscribe sync action only when
  `apply_subscription_status` is set.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from tap_eloqua.entities import fill_template

IDENTIFIER, WRITABLE, DROP, SUBSCRIPTION = "identifier", "writable", "drop", "subscription"


@dataclass(frozen=True)
class SystemProperty:
    """A property tap-eloqua emits that `/fields` does not list."""

    name: str
    statement: str
    data_type: str
    role: str


@dataclass(frozen=True)
class ImportKind:
    """A family of Eloqua objects imported the same way; templates take `{id}`."""

    kind: str
    fields_path: str
    imports_path: str
    system: tuple[SystemProperty, ...]
    default_identifier: str | None
    priority: int                         # drain order: records others link to go first
    fields_params: dict[str, str] = field(default_factory=dict)
    upsert: bool = True                   # activities are only ever created


CONTACTS = ImportKind(
    kind="contacts", fields_path="/contacts/fields", imports_path="/contacts/imports",
    system=(
        SystemProperty("Id", "{{Contact.Id}}", "number", IDENTIFIER),
        SystemProperty("CreatedAt", "{{Contact.CreatedAt}}", "date", DROP),
        SystemProperty("UpdatedAt", "{{Contact.UpdatedAt}}", "date", DROP),
        SystemProperty("IsSubscribed", "{{Contact.Email.IsSubscribed}}", "boolean", SUBSCRIPTION),
        SystemProperty("IsBounced", "{{Contact.Email.IsBounced}}", "boolean", DROP),
        SystemProperty("EmailFormat", "{{Contact.Email.Format}}", "string", DROP),
    ),
    default_identifier="C_EmailAddress", priority=0,
)

ACCOUNTS = ImportKind(
    kind="accounts", fields_path="/accounts/fields", imports_path="/accounts/imports",
    system=(
        SystemProperty("Id", "{{Account.Id}}", "number", IDENTIFIER),
        SystemProperty("CreatedAt", "{{Account.CreatedAt}}", "date", DROP),
        SystemProperty("UpdatedAt", "{{Account.UpdatedAt}}", "date", DROP),
    ),
    default_identifier="M_CompanyName", priority=0,
)

CUSTOM_OBJECT = ImportKind(
    kind="custom_object", fields_path="/customObjects/{id}/fields",
    imports_path="/customObjects/{id}/imports",
    system=(
        SystemProperty("Id", "{{CustomObject[{id}].Id}}", "number", IDENTIFIER),
        SystemProperty("ExternalId", "{{CustomObject[{id}].ExternalId}}", "string", WRITABLE),
        SystemProperty("CreatedAt", "{{CustomObject[{id}].CreatedAt}}", "date", DROP),
        SystemProperty("UpdatedAt", "{{CustomObject[{id}].UpdatedAt}}", "date", DROP),
    ),
    default_identifier=None, priority=1,
)

# External activities (docs §5.7): what an activity import can write. Everything else tap-eloqua
# emits for an activity (ActivityId, ExternalId, EmailOpen fields...) is Eloqua's own: dropped.
ACTIVITIES = ImportKind(
    kind="activities", fields_path="/activities/fields", imports_path="/activities/imports",
    system=(
        SystemProperty("ActivityType", "{{Activity.Type}}", "string", WRITABLE),
        SystemProperty("ActivityDate", "{{Activity.CreatedAt}}", "date", WRITABLE),
        SystemProperty("CreatedAt", "{{Activity.CreatedAt}}", "date", WRITABLE),
        SystemProperty("ContactId", "{{Activity.Contact.Id}}", "number", WRITABLE),
        SystemProperty("EmailAddress", "{{Activity.Contact.Field(C_EmailAddress)}}",
                       "emailAddress", WRITABLE),
        SystemProperty("AssetType", "{{Activity.Asset.Type}}", "string", WRITABLE),
        SystemProperty("AssetName", "{{Activity.Asset.Name}}", "string", WRITABLE),
        SystemProperty("CampaignId", "{{Activity.Campaign.Id}}", "number", WRITABLE),
        SystemProperty("ActivityId", "{{Activity.Id}}", "number", DROP),
        SystemProperty("ExternalId", "{{Activity.ExternalId}}", "string", DROP),
    ),
    default_identifier=None, priority=2, upsert=False,
)


@dataclass(frozen=True)
class EloquaObject:
    """One import destination: a kind plus its parameters (the custom object's id)."""

    kind: ImportKind
    label: str
    params: dict[str, Any] = field(default_factory=dict)
    unique_field_uri: str | None = None

    def _fill(self, template: str) -> str:
        return fill_template(template, self.params)

    @property
    def fields_path(self) -> str:
        return self._fill(self.kind.fields_path)

    @property
    def imports_path(self) -> str:
        return self._fill(self.kind.imports_path)

    @property
    def system(self) -> tuple[SystemProperty, ...]:
        return tuple(SystemProperty(p.name, self._fill(p.statement), p.data_type, p.role)
                     for p in self.kind.system)


def contacts() -> EloquaObject:
    return EloquaObject(CONTACTS, "contacts")


def accounts() -> EloquaObject:
    return EloquaObject(ACCOUNTS, "accounts")


def activities() -> EloquaObject:
    return EloquaObject(ACTIVITIES, "external activities")


def custom_object(co_id: int, name: str, unique_field_uri: str | None) -> EloquaObject:
    return EloquaObject(CUSTOM_OBJECT, f"custom object '{name}'", {"id": co_id, "name": name},
                        unique_field_uri)
