"""What tap-eloqua and target-eloqua do alike as SDK plugins: one-line errors, scrubbed secrets."""

from __future__ import annotations

import sys
from collections.abc import Callable
from typing import Any

from singer_sdk.exceptions import SingerSDKError
from singer_sdk.plugin_base import PluginBase
from singer_sdk.singerlib.exceptions import SingerError
from typing_extensions import override

from eloqua_bulk import ConfigurationError, EloquaError
from eloqua_bulk.redaction import SECRETS, install_log_redaction
from eloqua_plugin.preflight import check_files

SECRET_SETTINGS = ("password", "client_secret", "refresh_token")


class OneLineConfigErrors(PluginBase):
    """Mixin for a Tap/Target (listed before it): the SDK's multi-line config report becomes one
    line, secrets are registered for redaction before anything is logged, then `_check_config`
    runs. It derives from the SDK's PluginBase so the type checker sees the override."""

    @override
    def _validate_config(self, *, raise_errors: bool = True) -> list[str]:
        install_log_redaction()
        for key in SECRET_SETTINGS:
            SECRETS.add(str(self._config.get(key) or ""))
        errors = super()._validate_config(raise_errors=False)
        if errors and raise_errors:
            raise ConfigurationError("Invalid config: " + "; ".join(errors))
        if raise_errors:
            self._check_config()
        return errors

    def _check_config(self) -> None:
        """Checks the JSON schema cannot express; overridden by each plugin."""


def run_cli(name: str, command: Callable[[], Any]) -> None:
    """Run a plugin's CLI: a user's mistake ends in one line and exit 1, never a traceback."""
    try:
        check_files(sys.argv[1:])
        command()
    except (EloquaError, SingerSDKError, SingerError) as exc:
        text = " ".join(str(exc).split())
        sys.stderr.write(f"{name}: error: {SECRETS.redact(text)}\n")
        sys.exit(1)
