"""Deterministic seed data: contacts, accounts, custom objects, activities and lists, all dated in
2024 UTC.

Everything derives from `config.seed`, so two emulators with the same config hold identical data.
This module builds the Store in a fixed order (field metadata, then the records of
seed_records.py, lists, events and REST data); the calendar is seed_clock.py.
"""

from __future__ import annotations

import random

from .config import EmulatorConfig
from .events import seed_campaign_responses, seed_events
from .meta import ACCOUNT_FIELDS, CONTACT_FIELDS, field_item
from .rest_seed import seed_rest
from .seed_records import (
    EXTRA_TYPES,
    seed_accounts,
    seed_activities,
    seed_contacts,
    seed_custom_objects,
)
from .store import MemberList, Store


def seed_metadata(store: Store, cfg: EmulatorConfig) -> None:
    """Contact and account field items (ids 100001.. and 100501..), plus generated extra contact
    fields.
    """
    for n, (internal, name, dtype, ro, uniq) in enumerate(CONTACT_FIELDS, start=1):
        custom = internal.endswith("1") and internal.startswith("C_")
        store.contact_fields.append(
            field_item(
                name,
                internal,
                dtype,
                f"{{{{Contact.Field({internal})}}}}",
                f"/contacts/fields/{100000 + n}",
                read_only=ro,
                unique=uniq,
                not_null=internal == "C_EmailAddress",    # as real instances report it
                created_at="2023-03-14T15:09:26.5350000Z"
                if custom
                else "1900-01-01T05:00:00.0000000Z",
                updated_at="2023-06-16T14:43:50.8100000Z"
                if custom
                else "1900-01-01T05:00:00.0000000Z",
                updated_by="MgrPlatformTeamPod1" if n % 3 == 0 else None,
            )
        )
    for i in range(cfg.extra_contact_fields):
        dtype = EXTRA_TYPES[i % 3]
        internal = f"C_Extra_Field_{i + 1:05d}1"
        store.contact_fields.append(
            field_item(
                f"Extra Field {i + 1}",
                internal,
                dtype,
                f"{{{{Contact.Field({internal})}}}}",
                f"/contacts/fields/{110001 + i}",
                created_at="2023-09-01T12:00:00.0000000Z",
                updated_at="2023-09-01T12:00:00.0000000Z",
            )
        )
    for n, (internal, name, dtype, ro, uniq) in enumerate(ACCOUNT_FIELDS, start=1):
        store.account_fields.append(
            field_item(
                name,
                internal,
                dtype,
                f"{{{{Account.Field({internal})}}}}",
                f"/accounts/fields/{100500 + n}",
                read_only=ro,
                unique=uniq,
                updated_by="MgrPlatformTeamPod1" if n % 4 == 0 else None,
            )
        )


def seed_lists(store: Store, cfg: EmulatorConfig, rng: random.Random) -> None:
    ids = list(store.contacts)
    store.contact_lists[101] = MemberList(
        101,
        "Newsletter Subscribers",
        {i for i in ids if i % 3 == 0},
        "2024-02-01T09:00:00.0000000Z",
    )
    store.contact_lists[102] = MemberList(
        102, "Event Attendees", set(rng.sample(ids, len(ids) // 10)), "2024-03-01T09:00:00.0000000Z"
    )
    accts = list(store.accounts)
    store.account_lists[201] = MemberList(
        201, "Key Accounts", set(accts[::4]), "2024-02-01T09:00:00.0000000Z"
    )


def seed_store(cfg: EmulatorConfig) -> Store:
    """Build a fully seeded Store from the config."""
    store = Store()
    rng = random.Random(cfg.seed)
    seed_metadata(store, cfg)
    seed_accounts(store, cfg, rng)
    seed_contacts(store, cfg, rng)
    seed_custom_objects(store, cfg, rng)
    seed_activities(store, cfg, rng)
    seed_lists(store, cfg, rng)
    seed_events(store, cfg)
    seed_campaign_responses(store)
    store.rest = seed_rest(store, cfg)
    return store
