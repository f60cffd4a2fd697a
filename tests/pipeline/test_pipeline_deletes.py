"""detect_deletes through `meltano run tap-eloqua target-postgres`: the README's query over the
`contacts_ids` table finds exactly the contacts deleted in Eloqua between two runs."""

from __future__ import annotations

from eloqua_emulator import EloquaEmulator, EmulatorConfig
from tests.pipeline.support import Meltano, Postgres
from tests.pipeline.warehouse import load_into_postgres

DATABASE = "warehouse_deletes"
SCHEMA = "eloqua"
ENV = {"TAP_ELOQUA_DETECT_DELETES": "true", "TAP_ELOQUA_ACTIVITY_TYPES": "[]",
       "TAP_ELOQUA_CUSTOM_OBJECTS": '["none"]'}
STILL_THERE = (f'SELECT c."Id" FROM "{SCHEMA}".contacts c '
               f'JOIN "{SCHEMA}".contacts_ids i ON i."Id" = c."Id" '
               f'WHERE i.swept_at = (SELECT max(swept_at) FROM "{SCHEMA}".contacts_ids) '
               'ORDER BY 1')


def test_the_readme_query_leaves_out_deleted_contacts(meltano: Meltano, postgres: Postgres):
    emu = EloquaEmulator(EmulatorConfig(seed=31, contacts=25, accounts=4, activities_per_type=0,
                                        custom_objects=0))
    emu.start()
    try:
        first = load_into_postgres(meltano, postgres, emu, database=DATABASE,
                                   state_suffix="deletes", env=ENV)
        assert {"contacts", "accounts", "contacts_ids", "accounts_ids"} == set(first.tables)
        rows = postgres.query(STILL_THERE, DATABASE)
        assert [r["Id"] for r in rows] == sorted(emu.store.contacts)

        gone = sorted(emu.store.contacts)[4:7]
        for contact_id in gone:
            emu.store.delete("contacts", contact_id)
        load_into_postgres(meltano, postgres, emu, database=DATABASE, state_suffix="deletes",
                           fresh=False, env=ENV)
    finally:
        emu.stop()
    rows = postgres.query(STILL_THERE, DATABASE)
    assert [r["Id"] for r in rows] == sorted(emu.store.contacts)
    stale = postgres.query(
        f'SELECT "Id" FROM "{SCHEMA}".contacts_ids WHERE swept_at < '
        f'(SELECT max(swept_at) FROM "{SCHEMA}".contacts_ids) ORDER BY 1', DATABASE)
    assert [r["Id"] for r in stale] == gone
