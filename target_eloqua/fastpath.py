"""The target's per-record path, cut to the steps that do something for an import sink.

For every RECORD the SDK copies the record, runs the stream map, strips `_sdc_*` properties,
validates, calls `preprocess_record`, checks the key properties, counts, calls `process_record`
and checks the batch size. Profiled at 200k contacts, the steps that do nothing here (a copy
nobody changes, an identity map, a validator that is off, a metadata strip the row builder makes
moot since it reads only the mapped properties) took about half of the target's CPU outside
`process_record`. A stream with exactly that setup takes the short path below: the key-property
check, the batch context, the counts and metrics, `process_record`, the drain when full and the
max-age drain, in the SDK's order. Any other setup (stream maps, flattening, `validate_records`,
`add_record_metadata`, a `preprocess_record`) takes the SDK's own path, unchanged.
"""

from __future__ import annotations

import logging
from typing import Any

from singer_sdk import Sink
from singer_sdk.mapper import SameRecordTransform
from typing_extensions import override

from target_eloqua.host import TargetHost
from target_eloqua.sinks import ImportSink


class FastRecordPath(TargetHost):
    """A Target whose import sinks take RECORDs without the SDK's generic per-record steps."""

    @override
    def _process_schema_message(self, message_dict: dict[str, Any]) -> None:
        # A SCHEMA may replace a stream's sink or its maps: decide again at its next record.
        self.__dict__.pop("_fast_sinks", None)
        super()._process_schema_message(message_dict)

    @override
    def _process_record_message(self, message_dict: dict[str, Any]) -> None:
        fast: dict[str, ImportSink | None] = self.__dict__.setdefault("_fast_sinks", {})
        stream = message_dict.get("stream")
        record = message_dict.get("record")
        sink = fast.get(stream) if type(stream) is str else None
        if sink is None and type(stream) is str and stream not in fast:
            sink = fast[stream] = self._fast_sink(stream)
        if sink is None or type(record) is not dict:
            super()._process_record_message(message_dict)   # the SDK's path, its errors
            return
        context = sink._get_context(record)                  # the batch's context
        for key in sink._key_properties:               # _singer_validate_message's test
            if key not in record:
                sink._singer_validate_message(record)        # raises, with the SDK's message
        sink.tally_record_read()
        sink.process_record(record, context)
        sink.record_counter_metric.increment()
        if sink.logger.isEnabledFor(logging.DEBUG):
            sink._after_process_record(context)               # a debug line
        if sink.is_full:
            self.logger.info("Target sink for '%s' is full. Current size is '%s'. Draining...",
                             sink.stream_name, sink.current_size)
            self.drain_one(sink)
        self._handle_max_record_age()

    def _fast_sink(self, stream: str) -> ImportSink | None:
        """The stream's sink if its records may skip the SDK's generic steps, else None."""
        maps = self.mapper.stream_maps.get(stream)
        if not maps or len(maps) != 1:
            return None
        only = maps[0]
        if type(only) is not SameRecordTransform or only.flattening_enabled or \
                only.stream_alias != stream:
            return None
        sink = self._sinks_active.get(stream)
        if type(sink) is not ImportSink or sink._validator is not None or \
                sink.include_sdc_metadata_properties or \
                type(sink).preprocess_record is not Sink.preprocess_record:
            return None
        return sink
