"""The reverse path: a contacts table in PostgreSQL -> `meltano run tap-postgres target-eloqua` ->
the contacts are in Eloqua (the emulator), upserted on the email address."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from eloqua_emulator import EloquaEmulator, EmulatorConfig
from tests.expected import EASTERN
from tests.pipeline.support import Meltano, MeltanoRun, Postgres, emulator_env, postgres_env

DATABASE = "crm"
EXISTING_ID = 5  # a seeded contact whose email the CRM table also has

ROWS = [
    # crm_id, email, first, last, company, city, lead score, revenue, opted in, birthday
    ("CRM-1001", "ada.lovelace@example.net", "Ada", "Lovelace", "Analytical", "London", 91,
     "1250000.50", True, "1990-12-10"),
    ("CRM-1002", "grace.hopper@example.net", "Grace", "Hopper", "Navy", "Arlington", 88,
     "980000.00", False, "1986-12-09"),
    ("CRM-1003", "alan.turing@example.net", "Alan", "Turing", "Bletchley", "Wilmslow", None,
     None, None, None),
]


def sql_literal(value: Any) -> str:
    if value is None:
        return "NULL"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    return "'" + str(value).replace("'", "''") + "'"


@pytest.fixture(scope="module")
def crm(postgres: Postgres) -> Postgres:
    postgres.create_database(DATABASE)
    postgres.psql(
        "CREATE SCHEMA crm; CREATE TABLE crm.contacts (crm_id text PRIMARY KEY, email text NOT "
        "NULL, first_name text, last_name text, company text, city text, lead_score integer, "
        "annual_revenue numeric(14, 2), opted_in boolean, birthday date)", DATABASE)
    values = ", ".join("(" + ", ".join(sql_literal(v) for v in row) + ")" for row in ROWS)
    postgres.psql(f"INSERT INTO crm.contacts VALUES {values}", DATABASE)
    return postgres


@pytest.fixture(scope="module")
def reverse_emulator() -> Iterator[EloquaEmulator]:
    emu = EloquaEmulator(EmulatorConfig(seed=7, contacts=60, accounts=5, activities_per_type=2,
                                        custom_objects=1, custom_object_records=2))
    emu.start()
    yield emu
    emu.stop()


def run_reverse(meltano: Meltano, crm: Postgres, emu: EloquaEmulator, rejects: Path) -> MeltanoRun:
    run = meltano.run("run", "tap-postgres", "target-eloqua", env={
        **emulator_env(emu),
        **postgres_env("TAP_POSTGRES", crm, DATABASE),
        "TARGET_ELOQUA_REJECTS_FILE": str(rejects),
    })
    assert run.returncode == 0, run.failure()
    return run


@pytest.fixture(scope="module")
def first_push(meltano: Meltano, crm: Postgres, reverse_emulator: EloquaEmulator,
               tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    existing_email = reverse_emulator.store.contacts[EXISTING_ID]["C_EmailAddress"]
    crm.psql("INSERT INTO crm.contacts (crm_id, email, first_name, city) VALUES "
             f"('CRM-2000', {sql_literal(existing_email)}, 'Renamed', 'Ghent')", DATABASE)
    seeded = len(reverse_emulator.store.contacts)
    rejects = Path(tmp_path_factory.mktemp("rejects")) / "rejects.jsonl"
    run = run_reverse(meltano, crm, reverse_emulator, rejects)
    return {"run": run, "seeded": seeded, "existing_email": existing_email, "rejects": rejects}


def contacts_by_email(emu: EloquaEmulator) -> dict[str, list[dict[str, Any]]]:
    out: dict[str, list[dict[str, Any]]] = {}
    for record in emu.store.contacts.values():
        out.setdefault(str(record["C_EmailAddress"]).lower(), []).append(record)
    return out


def test_new_crm_contacts_are_created_in_eloqua(first_push: dict[str, Any],
                                                reverse_emulator: EloquaEmulator):
    by_email = contacts_by_email(reverse_emulator)
    for crm_id, email, first, last, company, city, score, revenue, opted_in, birthday in ROWS:
        matches = by_email.get(email, [])
        assert len(matches) == 1, f"{email}: {len(matches)} contacts"
        contact = matches[0]
        assert contact["C_SFDCContactID"] == crm_id
        assert (contact["C_FirstName"], contact["C_LastName"]) == (first, last)
        assert (contact["C_Company"], contact["C_City"]) == (company, city)
        assert contact["C_Lead_Score1"] == score
        assert (None if contact["C_Annual_Revenue1"] is None
                else Decimal(str(contact["C_Annual_Revenue1"]))) == (
                    None if revenue is None else Decimal(revenue))
        assert contact["C_Opted_In1"] == opted_in
        assert contact["C_Birthday1"] == (None if birthday is None else datetime.fromisoformat(
            birthday).replace(tzinfo=EASTERN)), "a date is midnight in the instance's time zone"


def test_existing_contact_is_updated_not_duplicated(first_push: dict[str, Any],
                                                    reverse_emulator: EloquaEmulator):
    by_email = contacts_by_email(reverse_emulator)
    matches = by_email[first_push["existing_email"].lower()]
    assert [c["Id"] for c in matches] == [EXISTING_ID]
    assert (matches[0]["C_FirstName"], matches[0]["C_City"]) == ("Renamed", "Ghent")
    assert len(reverse_emulator.store.contacts) == first_push["seeded"] + len(ROWS)
    assert not first_push["rejects"].exists(), first_push["rejects"].read_text()


def test_a_second_push_updates_in_place(first_push: dict[str, Any], meltano: Meltano,
                                        crm: Postgres, reverse_emulator: EloquaEmulator):
    crm.psql("UPDATE crm.contacts SET city = 'Paris', lead_score = 12 WHERE crm_id = 'CRM-1002'",
             DATABASE)
    run_reverse(meltano, crm, reverse_emulator, first_push["rejects"])
    by_email = contacts_by_email(reverse_emulator)
    grace = by_email["grace.hopper@example.net"]
    assert len(grace) == 1
    assert (grace[0]["C_City"], grace[0]["C_Lead_Score1"]) == ("Paris", 12)
    assert len(reverse_emulator.store.contacts) == first_push["seeded"] + len(ROWS)
