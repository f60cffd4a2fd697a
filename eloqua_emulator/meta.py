"""Static field catalogues: contact/account standard fields and the activity field table (docs §3.6,
§6).

Field metadata items are plain dicts in the documented key order so endpoints can return them as
they are.
"""

from __future__ import annotations

from typing import Any

# (internalName, display name, dataType, readOnly, unique)
CONTACT_FIELDS: list[tuple[str, str, str, bool, bool]] = [
    ("C_EmailAddress", "Email Address", "emailAddress", False, True),
    ("C_FirstName", "First Name", "string", False, False),
    ("C_LastName", "Last Name", "string", False, False),
    ("C_Company", "Company", "string", False, False),
    ("C_Title", "Title", "string", False, False),
    ("C_City", "City", "string", False, False),
    ("C_State_Prov", "State or Province", "string", False, False),
    ("C_Zip_Postal", "Zip or Postal Code", "string", False, False),
    ("C_Country", "Country", "string", False, False),
    ("C_BusPhone", "Business Phone", "string", False, False),
    ("C_EmailAddressDomain", "Email Address Domain", "string", True, False),
    ("C_DateCreated", "Date Created", "date", True, False),
    ("C_DateModified", "Date Modified", "date", True, False),
    ("C_LastModifiedByExtIntegrateSystem", "Last Modified by CRM System", "date", True, False),
    ("ContactIDExt", "Eloqua Contact ID", "string", True, False),
    ("C_SFDCContactID", "SFDC Contact ID", "string", False, False),
    ("C_Lead_Score1", "Lead Score", "number", False, False),
    ("C_Annual_Revenue1", "Annual Revenue", "number", False, False),
    ("C_Opted_In1", "Opted In", "boolean", False, False),
    ("C_Birthday1", "Birthday", "date", False, False),
]
CONTACT_SYSTEM_TS = {"C_DateCreated", "C_DateModified", "C_LastModifiedByExtIntegrateSystem"}

ACCOUNT_FIELDS: list[tuple[str, str, str, bool, bool]] = [
    ("M_CompanyName", "Company Name", "string", False, False),
    ("M_Address1", "Address 1", "string", False, False),
    ("M_City", "City", "string", False, False),
    ("M_State_Prov", "State or Province", "string", False, False),
    ("M_Zip_Postal", "Zip or Postal Code", "string", False, False),
    ("M_Country", "Country", "string", False, False),
    ("M_BusPhone", "Business Phone", "string", False, False),
    ("M_Industry1", "Industry", "string", False, False),
    ("M_Annual_Revenue1", "Annual Revenue", "number", False, False),
    ("M_Employees1", "Employees", "number", False, False),
    ("M_DateCreated", "Date Created", "date", True, False),
    ("M_DateModified", "Date Modified", "date", True, False),
    ("M_LastModifiedByExtIntegrateSystem", "Last Modified by CRM System", "date", True, False),
    ("CompanyIDExt", "Eloqua Company ID", "string", True, True),
    ("M_SFDCAccountID", "SFDC Account ID", "string", False, False),
]
ACCOUNT_SYSTEM_TS = {"M_DateCreated", "M_DateModified", "M_LastModifiedByExtIntegrateSystem"}

ACTIVITY_TYPES = (
    "EmailOpen",
    "EmailClickthrough",
    "EmailSend",
    "Subscribe",
    "Unsubscribe",
    "Bounceback",
    "WebVisit",
    "PageView",
    "FormSubmit",
)

# reference name -> (statement, dataType); the common ones first (docs §3.6)
ACTIVITY_FIELD_DEFS: dict[str, tuple[str, str]] = {
    "ActivityId": ("{{Activity.Id}}", "number"),
    "ActivityType": ("{{Activity.Type}}", "string"),
    "ActivityDate": ("{{Activity.CreatedAt}}", "date"),
    "ContactId": ("{{Activity.Contact.Id}}", "number"),
    "CampaignId": ("{{Activity.Campaign.Id}}", "number"),
    "ExternalId": ("{{Activity.ExternalId}}", "string"),
    "AssetType": ("{{Activity.Asset.Type}}", "string"),
    "AssetName": ("{{Activity.Asset.Name}}", "string"),
    "AssetId": ("{{Activity.Asset.Id}}", "number"),
    "VisitorId": ("{{Activity.Visitor.Id}}", "number"),
    "VisitorExternalId": ("{{Activity.Visitor.ExternalId}}", "string"),
    "EmailAddress": ("{{Activity.Field(EmailAddress)}}", "emailAddress"),
    "IpAddress": ("{{Activity.Field(IpAddress)}}", "string"),
    "EmailRecipientId": ("{{Activity.Field(EmailRecipientId)}}", "string"),
    "SubjectLine": ("{{Activity.Field(SubjectLine)}}", "string"),
    "EmailWebLink": ("{{Activity.Field(EmailWebLink)}}", "string"),
    "DeploymentId": ("{{Activity.Field(EmailDeploymentId)}}", "number"),
    "EmailSendType": ("{{Activity.Field(EmailSendType)}}", "string"),
    "CampaignResponseDate": ("{{Activity.CampaignResponse.CreatedAt}}", "date"),
    "CampaignResponseMemberStatus": ("{{Activity.CampaignResponse.Field(MemberStatus)}}", "string"),
    "EmailClickedThruLink": ("{{Activity.Field(EmailClickedThruLink)}}", "string"),
    "CRMCampaignId": ("{{Activity.Campaign.Field(CRMCampaignId)}}", "string"),
    "CampaignName": ("{{Activity.Campaign.Field(CampaignName)}}", "string"),
    "SmtpErrorCode": ("{{Activity.Field(SmtpErrorCode)}}", "string"),
    "SmtpStatusCode": ("{{Activity.Field(SmtpStatusCode)}}", "string"),
    "SmtpMessage": ("{{Activity.Field(SmtpMessage)}}", "string"),
    "ReferrerUrl": ("{{Activity.Field(ReferrerUrl)}}", "string"),
    "NumberOfPages": ("{{Activity.Field(NumberOfPages)}}", "number"),
    "FirstPageViewUrl": ("{{Activity.Field(FirstPageViewUrl)}}", "string"),
    "Duration": ("{{Activity.Field(Duration)}}", "number"),
    "WebVisitId": ("{{Activity.Field(WebVisitId)}}", "number"),
    "Url": ("{{Activity.Field(Url)}}", "string"),
    "IsWebTrackingOptedIn": ("{{Activity.Field(IsWebTrackingOptedIn)}}", "boolean"),
    "RawData": ("{{Activity.Field(RawData)}}", "string"),
}
ACTIVITY_SYSTEM_TS = {"ActivityDate"}

