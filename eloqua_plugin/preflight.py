"""Check the files named on the command line before the SDK reads them.

The SDK turns a malformed config, catalog or state file into a traceback that does not say which
file is wrong; a user should get one line naming the file and the problem.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import orjson

from eloqua_bulk.errors import ConfigurationError

FILE_OPTIONS = {"--config": "config", "--catalog": "catalog", "--state": "state"}


def _named_files(argv: Sequence[str]) -> list[tuple[str, str]]:
    found = []
    for index, arg in enumerate(argv):
        option, _, inline = arg.partition("=")
        if option in FILE_OPTIONS:
            value = inline or (argv[index + 1] if index + 1 < len(argv) else "")
            if value and value != "ENV":
                found.append((FILE_OPTIONS[option], value))
    return found


def check_files(argv: Sequence[str]) -> None:
    """Raise `ConfigurationError` for a missing or malformed config, catalog or state file."""
    for kind, name in _named_files(argv):
        path = Path(name)
        try:
            data: Any = orjson.loads(path.read_bytes())
        except FileNotFoundError:
            raise ConfigurationError(f"The {kind} file {name} does not exist.") from None
        except OSError as exc:
            raise ConfigurationError(
                f"Cannot read the {kind} file {name}: {exc.strerror}.") from None
        except orjson.JSONDecodeError as exc:
            raise ConfigurationError(
                f"The {kind} file {name} is not valid JSON ({exc}); fix or regenerate it."
            ) from None
        if not isinstance(data, dict):
            raise ConfigurationError(f"The {kind} file {name} must hold a JSON object.")
        if kind == "catalog" and not isinstance(data.get("streams"), list):
            raise ConfigurationError(
                f"The catalog file {name} has no 'streams' list; regenerate it with --discover.")
        if kind == "state":
            _check_state(name, data)


def _check_state(name: str, data: dict[str, Any]) -> None:
    state = data.get("value", data) if data.get("type") == "STATE" else data
    bookmarks = state.get("bookmarks", {})
    if not isinstance(bookmarks, dict) or not all(
            isinstance(v, dict) for v in bookmarks.values()):
        raise ConfigurationError(
            f"The state file {name} is not a Singer state (bookmarks must map stream names to "
            "objects); remove it to start from start_date.")
