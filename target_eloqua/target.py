"""target-eloqua: Singer streams upserted into Eloqua through Bulk API imports.

State: the SDK writes the latest STATE only at the end of `drain_all`. Batches are staged in
Eloqua as they fill and synced later, on the sync line (importer.py, syncline.py), while records
are read on; so `_drain_all` syncs every stream's staged rows and waits for the line before it
returns: a failed import raises out of the drain (or out of the next call that queues work), and
no STATE that follows unimported records is ever written.
Imports are upserts on an identifier, so the records after the last STATE, re-sent by the next
run, change nothing twice.
"""

from __future__ import annotations

import atexit
from collections import Counter
from collections.abc import Iterable
from functools import cached_property
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from singer_sdk import Sink
from typing_extensions import override

from eloqua_bulk import BulkClient, ConfigurationError
from eloqua_bulk.client import PollSettings
from eloqua_bulk.config import session_from
from eloqua_plugin.plugin import OneLineConfigErrors, run_cli
from target_eloqua.fastpath import FastRecordPath
from target_eloqua.host import StagedSink
from target_eloqua.reader import OrjsonReader
from target_eloqua.rejects import RejectsFile, default_rejects_path
from target_eloqua.resolver import Resolver
from target_eloqua.settings import MAX_PUSHES_PER_SYNC, TARGET_SETTINGS
from target_eloqua.sinks import ImportSink
from target_eloqua.syncline import SyncLine

HARD_MAX_BYTES = 32 * 1024 * 1024
MIN_PUSH_BYTES = 256


class TargetEloqua(OneLineConfigErrors, FastRecordPath):
    """Singer target for the Oracle Eloqua Bulk API 2.0 (imports)."""

    name = "target-eloqua"
    package_name = "eloqua-singer"
    config_jsonschema = TARGET_SETTINGS.to_dict()
    default_sink_class = ImportSink
    message_reader_class = OrjsonReader

    @override
    def _check_config(self) -> None:
        config = self._config
        size = int(config.get("max_push_bytes", 32_000_000))
        if not MIN_PUSH_BYTES <= size <= HARD_MAX_BYTES:
            raise ConfigurationError(f"max_push_bytes {size} is out of range: use "
                                     f"{MIN_PUSH_BYTES} to {HARD_MAX_BYTES} (Eloqua's 32 MB).")
        pushes = int(config.get("max_pushes_per_sync", MAX_PUSHES_PER_SYNC))
        if not 1 <= pushes <= MAX_PUSHES_PER_SYNC:
            raise ConfigurationError(f"max_pushes_per_sync {pushes} is out of range: use 1 to "
                                     f"{MAX_PUSHES_PER_SYNC}.")
        if config.get("load_method") == "overwrite":
            self.logger.warning("load_method overwrite is not supported: Eloqua imports upsert "
                                "on the identifier and never delete records.")
        zone = str(config.get("instance_timezone", "America/New_York"))
        try:
            ZoneInfo(zone)
        except (ZoneInfoNotFoundError, ValueError):
            raise ConfigurationError(f"instance_timezone '{zone}' is not a time zone name "
                                     "(e.g. America/New_York).") from None
        for stream, options in (config.get("streams") or {}).items():
            for action in (options or {}).get("sync_actions") or []:
                if action.get("action") == "setStatus" and not action.get("status"):
                    raise ConfigurationError(f"streams.{stream}.sync_actions: setStatus on "
                                             f"{action.get('destination')} needs a status.")
                if not str(action.get("destination", "")).startswith("{{"):
                    raise ConfigurationError(
                        f"streams.{stream}.sync_actions: destination "
                        f"'{action.get('destination')}' must be an EML reference such as "
                        "{{ContactList[123]}}.")

    @cached_property
    @override
    def client(self) -> BulkClient:
        session = session_from(self.config, user_agent=f"target-eloqua/{self.plugin_version}")
        longest = float(self.config.get("poll_interval_max_seconds", 30))
        poll = PollSettings(first_interval=min(PollSettings.first_interval, longest),
                            max_interval=longest,
                            timeout=float(self.config.get("sync_timeout_minutes", 360)) * 60)
        client = BulkClient(session, poll)
        # Definitions are deleted after each import; this catches the ones an abort left.
        atexit.register(client.cleanup)
        return client

    @cached_property
    @override
    def record_counts(self) -> Counter[str]:
        """Records read per stream: rejects name the record's position in its stream."""
        return Counter()

    @cached_property
    @override
    def resolver(self) -> Resolver:
        return Resolver(self.client)

    @cached_property
    @override
    def rejects(self) -> RejectsFile:
        return RejectsFile(self.config.get("rejects_file") or default_rejects_path())

    @cached_property
    @override
    def sync_line(self) -> SyncLine:
        """Every Eloqua call of every import, in order, on one worker thread."""
        line = SyncLine(self.client.cleanup)
        # On an abort: let the call in flight end and queue nothing more; registered after the
        # client's cleanup, so it runs before it (which then deletes every definition left).
        atexit.register(line.close, abort=True)
        return line

    @cached_property
    @override
    def import_sinks(self) -> list[StagedSink]:
        """Every import sink of the run, in creation order (a new SCHEMA makes a new one)."""
        return []

    @override
    def sync_before(self, sink: StagedSink) -> None:
        """Before `sink` syncs: sync the staged rows of streams that go first (contacts and
        accounts before custom objects, which may link to them) and of its stream's older
        sinks."""
        if getattr(self, "_syncing_before", False):
            return
        self._syncing_before = True
        try:
            sinks = list(self.import_sinks)
            older = sinks[:sinks.index(sink)] if sink in sinks else sinks
            # every stream that goes first (contacts, accounts), then this stream's older sinks
            for other in sorted(sinks, key=lambda s: s.priority):
                if other is not sink and (other.priority < sink.priority or (
                        other.stream_name == sink.stream_name and other in older)):
                    other.importer.sync(delete=False)
        finally:
            self._syncing_before = False

    @override
    def _drain_all(self, sink_list: Iterable[Sink], parallelism: int) -> None:
        """Stage every sink's batch, then sync them one at a time, contacts and accounts
        first (custom objects may link to them), and delete their definitions.

        Returns only once every sync ended: the SDK writes STATE next.
        """
        sinks = sorted(sink_list, key=lambda s: getattr(s, "priority", 1))
        for sink in sinks:
            self.drain_one(sink)
        for sink in sinks:
            if isinstance(sink, ImportSink):
                sink.importer.sync(delete=True)
        self.sync_line.wait()

    @override
    def process_endofpipe(self) -> None:
        try:
            super().process_endofpipe()
        finally:
            if "sync_line" in self.__dict__:
                self.sync_line.close()
        if "rejects" in self.__dict__:
            self.rejects.close()


def cli() -> None:
    """Console entry point (`target-eloqua`)."""
    run_cli("target-eloqua", TargetEloqua.cli)
