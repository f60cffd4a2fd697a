"""Eloqua Bulk API 2.0 client shared by tap-eloqua and target-eloqua.

Nothing in this package imports singer_sdk: it speaks HTTP to Eloqua and nothing else.
"""

from eloqua_bulk.auth import BasicCredentials, OAuthCredentials
from eloqua_bulk.client import BulkClient, SyncResult
from eloqua_bulk.errors import (
    AuthenticationError,
    ConfigurationError,
    DataExpiredError,
    EloquaAPIError,
    EloquaError,
    SyncFailedError,
)
from eloqua_bulk.session import BulkSession, SessionSettings

__all__ = [
    "AuthenticationError",
    "BasicCredentials",
    "BulkClient",
    "BulkSession",
    "ConfigurationError",
    "DataExpiredError",
    "EloquaAPIError",
    "EloquaError",
    "OAuthCredentials",
    "SessionSettings",
    "SyncFailedError",
    "SyncResult",
]
