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
from typing import Any, BinaryIO, cast

from typing_extensions import override

_BUFFER_SIZE = 1 << 20
_stream: BinaryIO | None = None


class _CurrentStdout(io.RawIOBase):
    """Bytes to whatever `sys.stdout` is now (a test harness may swap it for a StringIO)."""

    @override
    def writable(self) -> bool:
        return True

    @override
    def write(self, data: Any) -> int:
        target = sys.stdout
        raw = getattr(target, "buffer", None)
        if raw is not None:
            raw.write(data)
        else:
            target.write(bytes(data).decode())
        return len(data)

    @override
    def flush(self) -> None:
        sys.stdout.flush()


def stdout() -> BinaryIO:
    """The shared buffered writer on file descriptor 1 (created on first use)."""
    global _stream  # noqa: PLW0603 - one process-wide writer by design
    if _stream is None:
        try:
            descriptor = sys.stdout.fileno()
        except (AttributeError, OSError, ValueError):
            return cast("BinaryIO", _CurrentStdout())
        sys.stdout.flush()
        _stream = io.BufferedWriter(io.FileIO(descriptor, "wb", closefd=False),
                                    buffer_size=_BUFFER_SIZE)
        atexit.register(flush)
    return _stream


def flush() -> None:
    if _stream is not None:
        with contextlib.suppress(OSError, ValueError):
            _stream.flush()
