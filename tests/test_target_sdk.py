"""The Singer SDK's standard target tests, each stream loaded into its own emulator custom object.

The SDK's test streams (`test_duplicate_records`, `TestCamelcase`, ...) name no Eloqua object, so
the config maps each one to a custom object made for it, whose fields carry the streams'
property names; `field_map` sends each stream's key property to the object's unique field.
Nested objects and arrays land as JSON text. After each run, `validate` reads the emulator.

Excluded, as target-postgres does for what its database cannot hold:
* camelcase_complex_schema: a Salesforce-shaped stream of 15 properties with no Eloqua fields to
  receive them; unknown properties are covered by tests/test_target_mapping.py.
* schema_no_properties: its records carry no key at all, so there is nothing to upsert on.
"""

from __future__ import annotations

import atexit
import json
import tempfile
from importlib import resources
from pathlib import Path
from typing import Any

import pytest
from singer_sdk.testing import get_target_test_class
from singer_sdk.testing import target_test_streams as streams_pkg
from singer_sdk.testing import target_tests as std
from singer_sdk.testing.suites import SingerTestSuite

from eloqua_emulator import EloquaEmulator, EmulatorConfig
from eloqua_emulator.meta import field_item
from eloqua_emulator.store import CustomObject
from target_eloqua.target import TargetEloqua
from tests.target_runner import FAST_SYNCS, target_config

FIELDS = [("Record Id", "string"), ("metric", "number"), ("info", "string"),
          ("optional", "string"), ("name", "string"), ("email", "string"), ("a1", "number"),
          ("a2", "string"), ("a3", "boolean"), ("a4", "string"), ("a5", "string"),
          ("a6", "number"), ("fruits", "string"), ("strings", "string"),
          ("clientName", "string"), ("d", "string")]
KEYS = {"TestCamelcase": "Id", "test:SpecialChars!in?attributes": "_id"}
STREAMS = ["test_array_data", "TestCamelcase", "test_duplicate_records", "test_strings",
           "test_strings_in_objects", "test_strings_in_arrays", "test_no_pk",
           "test_optional_attributes", "example_stream", "test_record_missing_key_property",
           "record_missing_fields", "test_schema_updates", "test:SpecialChars!in?attributes",
           "test_record_before_schema"]


def _add_custom_object(emu: EloquaEmulator, co_id: int, name: str) -> None:
    items = []
    for n, (label, dtype) in enumerate(FIELDS):
        internal = label.replace(" ", "_") + "1"
        items.append(field_item(label, internal, dtype,
                                f"{{{{CustomObject[{co_id}].Field[{co_id * 100 + n}]}}}}",
                                f"/customObjects/{co_id}/fields/{co_id * 100 + n}",
                                unique=n == 0))
    meta = {"name": name, "uri": f"/customObjects/{co_id}",
            "uniqueFieldUri": items[0]["uri"], "createdBy": "api.admin",
            "createdAt": "2023-02-01T10:00:00.0000000Z", "updatedBy": "api.admin",
            "updatedAt": "2023-02-01T10:00:00.0000000Z"}
    emu.store.custom_objects[co_id] = CustomObject(co_id, name, meta, items)


# The SDK builds the test class at import time from a config, so the emulator starts here.
_EMU = EloquaEmulator(EmulatorConfig(contacts=5, accounts=2, activities_per_type=0,
                                     custom_objects=0, **FAST_SYNCS)).start()
atexit.register(_EMU.stop)
for _n, _stream in enumerate(STREAMS):
    _add_custom_object(_EMU, 100 + _n, f"SDK {_stream}")
_CONFIG = target_config(_EMU, Path(tempfile.mkdtemp(prefix="target-sdk-")), streams={
    s: {"object": f"SDK {s}", "field_map": {KEYS.get(s, "id"): "Record Id"}} for s in STREAMS})


def stored(stream: str) -> dict[str, dict[str, Any]]:
    """The records loaded for a stream, by key, with field display names."""
    co = _EMU.store.custom_objects[100 + STREAMS.index(stream)]
    names = {f["internalName"]: f["name"] for f in co.fields}
    return {r["Record_Id1"]: {names.get(k, k): v for k, v in r.items()}
            for r in co.records.values()}


def sent(name: str) -> list[dict[str, Any]]:
    text = (resources.files(streams_pkg) / f"{name}.singer").read_text(encoding="utf8")
    return [m for m in map(json.loads, text.splitlines()) if m.get("type") == "RECORD"]


def as_loaded(value: Any) -> Any:
    """How a record value reads back from Eloqua: nested values are JSON text."""
    return json.dumps(value) if isinstance(value, (dict, list)) else value


class _LastWins:
    """Validate that every stream of the file holds each key's last record, value by value."""

    name: str

    def validate(self) -> None:
        expected: dict[tuple[str, str], dict[str, Any]] = {}
        for message in sent(self.name):
            key_prop = KEYS.get(message["stream"], "id")
            key = str(message["record"][key_prop])
            expected.setdefault((message["stream"], key), {}).update(message["record"])
        for (stream, key), values in expected.items():
            record = stored(stream)[key]
            for prop, value in values.items():
                if prop == KEYS.get(stream, "id"):
                    continue
                loaded = record[prop]
                if isinstance(value, (dict, list)):
                    assert json.loads(loaded) == value, (stream, key, prop)
                else:
                    assert loaded == value, (stream, key, prop)


class ArrayData(_LastWins, std.TargetArrayData):
    pass


class Camelcase(_LastWins, std.TargetCamelcaseTest):
    pass


class DuplicateRecords(_LastWins, std.TargetDuplicateRecords):
    def validate(self) -> None:
        super().validate()
        assert {k: r["metric"] for k, r in stored("test_duplicate_records").items()} == {
            "1": 100, "2": 20}


class EncodedStrings(_LastWins, std.TargetEncodedStringData):
    pass


class NoPrimaryKeys(_LastWins, std.TargetNoPrimaryKeys):
    pass


class OptionalAttributes(_LastWins, std.TargetOptionalAttributes):
    def validate(self) -> None:
        super().validate()
        assert stored("test_optional_attributes")["2"]["optional"] is None


class PrimaryKeyUpdates(_LastWins, std.TargetPrimaryKeyUpdates):
    pass


class MissingFields(_LastWins, std.TargetRecordMissingOptionalFields):
    pass


class SchemaUpdates(_LastWins, std.TargetSchemaUpdates):
    pass


class SpecialChars(_LastWins, std.TargetSpecialCharsInAttributes):
    pass


SUITE = SingerTestSuite(kind="target", tests=[
    std.TargetCliPrintsTest, ArrayData, Camelcase, DuplicateRecords, EncodedStrings,
    std.TargetInvalidSchemaTest, NoPrimaryKeys, OptionalAttributes, PrimaryKeyUpdates,
    std.TargetRecordBeforeSchemaTest, std.TargetRecordMissingKeyProperty, MissingFields,
    SchemaUpdates, SpecialChars,
])

_Base = get_target_test_class(TargetEloqua, config=_CONFIG, include_target_tests=False,
                              custom_suites=[SUITE])


class TestTargetEloquaStandard(_Base):  # type: ignore[misc, valid-type]
    """The SDK's target suite against the emulator."""

    @pytest.fixture
    def resource(self) -> Any:
        yield _EMU
        assert _EMU.live_definitions() == []
