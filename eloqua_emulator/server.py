"""The two loopback HTTP listeners (login and pod) on stdlib ThreadingHTTPServer, with fault
injection.

Login stands for https://login.eloqua.com (`/id`, `/auth/oauth2/*`); pod stands for https://secure.pNN.eloqua.com
(Bulk API under /api/bulk/2.0, any case, plus the unauthenticated `/_emulator/` control endpoints).
"""

from __future__ import annotations

import contextlib
import secrets
import socket
import sys
import threading
import time
import traceback
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qs, urlencode

import orjson

from . import control, import_routes, rest, routes
from .auth import TokenError
from .common import BadRequestError, HttpError

if TYPE_CHECKING:
    from .emulator import EloquaEmulator

BULK_PREFIX = "/api/bulk/2.0"
FAULT_TEXT = {
    429: "Too Many Requests",
    500: "The service has encountered an error.",
    502: "Bad Gateway",
    503: "Service Unavailable",
}


class Listener(ThreadingHTTPServer):
    """One listener; remembers open connections so stop() can cut keep-alive clients."""

    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, addr: tuple[str, int], emu: EloquaEmulator, role: str) -> None:
        super().__init__(addr, Handler)
        self.emu = emu
        self.role = role
        self.conns: set[socket.socket] = set()
        self.conns_lock = threading.Lock()

    def handle_error(self, request: object, client_address: object) -> None:
        """A client that hangs up (a process exiting with keep-alive connections open) is
        normal for a server: only other failures print a traceback."""
        if isinstance(sys.exc_info()[1], (ConnectionResetError, BrokenPipeError)):
            return
        super().handle_error(request, client_address)  # type: ignore[arg-type]

    @property
    def url(self) -> str:
        host, port = self.server_address[:2]
        return f"http://{host!s}:{port}"

    def close_connections(self) -> None:
        with self.conns_lock:
            for conn in list(self.conns):
                with contextlib.suppress(OSError):
                    conn.shutdown(socket.SHUT_RDWR)