_BASE = ["ActivityId", "ActivityType", "ActivityDate", "ContactId"]
_ASSET = ["AssetType", "AssetName", "AssetId"]
_VISITOR = ["VisitorId", "VisitorExternalId"]
_EMAIL = [
    "EmailAddress",
    "EmailRecipientId",
    "SubjectLine",
    "EmailWebLink",
    "DeploymentId",
    "EmailSendType",
]
_OPEN = [
    *_BASE,
    "CampaignId",
    "ExternalId",
    *_ASSET,
    *_VISITOR,
    "EmailAddress",
    "IpAddress",
    "EmailRecipientId",
    "SubjectLine",
    "EmailWebLink",
    "DeploymentId",
    "EmailSendType",
    "CampaignResponseDate",
    "CampaignResponseMemberStatus",
]
ACTIVITY_TYPE_FIELDS: dict[str, list[str]] = {
    "EmailOpen": _OPEN,
    "EmailClickthrough": [*_OPEN, "EmailClickedThruLink"],
    "EmailSend": [*_BASE, "CampaignId", "ExternalId", *_ASSET, *_EMAIL],
    "Subscribe": [*_BASE, "CampaignId", "ExternalId", *_ASSET, "EmailAddress", "EmailRecipientId"],
    "Unsubscribe": [
        *_BASE,
        "CampaignId",
        "ExternalId",
        *_ASSET,
        "EmailAddress",
        "EmailRecipientId",
    ],
    "Bounceback": [
        *_BASE,
        "CampaignId",
        "ExternalId",
        *_ASSET,
        "EmailAddress",
        "CRMCampaignId",
        "CampaignName",
        "EmailRecipientId",
        "DeploymentId",
        "SmtpErrorCode",
        "SmtpStatusCode",
        "SmtpMessage",
    ],
    "WebVisit": [
        *_BASE,
        "ExternalId",
        *_VISITOR,
        "ReferrerUrl",
        "IpAddress",
        "NumberOfPages",
        "FirstPageViewUrl",
        "Duration",
    ],
    "PageView": [
        *_BASE,
        "CampaignId",
        "ExternalId",
        *_VISITOR,
        "WebVisitId",
        "Url",
        "ReferrerUrl",
        "IpAddress",
        "IsWebTrackingOptedIn",
    ],
    "FormSubmit": [*_BASE, "CampaignId", "ExternalId", *_ASSET, *_VISITOR, "RawData"],
}

STANDARD_CREATED = "1900-01-01T05:00:00.0000000Z"


def field_item(
    name: str,
    internal: str,
    data_type: str,
    statement: str,
    uri: str,
    *,
    read_only: bool = False,
    unique: bool = False,
    not_null: bool = False,
    created_at: str = STANDARD_CREATED,
    updated_at: str = STANDARD_CREATED,
    updated_by: str | None = None,
    activity_types: list[str] | None = None,
) -> dict[str, Any]:
    """A `/fields` item in the documented key order (docs §6.1); `updatedBy` optional."""
    item: dict[str, Any] = {
        "name": name,
        "internalName": internal,
        "dataType": data_type,
        "hasReadOnlyConstraint": read_only,
        "hasNotNullConstraint": not_null,
        "hasUniquenessConstraint": unique,
        "statement": statement,
    }
    if activity_types is not None:
        item["activityTypes"] = activity_types
    item["uri"] = uri
    item["createdAt"] = created_at
    if updated_by:
        item["updatedBy"] = updated_by
    item["updatedAt"] = updated_at
    return item


def spaced(ref: str) -> str:
    """`CampaignResponseDate` -> `Campaign Response Date` for display names."""
    out = ""
    for i, ch in enumerate(ref):
        if ch.isupper() and i and not ref[i - 1].isupper():
            out += " "
        out += ch
    return out


def activity_field_items() -> list[dict[str, Any]]:
    """All activity field items, ids from 1, each listing the types that have it."""
    items = []
    for n, (ref, (statement, dtype)) in enumerate(ACTIVITY_FIELD_DEFS.items(), start=1):
        types = [t for t in ACTIVITY_TYPES if ref in ACTIVITY_TYPE_FIELDS[t]]
        items.append(
            field_item(
                spaced(ref),
                ref,
                dtype,
                statement,
                f"/activities/fields/{n}",
                read_only=True,
                activity_types=types,
            )
        )
    return items
