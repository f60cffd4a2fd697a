"""Credentials: HTTP Basic (`Site\\User:Password`) and OAuth 2.0 with rotating refresh tokens."""

from __future__ import annotations

import base64
import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol

import orjson
import requests

from eloqua_bulk.errors import AuthenticationError, RetriableError
from eloqua_bulk.paths import user_path
from eloqua_bulk.redaction import SECRETS
from eloqua_bulk.tokens import StoredTokens, TokenStore, default_token_path, fingerprint

LOGGER = logging.getLogger("eloqua_bulk.auth")
TOKEN_PATH = "/auth/oauth2/token"
REFRESH_MARGIN_SECONDS = 300.0
REAUTHORISE = (
    "authorise the app again (Eloqua's OAuth authorization-code flow) and set the new "
    "refresh_token in the config; the old one cannot be reused"
)


@dataclass
class Grant:
    """What the token endpoint answered."""

    access_token: str
    refresh_token: str | None
    expires_in: float


THROTTLE_ATTEMPTS = 4         # token requests per authorization while Eloqua answers 429
THROTTLE_WAIT_CAP = 120.0     # seconds; Eloqua's window is one minute
THROTTLE_DEFAULT_WAIT = 60.0  # when a 429 carries no usable Retry-After


class TokenThrottledError(RetriableError):
    """The token endpoint answered 429: Eloqua allows one authorization per minute per user of
    an app (release 18D)."""


def request_token(http: requests.Session, url: str, client_header: str, body: dict[str, str],
                  timeout: float, refusal: Callable[[requests.Response], str]) -> Grant:
    """POST one grant to Eloqua's token endpoint; 429/5xx/network are retriable, 400/401/403
    end in `refusal`'s one-line message."""
    try:
        response = http.post(url, data=body, timeout=timeout,
                             headers={"Authorization": client_header,
                                      "Accept": "application/json"})
    except (requests.Timeout, requests.ConnectionError) as exc:
        raise RetriableError(f"token endpoint unreachable ({type(exc).__name__})") from None
    if response.status_code == 429:
        raise TokenThrottledError("token endpoint answered HTTP 429",
                                  _seconds(response.headers.get("Retry-After")))
    if response.status_code >= 500:
        raise RetriableError(f"token endpoint answered HTTP {response.status_code}")
    if response.status_code in (400, 401, 403):
        raise AuthenticationError(refusal(response))
    try:
        payload = orjson.loads(response.content)
        grant = Grant(str(payload["access_token"]),
                      str(payload["refresh_token"]) if payload.get("refresh_token") else None,
                      float(payload.get("expires_in", 28800)))
    except (orjson.JSONDecodeError, KeyError, TypeError, ValueError):
        raise RetriableError("token endpoint sent an unreadable answer") from None
    SECRETS.add(grant.access_token, grant.refresh_token)
    return grant


def request_token_patiently(http: requests.Session, url: str, client_header: str,
                            body: dict[str, str], timeout: float,
                            refusal: Callable[[requests.Response], str]) -> Grant:
    """`request_token`, waiting out Eloqua's authorization throttle (429) as its Retry-After
    says, a bounded number of times; then one line saying what to do. Called under the token
    store's lock, so processes sharing the store wait here and then reuse the new token."""
    for attempt in range(1, THROTTLE_ATTEMPTS + 1):
        try:
            return request_token(http, url, client_header, body, timeout, refusal)
        except TokenThrottledError as exc:
            if attempt == THROTTLE_ATTEMPTS:
                break
            wait = min(THROTTLE_WAIT_CAP, exc.retry_after if exc.retry_after is not None
                       else THROTTLE_DEFAULT_WAIT)
            LOGGER.warning("Eloqua's token endpoint answered 429 (one authorization per minute "
                           "per user of an app); retry %d of %d in %.0f s", attempt,
                           THROTTLE_ATTEMPTS - 1, wait)
            time.sleep(wait)
    raise AuthenticationError(
        f"Eloqua's token endpoint kept answering 429 Too Many Requests ({THROTTLE_ATTEMPTS} "
        "attempts): it allows one authorization per minute per user of an app, and another "
        "process or app keeps authorising as this user; give parallel jobs one shared "
        "token_store_path, or wait a minute and run again.")


def _seconds(value: str | None) -> float | None:
    try:
        return max(0.0, float(value)) if value else None
    except ValueError:
        return None