class Handler(BaseHTTPRequestHandler):
    """Reads the request, applies a fault or routes it, writes the response, logs it."""

    protocol_version = "HTTP/1.1"
    server: Listener
    timeout = 120

    def setup(self) -> None:
        super().setup()
        with self.server.conns_lock:
            self.server.conns.add(self.connection)

    def finish(self) -> None:
        with self.server.conns_lock:
            self.server.conns.discard(self.connection)
        with contextlib.suppress(OSError):
            super().finish()

    def date_time_string(self, timestamp: float | None = None) -> str:
        """The `Date` header from Eloqua's clock (offset included), one-second resolution."""
        return self.server.emu.store.clock.http_date()

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - stdlib signature
        """Quiet: tests read `emu.request_log` instead."""

    def do_GET(self) -> None:
        self._handle("GET")

    def do_POST(self) -> None:
        self._handle("POST")

    def do_PUT(self) -> None:
        self._handle("PUT")

    def do_DELETE(self) -> None:
        self._handle("DELETE")

    def do_PATCH(self) -> None:
        self._handle("PATCH")

    # ----------------------------------------------------------------------------------------------
    def _handle(self, method: str) -> None:
        emu = self.server.emu
        body = self._read_body()
        path, _, qs = self.path.partition("?")
        query = {k: v[-1] for k, v in parse_qs(qs, keep_blank_values=True).items()}
        control_path = self.server.role == "pod" and path.lower().startswith("/_emulator/")
        fault = None if control_path else emu.faults.pick(path)
        if fault == "timeout":
            time.sleep(emu.config.fault_sleep_seconds)
            if method == "POST":  # never process a POST the client may already have given up on
                fault = "timeout-503"
        if fault is not None and fault != "timeout":
            self._fault(fault, method)
            return
        headers: dict[str, str] = {}
        try:
            if control_path:
                status, payload = control.handle(emu, method, path, body)
                ctype, headers = "application/json; charset=utf-8", {}
            else:
                status, payload, ctype, headers = self._route(method, path, query, body)
        except BadRequestError as exc:
            status, payload = 400, orjson.dumps({"failures": exc.failures})
            ctype, headers = "application/json; charset=utf-8", {}
        except HttpError as exc:
            status, payload, ctype, headers = (
                exc.status,
                exc.message.encode(),
                "text/plain; charset=utf-8",
                {},
            )
        except Exception:
            traceback.print_exc()
            status, payload = 500, b"The service has encountered an error."
            ctype, headers = "text/plain; charset=utf-8", {}
        # Logged before the answer leaves: a client that has its answer finds it in the log.
        emu.request_log.append((method, self.path, status))
        self._send(status, payload, ctype, headers)

    def _route(
        self, method: str, path: str, query: dict[str, str], body: bytes
    ) -> tuple[int, bytes, str, dict[str, str]]:
        emu = self.server.emu
        jtype = "application/json; charset=utf-8"
        low = path.lower().rstrip("/")
        auth = self.headers.get("Authorization")
        if self.server.role == "login":
            if low == "/id" and method == "GET":
                if emu.auth.check(auth):
                    return 200, orjson.dumps(emu.auth.id_document(emu.base_url)), jtype, {}
                return 200, b'"Not authenticated."', "application/json", {}
            if low == "/auth/oauth2/token" and method == "POST":
                try:
                    doc = emu.auth.token(auth, self.headers.get("Content-Type", ""), body)
                except TokenError as exc:
                    wait = {} if exc.retry_after is None else {"Retry-After": str(exc.retry_after)}
                    return exc.status, orjson.dumps(exc.body), jtype, wait
                return 200, orjson.dumps(doc), jtype, {"Cache-Control": "no-store"}
            if low == "/auth/oauth2/authorize" and method == "GET":
                redirect = query.get("redirect_uri", "")
                params = {
                    "code": emu.auth.issue_auth_code(),
                    **({"state": query["state"]} if "state" in query else {}),
                }
                sep = "&" if "?" in redirect else "?"
                return 302, b"", "text/plain", {"Location": f"{redirect}{sep}{urlencode(params)}"}
            raise HttpError(404, "The requested resource was not found.")
        rest_path = rest.split(path)
        if rest_path is not None:  # the REST Application API: same auth, REST-shaped errors
            if not emu.auth.check(auth):
                return 401, b"Login required", "text/plain; charset=utf-8", {}
            if rest.denied(emu, rest_path[1]):
                return 403, b"Forbidden", "text/plain; charset=utf-8", {}
            status, payload = rest.dispatch(emu, method, rest_path[1], query, rest_path[0])
            return status, payload, jtype, {}
        if not (low == BULK_PREFIX or low.startswith(BULK_PREFIX + "/")):
            raise HttpError(404, "The requested resource was not found.")
        if not emu.auth.check(auth):
            return 401, b"Login required", "text/plain; charset=utf-8", {}
        import_routes.REQUEST.content_type = self.headers.get("Content-Type", "")
        status, payload = routes.dispatch(emu, method, path[len(BULK_PREFIX) :] or "/", query, body)
        return status, payload, jtype, {}

    def _send(self, status: int, payload: bytes, ctype: str, headers: dict[str, str]) -> None:
        self.send_response(status)
        if status != 204:
            self.send_header("Content-Type", ctype)
            self.send_header("Content-Length", str(len(payload)))
        for k, v in headers.items():
            self.send_header(k, v)
        self.send_header("X-Request-Id", secrets.token_hex(8))
        self.end_headers()
        if status != 204 and payload:
            self.wfile.write(payload)

    def _read_body(self) -> bytes:
        """Request body by Content-Length or chunked transfer encoding."""
        if "chunked" in self.headers.get("Transfer-Encoding", "").lower():
            parts: list[bytes] = []
            while True:
                size = int(self.rfile.readline().split(b";", 1)[0].strip() or b"0", 16)
                if size == 0:
                    while self.rfile.readline() not in (b"\r\n", b"\n", b""):
                        pass
                    return b"".join(parts)
                parts.append(self.rfile.read(size))
                self.rfile.readline()
        length = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(length) if length > 0 else b""

    def _fault(self, kind: str, method: str) -> None:
        emu = self.server.emu
        if kind == "timeout-503":
            text = b"There was a timeout processing the request"
            emu.request_log.append((method, self.path, 503))
            self._send(503, text, "text/plain; charset=utf-8", {})
            return
        if kind in ("reset", "truncate"):
            emu.request_log.append((method, self.path, 0 if kind == "reset" else 200))
            if kind == "truncate":
                body = (
                    b'{"items":[{"truncated":"' + b"x" * 64 + b'"}],"totalResults":1,"limit":1000}'
                )
                self.send_response(200)
                self.send_header("Content-Type", "application/json; charset=utf-8")
                self.send_header("Content-Length", str(len(body) * 2))
                self.end_headers()
                self.wfile.write(body[: len(body) // 2])
                self.wfile.flush()
            self.close_connection = True
            with contextlib.suppress(OSError):
                self.connection.shutdown(socket.SHUT_RDWR)
            return
        status = int(kind)
        emu.request_log.append((method, self.path, status))
        self._send(status, FAULT_TEXT[status].encode(), "text/plain; charset=utf-8", {})
