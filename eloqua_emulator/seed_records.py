"""Seeded records: accounts, contacts, custom object records and activities (docs §3.3, §3.6).

Drawn from one `random.Random` in a fixed order (seed.py calls these in turn), so the same config
always yields the same records; values mix nulls, non-ASCII names, quotes and newlines on purpose.
"""

from __future__ import annotations

import random
from itertools import chain
from typing import Any

from .common import iso7
from .config import EmulatorConfig
from .meta import ACTIVITY_TYPE_FIELDS, ACTIVITY_TYPES, field_item
from .seed_clock import YEAR_MS, created_updated, local_ts, ts
from .store import CustomObject, Store

FIRST = [
    "Ana",
    "Bob",
    "Chloé",
    "Dmitri",
    "Eve",
    "Farah",
    "Gus",
    "Hana",
    "Ivan",
    "José",
    "Kai",
    "Lena",
    "Mia",
    "Noor",
]
LAST = [
    "Smith",
    "O'Brien",
    "Nguyen",
    "Müller",
    "García",
    "Kowalski",
    "Lee",
    "Dubois",
    "Rossi",
    "Tanaka",
    "Okafor",
]
COUNTRIES = ["US", "CA", "BE", "DE", "FR", "GB", "JP", "BR", "IN", "AU"]
CITIES = [
    "Boston",
    "Toronto",
    "Brussels",
    "Berlin",
    "Paris",
    "London",
    "Tokyo",
    "São Paulo",
    "Pune",
    "Sydney",
]
DOMAINS = ["example.com", "example.org", "test.example.net", "mail.example.io"]
COMPANIES = [
    "Acme",
    "Globex",
    "Initech",
    "Umbrella",
    "Hooli",
    "Stark",
    "Wayne",
    "Tyrell",
    "Cyberdyne",
    "Soylent",
]
CO_NAMES = ["Event Registrations", "Order Items (2024)", "Web Leads", "Web-Leads!"]
CO_FIELDS = [
    ("Record Key", "string"),
    ("Email Address", "emailAddress"),
    ("Full Name", "string"),
    ("Amount", "number"),
    ("Quantity", "number"),
    ("Is Active", "boolean"),
    ("Event Date", "date"),
    ("Notes", "string"),
]


def _ascii(name: str) -> str:
    """Email local parts stay ASCII: lower-case, accents and apostrophes dropped."""
    return name.lower().translate(_ASCII)


_ASCII = str.maketrans({"é": "e", "ü": "u", "í": "i", "'": None})


def _maybe(rng: random.Random, p_none: float, value: Any) -> Any:
    return None if rng.random() < p_none else value


def seed_accounts(store: Store, cfg: EmulatorConfig, rng: random.Random) -> None:
    for aid in range(1, cfg.accounts + 1):
        created, updated = created_updated(rng)
        k = rng.randrange(len(COUNTRIES))
        store.accounts[aid] = {
            "Id": aid,
            "CreatedAt": created,
            "UpdatedAt": updated,
            "M_CompanyName": f"{rng.choice(COMPANIES)} {aid}",
            "M_Address1": _maybe(rng, 0.2, f"{aid} Main St"),
            "M_City": CITIES[k],
            "M_State_Prov": _maybe(rng, 0.5, "ST"),
            "M_Zip_Postal": _maybe(rng, 0.3, f"{aid:05d}"),
            "M_Country": COUNTRIES[k],
            "M_BusPhone": _maybe(rng, 0.4, f"+1-555-{aid:04d}"),
            "M_Industry1": _maybe(rng, 0.3, rng.choice(["Software", "Retail", "Health"])),
            "M_Annual_Revenue1": _maybe(rng, 0.2, round(rng.uniform(1e4, 1e8), 2)),
            "M_Employees1": _maybe(rng, 0.2, rng.randrange(1, 50000)),
            "M_DateCreated": created,
            "M_DateModified": updated,
            "M_LastModifiedByExtIntegrateSystem": _maybe(rng, 0.7, updated),
            "CompanyIDExt": f"COMP{aid:08d}",
            "M_SFDCAccountID": _maybe(rng, 0.6, f"001A{aid:011d}"),
        }


EXTRA_TYPES = ("string", "number", "date")
EXTRA_POOL = 1 << 16  # pre-built (string, number, date) triples the extra fields draw from


def extra_pool(cfg: EmulatorConfig, rng: random.Random) -> list[tuple[Any, Any, Any]]:
    """Values for the generated extra fields, built once: a string `v0`..`v999`, a number in
    -500..499 and a custom date, each None 30% of the time.

    Every contact stores references into this pool instead of new objects, so a million
    contacts with hundreds of extra fields cost little more than their dicts.
    """
    rand = rng.random
    strings = [f"v{n}" for n in range(1000)]
    numbers = list(range(-500, 500))
    return [
        (
            None if rand() < 0.3 else strings[int(rand() * 1000)],
            None if rand() < 0.3 else numbers[int(rand() * 1000)],
            None if rand() < 0.3 else local_ts(int(rand() * YEAR_MS), cfg),
        )
        for _ in range(EXTRA_POOL)
    ]


