"""Eloqua's own clock: real time plus a settable offset, stored at SQL Server `datetime`
precision (1/300 s), and the delay before a change is visible to exports.

Real Eloqua stamps `UpdatedAt` with its clock, which is not the client's, and a change can
reach exports only some time after its stamp (eloqua-real-traffic.md, facts 7 and 11).
"""

from __future__ import annotations

import time
from datetime import datetime, timedelta, timezone
from email.utils import formatdate


def quantize(moment: datetime) -> datetime:
    """Round to 1/300 s as SQL Server `datetime` does: milliseconds end in 0, 3 or 7."""
    base = moment.replace(microsecond=0)
    ticks = round(moment.microsecond * 300 / 1_000_000)
    return base + timedelta(milliseconds=(ticks * 1000 + 150) // 300)


class ServerClock:
    """The emulated instance's clock; `offset_seconds` > 0 puts Eloqua ahead of the client."""

    def __init__(self, offset_seconds: float = 0.0, visibility_delay_seconds: float = 0.0) -> None:
        self.offset_seconds = offset_seconds
        self.visibility_delay_seconds = visibility_delay_seconds

    def timestamp(self) -> float:
        return time.time() + self.offset_seconds

    def precise(self) -> datetime:
        """Eloqua's now, unquantized (creation answers show it with 7 digits)."""
        return datetime.fromtimestamp(self.timestamp(), timezone.utc)

    def now(self) -> datetime:
        """Eloqua's now as it is stored."""
        return quantize(self.precise())

    def creation_stamp(self, lead_seconds: float) -> str:
        """The `createdAt` a creation answer shows: 7 real fractional digits, some time after
        the value stored (and later reads show). Real POST /syncs answers run about 0.8 s
        ahead of the sync's stored createdAt (grouparoo recordings: 08.9083599Z vs 08.1Z)."""
        moment = self.precise() + timedelta(seconds=lead_seconds)
        tick = (moment.microsecond * 7 + 3) % 10      # the 100 ns digit .NET adds
        return f"{moment:%Y-%m-%dT%H:%M:%S}.{moment.microsecond:06d}{tick}Z"

    def http_date(self) -> str:
        """The `Date` header: Eloqua's time at one-second resolution."""
        return formatdate(self.timestamp(), usegmt=True)

    def visible(self, stamp: datetime | None) -> bool:
        """Whether a change stamped `stamp` has reached exports yet."""
        if stamp is None or self.visibility_delay_seconds <= 0:
            return True
        return stamp.timestamp() <= self.timestamp() - self.visibility_delay_seconds
