"""Deterministic REST seed data that agrees with the Bulk data.

Campaign ids are the ones activities carry (1..59), email ids the email activities' asset ids
(1000..1099), form submissions and visitors come from FormSubmit / WebVisit / PageView activities
(same contacts, same dates), and contact lists are the Bulk store's lists. A private Random keeps
the Bulk seed data exactly as it was.
"""

from __future__ import annotations

import random
from datetime import datetime, timedelta
from typing import Any

from .config import EmulatorConfig
from .rest_store import RestData
from .seed_clock import YEAR_START
from .store import Store

PERMISSIONS = ["Retrieve", "SetSecurity", "Delete", "Update"]
STATUSES = ["Draft", "Active", "Completed", "Scheduled"]
API_USER_ID = 314  # the user `/id` reports


def _when(rng: random.Random, after: datetime | None = None) -> datetime:
    base = after or YEAR_START
    span = int((YEAR_START + timedelta(days=366) - base).total_seconds())
    return base + timedelta(seconds=rng.randrange(max(span, 1)))


def _stamps(rng: random.Random) -> dict[str, Any]:
    created = _when(rng)
    updated = _when(rng, created)
    return {"createdAt": created, "updatedAt": updated,
            "accessedAt": updated if rng.random() < 0.5 else None}


def _asset(rng: random.Random, kind: str, element_id: int, name: str,
           users: list[int]) -> dict[str, Any]:
    return {"type": kind, "id": element_id, "name": name,
            "description": None if rng.random() < 0.4 else f"{name}, \"seeded\"",
            "folderId": rng.choice([1201, 1202, 1305]),
            "currentStatus": rng.choice(STATUSES), "createdBy": rng.choice(users),
            "updatedBy": rng.choice(users), "permissions": list(PERMISSIONS), **_stamps(rng)}


def _lookup_id(rng: random.Random) -> str:
    """A data lookup id as Eloqua shows it: a lower-case GUID."""
    raw = f"{rng.getrandbits(128):032x}"
    return f"{raw[:8]}-{raw[8:12]}-{raw[12:16]}-{raw[16:20]}-{raw[20:]}"


def _ref(kind: str, element_id: int, name: str, **extra: Any) -> dict[str, Any]:
    return {"type": kind, "id": element_id, "name": name, **extra}


def seed_users(rest: RestData, cfg: EmulatorConfig, rng: random.Random) -> list[int]:
    ids = [*range(1, 12), API_USER_ID]
    for uid in ids:
        first, last = (("API", "User") if uid == API_USER_ID
                       else (rng.choice(["Ana", "Kai", "Zoë", "Sam"]), f"Ops{uid}"))
        login = cfg.username if uid == API_USER_ID else f"{first.lower()}.{last.lower()}"
        rest.assets["users"][uid] = {
            "type": "User", "id": uid, "name": f"{first} {last}", "loginName": login,
            "emailAddress": f"{login}@emulator.invalid", "firstName": first, "lastName": last,
            "company": "Emulator, Inc.", "title": rng.choice(["Marketer", "Admin", None]),
            "defaultContactViewId": 100, "defaultAccountViewId": None if uid % 2 else 200,
            "createdBy": 1, "updatedBy": rng.choice(ids), **_stamps(rng),
            "lastLoginAt": _when(rng), "loggedInAt": _when(rng),
            "capabilities": [{"type": "Capability", "entity": "campaign", "grant": "read"}],
            "securityGroups": [_ref("SecurityGroup", 1, "Marketing Users")]}
        rest.assets["users"][uid].pop("accessedAt", None)
    return ids


