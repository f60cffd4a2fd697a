"""The row converters (the generated Python one and the compiled one) handle common shapes
inline: they must give exactly what the reference converter of each type gives, for every shape,
in every kind of zone."""

from __future__ import annotations

import random
from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest

from tap_eloqua.schema import Field
from tap_eloqua.values import converters, row_converter

FIELDS = [Field("Id", "{{Contact.Id}}", "number", integer=True),
          Field("UpdatedAt", "{{Contact.UpdatedAt}}", "date", utc=True),
          Field("Local", "{{Contact.Field(C_Birthday1)}}", "date"),
          Field("Score", "{{Contact.Field(C_Score1)}}", "number"),
          Field("Opted", "{{Contact.Field(C_Opted1)}}", "boolean"),
          Field("Name", "{{Contact.Field(C_FirstName)}}", "string")]

ODD = ["", "2021-07-05T19:51:36.3970000Z", "2021-07-05T21:51:36.397+02:00",
       "2021-07-05 19:51:36.3970001", "07/05/2021 07:51:36 PM", "07/05/2021", "not a date",
       "2021-07-05T19:51:36", "2021-07-05 19:51:36.39", "2021-13-05 19:51:36", "12.5", "1e3",
       "-7", " 42 ", "1_000", "nan", "yes", "N", "TRUE", "maybe", "O'Brien \"x\""]


def _dates(rng: random.Random, count: int) -> list[str]:
    """Wall times over two years, every hour of the DST changes included."""
    start = datetime(2023, 1, 1)
    out = [f"{start + timedelta(hours=h):%Y-%m-%d %H}:{rng.randrange(60):02d}:"
           f"{rng.randrange(60):02d}" for h in range(0, 2 * 8760, 7)]
    for day in ("2024-03-10", "2024-11-03", "2024-03-31", "2024-10-27", "2024-04-07"):
        out += [f"{day} {h:02d}:30:00.250" for h in range(24)]
    out += [f"{start + timedelta(milliseconds=rng.randrange(63_072_000_000)):%Y-%m-%d %H:%M:%S.%f}"
            [:23] for _ in range(count)]
    return out


COMPILED = pytest.mark.parametrize("compiled", [False, True], ids=["python", "compiled"])


@COMPILED
@pytest.mark.parametrize("zone", ["America/New_York", "Europe/London", "Asia/Kolkata",
                                  "Australia/Lord_Howe", "UTC", "Pacific/Chatham"])
def test_inline_paths_give_what_the_reference_converters_give(zone: str, compiled: bool):
    rng = random.Random(zone)
    plan = converters(FIELDS, ZoneInfo(zone))
    reference = dict(converters(FIELDS, ZoneInfo(zone)))  # fresh caches: nothing shared
    convert = row_converter(plan, compiled=compiled)
    values = _dates(rng, 3000) + ODD + [str(rng.randrange(-10**6, 10**6)) for _ in range(200)]
    for value in values:
        row = {f.name: value for f in FIELDS}
        expected = {name: (reference[name](value) if value else None) for name in reference}
        assert convert(row) == expected, value
    assert convert({}) == dict.fromkeys(reference)


@COMPILED
def test_local_dates_read_to_the_right_instant_across_dst_and_midnight(compiled: bool):
    """The text path covers local hours whose UTC hour falls on the next day too."""
    zone = ZoneInfo("America/New_York")
    convert = row_converter(converters(FIELDS[2:3], zone), compiled=compiled)
    for text in ("2024-07-05 22:15:01.123", "2024-01-31 23:59:59", "2024-11-03 01:30:00",
                 "2024-12-31 20:00:00.007"):
        wall = datetime.fromisoformat(text).replace(tzinfo=zone)
        out = convert({"Local": text})["Local"]
        assert datetime.fromisoformat(out) == wall.astimezone(timezone.utc), text
        assert out.endswith("+00:00") and out[19:-6] == text[19:], out  # digits as sent


@pytest.mark.parametrize(("zone", "text", "expected"), [
    ("America/New_York", "9999-12-31 23:00:00", "9999-12-31T23:00:00-05:00"),
    ("Etc/GMT-9", "0001-01-01 05:00:00", "0001-01-01T05:00:00+09:00"),
    ("Etc/GMT+5", "0999-06-01 12:00:00", "0999-06-01T17:00:00+00:00"),
    ("Etc/GMT+5", "0999-06-01 12:00:00.250", "0999-06-01T17:00:00.250+00:00"),
    ("America/New_York", "9999-12-31T23:00:00-05:00", "9999-12-31T23:00:00-05:00"),
])
@COMPILED
def test_dates_at_the_ends_of_the_calendar(zone: str, text: str, expected: str, compiled: bool):
    """A sentinel such as 9999-12-31 23:00 in New York is in year 10000 in UTC: it keeps its
    offset (the same instant) instead of crashing the tap; years before 1000 keep 4 digits."""
    plan = converters(FIELDS[2:3], ZoneInfo(zone))
    assert plan[0][1](text) == expected
    assert row_converter(plan, compiled=compiled)({"Local": text}) == {"Local": expected}
