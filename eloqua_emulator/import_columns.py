"""Importable statements (docs §5.1, §5.7): what an import definition's `fields` may name.

Decided where the docs are silent ([I] in the reference): writable fields of the entity
(`hasReadOnlyConstraint` false), plus `{{CustomObject[n].ExternalId}}`. `{{Contact.Id}}`,
`{{Account.Id}}`, `{{CustomObject[n].Id}}` and read-only fields may only be the identifier
(records are matched on them, never created with them). Other system statements (CreatedAt,
UpdatedAt, Email.IsSubscribed, related-entity fields) answer 400 on `fields`. External activity
imports name the statements of ACTIVITY_COLUMNS.
"""

from __future__ import annotations

from dataclasses import dataclass

from .catalog import Entity, canonical, catalog
from .store import Store


@dataclass(frozen=True)
class ImportColumn:
    """An importable statement: the store key it writes, its dataType and how it may be used."""

    key: str
    data_type: str
    identifier_only: bool = False     # matched on, never written (Id, read-only fields)


ACTIVITY_COLUMNS: dict[str, ImportColumn] = {
    canonical(k): v for k, v in {
        "{{Activity.Type}}": ImportColumn("ActivityType", "string"),
        "{{Activity.CreatedAt}}": ImportColumn("ActivityDate", "date"),
        "{{Activity.Asset.Type}}": ImportColumn("AssetType", "string"),
        "{{Activity.Asset.Name}}": ImportColumn("AssetName", "string"),
        "{{Activity.Campaign.Id}}": ImportColumn("CampaignId", "number"),
        "{{Activity.Contact.Id}}": ImportColumn("ContactId", "number"),
        "{{Activity.Contact.Field(C_EmailAddress)}}": ImportColumn("ContactEmail",
                                                                   "emailAddress"),
    }.items()
}
ACTIVITY_REQUIRED = ("ActivityType", "ActivityDate", "AssetType", "AssetName")


def import_columns(store: Store, entity: Entity) -> dict[str, ImportColumn]:
    """canonical statement -> ImportColumn for everything an import of `entity` may name."""
    if entity.kind == "activities":
        return dict(ACTIVITY_COLUMNS)
    if entity.kind == "contacts":
        writable_system: tuple[str, ...] = ()
        items, ident = store.contact_fields, "{{contact.id}}"
    elif entity.kind == "accounts":
        items, ident, writable_system = store.account_fields, "{{account.id}}", ()
    else:
        co = store.custom_objects[entity.co_id or 0]
        items = co.fields
        ident = f"{{{{customobject[{co.id}].id}}}}"
        writable_system = (f"{{{{customobject[{co.id}].externalid}}}}",)
    read_only = {f["internalName"] for f in items if f.get("hasReadOnlyConstraint")}
    out: dict[str, ImportColumn] = {}
    for statement, col in catalog(store, entity).items():
        if col.source != "self":
            continue
        if statement == ident:
            out[statement] = ImportColumn(col.key, col.data_type, identifier_only=True)
        elif statement in writable_system:
            out[statement] = ImportColumn(col.key, col.data_type)
        elif statement.startswith(("{{contact.field(", "{{account.field(", "{{customobject[")) \
                and not statement.endswith((".id}}", ".createdat}}", ".updatedat}}")):
            out[statement] = ImportColumn(col.key, col.data_type,
                                          identifier_only=col.key in read_only)
    return out
