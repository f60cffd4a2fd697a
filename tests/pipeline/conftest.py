"""Fixtures for the pipeline tests: PostgreSQL, Meltano, and one RECORD load shared by modules.

These tests never skip: without PostgreSQL or Meltano they fail and say what to install.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from eloqua_emulator import EloquaEmulator, EmulatorConfig
from tests.pipeline.support import (
    Meltano,
    PipelineSetupError,
    Postgres,
    meltano_executable,
    postgres_server,
)
from tests.pipeline.warehouse import Load, load_into_postgres


@pytest.fixture(scope="session")
def postgres() -> Iterator[Postgres]:
    try:
        with postgres_server() as server:
            yield server
    except PipelineSetupError as exc:
        pytest.fail(str(exc), pytrace=False)


@pytest.fixture(scope="session")
def meltano(tmp_path_factory: pytest.TempPathFactory) -> Meltano:
    """Meltano in this project, with a private system database (so state starts empty)."""
    try:
        executable = meltano_executable()
    except PipelineSetupError as exc:
        pytest.fail(str(exc), pytrace=False)
    return Meltano(executable, Path(tmp_path_factory.mktemp("meltano")))


@pytest.fixture(scope="session")
def record_emulator() -> Iterator[EloquaEmulator]:
    """The emulator behind `record_load`; test_pipeline_postgres modifies it after the load."""
    emu = EloquaEmulator(EmulatorConfig(seed=7))
    emu.start()
    yield emu
    emu.stop()


@pytest.fixture(scope="session")
def record_load(meltano: Meltano, postgres: Postgres, record_emulator: EloquaEmulator) -> Load:
    """`meltano run tap-eloqua target-postgres` with RECORD messages, snapshotted right after."""
    return load_into_postgres(meltano, postgres, record_emulator, database="warehouse_record",
                              state_suffix="record")
