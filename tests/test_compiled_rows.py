"""The compiled row typing (tap_eloqua/_rows.c) against the generated Python converter: the
same records, byte for byte once encoded, for rows as Eloqua sends them and for every other
shape of row, which it must hand back to the Python path rather than misread."""

from __future__ import annotations

import json
import random
from typing import Any
from zoneinfo import ZoneInfo

import orjson
import pytest

from tap_eloqua import values
from tap_eloqua.schema import Field
from tap_eloqua.values import converters, row_converter

FIELDS = [Field("Id", "{{Contact.Id}}", "number", integer=True),
          Field("CreatedAt", "{{Contact.CreatedAt}}", "date", utc=True),
          Field("C_EmailAddress", "{{Contact.Field(C_EmailAddress)}}", "emailAddress"),
          Field("C_Birthday", "{{Contact.Field(C_Birthday)}}", "date"),
          Field("C_Revenue", "{{Contact.Field(C_Revenue)}}", "number"),
          Field("C_Opted", "{{Contact.Field(C_Opted)}}", "boolean"),
          Field("C_City", "{{Contact.Field(C_City)}}", "string")]
SHAPES = {
    "Id": ["1", "-7", "+12", "007", "123456789012345678", "1234567890123456789012", " 42 ",
           "1_000", "12.0", "x", "", "٣"],
    "CreatedAt": ["2024-03-10 02:30:00", "2024-03-10 02:30:00.123", "2024-03-10T02:30:00Z",
                  "03/10/2024", "2024-03-10 02:30", "", "\uff12\uff10\uff12\uff14-03-10 02:30:00"],
    "C_EmailAddress": ["a@example.com", "", "é@example.com", "\\u0000"],
    "C_Birthday": ["2024-03-10 02:30:00", "2024-11-03 01:30:00.500", "1999-12-31 23:59:59",
                   "9999-12-31 23:00:00", "2024-07-05T19:51:36.397+02:00", "bad", ""],
    "C_Revenue": ["2658601.23", "1e3", "-0", "12", "nan", "1.5.5", "", "99999999999999999999"],
    "C_Opted": ["true", "False", "yes", "", "maybe"],
    "C_City": ["London", "", "Zürich", "O'Brien \"x\""],
}


def _encode(record: dict[str, Any]) -> str:
    """Exact and in key order (orjson refuses integers past 64 bits, which Eloqua can send)."""
    return json.dumps(record, separators=(",", ":"))


def _outcome(convert: Any, row: dict[str, Any]) -> str:
    """The encoded record, or the error the converter raised (the same on both paths)."""
    try:
        return _encode(convert(row))
    except (TypeError, AttributeError) as exc:  # values that are not strings, on both paths
        return f"{type(exc).__name__}: {exc}"


def _plan() -> list[tuple[str, Any]]:
    return converters(FIELDS, ZoneInfo("America/New_York"))


def _rows(rng: random.Random, count: int) -> list[dict[str, Any]]:
    return [{f.name: rng.choice(SHAPES[f.name]) for f in FIELDS} for _ in range(count)]


def test_the_compiled_typing_was_built():
    """Installs with a C compiler build it (hatch_build.py); this suite's install has one."""
    assert values.CompiledRowConverter is not None, (
        "tap_eloqua._rows is missing: install gcc and the Python headers, then reinstall")


def test_a_page_as_eloqua_sends_it_is_typed_in_place_as_python_types_it():
    rng = random.Random(1)
    page = orjson.dumps({"items": _rows(rng, 3000)})
    python, compiled = row_converter(_plan(), compiled=False), row_converter(_plan(), compiled=True)
    expected = [_encode(python(row)) for row in orjson.loads(page)["items"]]
    rows = orjson.loads(page)["items"]   # orjson reuses key objects from row to row
    typed = [compiled(row) for row in rows]
    assert all(out is row for out, row in zip(typed, rows, strict=True))  # no copy was made
    assert [_encode(out) for out in typed] == expected


@pytest.mark.parametrize("shape", ["shuffled", "missing", "extra", "renamed", "not str",
                                   "not a dict"])
def test_other_rows_are_copied_or_handed_to_python(shape: str):
    rng = random.Random(shape)
    python, compiled = row_converter(_plan(), compiled=False), row_converter(_plan(), compiled=True)
    for seeded in _rows(rng, 500):
        row = seeded
        if shape == "shuffled":
            keys = list(seeded)
            rng.shuffle(keys)
            row = {key: seeded[key] for key in keys}
        elif shape == "missing":
            del row[rng.choice(list(row))]
        elif shape == "extra":
            row["C_Unmapped"] = "x"
        elif shape == "renamed":
            row = {("c_city" if key == "C_City" else key): value
                   for key, value in seeded.items()}
        elif shape == "not str":
            row[rng.choice(list(row))] = rng.choice([None, 5, 2.5, True, ["x"]])
        before = dict(row)
        expected = _outcome(python, row)
        assert row == before
        given = type("Row", (dict,), {})(row) if shape == "not a dict" else row
        assert _outcome(compiled, given) == expected, row


def test_errors_of_a_converter_reach_the_caller():
    def broken(value: str) -> Any:
        raise KeyError(value)

    plan = [("Id", values._integer), ("Odd", broken)]
    compiled = row_converter(plan, compiled=True)
    assert compiled({"Id": "3", "Odd": ""}) == {"Id": 3, "Odd": None}
    with pytest.raises(KeyError):
        compiled({"Id": "3", "Odd": "x"})
    with pytest.raises(TypeError):
        compiled({}, {})  # type: ignore[call-arg]
