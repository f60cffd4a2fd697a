"""Where the connectors keep files of their own: the XDG state directory, never the cwd.

A scheduled run's working directory is often a checkout or a container's read-only root, so
files we create by default (token stores, rejects) go under `$XDG_STATE_HOME/eloqua-singer`
(`~/.local/state/eloqua-singer`), and every path a message shows is absolute.
"""

from __future__ import annotations

import os
from pathlib import Path


def state_dir() -> Path:
    """`$XDG_STATE_HOME/eloqua-singer`, else `~/.local/state/eloqua-singer` (absolute)."""
    base = os.environ.get("XDG_STATE_HOME") or str(Path.home() / ".local" / "state")
    return Path(base).expanduser().absolute() / "eloqua-singer"


def user_path(value: str) -> Path:
    """A path from the user's settings: `~` expanded, made absolute against the cwd."""
    return Path(value).expanduser().absolute()
