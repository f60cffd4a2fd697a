"""tap-eloqua: streams are discovered from the instance's /fields endpoints at run time."""

from __future__ import annotations

import atexit
from functools import cached_property

from singer_sdk import Stream
from typing_extensions import override

from eloqua_bulk import BulkClient, ConfigurationError
from eloqua_bulk.client import PollSettings
from eloqua_bulk.config import session_from
from eloqua_plugin import entities as ent
from eloqua_plugin.plugin import OneLineConfigErrors, run_cli
from tap_eloqua.bulk_extras import extra_entities
from tap_eloqua.host import TapHost
from tap_eloqua.rest import rest_streams
from tap_eloqua.scheduler import SyncScheduler
from tap_eloqua.schema import fields_for, json_schema
from tap_eloqua.settings import TAP_SETTINGS
from tap_eloqua.streams import EloquaExportStream, parse_instant
from tap_eloqua.sweeps import sweep_streams
from tap_eloqua.writer import OrjsonWriter


class TapEloqua(OneLineConfigErrors, TapHost):
    """Singer tap for the Oracle Eloqua Bulk API 2.0."""

    name = "tap-eloqua"
    package_name = "eloqua-singer"
    config_jsonschema = TAP_SETTINGS.to_dict()
    dynamic_catalog = True  # discovery calls Eloqua, so it needs valid credentials
    message_writer_class = OrjsonWriter

    @override
    def _check_config(self) -> None:
        config = self._config
        batch = config.get("batch_config") or {}
        batch_format = (batch.get("encoding") or {}).get("format", "jsonl") if batch else "jsonl"
        if batch_format != "jsonl":
            raise ConfigurationError(
                f"batch_config.encoding.format '{batch_format}' is not supported; use jsonl "
                "(with compression gzip or none).")
        parse_instant(str(config.get("start_date")), "start_date")
        if config.get("end_date"):
            parse_instant(str(config["end_date"]), "end_date")
        page_size = int(config.get("page_size", 50000))
        if not 1 <= page_size <= 50000:
            raise ConfigurationError(f"page_size {page_size} is out of range: use 1 to 50000.")
        unknown = set(config.get("activity_types") or ()) - set(ent.ACTIVITY_TYPES)
        if unknown:
            raise ConfigurationError(
                f"Unknown activity_types {sorted(unknown)}; choose from "
                f"{', '.join(ent.ACTIVITY_TYPES)}.")

    @cached_property
    @override
    def client(self) -> BulkClient:
        session = session_from(self.config, user_agent=f"tap-eloqua/{self.plugin_version}")
        longest = float(self.config.get("poll_interval_max_seconds", 30))
        poll = PollSettings(first_interval=min(PollSettings.first_interval, longest),
                            max_interval=longest,
                            timeout=float(self.config.get("sync_timeout_minutes", 360)) * 60)
        client = BulkClient(session, poll)
        # Every definition this run creates is deleted at exit: success, error or SIGTERM.
        atexit.register(client.cleanup)
        return client

    @cached_property
    @override
    def scheduler(self) -> SyncScheduler:
        """Built on first use, once the streams (and the catalog's selection) are known."""
        streams = list(self.streams.values())
        for stream in streams:
            # Create each selected stream's state entry here, on the main thread: watcher threads
            # read it while the SDK copies the state for STATE messages, so it must not grow then.
            if stream.selected:
                _ = stream.stream_state
        scheduler = SyncScheduler(
            streams,  # type: ignore[arg-type]
            max_open=int(self.config.get("max_concurrent_syncs", 3)),
            max_open_activities=int(self.config.get("max_concurrent_activity_syncs", 1)),
            logger=self.logger)
        atexit.register(scheduler.stop)  # registered after the client's cleanup: runs before it
        return scheduler

    def _entities(self) -> list[ent.Entity]:
        config = self.config
        found = [ent.contacts(), ent.accounts()]
        types = config.get("activity_types")
        for activity_type in (ent.ACTIVITY_TYPES if types is None else types):
            found.append(ent.activity(activity_type))
        objects = []
        wanted = {str(x).strip().lower() for x in config.get("custom_objects") or []}
        for item in self.client.list_all("/customObjects"):
            co_id = int(str(item["uri"]).rstrip("/").rsplit("/", 1)[-1])
            name = str(item.get("name") or f"custom object {co_id}")
            if not wanted or str(co_id) in wanted or name.strip().lower() in wanted:
                objects.append((co_id, name))
        taken = {e.stream_name for e in found}
        return [*found, *ent.custom_objects(objects, taken),
                *extra_entities(self.client, config, taken)]

    @override
    def discover_streams(self) -> list[Stream]:
        exports: list[EloquaExportStream] = []
        for entity in self._entities():
            items = self.client.list_all(entity.fields_path, entity.fields_params or None)
            fields = fields_for(entity, items)
            exports.append(EloquaExportStream(self, entity, fields, json_schema(fields)))
        streams: list[Stream] = list(exports)
        if self.config.get("detect_deletes"):
            streams += sweep_streams(self, exports, {s.name for s in exports})
        rest, refused = rest_streams(self)
        streams += rest
        if self.input_catalog:
            # a REST stream Eloqua refused is left out of the sync (warned about above)
            unknown = sorted(set(self.input_catalog.keys()) - {s.name for s in streams} - refused)
            if unknown:
                raise ConfigurationError(
                    f"The catalog names streams this instance does not have: "
                    f"{', '.join(unknown)}; run discovery again.")
        return streams


def cli() -> None:
    """Console entry point (`tap-eloqua`)."""
    run_cli("tap-eloqua", TapEloqua.cli)
