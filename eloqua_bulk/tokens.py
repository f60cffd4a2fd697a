"""A file that keeps Eloqua's rotating refresh token (and the current access token) across runs.

Eloqua refresh tokens are single use: every refresh returns a new one and spends the old. The new
token must be on disk before it is relied on, or a crash leaves only a spent token behind. Meltano
regenerates the config file on every run, so the token cannot live there.

Several processes may share one store (a tap and a target, or parallel Meltano jobs): a refresh
happens under an exclusive lock on a sibling `.lock` file, after reading the store again, so one
process never spends a refresh token another has already spent. The access token and its expiry
are kept too, so processes reuse a valid one instead of asking Eloqua again: Eloqua throttles
authorizations to one per minute per user of an app.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import os
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import orjson

from eloqua_bulk.errors import ConfigurationError
from eloqua_bulk.paths import state_dir


def fingerprint(value: str) -> str:
    """A stable, non-reversible label for a token (stored instead of the token's origin)."""
    return hashlib.sha256(value.encode()).hexdigest()[:16]


def default_token_path(client_id: str, password_login: str | None = None) -> Path:
    """Where tokens live when no `token_store_path` is configured; the password grant's
    (access tokens only) is a file of its own per user, apart from the refresh-token store."""
    name = (f"oauth-{fingerprint(client_id)}.json" if password_login is None
            else f"oauth-password-{fingerprint(client_id + chr(0) + password_login)}.json")
    return state_dir() / name


@dataclass
class StoredTokens:
    """What the store holds: the current refresh token, the config token it descends from."""

    refresh_token: str
    seed_fingerprint: str
    access_token: str | None = None
    access_expires_at: float = 0.0


class TokenStore:
    """Atomic (write-then-rename), owner-only (0600) JSON file of `StoredTokens`."""

    def __init__(self, path: Path) -> None:
        self.path = path

    @contextlib.contextmanager
    def locked(self) -> Iterator[None]:
        """Hold the store's inter-process lock (blocking) for a read-refresh-write."""
        lock_path = self.path.with_name(self.path.name + ".lock")
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
            fd = os.open(lock_path, os.O_RDWR | os.O_CREAT, 0o600)
        except OSError as exc:
            raise ConfigurationError(
                f"Cannot lock the token store {self.path}: {exc.strerror}; check "
                "token_store_path.") from None
        try:
            fcntl.flock(fd, fcntl.LOCK_EX)
            yield
        finally:
            os.close(fd)  # closing releases the lock

    def load(self) -> StoredTokens | None:
        try:
            raw = self.path.read_bytes()
        except FileNotFoundError:
            return None
        except OSError as exc:
            raise ConfigurationError(
                f"Cannot read the token store {self.path}: {exc.strerror}; check token_store_path."
            ) from None
        try:
            data = orjson.loads(raw)
            return StoredTokens(
                refresh_token=str(data["refresh_token"]),
                seed_fingerprint=str(data.get("seed_fingerprint", "")),
                access_token=data.get("access_token"),
                access_expires_at=float(data.get("access_expires_at", 0.0)),
            )
        except (orjson.JSONDecodeError, KeyError, TypeError, ValueError):
            raise ConfigurationError(
                f"The token store {self.path} is corrupt; delete it and set a fresh refresh_token."
            ) from None

    def save(self, tokens: StoredTokens) -> None:
        payload = orjson.dumps(
            {
                "refresh_token": tokens.refresh_token,
                "seed_fingerprint": tokens.seed_fingerprint,
                "access_token": tokens.access_token,
                "access_expires_at": tokens.access_expires_at,
            }
        )
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
            fd, tmp = tempfile.mkstemp(prefix=".tokens-", dir=self.path.parent)
            try:
                os.fchmod(fd, 0o600)
                with os.fdopen(fd, "wb") as handle:
                    handle.write(payload)
                    handle.flush()
                    os.fsync(handle.fileno())
                Path(tmp).replace(self.path)
            except BaseException:
                Path(tmp).unlink(missing_ok=True)
                raise
            dir_fd = os.open(self.path.parent, os.O_RDONLY)
            try:
                os.fsync(dir_fd)
            finally:
                os.close(dir_fd)
        except OSError as exc:
            raise ConfigurationError(
                f"Cannot write the token store {self.path}: {exc.strerror}; check token_store_path."
            ) from None