def seed_assets(rest: RestData, rng: random.Random, users: list[int]) -> None:
    assets = rest.assets
    for gid in range(1, 7):
        assets["emailGroups"][gid] = {
            **_asset(rng, "EmailGroup", gid, f"Newsletter group {gid}", users),
            "displayName": f"Group {gid} — news", "emailHeaderId": 5, "emailFooterId": 6,
            "emailIds": [], "isVisibleInOutlookPlugin": rng.random() < 0.5,
            "isVisibleInPublicSubscriptionList": True,
            # real responses' spellings (StanHilliar/RSSapp, a p02 instance): the landing page
            # is `unsubscription…`, the list and its data lookup `unSubscription…`
            "subscriptionLandingPageId": 1, "unsubscriptionLandingPageId": 2,
            "subscriptionListId": 30 + gid, "unSubscriptionListId": 40 + gid,
            "subscriptionListDataLookupId": _lookup_id(rng),
            "unSubscriptionListDataLookupId": _lookup_id(rng)}
    for eid in range(1000, 1100):
        gid = rng.randrange(1, 7)
        assets["emailGroups"][gid]["emailIds"].append(eid)
        subject = f"Spring offer #{eid % 9} — 20% off, \"today\" 🎉"
        assets["emails"][eid] = {
            **_asset(rng, "Email", eid, f"Email {eid}", users), "subject": subject,
            "previewText": None if eid % 3 else "Don't miss it", "senderName": "Marketing",
            "senderEmail": "news@example.com", "replyToName": "Marketing",
            "replyToEmail": "reply@example.com", "bounceBackEmail": "bounce@example.com",
            "emailGroupId": gid, "encodingId": 1, "emailHeaderId": 5, "emailFooterId": 6,
            "isPlainTextEditable": False, "isPrivate": False, "isTracked": True,
            "sendPlainTextOnly": False, "archive": rng.random() < 0.1, "renderMode": "fixed",
            "layout": "{}", "style": "{}",
            "htmlContent": {"type": "RawHtmlContent", "contentSource": "upload",
                            "html": f"<html><body><h1>{subject}</h1><p>{'x' * 200}</p>"
                                    "</body></html>"},
            "plainText": f"{subject}\n\nPlain text body.",
            "hyperlinks": [_ref("Hyperlink", eid * 10 + k, f"Link {k}",
                                href=f"https://site.invalid/{eid}/{k}") for k in range(2)],
            "images": [], "forms": [_ref("Form", 1000 + eid % 12, f"Form {1000 + eid % 12}")]}
    for cid in range(1, 60):
        emails = rng.sample(range(1000, 1100), 2)
        assets["campaigns"][cid] = {
            **_asset(rng, "Campaign", cid, f"Campaign {cid}: Q{cid % 4 + 1}, EMEA", users),
            "campaignCategory": rng.choice(["emailMarketing", "contact", None]),
            "campaignType": rng.choice(["Webinar", "Newsletter"]), "product": "Suite",
            "region": rng.choice(["EMEA", "AMER", "APAC"]),
            "startAt": _when(rng), "endAt": _when(rng), "firstActivation": _when(rng),
            "budgetedCost": round(rng.uniform(0, 10000), 2), "actualCost": rng.randrange(5000),
            "isEmailMarketingCampaign": rng.random() < 0.5, "isIncludedInROI": True,
            "isMemberAllowedReEntry": False, "isReadOnly": False,
            "isSyncedWithCRM": rng.random() < 0.3, "crmId": None, "memberCount": rng.randrange(900),
            "runAsUserId": rng.choice(users),
            "elements": [_ref("CampaignEmail", cid * 100 + n, f"Email step {n}", emailId=e)
                         for n, e in enumerate(emails)],
            "fieldValues": [{"type": "FieldValue", "id": 7, "value": f"Owner {cid % 5}"}]}
    for lid in range(1, 16):
        assets["landingPages"][lid] = {
            **_asset(rng, "LandingPage", lid, f"Landing page {lid}", users),
            "micrositeId": 3, "relativePath": f"/lp/{lid}", "isHidden": False,
            "excludeFromAuthentication": True, "deployedAt": _when(rng),
            "htmlContent": {"type": "StructuredHtmlContent", "contentSource": "editor"},
            "forms": [_ref("Form", 1000 + lid % 12, f"Form {1000 + lid % 12}")]}
    for sid in range(1, 9):
        assets["segments"][sid] = {
            **_asset(rng, "ContactSegment", sid, f"Segment {sid}", users),
            "count": rng.randrange(500), "lastCalculatedAt": _when(rng),
            "isStale": rng.random() < 0.3,
            "elements": [_ref("ContactListSegmentElement", sid * 10, "Included list",
                              listId=101 + sid % 2)]}
    for xid in range(1, 11):
        assets["externals"][xid] = {
            **_asset(rng, "ExternalAsset", xid, f"Webinar {xid}", users),
            "externalAssetTypeId": rng.randrange(1, 4)}


