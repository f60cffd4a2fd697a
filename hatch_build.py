"""Build hook: compile tap_eloqua/_rows.c (the tap's row typing) into the wheel when it can.

Without a C compiler the build still succeeds, with a warning, and tap-eloqua types rows with
the generated Python code of tap_eloqua/values.py instead: the same records, more CPU.
"""

from __future__ import annotations

import shutil
import sys
import tempfile
from pathlib import Path
from typing import Any

from hatchling.builders.hooks.plugin.interface import BuildHookInterface

MODULE = "tap_eloqua._rows"
SOURCE = "tap_eloqua/_rows.c"


def compile_extension(root: Path, build_dir: Path) -> Path:
    """The built extension module's path (setuptools knows every platform's compiler flags)."""
    from setuptools import Distribution, Extension  # noqa: PLC0415 - build-time only
    from setuptools.command.build_ext import build_ext  # noqa: PLC0415

    dist = Distribution({"ext_modules": [Extension(MODULE, [str(root / SOURCE)])]})
    command = build_ext(dist)
    command.build_lib = str(build_dir / "lib")
    command.build_temp = str(build_dir / "temp")
    command.ensure_finalized()
    command.run()
    return Path(command.get_ext_fullpath(MODULE))


class CustomBuildHook(BuildHookInterface):  # type: ignore[type-arg]
    PLUGIN_NAME = "custom"

    def initialize(self, version: str, build_data: dict[str, Any]) -> None:
        if self.target_name != "wheel":
            return
        root = Path(self.root)
        with tempfile.TemporaryDirectory() as tmp:
            try:
                built = compile_extension(root, Path(tmp))
            except Exception as exc:  # any failure means: no extension
                self.app.display_warning(
                    f"tap_eloqua._rows was not compiled ({type(exc).__name__}: {exc}); "
                    "tap-eloqua will type rows in Python (same records, more CPU). Install a C "
                    f"compiler and the Python {sys.version_info[0]}.{sys.version_info[1]} "
                    "headers, then reinstall, to build it.")
                return
            if version == "editable":
                # an editable install imports the source tree: the module goes beside _rows.c
                target = root / "tap_eloqua" / built.name
                shutil.copyfile(built, target)
            else:
                target = Path(self.directory) / "_rows-build" / built.name
                target.parent.mkdir(parents=True, exist_ok=True)
                shutil.copyfile(built, target)
                build_data["force_include"][str(target)] = f"tap_eloqua/{built.name}"
        build_data["pure_python"] = False
        build_data["infer_tag"] = True
