"""Syncs are polled from about 1 s, backing off (eloqua-real-traffic.md, fact 8): a small real
sync takes 1-3 s, so asking four times a second only spends the instance's request budget."""

from __future__ import annotations

from eloqua_bulk import BulkClient
from eloqua_bulk.config import session_from
from tests.tap_runner import basic_config

BODY = {"name": "poll pace", "fields": {"Id": "{{Contact.Id}}"},
        "areSystemTimestampsInUTC": True}


def test_a_two_and_a_half_second_sync_is_read_at_most_four_times(make_emulator):
    emu = make_emulator(contacts=3, accounts=1, activities_per_type=0, custom_objects=0,
                        sync_pending_seconds=1.0, sync_active_seconds=1.5)
    client = BulkClient(session_from(basic_config(emu), user_agent="tests"))
    definition = client.create_definition("/contacts/exports", BODY)["uri"]
    sync = client.create_sync(definition)
    result = client.wait(sync, "contacts")
    assert result.status == "success"
    reads = [p for m, p, _ in emu.request_log if m == "GET" and p.endswith(f"/bulk/2.0{sync}")]
    # at 0 s, 1 s, 2 s, 3 s; a 0.25 s start would read it six times by 2.7 s
    assert 3 <= len(reads) <= 4, reads
    client.cleanup()


def test_a_five_second_sync_is_seen_within_a_second_of_being_ready(make_emulator):
    """The first 10 s are polled every second: a chain of activity syncs (one at a time, as
    Oracle asks) would otherwise wait up to 2 s after each one (at 4.4 s, then 7.1 s)."""
    emu = make_emulator(contacts=3, accounts=1, activities_per_type=0, custom_objects=0,
                        sync_pending_seconds=1.0, sync_active_seconds=4.5)
    client = BulkClient(session_from(basic_config(emu), user_agent="tests"))
    definition = client.create_definition("/contacts/exports", BODY)["uri"]
    sync = client.create_sync(definition)
    assert client.wait(sync, "contacts").status == "success"
    reads = [p for m, p, _ in emu.request_log if m == "GET" and p.endswith(f"/bulk/2.0{sync}")]
    # at 0, 1, 2, 3, 4, 5 and 6 s (ready at 5.5 s); backing off from the start reads it 5 times
    assert 6 <= len(reads) <= 8, reads
    client.cleanup()