def seed_forms(rest: RestData, store: Store, cfg: EmulatorConfig, rng: random.Random,
               users: list[int]) -> None:
    form_ids = list(range(1000, 1000 + cfg.rest_forms))
    field_id = 5000
    contacts = list(store.contacts)
    for fid in form_ids:
        fields = [_ref("FormField", field_id + k, label, htmlName=label.lower())
                  for k, label in enumerate(("Email", "FirstName", "Comments"))]
        field_id += 3
        rest.assets["forms"][fid] = {
            **_asset(rng, "Form", fid, f"Form {fid}", users), "htmlName": f"form{fid}",
            "processingType": "externalEmail", "emailAddressFormFieldId": fields[0]["id"],
            "submitFailedLandingPageId": None, "isHidden": False, "isResponsive": True,
            "elements": fields, "processingSteps": [_ref("FormStepCreateUpdateContact", 1,
                                                         "Update contact")],
            "html": f"<form name='form{fid}'></form>", "customCSS": "form{}"}
        rows: list[tuple[datetime, int | None]] = [
            (a["ActivityDate"], a["ContactId"]) for a in store.activities["FormSubmit"]
            if a.get("AssetId") == fid]
        rows += [(_when(rng), rng.choice(contacts) if contacts else None)
                 for _ in range(cfg.rest_submissions_per_form)]
        rest.form_data[fid] = []
        for n, (when, cid) in enumerate(sorted(rows, key=lambda r: r[0]), start=1):
            email = store.contacts[cid]["C_EmailAddress"] if cid else f"anon{n}@example.com"
            rest.form_data[fid].append({
                "type": "FormData", "id": n, "submittedAt": when.replace(microsecond=0),
                "submittedByContactId": cid,
                "fieldValues": [{"type": "FieldValue", "id": fields[0]["id"], "value": email},
                                {"type": "FieldValue", "id": fields[2]["id"],
                                 "value": f"Hi, \"form\" {fid}/{n} ✓"}]})


def seed_visitors(rest: RestData, store: Store, cfg: EmulatorConfig,
                  rng: random.Random) -> None:
    visits: dict[int, list[dict[str, Any]]] = {}
    for atype in ("WebVisit", "PageView"):
        for a in store.activities[atype]:
            visits.setdefault(a["VisitorId"], []).append(a)
    extra: list[tuple[int, list[dict[str, Any]]]] = [
        (10**6 + n, []) for n in range(cfg.rest_extra_visitors)]
    for n, (vid, acts) in enumerate([*sorted(visits.items()), *extra], start=1):
        dates = sorted(a["ActivityDate"].replace(microsecond=0) for a in acts) or [_when(rng)]
        contact = next((a["ContactId"] for a in acts if a["ContactId"]), None)
        rest.assets["visitors"][vid] = {
            "type": "VisitorViewData", "visitorId": vid, "id": n, "createdAt": dates[0],
            "contactId": contact,
            "externalId": acts[0]["VisitorExternalId"] if acts else f"V{vid:08x}",
            "currentStatus": "Awaiting action", "V_IPAddress": f"10.1.{n % 256}.9",
            "V_LastVisitDateAndTime": dates[-1], "V_FirstVisitDateAndTime": dates[0],
            "V_Browser_Type": rng.choice(["Chrome", "Firefox", None]), "V_CityFromIP": "Boston",
            "V_CountryFromIP": "US", "V_CountryName": "United States",
            "V_HostName": None, "V_FirstPageInVisit": "https://site.invalid/",
            "V_LastPageInVisit": f"https://site.invalid/p/{n}", "V_Total_Pages": len(acts) + 1,
            "V_Total_Visits": max(1, len(acts)), "V_Total_Time": rng.randrange(3600),
            "V_LatitudeFromIP": 42.36, "V_LongitudeFromIP": -71.06}


def seed_list_meta(rest: RestData, store: Store, rng: random.Random) -> None:
    for lid, member_list in store.contact_lists.items():
        created = datetime.fromisoformat(member_list.created_at.replace("Z", "+00:00")[:19]
                                         + "+00:00")
        rest.list_meta[lid] = {
            "description": f"{member_list.name} (seeded)", "folderId": 2201,
            "createdBy": 1, "updatedBy": 2, "createdAt": created,
            "updatedAt": _when(rng, created), "scope": "global",
            "dataLookupId": f"{rng.getrandbits(128):032x}", "permissions": list(PERMISSIONS)}


def seed_rest(store: Store, cfg: EmulatorConfig) -> RestData:
    """All REST data, derived from an already seeded Bulk store."""
    rng = random.Random(cfg.seed * 1009 + 17)
    rest = RestData()
    users = seed_users(rest, cfg, rng)
    seed_assets(rest, rng, users)
    seed_forms(rest, store, cfg, rng, users)
    seed_visitors(rest, store, cfg, rng)
    seed_list_meta(rest, store, rng)
    return rest
