"""Build a session from plain settings (the same keys the tap and the target accept)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from eloqua_bulk.auth import (
    BasicCredentials,
    Credentials,
    OAuthCredentials,
    PasswordGrantCredentials,
)
from eloqua_bulk.errors import ConfigurationError
from eloqua_bulk.session import BulkSession, SessionSettings, check_url

BASIC_KEYS = ("site_name", "username", "password")
OAUTH_KEYS = ("client_id", "client_secret", "refresh_token")


def _require(config: Mapping[str, Any], keys: tuple[str, ...], scheme: str) -> list[str]:
    """The values of `keys`, or one line naming the missing ones."""
    missing = [k for k in keys if not config.get(k)]
    if missing:
        raise ConfigurationError(f"{scheme} needs {', '.join(keys)}; missing: "
                                 f"{', '.join(missing)}.")
    return [str(config[k]) for k in keys]


def credentials_from(config: Mapping[str, Any], login_url: str) -> Credentials:
    """OAuth with a refresh token; the OAuth password grant (client plus user, no refresh
    token); or Basic with site, user and password."""
    has_basic = any(config.get(k) for k in BASIC_KEYS)
    if config.get("client_id") and config.get("client_secret") and not config.get(
            "refresh_token") and has_basic:
        client_id, secret, site, user, password = _require(
            config, ("client_id", "client_secret", *BASIC_KEYS), "The OAuth password grant")
        return PasswordGrantCredentials(login_url, client_id, secret, site, user, password,
                                        token_store_path=config.get("token_store_path"))
    if any(config.get(k) for k in OAUTH_KEYS):
        client_id, secret, token = _require(config, OAUTH_KEYS, "OAuth")
        return OAuthCredentials(login_url=login_url, client_id=client_id, client_secret=secret,
                                refresh_token=token,
                                token_store_path=config.get("token_store_path"),
                                redirect_uri=config.get("redirect_uri"))
    if has_basic:
        return BasicCredentials(*_require(config, BASIC_KEYS, "Basic authentication"))
    raise ConfigurationError(
        "No Eloqua credentials: set site_name, username and password (Basic); or client_id, "
        "client_secret and refresh_token (OAuth); or client_id, client_secret, site_name, "
        "username and password (OAuth password grant).")


def session_from(config: Mapping[str, Any], user_agent: str) -> BulkSession:
    """One `BulkSession` from the shared settings, validated before any request is made."""
    raw = config.get("max_syncs_per_hour")
    per_hour = 2000 if raw is None else int(raw)
    if per_hour < 1:
        raise ConfigurationError(f"max_syncs_per_hour {per_hour} is out of range: use 1 or more.")
    login_url = check_url(str(config.get("login_url") or "https://login.eloqua.com"), "login_url")
    settings = SessionSettings(
        login_url=login_url,
        base_url=config.get("base_url") or None,
        request_timeout=float(config.get("request_timeout") or 300),
        max_retries=int(config.get("max_retries") or 8),
        user_agent=str(config.get("user_agent") or user_agent),
        max_syncs_per_hour=per_hour,
    )
    return BulkSession(credentials_from(config, login_url), settings)
