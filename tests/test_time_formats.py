"""Eloqua's times come with 0 to 7 fractional digits, with `Z`, an offset or no zone at all
(eloqua-real-traffic.md, fact 7): every shape reads to the same instant."""

from __future__ import annotations

from datetime import datetime, timezone
from zoneinfo import ZoneInfo

import pytest

from tap_eloqua.rest.schema import to_datetime
from tap_eloqua.schema import Field
from tap_eloqua.values import converters

SHAPES = ["2021-07-05 19:51:36.397", "2021-07-05T19:51:36.3970000Z",
          "2021-07-05T19:51:36.3970000", "2021-07-05T19:51:36.397+00:00",
          "2021-07-05T21:51:36.3970000+02:00", "2021-07-05 19:51:36.3970001"]

INSTANT = datetime(2021, 7, 5, 19, 51, 36, 397000, tzinfo=timezone.utc)
EASTERN = datetime(2021, 7, 5, 23, 51, 36, 397000, tzinfo=timezone.utc)


@pytest.mark.parametrize("text", SHAPES)
def test_export_dates_read_in_every_shape(text: str):
    (_, utc), (_, local) = converters(
        [Field("UpdatedAt", "{{Contact.Field(C_DateModified)}}", "date", utc=True),
         Field("Birthday", "{{Contact.Field(C_Birthday1)}}", "date")],
        ZoneInfo("America/New_York"))
    assert datetime.fromisoformat(utc(text)) == INSTANT
    zoned = "+" in text[19:] or text.endswith("Z")
    # a zoneless value is the instance's wall time (Eastern, 4 hours behind UTC in July)
    assert datetime.fromisoformat(local(text)) == (INSTANT if zoned else EASTERN)


@pytest.mark.parametrize("text", ["2021-07-05T19:51:36.6270000Z", "2021-07-05T19:51:36.627Z",
                                  "2021-07-05T19:51:36.6270000", "1625514696.627"[:10]])
def test_rest_dates_read_in_every_shape(text: str):
    assert to_datetime(text)[:19] == "2021-07-05T19:51:36"
