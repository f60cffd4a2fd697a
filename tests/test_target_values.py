"""Instants the target writes in the instance's wall time. The tap writes a wall time whose UTC
instant is past 9999 with its offset (9999-12-31 23:00 in New York): it comes back as that wall
time; one that is no wall time of the zone is passed on as sent (Eloqua rejects the row, the
rejects file names it) instead of crashing."""

from __future__ import annotations

from zoneinfo import ZoneInfo

import pytest

from target_eloqua.values import local_date


@pytest.mark.parametrize(("text", "expected"), [
    ("2024-07-05T23:51:36Z", "2024-07-05 19:51:36"),
    ("2024-07-05T23:51:36.250+00:00", "2024-07-05 19:51:36.250"),
    ("9999-12-31T23:00:00-05:00", "9999-12-31 23:00:00"),
    ("0001-01-01T05:00:00+09:00", "0001-01-01T05:00:00+09:00"),
    ("0001-01-01T00:00:00Z", "0001-01-01T00:00:00Z"),
])
def test_instants_to_wall_time(text: str, expected: str):
    assert local_date(ZoneInfo("America/New_York"))(text) == expected
