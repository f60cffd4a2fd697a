"""Cleanup at exit deletes every definition, including one another thread is creating then."""

from __future__ import annotations

from typing import Any

import pytest

from eloqua_bulk import BulkClient, EloquaError
from eloqua_bulk.config import session_from
from tests.tap_runner import basic_config

BODY = {"name": "cleanup test", "fields": {"Id": "{{Contact.Id}}"},
        "areSystemTimestampsInUTC": True}


def _client(emu: Any) -> BulkClient:
    return BulkClient(session_from(basic_config(emu), user_agent="tests"))


def test_no_definition_is_created_once_cleanup_began(make_emulator):
    emu = make_emulator(contacts=3, accounts=1, activities_per_type=0, custom_objects=0)
    client = _client(emu)
    client.create_definition("/contacts/exports", BODY)
    client.cleanup()
    assert emu.live_definitions() == []
    with pytest.raises(EloquaError, match="run is ending"):
        client.create_definition("/contacts/exports", BODY)
    assert emu.live_definitions() == []


def test_a_definition_created_while_cleanup_runs_deletes_itself(make_emulator):
    emu = make_emulator(contacts=3, accounts=1, activities_per_type=0, custom_objects=0)
    client = _client(emu)
    request = client.session.request

    def cleanup_starts_during_the_post(method: str, path: str, **kwargs: Any) -> Any:
        answer = request(method, path, **kwargs)
        if method == "POST":
            client.cleanup()          # another thread's cleanup lists the definitions now
        return answer

    client.session.request = cleanup_starts_during_the_post  # type: ignore[method-assign]
    with pytest.raises(EloquaError, match="run is ending"):
        client.create_definition("/contacts/exports", BODY)
    assert emu.live_definitions() == []
