"""Authentication as Eloqua does it: Basic `Site\\User:Password`, OAuth 2.0 token endpoint, `/id`
(docs §1).

Refresh tokens are single-use and rotate; access tokens expire after `access_token_ttl` seconds.
"""

from __future__ import annotations

import base64
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

    def __init__(self, status: int, error: str, code: int, description: str) -> None:
        super().__init__(description)
        self.status = status
        self.body = {"error": error, "error_code": code, "error_description": description}


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
            return self._spend(self.codes, params.get("code"), "authorization code")
        if grant == "password":
            if not self.valid_user(
                str(params.get("username", "")), str(params.get("password", ""))
            ):
                raise TokenError(401, "invalid_grant", 2003, "The user credentials are invalid.")
            return self._issue()
        raise TokenError(
            400, "unsupported_grant_type", 3001, f"Grant type {grant!r} is not supported."
        )

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
