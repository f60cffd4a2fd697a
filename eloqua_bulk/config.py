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


def credentials_from(config: Mapping[str, Any], login_url: str) -> Credentials:
    """Basic when site/user/password are set, OAuth when client id/secret/refresh token are."""
    has_oauth = any(config.get(k) for k in OAUTH_KEYS)
    has_basic = any(config.get(k) for k in BASIC_KEYS)
    if (config.get("client_id") and config.get("client_secret")
            and not config.get("refresh_token") and has_basic):
        missing = [k for k in BASIC_KEYS if not config.get(k)]
        if missing:
            raise ConfigurationError(
                f"The OAuth password grant needs site_name, username and password besides "
                f"client_id and client_secret; missing: {', '.join(missing)}.")
        return PasswordGrantCredentials(
            login_url, str(config["client_id"]), str(config["client_secret"]),
            *(str(config[k]) for k in BASIC_KEYS))
    if has_oauth:
        missing = [k for k in OAUTH_KEYS if not config.get(k)]
        if missing:
            raise ConfigurationError(
                f"OAuth needs client_id, client_secret and refresh_token; missing: "
                f"{', '.join(missing)}.")
        return OAuthCredentials(
            login_url=login_url,
            client_id=str(config["client_id"]),
            client_secret=str(config["client_secret"]),
            refresh_token=str(config["refresh_token"]),
            token_store_path=config.get("token_store_path"),
            redirect_uri=config.get("redirect_uri"),
        )
    if has_basic:
        missing = [k for k in BASIC_KEYS if not config.get(k)]
        if missing:
            raise ConfigurationError(
                f"Basic authentication needs site_name, username and password; missing: "
                f"{', '.join(missing)}.")
        return BasicCredentials(str(config["site_name"]), str(config["username"]),
                                str(config["password"]))
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
