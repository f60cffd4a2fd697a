"""One buffered binary stdout for every Singer message the tap writes.

With PYTHONUNBUFFERED=1 (Meltano and many schedulers set it) `sys.stdout.buffer` writes each
message with its own system call. Records go through a 1 MiB buffer instead; it is flushed at
every non-RECORD message (SCHEMA, STATE, BATCH) and at exit, so a target sees a STATE only after
the records before it.
"""

from __future__ import annotations

import atexit
import contextlib
import io
import sys
from typing import BinaryIO

_BUFFER_SIZE = 1 << 20
_stream: BinaryIO | None = None


def stdout() -> BinaryIO:
    """The shared buffered writer on file descriptor 1 (created on first use)."""
    global _stream  # noqa: PLW0603 - one process-wide writer by design
    if _stream is None:
        sys.stdout.flush()
        _stream = io.BufferedWriter(io.FileIO(sys.stdout.fileno(), "wb", closefd=False),
                                    buffer_size=_BUFFER_SIZE)
        atexit.register(flush)
    return _stream


def flush() -> None:
    if _stream is not None:
        with contextlib.suppress(BrokenPipeError, ValueError):
            _stream.flush()
