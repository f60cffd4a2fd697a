"""A faithful Oracle Eloqua Bulk API 2.0 emulator (real HTTP on loopback)."""

from .catalog import export_value
from .config import EmulatorConfig
from .emulator import EloquaEmulator

__all__ = ["EloquaEmulator", "EmulatorConfig", "export_value"]
