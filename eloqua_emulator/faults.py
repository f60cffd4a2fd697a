"""Seeded fault injection so retry logic can be tested against realistic transport failures.

A faulted request is answered (or dropped) before it is processed, so a faulted POST has no
side effects.
A "timeout" sleeps `fault_sleep_seconds`, then serves the request normally, except a POST, which
then gets 503 "There was a timeout processing the request" unprocessed (a retry must stay safe).
No path is faulted more than `max_consecutive_faults` times in a row, so a client with enough
retries gets through.
"""

from __future__ import annotations

import random
import threading
from collections.abc import Iterable

KINDS = ("429", "500", "502", "503", "reset", "truncate", "timeout")


class Faults:
    """The active fault plan of one emulator."""

    def __init__(self, max_consecutive: int = 3) -> None:
        self.lock = threading.Lock()
        self.max_consecutive = max_consecutive
        self.rate = 0.0
        self.kinds: tuple[str, ...] = ()
        self.paths: tuple[str, ...] | None = None
        self.rng = random.Random(0)
        self.streak: dict[str, int] = {}
        self.injected = 0

    def set(
        self,
        rate: float,
        kinds: Iterable[str] = ("429", "503"),
        seed: int = 1,
        paths: Iterable[str] | None = None,
    ) -> None:
        """Fault `rate` of the requests (optionally only paths containing one of `paths`)."""
        kinds = tuple(kinds)
        bad = set(kinds) - set(KINDS)
        if bad or not kinds or not 0.0 <= rate <= 1.0:
            raise ValueError(f"bad fault plan: rate={rate} kinds={kinds}")
        with self.lock:
            self.rate, self.kinds = rate, kinds
            self.paths = tuple(paths) if paths is not None else None
            self.rng = random.Random(seed)
            self.streak.clear()

    def clear(self) -> None:
        with self.lock:
            self.rate, self.kinds, self.paths = 0.0, (), None
            self.streak.clear()

    def pick(self, path: str) -> str | None:
        """The fault kind for this request, or None to serve it normally."""
        key = path.split("?", 1)[0].lower()
        with self.lock:
            if self.rate <= 0 or key.startswith("/_emulator"):
                return None
            if self.paths is not None and not any(p.lower() in key for p in self.paths):
                return None
            if self.streak.get(key, 0) >= self.max_consecutive:
                self.streak[key] = 0
                return None
            if self.rng.random() >= self.rate:
                self.streak[key] = 0
                return None
            self.streak[key] = self.streak.get(key, 0) + 1
            self.injected += 1
            return self.rng.choice(self.kinds)
