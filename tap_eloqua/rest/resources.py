"""The REST Application API resources as data: one generic stream class reads every row.

A row says where the list lives (path, API version), its key, which property carries the update
time and whether `search`/`orderBy` can filter on it, the depth to ask for, and the typed
properties to emit. Adding a resource means adding a row here, not a class.

Property kinds: `id`/`int` integers (Eloqua sends ids as strings), `number`, `bool` ("true"),
`ts` (Unix seconds as a string -> ISO 8601 UTC), `str`, `strs`/`ids` (arrays of strings/ids),
`perms` (a string in REST 1.0, "fullControl"; an array of grants in 2.0; kept as sent),
`refs` (nested assets cut to {type, id, name} at partial depth), `values` (fieldValues as
{id, value}) and `object` (passed through, e.g. an email's htmlContent).
"""

from __future__ import annotations

from dataclasses import dataclass

Prop = tuple[str, str]  # (property name, kind)


@dataclass(frozen=True)
class Parent:
    """Children listed per parent element: `data/form/{id}` per form, members per list."""

    path: str            # the parents' list endpoint
    version: str
    field: str           # the record property that carries the parent's id


@dataclass(frozen=True)
class Resource:
    """One REST list endpoint and how its elements become records."""

    stream: str
    path: str                          # relative to /api/REST/{version}; `{parent}` for children
    key: tuple[str, ...]
    properties: tuple[Prop, ...]
    version: str = "2.0"
    replication_key: str | None = None  # record property holding the update time
    search_term: str | None = None      # `search`/`orderBy` term for it (None: no filtering)
    depth: str | None = "partial"       # every root property, nested assets as references
    html_depth: str | None = None       # depth when include_email_html is on
    parent: Parent | None = None
    window_params: tuple[str, str] | None = None  # inclusive (start, end) Unix-second params
    sources: tuple[tuple[str, str], ...] = ()     # record property <- element property

    def source(self, prop: str) -> str:
        """The element property a record property is read from."""
        return dict(self.sources).get(prop, prop)


ASSET: tuple[Prop, ...] = (
    ("id", "id"), ("type", "str"), ("name", "str"), ("description", "str"),
    ("folderId", "id"), ("currentStatus", "str"), ("createdAt", "ts"), ("createdBy", "id"),
    ("updatedAt", "ts"), ("updatedBy", "id"), ("accessedAt", "ts"), ("permissions", "perms"),
)
UPDATED = "updatedAt"  # replication key and search term of every asset list

CAMPAIGNS = Resource(
    "campaigns", "/assets/campaigns", ("id",), (
        *ASSET, ("campaignCategory", "str"), ("campaignType", "str"), ("product", "str"),
        ("region", "str"), ("startAt", "ts"), ("endAt", "ts"), ("clrEndDate", "ts"),
        ("firstActivation", "ts"), ("budgetedCost", "number"), ("actualCost", "number"),
        ("isEmailMarketingCampaign", "bool"), ("isIncludedInROI", "bool"),
        ("isMemberAllowedReEntry", "bool"), ("isReadOnly", "bool"), ("isSyncedWithCRM", "bool"),
        ("crmId", "str"), ("memberCount", "int"), ("runAsUserId", "id"), ("badgeId", "id"),
        ("elements", "refs"), ("fieldValues", "values"),
    ), replication_key=UPDATED, search_term=UPDATED)

EMAILS = Resource(
    "emails", "/assets/emails", ("id",), (
        *ASSET, ("subject", "str"), ("previewText", "str"), ("senderName", "str"),
        ("senderEmail", "str"), ("replyToName", "str"), ("replyToEmail", "str"),
        ("bounceBackEmail", "str"), ("emailGroupId", "id"), ("encodingId", "id"),
        ("emailHeaderId", "id"), ("emailFooterId", "id"), ("isPlainTextEditable", "bool"),
        ("isPrivate", "bool"), ("isTracked", "bool"), ("sendPlainTextOnly", "bool"),
        ("archive", "bool"), ("renderMode", "str"), ("layout", "str"), ("style", "str"),
        ("htmlContent", "object"), ("plainText", "str"), ("hyperlinks", "refs"),
        ("contentSections", "refs"), ("dynamicContents", "refs"), ("images", "refs"),
        ("forms", "refs"), ("fieldMerges", "refs"),
    ), html_depth="complete", replication_key=UPDATED, search_term=UPDATED)

FORMS = Resource(
    "forms", "/assets/forms", ("id",), (
        *ASSET, ("htmlName", "str"), ("processingType", "str"),
        ("emailAddressFormFieldId", "id"), ("submitFailedLandingPageId", "id"),
        ("isHidden", "bool"), ("isResponsive", "bool"), ("elements", "refs"),
        ("processingSteps", "refs"),
    ), replication_key=UPDATED, search_term=UPDATED)

FORM_SUBMISSIONS = Resource(
    "form_submissions", "/data/form/{parent}", ("formId", "id"), (
        ("formId", "id"), ("id", "id"), ("submittedAt", "ts"),
        ("submittedByContactId", "id"), ("fieldValues", "values"),
    ), replication_key="submittedAt", depth=None,
    parent=Parent("/assets/forms", "2.0", "formId"), window_params=("startAt", "endAt"))

