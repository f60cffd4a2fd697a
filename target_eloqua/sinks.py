"""The one import sink: any stream, any Eloqua object, one batch -> one import per drain.

Rows are staged in Eloqua (pushed) every STAGE_ROWS records; a drain stages the rest and queues
the batch's sync (see importer.py), which runs on the target's sync line while records are read
on. The target's `_drain_all` waits for that line before the SDK writes STATE.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import cached_property
from typing import Any
from zoneinfo import ZoneInfo

from singer_sdk import BatchSink
from singer_sdk.exceptions import InvalidRecord
from typing_extensions import override

from eloqua_bulk import EloquaError
from target_eloqua import objects as obj
from target_eloqua.fields import FieldIndex
from target_eloqua.host import TargetHost
from target_eloqua.importer import Importer, ImportSettings
from target_eloqua.plan import build_plan, row_builder
from target_eloqua.settings import BATCH_SIZE_ROWS, MAX_STAGED_BYTES

SDC_PREFIX = "_sdc_"
STAGE_ROWS = 10_000     # rows held (as dicts) before they are deduplicated, encoded and pushed


class RecordError(EloquaError):
    """A record the stream's own SCHEMA (or this target) cannot accept."""


class ImportSink(BatchSink):
    """Buffers a stream's records as Eloqua rows; each drain imports them (see importer.py)."""

    # Records per import (sync); their rows are pushed every STAGE_ROWS, so memory does not
    # grow with it. `batch_size_rows` overrides it (never declare `max_size`: it would shadow it).
    MAX_SIZE_DEFAULT = BATCH_SIZE_ROWS

    def __init__(self, target: TargetHost, stream_name: str, schema: dict[str, Any],
                 key_properties: Sequence[str] | None) -> None:
        self._owner = target
        super().__init__(target=target, stream_name=stream_name, schema=schema,
                         key_properties=key_properties)
        self._warned: set[str] = set()

    @cached_property
    @override
    def validate_schema(self) -> bool:
        """Off unless asked: Eloqua validates every value and its rejects are reported."""
        return bool(self.config.get("validate_records", False))

    @override
    def setup(self) -> None:
        """Resolve the object, match properties to fields: every user error surfaces here."""
        owner, config = self._owner, self.config
        options = dict((config.get("streams") or {}).get(self.stream_name) or {})
        target = owner.resolver.object_for(self.stream_name, options)
        index = FieldIndex(target, owner.resolver.fields(target))
        schema = {**self.schema, "properties": {
            k: v for k, v in (self.schema.get("properties") or {}).items()
            if not k.startswith(SDC_PREFIX)}}
        self.plan = build_plan(self.stream_name, schema, index, options, config, self.logger,
                               self._link_index, tuple(self.key_properties or ()))
        self._build = row_builder(self.plan, schema,
                                  ZoneInfo(str(config.get("instance_timezone",
                                                          "America/New_York"))))
        self._known = frozenset(self.schema.get("properties") or {})
        self.priority = target.kind.priority
        self.importer = Importer(owner.client, self.plan, ImportSettings(
            int(config.get("max_push_bytes", 32_000_000)),
            int(config.get("max_pushes_per_sync", 500)),
            bool(config.get("fail_on_rejects", False)),
            int(config.get("max_staged_bytes", MAX_STAGED_BYTES))), owner.rejects, self.logger,
            owner.sync_line, lambda: owner.sync_before(self))
        owner.import_sinks.append(self)
        self.logger.info("%s -> %s: %d properties imported%s", self.stream_name, target.label,
                         len(self.plan.columns),
                         f", identifier {self.plan.identifier}" if self.plan.identifier else "")

    def _link_index(self, to: str) -> FieldIndex:
        target = obj.contacts() if to == "contacts" else obj.accounts()
        return FieldIndex(target, self._owner.resolver.fields(target))

    # -- the per-record path ---------------------------------------------------------------
    @property
    def _count(self) -> int:
        """Records of this stream read so far in the run (a new SCHEMA does not reset it)."""
        return self._owner.record_counts[self.stream_name]

    @override
    def _validate_and_parse(self, record: dict[str, Any]) -> dict[str, Any]:
        """Validate only if asked, and never parse timestamps: dates are converted as text."""
        if self._validator is not None:
            try:
                self._validator.validate(record)
            except InvalidRecord as exc:
                message = " ".join(str(exc).split())[:300]
                raise RecordError(f"Stream {self.stream_name}, record {self._count + 1} does "
                                  f"not match its schema: {message}") from None
        return record

    @override
    def process_record(self, record: dict[str, Any], context: dict[str, Any]) -> None:
        counts, stream = self._owner.record_counts, self.stream_name
        number = counts[stream] = counts[stream] + 1
        if not record.keys() <= self._known:
            self._undeclared(record)
        rows = context.get("rows")
        if rows is None:
            rows = context["rows"] = []
            context["numbers"] = []
        rows.append(self._build(record))
        context["numbers"].append(number)
        if len(rows) >= STAGE_ROWS:        # pushed now; the batch's sync follows at its drain
            self._stage(context)

    def _stage(self, context: dict[str, Any]) -> None:
        merged = self.importer.stage(context["rows"], context["numbers"])
        if merged:
            self.tally_duplicate_merged(merged)
        context["rows"], context["numbers"] = [], []

    def _undeclared(self, record: dict[str, Any]) -> None:
        extra = sorted(k for k in record.keys() - self._known if not k.startswith(SDC_PREFIX))
        if not extra:
            return
        if not self.config.get("ignore_unknown_properties"):
            raise RecordError(
                f"Stream {self.stream_name}, record {self._count} has properties its SCHEMA "
                f"does not declare: {', '.join(extra[:20])}; declare them, or set "
                "ignore_unknown_properties to leave them out.")
        new = [k for k in extra if k not in self._warned]
        if new:
            self._warned.update(new)
            self.logger.warning("%s: undeclared properties are left out: %s", self.stream_name,
                                ", ".join(new))

    # -- the drain -------------------------------------------------------------------------
    @override
    def process_batch(self, context: dict[str, Any]) -> None:
        if "records" in context:              # a BATCH message's files: raw records
            for record in context.pop("records"):
                self.process_record(record, context)
        if context.get("rows"):
            self._stage(context)
        self.importer.sync(delete=True)
