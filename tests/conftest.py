"""Shared fixtures: emulators on loopback (real HTTP), one shared and read-only, or fresh ones."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest

from eloqua_emulator import EloquaEmulator, EmulatorConfig


@pytest.fixture(scope="session")
def emulator() -> Iterator[EloquaEmulator]:
    """A seeded emulator that tests must not modify (use `make_emulator` for that)."""
    emu = EloquaEmulator(EmulatorConfig(seed=7))
    emu.start()
    yield emu
    emu.stop()


@pytest.fixture
def make_emulator() -> Iterator[Callable[..., EloquaEmulator]]:
    """A factory of private emulators, stopped at the end of the test."""
    started: list[EloquaEmulator] = []

    def make(**overrides: Any) -> EloquaEmulator:
        emu = EloquaEmulator(EmulatorConfig(**overrides))
        emu.start()
        started.append(emu)
        return emu

    yield make
    for emu in started:
        emu.stop()
