"""EloquaEmulator: seeded state plus two loopback listeners, with helpers tests use to arrange and
audit.
"""

from __future__ import annotations

import copy
import threading
from collections.abc import Iterable
from types import TracebackType
from typing import Any

from .auth import Auth
from .config import EmulatorConfig
from .exports import Exports
from .faults import Faults
from .import_syncs import ImportSyncs
from .imports import Imports
from .seed import seed_store
from .server import Listener
from .syncs import Syncs


class EloquaEmulator:
    """A faithful Eloqua Bulk API 2.0 emulator on 127.0.0.1 (see eloqua_emulator/README in module
    docs).
    """

    def __init__(self, config: EmulatorConfig | None = None) -> None:
        self.config = cfg = config or EmulatorConfig()
        self.store = seed_store(cfg)
        self.store.clock.offset_seconds = cfg.clock_offset_seconds
        self.store.clock.visibility_delay_seconds = cfg.visibility_delay_seconds
        self.auth = Auth(cfg)
        self.exports = Exports(self.store, cfg.username, cfg.default_retention)
        self.syncs = Syncs(self.store, self.exports, cfg, cfg.username)
        self.faults = Faults(cfg.max_consecutive_faults)
        self.imports = Imports(self.store, cfg)
        self.import_syncs = ImportSyncs(self)
        self.request_log: list[tuple[str, str, int]] = []
        self._login: Listener | None = None
        self._pod: Listener | None = None
        self._threads: list[threading.Thread] = []

    # ---- lifecycle -------------------------------------------------------------------------------
    def start(self) -> EloquaEmulator:
        """Bind both listeners (port 0 = a free port) and serve on daemon threads."""
        cfg = self.config
        self._login = Listener((cfg.host, cfg.login_port), self, "login")
        self._pod = Listener((cfg.host, cfg.pod_port), self, "pod")
        for srv in (self._login, self._pod):
            t = threading.Thread(
                target=srv.serve_forever,
                kwargs={"poll_interval": 0.05},
                daemon=True,
                name=f"eloqua-emulator-{srv.role}",
            )
            t.start()
            self._threads.append(t)
        return self

    def stop(self) -> None:
        """Stop serving, close keep-alive connections and the listening sockets."""
        for srv in (self._login, self._pod):
            if srv is not None:
                srv.shutdown()
                srv.close_connections()
                srv.server_close()
        for t in self._threads:
            t.join(timeout=5)
        self._threads.clear()

    def __enter__(self) -> EloquaEmulator:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    # ---- addresses and credentials ---------------------------------------------------------------
    @property
    def login_url(self) -> str:
        assert self._login is not None, "emulator not started"
        return self._login.url

    @property
    def base_url(self) -> str:
        assert self._pod is not None, "emulator not started"
        return self._pod.url

    @property
    def site_name(self) -> str:
        return self.config.site_name

    @property
    def username(self) -> str:
        return self.config.username

    @property
    def password(self) -> str:
        return self.config.password

    @property
    def client_id(self) -> str:
        return self.config.client_id

    @property
    def client_secret(self) -> str:
        return self.config.client_secret

    def issue_refresh_token(self) -> str:
        """A fresh, valid, single-use refresh token."""
        return self.auth.issue_refresh_token()

    def issue_auth_code(self) -> str:
        """A single-use authorization code for the `authorization_code` grant."""
        return self.auth.issue_auth_code()

    def revoke_all_tokens(self) -> None:
        """Invalidate every access token, refresh token and code issued so far."""
        self.auth.revoke_all()

    # ---- arranging -------------------------------------------------------------------------------
    def set_faults(
        self,
        rate: float = 0.2,
        kinds: Iterable[str] = ("429", "503"),
        seed: int = 1,
        paths: Iterable[str] | None = None,
    ) -> None:
        """Answer `rate` of requests with a fault: 429/500/502/503, reset, truncate or timeout."""
        self.faults.set(rate, kinds, seed, paths)

    def clear_faults(self) -> None:
        self.faults.clear()

    def fail_next_sync(
        self,
        code: str = "ELQ-00146",
        message: str = "The sync failed because of a temporary error.",
    ) -> None:
        """Make the next created sync end in the failure status with this error log."""
        with self.syncs.lock:
            self.syncs.fail_next = (code, message)

    def expire_sync_data(self, sync_id: int) -> None:
        """Act as if the sync's dataRetentionDuration had passed (its data then answers 404)."""
        self.syncs.expire(sync_id)

    # ---- auditing --------------------------------------------------------------------------------
    def live_definitions(self) -> list[str]:
        """Uris of definitions (exports and imports) that still exist."""
        return [str(r["uri"]) for r in self.exports.listing(None) + self.imports.listing(None)]

    def export_definitions_seen(self) -> list[dict[str, Any]]:
        """Every export definition resource accepted so far (creates and PUTs, deleted ones too)."""
        with self.exports.lock:
            return copy.deepcopy(self.exports.seen)

    @property
    def sync_count(self) -> int:
        return self.syncs.count
