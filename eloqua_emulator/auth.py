"""Authentication as Eloqua does it: Basic `Site\\User:Password`, OAuth 2.0 token endpoint, `/id`
(docs §1).

Refresh tokens are single-use and rotate; access tokens expire after `access_token_ttl` seconds.
Since release 18D Eloqua accepts one authorization per minute per user of an app ("Eloqua OAuth
2.0 Authorization Flow Initiation Limit", Oracle notice, Nov 2018): the notice names the code,
implicit and password-credentials flows, so a second `authorization_code` or `password` grant
within `authorization_window_seconds` answers 429 with Retry-After; `refresh_token` grants renew
an existing authorization and are not throttled.
"""

from __future__ import annotations

import base64
import math
import secrets
import threading
import time
from typing import Any
from urllib.parse import parse_qs

import orjson

from .config import EmulatorConfig


class TokenError(Exception):
    """A token-endpoint failure: HTTP status plus the documented
    `error/error_code/error_description` body.
    """

    def __init__(self, status: int, error: str, code: int, description: str,
                 retry_after: int | None = None) -> None:
        super().__init__(description)
        self.status = status
        self.body = {"error": error, "error_code": code, "error_description": description}
        self.retry_after = retry_after


def _basic_pair(header: str | None) -> tuple[str, str] | None:
    if not header or header[:6].lower() != "basic ":
        return None
    try:
        user, _, pw = (
            base64.b64decode(header[6:].strip(), validate=True).decode("utf-8").partition(":")
        )
    except (ValueError, UnicodeDecodeError):
        return None
    return user, pw


class Auth:
    """Credentials, issued tokens and the `/id` document."""

    def __init__(self, cfg: EmulatorConfig) -> None:
        self.cfg = cfg
        self.lock = threading.Lock()
        self.access: dict[str, float] = {}  # token -> monotonic expiry
        self.refresh: set[str] = set()
        self.codes: set[str] = set()
        self.authorized: dict[tuple[str, str], float] = {}  # (app, user) -> monotonic time

    # ---- checks ---------------------------------------------------------------------------------
    def valid_user(self, login: str, password: str) -> bool:
        site, sep, user = login.partition("\\")
        return (
            bool(sep)
            and site.lower() == self.cfg.site_name.lower()
            and user.lower() == self.cfg.username.lower()
            and password == self.cfg.password
        )

    def check(self, header: str | None) -> bool:
        """True for a valid Basic credential or an unexpired bearer token."""
        if not header:
            return False
        if header[:7].lower() == "bearer ":
            token = header[7:].strip()
            with self.lock:
                exp = self.access.get(token)
            return exp is not None and time.monotonic() < exp
        pair = _basic_pair(header)
        return pair is not None and self.valid_user(*pair)

    # ---- tokens ---------------------------------------------------------------------------------
    def _issue(self) -> dict[str, Any]:
        access, refresh = secrets.token_urlsafe(32), secrets.token_urlsafe(32)
        with self.lock:
            self.access[access] = time.monotonic() + self.cfg.access_token_ttl
            self.refresh.add(refresh)
        return {
            "access_token": access,
            "token_type": "bearer",
            "expires_in": int(self.cfg.access_token_ttl),
            "refresh_token": refresh,
        }

    def issue_refresh_token(self) -> str:
        return str(self._issue()["refresh_token"])

    def issue_auth_code(self) -> str:
        code = secrets.token_urlsafe(24)
        with self.lock:
            self.codes.add(code)
        return code

    def revoke_all(self) -> None:
        with self.lock:
            self.access.clear()
            self.refresh.clear()
            self.codes.clear()

    def token(self, header: str | None, content_type: str, body: bytes) -> dict[str, Any]:
        """POST /auth/oauth2/token; raises TokenError."""
        pair = _basic_pair(header)
        if pair != (self.cfg.client_id, self.cfg.client_secret):
            raise TokenError(401, "invalid_client", 1001, "The client credentials are invalid.")
        params = self._params(content_type, body)
        grant = params.get("grant_type")
        if grant == "refresh_token":
            return self._spend(self.refresh, params.get("refresh_token"), "refresh token")
        if grant == "authorization_code":
            code = params.get("code")
            with self.lock:
                valid = isinstance(code, str) and code in self.codes
            if valid:
                self._throttle(self.cfg.username)
            return self._spend(self.codes, code, "authorization code")
        if grant == "password":
            login = str(params.get("username", ""))
            if not self.valid_user(login, str(params.get("password", ""))):
                raise TokenError(401, "invalid_grant", 2003, "The user credentials are invalid.")
            self._throttle(login.partition("\\")[2])
            return self._issue()
        raise TokenError(
            400, "unsupported_grant_type", 3001, f"Grant type {grant!r} is not supported."
        )

    def _throttle(self, user: str) -> None:
        """Count one authorization of `user` for this app; a second within the window is a 429."""
        key, now = (self.cfg.client_id, user.lower()), time.monotonic()
        window = self.cfg.authorization_window_seconds
        with self.lock:
            last = self.authorized.get(key)
            if last is not None and now - last < window:
                raise TokenError(
                    429, "too_many_requests", 4001,
                    "This user has already authorized this app within the allowed time frame "
                    f"of {window:g} seconds.", retry_after=max(1, math.ceil(last + window - now)))
            self.authorized[key] = now

    def _spend(self, pool: set[str], value: Any, what: str) -> dict[str, Any]:
        with self.lock:
            if not isinstance(value, str) or value not in pool:
                raise TokenError(
                    401, "invalid_grant", 2001, f"The {what} is invalid, expired or already used."
                )
            pool.discard(value)
        return self._issue()

    @staticmethod
    def _params(content_type: str, body: bytes) -> dict[str, Any]:
        text = body.decode("utf-8", "replace").strip()
        if "json" in content_type or text.startswith("{"):
            try:
                data = orjson.loads(text or "{}")
            except orjson.JSONDecodeError:
                raise TokenError(
                    400, "invalid_request", 3002, "The request body is not valid JSON."
                ) from None
            if not isinstance(data, dict):
                raise TokenError(
                    400, "invalid_request", 3002, "The request body must be an object."
                )
            return data
        return {k: v[0] for k, v in parse_qs(text, keep_blank_values=True).items()}

    # ---- /id ------------------------------------------------------------------------------------
    def id_document(self, base: str) -> dict[str, Any]:
        """The documented `/id` success body with urls pointing at the pod listener."""
        cfg = self.cfg
        return {
            "site": {"id": 42, "name": cfg.site_name},
            "user": {
                "id": 314,
                "username": cfg.username,
                "displayName": "API User",
                "firstName": "API",
                "lastName": "User",
                "emailAddress": f"{cfg.username}@emulator.invalid",
            },
            "urls": {
                "base": base,
                "apis": {
                    "soap": {
                        "standard": f"{base}/API/{{version}}/Service.svc",
                        "dataTransfer": f"{base}/API/{{version}}/DataTransferService.svc",
                        "email": f"{base}/API/{{version}}/EmailService.svc",
                        "externalAction": f"{base}/API/{{version}}/ExternalActionService.svc",
                    },
                    "rest": {
                        "standard": f"{base}/API/REST/{{version}}/",
                        "bulk": f"{base}/API/Bulk/{{version}}/",
                    },
                },
            },
        }
