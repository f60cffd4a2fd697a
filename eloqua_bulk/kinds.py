"""Eloqua object kinds as data: the one table both tap-eloqua and target-eloqua read.

Each kind (contacts, accounts, custom objects, activities, events, campaign responses) says where
its fields are listed, where its exports and imports are created, the system statements `/fields`
does not return (and whether an export, an import or both use each one), its key, its
replication field, the filter every export of it carries and how an import treats it. One generic
export stream (`eloqua_plugin.entities`) and one generic import sink (`target_eloqua.objects`) run
every row, so adding an entity means adding one `ObjectKind` here, not a class.

Templates (paths, statements, filters, params) take `{id}` (custom object, event) and `{type}`
(activity type); `fill_template` puts an object's parameters into them.

Import roles of system fields:

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

IDENTIFIER, WRITABLE, DROP, SUBSCRIPTION = "identifier", "writable", "drop", "subscription"

ACTIVITY_TYPES = ("EmailSend", "EmailOpen", "EmailClickthrough", "Subscribe", "Unsubscribe",
                  "Bounceback", "WebVisit", "PageView", "FormSubmit")


def fill_template(template: str, params: dict[str, Any]) -> str:
    """Put an object's parameters (`{id}`, `{type}`) into a path, statement or filter template."""
    for name, value in params.items():
        template = template.replace("{" + name + "}", str(value))
    return template


@dataclass(frozen=True)
class SystemField:
    """A documented statement clients must hard-code (absent from `/fields`)."""

    name: str
    statement: str
    data_type: str                 # Eloqua dataType: number | string | date | boolean | ...
    integer: bool = False          # ids are integers, not just numbers
    required: bool = False         # never null in an export: keys
    export: bool = True            # part of every export of the kind
    import_role: str | None = None  # IDENTIFIER / WRITABLE / DROP / SUBSCRIPTION; None: not offered


@dataclass(frozen=True)
class ObjectKind:
    """A family of Eloqua objects that export and import the same way."""

    kind: str
    fields_path: str
    exports_path: str
    imports_path: str | None                   # None: Eloqua has no Bulk import for it
    system_fields: tuple[SystemField, ...]
    key: tuple[str, ...]
    replication_key: str
    utc_fields: frozenset[str]                 # system timestamps: UTC with the UTC flag
    fields_params: dict[str, str] = field(default_factory=dict)
    base_filter: str | None = None
    lagged: bool = False                       # late-arriving rows: window ends before now
    default_identifier: str | None = None      # import match field when none is configured
    priority: int = 0                          # import drain order: linked-to records first
    upsert: bool = True                        # activities are only ever created

    @property
    def export_fields(self) -> tuple[SystemField, ...]:
        return tuple(f for f in self.system_fields if f.export)

    @property
    def import_fields(self) -> tuple[SystemField, ...]:
        return tuple(f for f in self.system_fields if f.import_role is not None)


def _id(statement: str, role: str | None = IDENTIFIER) -> SystemField:
    return SystemField("Id", statement, "number", integer=True, required=True, import_role=role)


def _ts(name: str, statement: str, role: str | None = DROP) -> SystemField:
    return SystemField(name, statement, "date", import_role=role)


CONTACTS = ObjectKind(
    kind="contacts",
    fields_path="/contacts/fields",
    exports_path="/contacts/exports",
    imports_path="/contacts/imports",
    system_fields=(
        _id("{{Contact.Id}}"),
        _ts("CreatedAt", "{{Contact.CreatedAt}}"),
        _ts("UpdatedAt", "{{Contact.UpdatedAt}}"),
        SystemField("IsSubscribed", "{{Contact.Email.IsSubscribed}}", "boolean",
                    import_role=SUBSCRIPTION),
        SystemField("IsBounced", "{{Contact.Email.IsBounced}}", "boolean", import_role=DROP),
        SystemField("EmailFormat", "{{Contact.Email.Format}}", "string", import_role=DROP),
    ),
    key=("Id",),
    replication_key="UpdatedAt",
    utc_fields=frozenset({"CreatedAt", "UpdatedAt", "C_DateCreated", "C_DateModified",
                          "C_LastModifiedByExtIntegrateSystem"}),
    default_identifier="C_EmailAddress",
)

ACCOUNTS = ObjectKind(
    kind="accounts",
    fields_path="/accounts/fields",
    exports_path="/accounts/exports",
    imports_path="/accounts/imports",
    system_fields=(
        _id("{{Account.Id}}"),
        _ts("CreatedAt", "{{Account.CreatedAt}}"),
        _ts("UpdatedAt", "{{Account.UpdatedAt}}"),
    ),
    key=("Id",),
    replication_key="UpdatedAt",
    utc_fields=frozenset({"CreatedAt", "UpdatedAt", "M_DateCreated", "M_DateModified",
                          "M_LastModifiedByExtIntegrateSystem"}),
    default_identifier="M_CompanyName",
)

