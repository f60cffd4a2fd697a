"""One seeded emulator per test module (tests that change data start their own with `fresh`)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from eloqua_emulator import EloquaEmulator, EmulatorConfig
from tests.emulator_contract.support import Api


@pytest.fixture(scope="module")
def emu() -> Iterator[EloquaEmulator]:
    with EloquaEmulator(EmulatorConfig(seed=7, contacts=300, activities_per_type=60)) as e:
        yield e


@pytest.fixture(scope="module")
def api(emu: EloquaEmulator) -> Api:
    return Api(emu)

