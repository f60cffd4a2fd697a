"""The rejects file: one JSON line per row Eloqua rejected, appended, created on first use."""

from __future__ import annotations

import os
import threading
from collections import Counter
from datetime import datetime, timezone
from pathlib import Path
from typing import IO, Any

import orjson

from eloqua_bulk import ConfigurationError
from eloqua_bulk.paths import state_dir, user_path


def default_rejects_path() -> Path:
    """A file of this run's own under the state directory, never in the working directory."""
    stamp = datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%SZ")
    return state_dir() / "rejects" / f"target-eloqua-{stamp}-{os.getpid()}.jsonl"


class RejectsFile:
    """Appends rejects as JSON lines; counts them per stream and per Eloqua status code."""

    def __init__(self, path: str | Path) -> None:
        self.path = user_path(str(path))          # messages name it absolutely
        self._lock = threading.Lock()
        self._file: IO[bytes] | None = None
        self.by_stream: Counter[str] = Counter()

    def write(self, stream: str, items: list[dict[str, Any]]) -> None:
        """Append rejects (already carrying stream, sync and record number) and flush."""
        if not items:
            return
        stamp = datetime.now(timezone.utc).isoformat(timespec="seconds")
        lines = b"".join(orjson.dumps({"rejected_at": stamp, **item},
                                      option=orjson.OPT_APPEND_NEWLINE) for item in items)
        with self._lock:
            if self._file is None:
                try:
                    self.path.parent.mkdir(parents=True, exist_ok=True)
                    self._file = self.path.open("ab")
                except OSError as exc:
                    raise ConfigurationError(
                        f"Cannot write the rejects file {self.path}: {exc.strerror}; set "
                        "rejects_file to a writable path.") from None
            self._file.write(lines)
            self._file.flush()
            self.by_stream[stream] += len(items)

    def close(self) -> None:
        with self._lock:
            if self._file is not None:
                self._file.close()
                self._file = None