CUSTOM_OBJECT = ObjectKind(
    kind="custom_object",
    fields_path="/customObjects/{id}/fields",
    exports_path="/customObjects/{id}/exports",
    imports_path="/customObjects/{id}/imports",
    system_fields=(
        _id("{{CustomObject[{id}].Id}}"),
        SystemField("ExternalId", "{{CustomObject[{id}].ExternalId}}", "string",
                    import_role=WRITABLE),
        _ts("CreatedAt", "{{CustomObject[{id}].CreatedAt}}"),
        _ts("UpdatedAt", "{{CustomObject[{id}].UpdatedAt}}"),
    ),
    key=("Id",),
    replication_key="UpdatedAt",
    utc_fields=frozenset({"CreatedAt", "UpdatedAt"}),
    priority=1,
)

# Exports read one activity type at a time. Imports are external activities (docs §5.7): they
# write the fields marked WRITABLE; everything else tap-eloqua emits for an activity (ActivityId,
# ExternalId, EmailOpen fields...) is Eloqua's own and dropped.
ACTIVITIES = ObjectKind(
    kind="activities",
    fields_path="/activities/fields",
    fields_params={"activityType": "{type}"},
    exports_path="/activities/exports",
    imports_path="/activities/imports",
    system_fields=(
        SystemField("ExternalId", "{{Activity.ExternalId}}", "string", required=True,
                    import_role=DROP),
        SystemField("ActivityId", "{{Activity.Id}}", "number", integer=True, import_role=DROP),
        SystemField("ActivityType", "{{Activity.Type}}", "string", import_role=WRITABLE),
        _ts("ActivityDate", "{{Activity.CreatedAt}}", WRITABLE),
        SystemField("CreatedAt", "{{Activity.CreatedAt}}", "date", export=False,
                    import_role=WRITABLE),
        SystemField("ContactId", "{{Activity.Contact.Id}}", "number", integer=True,
                    import_role=WRITABLE),
        SystemField("EmailAddress", "{{Activity.Contact.Field(C_EmailAddress)}}", "emailAddress",
                    export=False, import_role=WRITABLE),
        SystemField("AssetType", "{{Activity.Asset.Type}}", "string", export=False,
                    import_role=WRITABLE),
        SystemField("AssetName", "{{Activity.Asset.Name}}", "string", export=False,
                    import_role=WRITABLE),
        SystemField("CampaignId", "{{Activity.Campaign.Id}}", "number", export=False,
                    import_role=WRITABLE),
    ),
    key=("ExternalId",),
    replication_key="ActivityDate",
    utc_fields=frozenset({"ActivityDate", "LinkedToContactDate"}),
    base_filter="'{{Activity.Type}}' = '{type}'",
    lagged=True,
    priority=2,
    upsert=False,
)

# Events and campaign responses: Bulk exports like custom objects, no Bulk import.
EVENT = ObjectKind(
    kind="event",
    fields_path="/events/{id}/fields",
    exports_path="/events/{id}/exports",
    imports_path=None,
    system_fields=(
        _id("{{Event[{id}].Id}}", None),
        _ts("CreatedAt", "{{Event[{id}].CreatedAt}}", None),
        _ts("UpdatedAt", "{{Event[{id}].UpdatedAt}}", None),
    ),
    key=("Id",),
    replication_key="UpdatedAt",
    utc_fields=frozenset({"CreatedAt", "UpdatedAt"}),
)

# Responses are created once per contact and campaign, so they are read by creation time.
CAMPAIGN_RESPONSE = ObjectKind(
    kind="campaign_response",
    fields_path="/campaignResponses/fields",
    exports_path="/campaignResponses/exports",
    imports_path=None,
    system_fields=(
        _id("{{CampaignResponse.Id}}", None),
        _ts("CreatedAt", "{{CampaignResponse.CreatedAt}}", None),
        SystemField("CampaignId", "{{CampaignResponse.Campaign.Id}}", "number", integer=True),
        SystemField("ContactId", "{{CampaignResponse.Contact.Id}}", "number", integer=True),
    ),
    key=("Id",),
    replication_key="CreatedAt",
    utc_fields=frozenset({"CreatedAt"}),
)

KINDS = (CONTACTS, ACCOUNTS, CUSTOM_OBJECT, ACTIVITIES, EVENT, CAMPAIGN_RESPONSE)
