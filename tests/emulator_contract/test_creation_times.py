"""Creation answers as real Eloqua gives them (grouparoo recordings, eloqua-real-traffic.md
fact 7): a 201's `createdAt` has 7 real fractional digits and runs ahead of the value stored,
which later reads show quantized to 1/300 s (`08.9083599Z` answered, `08.1000000Z` read)."""

from __future__ import annotations

import re
from datetime import datetime

from tests.emulator_contract.support import Api

PRECISE = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{7}Z$")
STORED = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d\d[037]0000Z$")


def _at(text: str) -> datetime:
    return datetime.fromisoformat(text[:26] + "+00:00")


def test_definition_and_sync_creation_answers_run_ahead_of_later_reads(api: Api):
    made = api("POST", "/contacts/imports", json={
        "name": "times", "fields": {"email": "{{Contact.Field(C_EmailAddress)}}"},
        "identifierFieldName": "email"})
    assert made.status_code == 201
    definition = made.json()
    assert PRECISE.match(definition["createdAt"])
    assert definition["createdAt"] == definition["updatedAt"]
    answered = api("POST", "/syncs", json={"syncedInstanceUri": definition["uri"]}).json()
    assert list(answered) == ["syncedInstanceUri", "status", "createdAt", "createdBy", "uri"]
    assert PRECISE.match(answered["createdAt"]) and answered["status"] == "pending"
    read = api.wait(answered["uri"])
    assert STORED.match(read["createdAt"]), read["createdAt"]
    assert _at(answered["createdAt"]) > _at(read["createdAt"])
    for key in ("syncStartedAt", "syncEndedAt"):
        assert STORED.match(read[key]), read
    export = api("POST", "/contacts/exports", json={
        "name": "times", "fields": {"Id": "{{Contact.Id}}"}}).json()
    answered = api("POST", "/syncs", json={"syncedInstanceUri": export["uri"]}).json()
    read = api.wait(answered["uri"])
    assert _at(answered["createdAt"]) > _at(read["createdAt"])