def seed_contacts(store: Store, cfg: EmulatorConfig, rng: random.Random) -> None:
    # Extra fields come in string, number, date order (seed.py), so a run of triples drawn
    # from the pool fills them in order. They draw from their own Random: adding extra fields
    # leaves every other seeded value as it is without them.
    fields = [f for f in store.contact_fields if "_Extra_Field_" in f["internalName"]]
    if any(f["dataType"] != EXTRA_TYPES[i % 3] for i, f in enumerate(fields)):
        raise ValueError("extra contact fields must come in string, number, date order")
    extras = [f["internalName"] for f in fields]
    triples = -(-len(extras) // 3)
    extra_rng = random.Random(f"extra-contact-fields:{cfg.seed}")
    pool = extra_pool(cfg, extra_rng) if extras else []
    draw = extra_rng.choices
    rand = rng.random

    def randrange(a: int, b: int | None = None) -> int:
        return int(rand() * a) if b is None else a + int(rand() * (b - a))

    def choice(seq: list[str]) -> str:
        return seq[int(rand() * len(seq))]

    accounts = store.accounts
    for cid in range(1, cfg.contacts + 1):
        created, updated = created_updated(rng)
        first, last, k = choice(FIRST), choice(LAST), randrange(len(COUNTRIES))
        domain = choice(DOMAINS)
        aid = randrange(1, cfg.accounts + 1) if cfg.accounts and rand() < 0.75 else None
        if aid is not None:
            store.contact_account[cid] = aid
        rec: dict[str, Any] = {
            "Id": cid,
            "CreatedAt": created,
            "UpdatedAt": updated,
            "IsSubscribed": rand() < 0.8,
            "IsBounced": rand() < 0.05,
            "EmailFormat": "HTML" if rand() < 0.9 else "Plain Text",
            "C_EmailAddress": f"{_ascii(first)}.{_ascii(last)}{cid}@{domain}",
            "C_FirstName": first,
            "C_LastName": last,
            "C_Company": accounts[aid]["M_CompanyName"] if aid is not None else None,
            "C_Title": None
            if rand() < 0.2
            else choice(["CEO", "Engineer", "Analyst, Sr.", 'VP "Growth"']),
            "C_City": CITIES[k],
            "C_State_Prov": None if rand() < 0.5 else "ST",
            "C_Zip_Postal": None if rand() < 0.3 else f"{randrange(100000):05d}",
            "C_Country": COUNTRIES[k],
            "C_BusPhone": None if rand() < 0.3 else f"+1-555-{randrange(10000):04d}",
            "C_EmailAddressDomain": domain,
            "C_DateCreated": created,
            "C_DateModified": updated,
            "C_LastModifiedByExtIntegrateSystem": None if rand() < 0.7 else updated,
            "ContactIDExt": f"CPROD{cid:09d}",
            "C_SFDCContactID": None if rand() < 0.6 else f"003A{cid:011d}",
            "C_Lead_Score1": None if rand() < 0.1 else randrange(100),
            "C_Annual_Revenue1": None if rand() < 0.15 else round(rand() * 5e6, 2),
            "C_Opted_In1": None if rand() < 0.1 else rand() < 0.5,
            "C_Birthday1": None if rand() < 0.25 else local_ts(randrange(YEAR_MS), cfg),
        }
        if extras:
            rec.update(zip(extras, chain.from_iterable(draw(pool, k=triples)),
                           strict=False))
        store.contacts[cid] = rec


def seed_custom_objects(store: Store, cfg: EmulatorConfig, rng: random.Random) -> None:
    field_id = 91
    for n in range(cfg.custom_objects):
        co_id = 6 + n
        name = CO_NAMES[n] if n < len(CO_NAMES) else f"Custom Object #{n + 1}"
        fields, ids = [], []
        for label, dtype in CO_FIELDS:
            internal = "".join(c if c.isalnum() else "_" for c in label) + "1"
            fields.append(
                field_item(
                    label,
                    internal,
                    dtype,
                    f"{{{{CustomObject[{co_id}].Field[{field_id}]}}}}",
                    f"/customObjects/{co_id}/fields/{field_id}",
                    unique=label == "Record Key",
                    created_at="2023-02-01T10:00:00.0000000Z",
                    updated_at="2023-02-01T10:00:00.0000000Z",
                    updated_by="api.admin" if dtype == "date" else None,
                )
            )
            ids.append(field_id)
            field_id += 1
        meta = {
            "name": name,
            "description": f"{name} (seeded)",
            "uri": f"/customObjects/{co_id}",
            "displayNameFieldUri": f"/customObjects/{co_id}/fields/{ids[2]}",
            "emailAddressFieldUri": f"/customObjects/{co_id}/fields/{ids[1]}",
            "uniqueFieldUri": f"/customObjects/{co_id}/fields/{ids[0]}",
            "createdBy": "api.admin",
            "createdAt": "2023-02-01T10:00:00.0000000Z",
            "updatedBy": "api.admin",
            "updatedAt": iso7(ts(co_id * 86_400_000)),
        }
        co = CustomObject(co_id, name, meta, fields)
        for rid in range(1, cfg.custom_object_records + 1):
            created, updated = created_updated(rng)
            co.records[rid] = {
                "Id": rid,
                "ExternalId": None if rng.random() < 0.2 else f"X{co_id}-{rid:06d}",
                "CreatedAt": created,
                "UpdatedAt": updated,
                "Record_Key1": f"K{co_id}-{rid}",
                "Email_Address1": _maybe(rng, 0.1, f"co{rid}@example.com"),
                "Full_Name1": _maybe(rng, 0.1, f"{rng.choice(FIRST)} {rng.choice(LAST)}"),
                "Amount1": _maybe(rng, 0.2, round(rng.uniform(0, 1000), 2)),
                "Quantity1": _maybe(rng, 0.2, rng.randrange(1, 20)),
                "Is_Active1": _maybe(rng, 0.1, rng.random() < 0.5),
                "Event_Date1": _maybe(rng, 0.2, local_ts(rng.randrange(YEAR_MS), cfg)),
                "Notes1": _maybe(rng, 0.5, 'line one\nline two, with "quotes"'),
            }
        store.custom_objects[co_id] = co


def _activity_values(
    rng: random.Random, n: int, contact: dict[str, Any] | None, cfg: EmulatorConfig
) -> dict[str, Any]:
    r = rng.random
    return {
        "CampaignId": None if r() < 0.2 else rng.randrange(1, 60),
        "AssetType": "Email",
        "AssetId": rng.randrange(1000, 1100),
        "VisitorId": rng.randrange(1, 10**6),
        "VisitorExternalId": f"V{rng.randrange(10**8):08x}",
        "IpAddress": f"10.{n % 256}.{rng.randrange(256)}.7",
        "EmailRecipientId": f"{rng.getrandbits(128):032x}",
        "SubjectLine": f"Spring offer #{rng.randrange(9)}",
        "EmailWebLink": f"https://emulator.invalid/e/{n}",
        "DeploymentId": rng.randrange(5000, 6000),
        "EmailSendType": rng.choice(["Campaign", "Batch", "Test"]),
        "CampaignResponseDate": None if r() < 0.7 else local_ts(rng.randrange(YEAR_MS), cfg),
        "EmailClickedThruLink": f"https://emulator.invalid/l/{n}?a=1&b=2",
        "CRMCampaignId": None if r() < 0.5 else f"701A{n:011d}",
        "CampaignName": f"Campaign {rng.randrange(60)}",
        "SmtpErrorCode": "5.1.1",
        "SmtpStatusCode": "550",
        "SmtpMessage": "550 5.1.1 user unknown",
        "ReferrerUrl": None if r() < 0.3 else "https://search.invalid/?q=eloqua",
        "NumberOfPages": rng.randrange(1, 20),
        "FirstPageViewUrl": f"https://site.invalid/p/{n}",
        "Duration": rng.randrange(1, 3600),
        "WebVisitId": rng.randrange(1, 10**5),
        "Url": f"https://site.invalid/{n}",
        "IsWebTrackingOptedIn": r() < 0.5,
        "RawData": f"firstName=A{n}&email=x{n}%40example.com&comment=hi%2C+there",
        "CampaignResponseMemberStatus": None if r() < 0.7 else "Responded",
        "EmailAddress": contact["C_EmailAddress"] if contact else None,
        "AssetName": f"Asset {rng.randrange(100)}",
    }


def seed_activities(store: Store, cfg: EmulatorConfig, rng: random.Random) -> None:
    for atype in ACTIVITY_TYPES:
        keys = ACTIVITY_TYPE_FIELDS[atype]
        recs = store.activities[atype]
        activity_id = 0
        for n in range(cfg.activities_per_type):
            # EmailSend ActivityIds are not unique (docs §3.6): every 7th send repeats the previous
            # id.
            if not (atype == "EmailSend" and n % 7 == 6):
                activity_id += 1
            cid = rng.randrange(1, cfg.contacts + 1) if cfg.contacts else None
            if atype in ("WebVisit", "PageView") and rng.random() < 0.2:
                cid = None  # anonymous visitor
            contact = store.contacts.get(cid) if cid else None
            values = _activity_values(rng, n, contact, cfg)
            rec: dict[str, Any] = {ref: values.get(ref) for ref in keys}
            rec.update(
                ActivityId=activity_id,
                ActivityType=atype,
                ActivityDate=ts(rng.randrange(YEAR_MS)),
                ContactId=cid,
                ExternalId=store.new_external_id(),
            )
            if "AssetType" in rec and atype == "FormSubmit":
                rec["AssetType"] = "Form"
            recs.append(rec)