def token_error(response: requests.Response) -> str:
    """The `error` code of a token-endpoint refusal, or ""."""
    try:
        payload = orjson.loads(response.content)
    except orjson.JSONDecodeError:
        return ""
    return str(payload.get("error") or "") if isinstance(payload, dict) else ""


def client_header(client_id: str, client_secret: str) -> str:
    basic = base64.b64encode(f"{client_id}:{client_secret}".encode()).decode()
    SECRETS.add(client_secret, basic)
    return "Basic " + basic


INVALID_CLIENT = ("Eloqua refused the OAuth client (invalid_client): check client_id and "
                  "client_secret.")


def _margin(lifetime: float) -> float:
    """How long before expiry a token is renewed: 5 minutes, or a tenth of a short lifetime."""
    return min(REFRESH_MARGIN_SECONDS, max(lifetime, 0.0) / 10)


class Credentials(Protocol):
    """Something that can put an Authorization header on a request."""

    def authorization(self, http: requests.Session, timeout: float) -> str: ...

    def invalidate(self, refused: str | None = None) -> None: ...


@dataclass
class BasicCredentials:
    """Eloqua's Basic scheme: base64 of `Site\\User:Password`."""

    site_name: str
    username: str
    password: str

    def __post_init__(self) -> None:
        raw = f"{self.site_name}\\{self.username}:{self.password}".encode()
        self._header = "Basic " + base64.b64encode(raw).decode()
        SECRETS.add(self.password, self._header, self._header.split(" ", 1)[1])

    def authorization(self, http: requests.Session, timeout: float) -> str:
        return self._header

    def invalidate(self, refused: str | None = None) -> None:
        """Basic credentials cannot be refreshed; nothing to do."""


class OAuthCredentials:
    """Bearer tokens from the refresh-token grant; every new refresh token is persisted first."""

    def __init__(
        self,
        login_url: str,
        client_id: str,
        client_secret: str,
        refresh_token: str,
        token_store_path: str | None = None,
        redirect_uri: str | None = None,
    ) -> None:
        self.token_url = login_url.rstrip("/") + TOKEN_PATH
        self.client_id = client_id
        self.redirect_uri = redirect_uri
        self._client_header = client_header(client_id, client_secret)
        SECRETS.add(refresh_token)
        path = user_path(token_store_path) if token_store_path else None
        self.store = TokenStore(path or default_token_path(client_id))
        self._seed = fingerprint(refresh_token)
        self._tokens = self._initial_tokens(refresh_token)
        self._lock = threading.Lock()
        self._margin = REFRESH_MARGIN_SECONDS
        self._rejected: str | None = None  # the access token a 401 refused

    def _initial_tokens(self, config_token: str) -> StoredTokens:
        """Prefer the store's newer token, unless the user has since set a new one in config."""
        stored = self.store.load()
        if stored is not None and stored.seed_fingerprint == self._seed:
            SECRETS.add(stored.refresh_token, stored.access_token)
            return stored
        return StoredTokens(refresh_token=config_token, seed_fingerprint=self._seed)

    def authorization(self, http: requests.Session, timeout: float) -> str:
        with self._lock:
            token = self._usable(self._tokens)
            if token is None:
                with self.store.locked():
                    token = self._adopt_newer() or self._refresh(http, timeout)
            return "Bearer " + token

    def _usable(self, tokens: StoredTokens) -> str | None:
        if tokens.access_token and time.time() < tokens.access_expires_at - self._margin:
            return tokens.access_token
        return None

    def _adopt_newer(self) -> str | None:
        """Take over what another process saved since we last looked (under the store lock):
        its refresh token is then the only unspent one, and its access token may still serve."""
        stored = self.store.load()
        if (stored is None or stored.seed_fingerprint != self._seed
                or stored.refresh_token == self._tokens.refresh_token):
            return None
        SECRETS.add(stored.refresh_token, stored.access_token)
        self._tokens = stored
        if stored.access_token == self._rejected:
            return None
        return self._usable(stored)

    def invalidate(self, refused: str | None = None) -> None:
        """Forget the access token so the next request refreshes (after a 401). `refused` is
        the Authorization header Eloqua refused: if another thread has already replaced that
        token, the current one is kept (refreshing again would only rotate tokens)."""
        with self._lock:
            current = self._tokens.access_token
            if refused is not None and refused != f"Bearer {current}":
                return
            self._rejected = current
            self._tokens.access_token = None
            self._tokens.access_expires_at = 0.0

    def _refresh(self, http: requests.Session, timeout: float) -> str:
        body = {"grant_type": "refresh_token", "refresh_token": self._tokens.refresh_token,
                "scope": "full"}
        if self.redirect_uri:
            body["redirect_uri"] = self.redirect_uri
        grant = request_token_patiently(http, self.token_url, self._client_header, body, timeout,
                                        self._refusal)
        self._margin = min(REFRESH_MARGIN_SECONDS, grant.expires_in / 10)
        self._tokens = StoredTokens(
            refresh_token=grant.refresh_token or self._tokens.refresh_token,
            seed_fingerprint=self._seed,
            access_token=grant.access_token,
            access_expires_at=time.time() + grant.expires_in,
        )
        self.store.save(self._tokens)  # before use: the old refresh token is already spent
        LOGGER.info("Refreshed the OAuth access token; the rotated refresh token is saved in %s",
                    self.store.path)
        return grant.access_token

    def _refusal(self, response: requests.Response) -> str:
        code = token_error(response)
        if code == "invalid_client":
            return INVALID_CLIENT
        return (f"Eloqua refused the refresh token (HTTP {response.status_code}"
                f"{', ' + code if code else ''}): it is spent, revoked or expired; {REAUTHORISE}.")


