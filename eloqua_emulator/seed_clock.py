"""The seeded calendar: every seeded date falls in 2024 UTC, as milliseconds after its start.

Shared by every seeder (seed_records.py, events.py, rest_seed.py) so their dates agree.
"""

from __future__ import annotations

import random
from datetime import datetime, timedelta

from .common import EASTERN, UTC
from .config import EmulatorConfig

YEAR_START = datetime(2024, 1, 1, tzinfo=UTC)
YEAR_MS = 366 * 86_400_000  # 2024 is a leap year


def ts(ms: int) -> datetime:
    """UTC datetime `ms` milliseconds after 2024-01-01."""
    return YEAR_START + timedelta(milliseconds=ms)


def local_ts(ms: int, cfg: EmulatorConfig) -> datetime:
    """A custom (non-system) date. These are always exported as US Eastern wall time, which cannot
    tell the two 01:xx hours of the November DST change apart; unless the config asks for such
    values, seeding moves them one hour later so exports round-trip exactly."""
    dt = ts(ms)
    if cfg.seed_ambiguous_local_dates:
        return dt
    local = dt.astimezone(EASTERN).replace(tzinfo=None, fold=0)
    if local.replace(tzinfo=EASTERN).astimezone(UTC) != dt:
        return dt + timedelta(hours=1)
    return dt


def created_updated(rng: random.Random) -> tuple[datetime, datetime]:
    """A record's CreatedAt and an UpdatedAt not before it, both within 2024."""
    r = rng.random
    c = int(r() * (YEAR_MS - 1))
    created = YEAR_START + timedelta(milliseconds=c)
    return created, created + timedelta(milliseconds=int(r() * (YEAR_MS - c)))
