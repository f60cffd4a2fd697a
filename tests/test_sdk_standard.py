"""The Singer SDK's standard tap tests, against an emulator started for this module."""

from __future__ import annotations

import atexit

from singer_sdk.testing import SuiteConfig, get_tap_test_class

from eloqua_emulator import EloquaEmulator, EmulatorConfig
from tap_eloqua.tap import TapEloqua
from tests.tap_runner import basic_config

# The SDK builds the test class at import time from a config, so the emulator starts here.
_EMULATOR = EloquaEmulator(EmulatorConfig(seed=21, contacts=40, accounts=10,
                                          activities_per_type=8, custom_objects=4,
                                          custom_object_records=6))
_EMULATOR.start()
atexit.register(_EMULATOR.stop)

TestTapEloqua = get_tap_test_class(
    tap_class=TapEloqua,
    config=basic_config(_EMULATOR, detect_deletes=True),  # the Id sweeps too
    suite_config=SuiteConfig(max_records_limit=30),
)
