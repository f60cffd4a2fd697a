"""EmulatorConfig: every knob tests may turn, with documented Eloqua defaults."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass
class EmulatorConfig:
    """Sizes of the seeded data, credentials, timings and limits of one emulator instance."""

    seed: int = 7
    contacts: int = 500
    accounts: int = 100
    activities_per_type: int = 200
    custom_objects: int = 4
    custom_object_records: int = 50
    extra_contact_fields: int = 0
    # Custom dates are exported as Eastern wall time, ambiguous in the repeated November hour;
    # False keeps seeded custom dates out of that hour so exports round-trip exactly.
    seed_ambiguous_local_dates: bool = False

    host: str = "127.0.0.1"
    login_port: int = 0
    pod_port: int = 0

    site_name: str = "EmulatorSite"
    username: str = "api.user"
    password: str = "Emulator-Pa55word!"
    client_id: str = "emulator-client-id"
    client_secret: str = "emulator-client-secret"
    access_token_ttl: float = 28800.0
    # Eloqua 18D: one OAuth authorization (authorization_code or password grant) per minute per
    # user per app; a second within the window answers 429 with Retry-After. Refresh grants are
    # not authorizations and are not throttled. Tests with short-lived tokens shorten this.
    authorization_window_seconds: float = 60.0

    sync_pending_seconds: float = 0.05
    sync_active_seconds: float = 0.1
    slow_sync_seconds: float = 0.0
    error_status_literal: str = "error"
    activity_export_cap: int = 5_000_000
    default_retention: str = "PT12H"
    shuffle_rows: bool = True
    import_max_bytes: int = 32 * 1024 * 1024  # a larger data POST answers 404 (docs §5.2)
    import_max_pushes: int = 500              # data POSTs per sync; the next one answers 400

    # Eloqua's clock = real time + this (fact 11); changes reach exports this long after their
    # UpdatedAt stamp (small by default so tests stay fast; real instances vary).
    clock_offset_seconds: float = 0.0
    visibility_delay_seconds: float = 0.2
    # how far a creation answer's createdAt (7 digits) runs ahead of the stored one (fact 7)
    creation_echo_lead_seconds: float = 0.8
    # "" or "end": data pages answer hasMore: true up to and past the last row (pyeloqua #47)
    empty_page_mode: str = ""

    fault_sleep_seconds: float = 2.0
    max_consecutive_faults: int = 3

    # REST Application API data and Bulk events (rest_seed.py, events.py)
    rest_forms: int = 12
    rest_submissions_per_form: int = 8
    rest_extra_visitors: int = 0
    # REST lists the API user's security group may not read, comma-separated paths below
    # /api/REST/{version}/ (e.g. "system/users,data/form"): they and every path below them
    # answer 403 "Forbidden" as Eloqua does (HTTP status page, eloqua-bulk-api.md section 7.1).
    rest_denied: str = ""
    events: int = 3
    event_records: int = 25
