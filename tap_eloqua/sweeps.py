"""Deleted-record detection: an Id sweep per entity (`detect_deletes`).

Eloqua's Bulk API exports what exists and never says what was deleted, so incremental streams
cannot see deletions. A sweep stream `<stream>_ids` exports every Id the entity has now (one
column, no filter: cheap even for millions of rows) and stamps each with the sweep's start as
`swept_at`. Upserted on `Id`, the destination table then tells deletions apart: an Id whose
`swept_at` is older than the newest sweep is no longer in Eloqua.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timezone
from typing import Any

from typing_extensions import override

from eloqua_plugin.entities import Entity
from tap_eloqua.exporter import ExportPlan
from tap_eloqua.host import TapHost
from tap_eloqua.schema import Field, json_schema
from tap_eloqua.streams import SYNC_KEY, EloquaExportStream

SWEPT_AT = "swept_at"
EPOCH = datetime(1900, 1, 1, tzinfo=timezone.utc)


def sweepable(entity: Entity) -> bool:
    """Entities keyed on an Eloqua Id that can disappear (activities are never deleted)."""
    return entity.kind.key == ("Id",) and not entity.kind.lagged


class IdSweepStream(EloquaExportStream):
    """Every current Id of one entity, with the time of the sweep; full table each run."""

    def __init__(self, tap: TapHost, entity: Entity, key: Field, name: str,
                 swept_at: datetime) -> None:
        schema = json_schema({key.name: key})
        schema["properties"][SWEPT_AT] = {"type": ["string"], "format": "date-time"}
        schema["required"].append(SWEPT_AT)
        super().__init__(tap, entity, {key.name: key}, schema, name=name)
        self.replication_key = None
        self._swept_at = swept_at

    @override
    def _window(self, state: dict[str, Any]) -> tuple[datetime, datetime]:
        """No bookmark: every sweep reads the whole entity as it is now."""
        return EPOCH, self._swept_at

    @override
    def _selected_fields(self) -> list[Field]:
        return list(self.eloqua_fields.values())

    @override
    def _plan(self, start: datetime, end: datetime, fields: list[Field]) -> ExportPlan:
        return ExportPlan(self.entity, {f.name: f.statement for f in fields}, "", start, end,
                          str(self.config.get("data_retention_duration", "P1D")),
                          windowed=False)

    @override
    def _record_pages(self) -> Iterator[Iterator[dict[str, Any]]]:
        """One whole sweep every run, never resumed: an interrupted sweep's sync holds the Ids
        of its own moment, and stamping them with this run's time would hide deletions."""
        saved = self.stream_state.pop(SYNC_KEY, None)
        if saved and saved.get("definition_uri"):
            self._tap_ref.client.adopt(str(saved["definition_uri"]))  # deleted at exit
        stamp = self._swept_at.isoformat()
        for page in super()._record_pages():
            yield ({**record, SWEPT_AT: stamp} for record in page)

    @override
    def _advance(self, state: dict[str, Any], end: datetime, began: float, count: int,
                 start: datetime) -> None:
        """Nothing to bookmark; only the count is worth a log line."""
        state.pop("replication_key", None)
        state.pop("replication_key_value", None)
        self.logger.info("%s: %d Ids swept", self.name, count)


def sweep_streams(tap: TapHost, streams: list[EloquaExportStream],
                  taken: set[str]) -> list[IdSweepStream]:
    """One sweep per sweepable stream, named `<stream>_ids` (`_<n>` added on a collision)."""
    now = tap.client.session.server_now()  # Eloqua's time: sweeps from any host compare
    swept_at = now.replace(microsecond=now.microsecond // 1000 * 1000)  # one time for the run
    sweeps = []
    for stream in streams:
        if not sweepable(stream.entity):
            continue
        name = f"{stream.name}_ids"
        n = 2
        while name in taken:
            name, n = f"{stream.name}_ids_{n}", n + 1
        taken.add(name)
        key = stream.eloqua_fields["Id"]
        sweeps.append(IdSweepStream(tap, stream.entity, key, name, swept_at))
    return sweeps
