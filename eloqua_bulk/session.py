"""HTTP to Eloqua: base-URL discovery, retries with backoff and jitter, one re-auth on 401."""

from __future__ import annotations

import ipaddress
import logging
import random
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timezone
from email.utils import parsedate_to_datetime
from typing import Any
from urllib.parse import urlsplit

import orjson
import requests

from eloqua_bulk.auth import Credentials
from eloqua_bulk.errors import (
    AuthenticationError,
    ConfigurationError,
    EloquaAPIError,
    EloquaError,
    RetriableError,
)
from eloqua_bulk.redaction import SECRETS

LOGGER = logging.getLogger("eloqua_bulk.http")
BULK_ROOT = "/api/bulk/2.0"
REST_ROOT = "/api/REST/{version}"
RETRY_STATUSES = frozenset({408, 429, 500, 502, 503, 504})
NOT_AUTHENTICATED = "Not authenticated."


def check_url(url: str, setting: str) -> str:
    """Refuse anything but https, except plain http to a loopback host (local emulators)."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ConfigurationError(f"{setting} '{url}' is not a valid http(s) URL.")
    if parts.scheme == "http" and not _is_loopback(parts.hostname):
        raise ConfigurationError(
            f"{setting} '{url}' uses plain http; Eloqua needs https (http is only allowed "
            "for loopback addresses)."
        )
    return url.rstrip("/")


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


@dataclass
class SessionSettings:
    """Connection knobs; the defaults suit a production instance."""

    login_url: str = "https://login.eloqua.com"
    base_url: str | None = None
    request_timeout: float = 300.0
    connect_timeout: float = 20.0
    max_retries: int = 8
    backoff_base: float = 1.0
    backoff_max: float = 60.0
    user_agent: str = "eloqua-singer"
    max_syncs_per_hour: int = 2000


class BulkSession:
    """One authenticated HTTP session to one Eloqua instance; thread-safe for concurrent reads."""

    def __init__(self, credentials: Credentials, settings: SessionSettings | None = None) -> None:
        self.credentials = credentials
        self.settings = settings or SessionSettings()
        self.settings.login_url = check_url(self.settings.login_url, "login_url")
        self._base_url = (
            check_url(self.settings.base_url, "base_url") if self.settings.base_url else None
        )
        self._http = requests.Session()
        self._http.headers["User-Agent"] = self.settings.user_agent
        self._http.verify = True  # never configurable: TLS verification is always on
        self._lock = threading.Lock()
        self._offset_low: float | None = None  # Eloqua's clock minus ours, a lower bound

    # -- discovery -------------------------------------------------------------------------
    @property
    def base_url(self) -> str:
        with self._lock:
            if self._base_url is None:
                self._base_url = self._discover()
            return self._base_url

    def _discover(self) -> str:
        """`GET {login_url}/id`; Eloqua answers a bad login with HTTP 200 "Not authenticated."."""
        url = self.settings.login_url + "/id"
        payload = self._retrying(lambda: self._get_id(url), "GET /id")
        if payload == NOT_AUTHENTICATED:
            # A stored bearer token may have been revoked: get a fresh one and ask once more.
            self.credentials.invalidate()
            payload = self._retrying(lambda: self._get_id(url), "GET /id")
        if payload == NOT_AUTHENTICATED or not isinstance(payload, dict):
            raise AuthenticationError(
                "Eloqua did not accept the credentials (GET /id answered \"Not authenticated.\"): "
                "check site_name, username and password, or the OAuth app and token."
            )
        try:
            base = str(payload["urls"]["base"])
        except (KeyError, TypeError):
            raise EloquaAPIError("GET /id answered without urls.base; set base_url.") from None
        LOGGER.info("Eloqua instance %s is served from %s",
                    (payload.get("site") or {}).get("name", "?"), base)
        return check_url(base, "urls.base from /id")

    def _get_id(self, url: str) -> Any:
        response = self._send("GET", url)
        if response.status_code == 401:
            raise AuthenticationError(
                "Eloqua refused the credentials on GET /id (HTTP 401): check them.")
        self._raise_for_status("GET", "/id", response)
        return _decode(response)

    # -- requests --------------------------------------------------------------------------
    def request(
        self,
        method: str,
        path: str,
        *,
        params: dict[str, Any] | None = None,
        body: Any = None,
        data: bytes | None = None,
        content_type: str = "application/json",
        decode: bool = True,
        raw: bool = False,
        root: str = BULK_ROOT,
    ) -> Any:
        """Call a Bulk endpoint (path relative to /api/bulk/2.0); return decoded JSON or None.

        With `raw`, the complete body bytes are returned undecoded (a page prefetched in a
        thread stays compact until it is needed). `root` serves other APIs of the same instance
        (see `rest_request`).
        """
        label = f"{method} {path}"
        payload = orjson.dumps(body) if body is not None else data
        reauthenticated = False
        while True:
            try:
                return self._retrying(
                    lambda: self._bulk_once(method, path, params, payload, content_type, decode,
                                            raw, root),
                    label,
                )
            except _UnauthorizedError as refused:
                if reauthenticated:
                    raise AuthenticationError(
                        f"Eloqua answered 401 Unauthorized to {label} after re-authenticating: "
                        "check the user's API permissions (Advanced Users - Marketing) and any "
                        "IP allow-list."
                    ) from None
                LOGGER.info("%s answered 401; re-authenticating and re-discovering the base URL",
                            label)
                reauthenticated = True
                self.credentials.invalidate(refused.header)
                with self._lock:
                    self._base_url = (
                        None if not self.settings.base_url else self._base_url
                    )

    # -- Eloqua's clock ---------------------------------------------------------------------
    def _clock_sample(self, response: requests.Response, sent: float) -> None:
        """Learn Eloqua's clock from the instance's `Date` header.

        Date has one-second resolution and was written between `sent` and now, so
        `Date - now` is a lower bound of (Eloqua's clock - ours); the highest bound seen is
        kept. An estimate that is early only delays rows to the next run; a late one would
        lose them.
        """
        header = response.headers.get("Date")
        if not header:
            return
        try:
            stamp = parsedate_to_datetime(header).timestamp()
        except (TypeError, ValueError):
            return
        low = stamp - time.time()
        with self._lock:
            if self._offset_low is None or low > self._offset_low:
                self._offset_low = low

    def server_now(self) -> datetime:
        """Eloqua's time now (never later than it), from the Date headers of its answers."""
        if self._offset_low is None:
            self.request("GET", "/contacts/fields", params={"limit": 1})
        offset = self._offset_low
        if offset is None:
            LOGGER.warning("Eloqua sent no Date header; windows end at this machine's clock")
            offset = 0.0
        return datetime.fromtimestamp(time.time() + offset, timezone.utc)

    def rest_request(self, method: str, path: str, params: dict[str, Any] | None = None, *,
                     version: str = "2.0") -> Any:
        """Call the REST Application API (path relative to /api/REST/{version}) with the same
        auth, retries and 401 re-authentication as the Bulk calls."""
        return self.request(method, path, params=params, root=REST_ROOT.format(version=version))

    def _bulk_once(self, method: str, path: str, params: dict[str, Any] | None,
                   payload: bytes | None, content_type: str, decode: bool,
                   raw: bool = False, root: str = BULK_ROOT) -> Any:
        url = self.base_url + root + path
        sent = time.time()
        response = self._send(method, url, params=params, data=payload,
                              content_type=content_type if payload is not None else None)
        self._clock_sample(response, sent)
        if response.status_code == 401:
            raise _UnauthorizedError(response.request.headers.get("Authorization"))
        self._raise_for_status(method, path, response)
        if raw:
            return response.content
        if not decode or response.status_code == 204 or not response.content:
            return None
        return _decode(response)

    def _send(self, method: str, url: str, *, params: dict[str, Any] | None = None,
              data: bytes | None = None, content_type: str | None = None) -> requests.Response:
        headers = {
            "Authorization": self.credentials.authorization(
                self._http, self.settings.connect_timeout),
            "Accept": "application/json",
        }
        if content_type:
            headers["Content-Type"] = content_type
        try:
            response = self._http.request(
                method, url, params=params, data=data, headers=headers,
                timeout=(self.settings.connect_timeout, self.settings.request_timeout),
                allow_redirects=False,
            )
            _ = response.content  # read fully here so a truncated body is retried
        except requests.exceptions.InvalidURL:
            raise ConfigurationError(f"'{_origin(url)}' is not a valid URL.") from None
        except requests.ConnectionError as exc:
            if _is_name_error(exc):
                raise EloquaError(
                    f"Cannot resolve the host of {_origin(url)}: check login_url/base_url."
                ) from None
            raise RetriableError(f"connection to {_origin(url)} failed ({_reason(exc)})") from None
        except requests.RequestException as exc:
            raise RetriableError(f"{type(exc).__name__} from {_origin(url)}") from None
        if response.status_code in RETRY_STATUSES:
            raise RetriableError(f"HTTP {response.status_code}", _retry_after(response))
        return response

    def _raise_for_status(self, method: str, path: str, response: requests.Response) -> None:
        status = response.status_code
        if status < 400:
            return
        failures: list[dict[str, Any]] = []
        detail = ""
        try:
            payload = orjson.loads(response.content) if response.content else None
            if isinstance(payload, dict) and isinstance(payload.get("failures"), list):
                failures = payload["failures"]
                detail = "; ".join(
                    f"{f.get('field')}: {f.get('constraint')} (value {str(f.get('value'))[:200]!r})"
                    for f in failures if isinstance(f, dict))
            elif isinstance(payload, list):  # the REST API's shape: [{type, parameter, ...}]
                detail = "; ".join(_rest_error(f) for f in payload if isinstance(f, dict))
        except orjson.JSONDecodeError:
            detail = response.text[:200].strip()
        if not detail:
            detail = response.text[:200].strip() or response.reason or ""
        message = SECRETS.redact(
            f"Eloqua rejected {method} {path} (HTTP {status}): {detail}".replace("\n", " "))
        raise EloquaAPIError(message, status=status, failures=failures)

    # -- retry loop ------------------------------------------------------------------------
    def _retrying(self, call: Callable[[], Any], label: str) -> Any:
        """Exponential backoff with full jitter; honours Retry-After when Eloqua sends it."""
        attempts = max(1, self.settings.max_retries)
        for attempt in range(1, attempts + 1):
            try:
                return call()
            except RetriableError as exc:
                if attempt == attempts:
                    raise EloquaError(
                        f"{label} kept failing after {attempts} attempts (last: {exc}); Eloqua "
                        "or the network is unavailable, try again later."
                    ) from None
                cap = min(self.settings.backoff_max,
                          self.settings.backoff_base * 2 ** (attempt - 1))
                wait = exc.retry_after if exc.retry_after is not None else random.uniform(0, cap)
                LOGGER.warning("%s: %s; retry %d of %d in %.1f s", label, exc, attempt,
                               attempts - 1, wait)
                time.sleep(wait)
        raise AssertionError("unreachable")


class _UnauthorizedError(Exception):
    """Internal signal: a Bulk call answered 401 to the Authorization header it carries."""

    def __init__(self, header: str | None) -> None:
        super().__init__("401")
        self.header = header


def _decode(response: requests.Response) -> Any:
    try:
        return orjson.loads(response.content)
    except orjson.JSONDecodeError:
        raise RetriableError("unreadable JSON in the answer (truncated?)") from None


def _rest_error(item: dict[str, Any]) -> str:
    """`EndpointParameterError: count = '5000'` from one REST error object."""
    name = item.get("parameter") or item.get("property") or ""
    value = item.get("value")
    text = str(item.get("type") or "error")
    if name:
        text += f": {name}"
    if value is not None:
        text += f" = {str(value)[:200]!r}"
    return text


def _retry_after(response: requests.Response) -> float | None:
    value = response.headers.get("Retry-After")
    try:
        return min(float(value), 300.0) if value else None
    except ValueError:
        return None


def _origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


def _reason(exc: BaseException) -> str:
    text = str(exc)
    for marker in ("Connection refused", "Connection reset", "timed out", "Remote end closed",
                   "IncompleteRead", "Connection aborted"):
        if marker in text:
            return marker
    return type(exc).__name__


def _is_name_error(exc: BaseException) -> bool:
    text = str(exc)
    return "NameResolutionError" in text or "Name or service not known" in text or \
        "nodename nor servname" in text or "Temporary failure in name resolution" in text
