"""Errors whose message is a single line a user can act on, never carrying a secret."""

from __future__ import annotations

from typing import Any


class EloquaError(Exception):
    """Base class: the message is meant for the user, as is."""


class ConfigurationError(EloquaError):
    """A setting is missing, malformed or contradictory."""


class AuthenticationError(EloquaError):
    """Eloqua refused the credentials (Basic, or the OAuth token endpoint)."""


class EloquaAPIError(EloquaError):
    """Eloqua answered with an error status that retrying will not fix."""

    def __init__(self, message: str, status: int | None = None,
                 failures: list[dict[str, Any]] | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.failures = failures or []


class SyncFailedError(EloquaError):
    """A sync ended in `error`/`errored`; the message carries Eloqua's log lines."""

    def __init__(self, message: str, sync_uri: str, logs: list[dict[str, Any]]) -> None:
        super().__init__(message)
        self.sync_uri = sync_uri
        self.logs = logs


class DataExpiredError(EloquaError):
    """A sync's staged data is gone (retention elapsed or deleted): 404/410 on its data."""


class RetriableError(Exception):
    """Internal: a transient failure the session retries with backoff."""

    def __init__(self, message: str, retry_after: float | None = None) -> None:
        super().__init__(message)
        self.retry_after = retry_after