LANDING_PAGES = Resource(
    "landing_pages", "/assets/landingPages", ("id",), (
        *ASSET, ("micrositeId", "id"), ("relativePath", "str"), ("isHidden", "bool"),
        ("excludeFromAuthentication", "bool"), ("deployedAt", "ts"), ("refreshedAt", "ts"),
        ("autoRedirectUrl", "str"), ("layout", "str"), ("style", "str"),
        ("htmlContent", "object"), ("hyperlinks", "refs"), ("forms", "refs"),
        ("images", "refs"),
    ), replication_key=UPDATED, search_term=UPDATED)

USERS = Resource(
    "users", "/system/users", ("id",), (
        ("id", "id"), ("type", "str"), ("name", "str"), ("createdAt", "ts"),
        ("createdBy", "id"), ("updatedAt", "ts"), ("updatedBy", "id"), ("loginName", "str"),
        ("emailAddress", "str"), ("firstName", "str"), ("lastName", "str"), ("company", "str"),
        ("title", "str"), ("defaultContactViewId", "id"), ("defaultAccountViewId", "id"),
        ("lastLoginAt", "ts"), ("loggedInAt", "ts"),
    ), replication_key=UPDATED, search_term=UPDATED)

CONTACT_LISTS = Resource(
    "contact_lists", "/assets/contact/lists", ("id",), (
        ("id", "id"), ("type", "str"), ("name", "str"), ("description", "str"),
        ("folderId", "id"), ("createdAt", "ts"), ("createdBy", "id"), ("updatedAt", "ts"),
        ("updatedBy", "id"), ("permissions", "perms"), ("count", "int"), ("scope", "str"),
        ("dataLookupId", "str"),
    ), version="1.0", replication_key=UPDATED, search_term=UPDATED)

CONTACT_LIST_MEMBERS = Resource(
    "contact_list_members", "/data/contacts/list/{parent}", ("listId", "contactId"), (
        ("listId", "id"), ("contactId", "id"), ("emailAddress", "str"),
    ), depth="minimal", parent=Parent("/assets/contact/lists", "1.0", "listId"),
    sources=(("contactId", "id"),))

CONTACT_SEGMENTS = Resource(
    "contact_segments", "/assets/contact/segments", ("id",), (
        *ASSET, ("count", "int"), ("lastCalculatedAt", "ts"), ("isStale", "bool"),
        ("elements", "refs"),
    ), replication_key=UPDATED, search_term=UPDATED)

EMAIL_GROUPS = Resource(
    "email_groups", "/assets/email/groups", ("id",), (
        *ASSET, ("displayName", "str"), ("emailHeaderId", "id"), ("emailFooterId", "id"),
        ("emailIds", "ids"), ("isVisibleInOutlookPlugin", "bool"),
        ("isVisibleInPublicSubscriptionList", "bool"),
        # the spellings real responses use: `unsubscription…LandingPage`, `unSubscription…List`
        ("subscriptionLandingPageId", "id"), ("unsubscriptionLandingPageId", "id"),
        ("subscriptionListId", "id"), ("unSubscriptionListId", "id"),
        ("subscriptionListDataLookupId", "str"), ("unSubscriptionListDataLookupId", "str"),
    ), version="1.0", replication_key=UPDATED, search_term=UPDATED)

VISITORS = Resource(
    "visitors", "/data/visitors", ("visitorId",), (
        ("visitorId", "id"), ("id", "int"), ("type", "str"), ("createdAt", "ts"),
        ("contactId", "id"), ("externalId", "str"), ("currentStatus", "str"),
        ("V_IPAddress", "str"), ("V_LastVisitDateAndTime", "ts"),
        ("V_FirstVisitDateAndTime", "ts"), ("V_Browser_Type", "str"), ("V_CityFromIP", "str"),
        ("V_CountryFromIP", "str"), ("V_CountryName", "str"), ("V_HostName", "str"),
        ("V_FirstPageInVisit", "str"), ("V_LastPageInVisit", "str"), ("V_Total_Pages", "int"),
        ("V_Total_Visits", "int"), ("V_Total_Time", "int"), ("V_LatitudeFromIP", "number"),
        ("V_LongitudeFromIP", "number"),
    ), replication_key="V_LastVisitDateAndTime", search_term="V_LastVisitDateAndTime")

EXTERNAL_ASSETS = Resource(
    "external_assets", "/assets/externals", ("id",), (
        *ASSET, ("externalAssetTypeId", "id"),
    ), replication_key=UPDATED, search_term=UPDATED)

# External activities have no list endpoint (only GET/POST `data/activity/{id}`), so they are
# not offered; Bulk activity exports are the way to read them.
RESOURCES: dict[str, Resource] = {r.stream: r for r in (
    CAMPAIGNS, EMAILS, FORMS, FORM_SUBMISSIONS, LANDING_PAGES, USERS, CONTACT_LISTS,
    CONTACT_LIST_MEMBERS, CONTACT_SEGMENTS, EMAIL_GROUPS, VISITORS, EXTERNAL_ASSETS)}
