"""Eloqua's clock, not the tap's: skewed server clocks and late-visible rows lose nothing.

Eloqua stamps UpdatedAt with its own clock and a change reaches exports some time after its
stamp (eloqua-real-traffic.md, fact 11); windows must end at Eloqua's time minus a settle lag.
"""

from __future__ import annotations

import time
from email.utils import parsedate_to_datetime
from pathlib import Path

import pytest
import requests

from eloqua_emulator.clock import quantize
from tests.tap_runner import basic_config, run_tap

SMALL = {"contacts": 30, "accounts": 10, "activities_per_type": 5, "custom_objects": 1,
         "custom_object_records": 5}
SETTLE = 2.5  # seconds to wait after a change so it is past the lag and the Date rounding


def _change(emu, tag: str) -> tuple[int, int]:
    """Change one contact and one account not changed before; returns their Ids."""
    cid = emu.store.add("contacts", {"C_EmailAddress": f"{tag}@example.com",
                                     "C_FirstName": tag})
    aid = sorted(emu.store.accounts)[int(tag.rsplit("-", 1)[-1])]
    emu.store.update("accounts", aid, {"M_City": tag})
    return cid, aid


@pytest.mark.parametrize("offset", [90.0, -90.0])
def test_skewed_clock_and_late_rows_lose_and_repeat_nothing(make_emulator, tmp_path: Path,
                                                            offset: float):
    emu = make_emulator(**SMALL, clock_offset_seconds=offset, visibility_delay_seconds=0.5)
    config = basic_config(emu, activity_types=[], custom_objects=["none"])
    first = run_tap(config, tmp_path / "0")
    assert first.returncode == 0, first.stderr[-3000:]
    assert len(first.records("contacts")) == SMALL["contacts"]
    state = first.final_state
    expected_contacts: dict[str, int] = {}
    expected_accounts: dict[str, int] = {}
    seen_contacts: list[str] = []
    seen_accounts: list[str] = []
    n = 0
    for run in range(1, 5):
        if run < 4:  # three incremental runs with changes before them, then one to drain
            for _ in range(2):
                cid, aid = _change(emu, f"settled-{n}")
                expected_contacts[f"settled-{n}"], expected_accounts[f"settled-{n}"] = cid, aid
                n += 1
            time.sleep(SETTLE)
            # changed just before the run: still settling, must come with this run or the next
            cid, aid = _change(emu, f"late-{n}")
            expected_contacts[f"late-{n}"], expected_accounts[f"late-{n}"] = cid, aid
            n += 1
        else:
            time.sleep(SETTLE)
        result = run_tap(config, tmp_path / str(run), state=state)
        assert result.returncode == 0, result.stderr[-3000:]
        got_contacts = [r["C_FirstName"] for r in result.records("contacts")]
        got_accounts = [r["M_City"] for r in result.records("accounts")]
        for tag in expected_contacts:
            if tag.startswith("settled") and tag not in seen_contacts:
                assert tag in got_contacts, f"run {run} missed contact {tag}"
        seen_contacts += got_contacts
        seen_accounts += got_accounts
        state = result.final_state
    assert sorted(seen_contacts) == sorted(expected_contacts), "a contact was lost or repeated"
    assert sorted(seen_accounts) == sorted(expected_accounts), "an account was lost or repeated"


def test_date_header_follows_the_server_clock(make_emulator):
    emu = make_emulator(**SMALL, clock_offset_seconds=90.0)
    answer = requests.get(emu.base_url + "/api/bulk/2.0/contacts/fields", timeout=10)
    skew = parsedate_to_datetime(answer.headers["Date"]).timestamp() - time.time()
    assert 88 <= skew <= 91


def test_stored_times_are_quantized_to_a_300th_of_a_second(make_emulator):
    emu = make_emulator(**SMALL)
    endings = set()
    for i in range(25):
        rec = emu.store.update("contacts", sorted(emu.store.contacts)[i], {})
        endings.add(rec["UpdatedAt"].microsecond // 1000 % 10)
        time.sleep(0.001)
    assert endings <= {0, 3, 7}
    assert quantize(quantize(rec["UpdatedAt"])) == rec["UpdatedAt"]


def test_has_more_true_with_no_items_ends_paging(make_emulator, tmp_path: Path):
    emu = make_emulator(**SMALL, empty_page_mode="end")
    config = basic_config(emu, activity_types=[], custom_objects=["none"], page_size=7)
    result = run_tap(config, tmp_path, timeout=120)
    assert result.returncode == 0, result.stderr[-3000:]
    assert sorted(r["Id"] for r in result.records("contacts")) == sorted(emu.store.contacts)