class PasswordGrantCredentials:
    """OAuth's resource-owner password grant: an app's client id and secret plus the user's
    `Site\\User` and password, exchanged for an access token whenever one is needed. Eloqua
    throttles this grant to one per minute per user of an app, so the access token and its
    expiry are kept in a token store (0600) that parallel processes share: under the store's
    lock each reuses a valid token another has obtained instead of asking again."""

    def __init__(self, login_url: str, client_id: str, client_secret: str, site_name: str,
                 username: str, password: str, token_store_path: str | None = None) -> None:
        self.token_url = login_url.rstrip("/") + TOKEN_PATH
        self._client_header = client_header(client_id, client_secret)
        login = f"{site_name}\\{username}"
        self._body = {"grant_type": "password", "scope": "full",
                      "username": login, "password": password}
        SECRETS.add(password)
        self._seed = fingerprint(f"password\0{client_id}\0{login.lower()}")
        path = user_path(token_store_path) if token_store_path else None
        self.store = TokenStore(path or default_token_path(client_id, login.lower()))
        self._access: str | None = None
        self._renew_at = 0.0
        self._rejected: str | None = None  # the access token a 401 refused
        self._lock = threading.Lock()

    def authorization(self, http: requests.Session, timeout: float) -> str:
        with self._lock:
            if not self._access or time.time() >= self._renew_at:
                with self.store.locked():
                    if not self._adopt_stored():
                        self._obtain(http, timeout)
            return "Bearer " + str(self._access)

    def _adopt_stored(self) -> bool:
        """Reuse the access token another process saved, if it is ours and still valid."""
        stored = self.store.load()
        if (stored is None or stored.seed_fingerprint != self._seed or not stored.access_token
                or stored.access_token in (self._rejected, self._access)):
            return False
        renew_at = stored.access_expires_at - _margin(stored.access_expires_at - time.time())
        if time.time() >= renew_at:
            return False
        SECRETS.add(stored.access_token)
        self._access, self._renew_at = stored.access_token, renew_at
        return True

    def _obtain(self, http: requests.Session, timeout: float) -> None:
        grant = request_token_patiently(http, self.token_url, self._client_header, self._body,
                                        timeout, self._refusal)
        expires_at = time.time() + grant.expires_in
        self._access = grant.access_token
        self._renew_at = expires_at - _margin(grant.expires_in)
        stored = self.store.load()
        if stored is None or stored.seed_fingerprint == self._seed or not stored.refresh_token:
            self.store.save(StoredTokens(refresh_token="", seed_fingerprint=self._seed,
                                         access_token=grant.access_token,
                                         access_expires_at=expires_at))
        LOGGER.info("Obtained an OAuth access token with the password grant; it is shared "
                    "through %s", self.store.path)

    def invalidate(self, refused: str | None = None) -> None:
        """Forget the access token, unless another thread has already replaced the refused one."""
        with self._lock:
            if refused is None or refused == f"Bearer {self._access}":
                self._rejected = self._access
                self._access = None

    @staticmethod
    def _refusal(response: requests.Response) -> str:
        code = token_error(response)
        if code == "invalid_client":
            return INVALID_CLIENT
        return (f"Eloqua refused the password grant (HTTP {response.status_code}"
                f"{', ' + code if code else ''}): check site_name, username and password, and "
                "that the app may use the password grant.")
