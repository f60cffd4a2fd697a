"""target-eloqua entry point (the import sink lands with the load issue)."""

from __future__ import annotations

import sys


def cli() -> None:
    """Refuse clearly until the Bulk import sink exists."""
    sys.stderr.write("target-eloqua: error: loading into Eloqua is not available in this "
                     "version yet; only tap-eloqua is.\n")
    sys.exit(2)
