"""Every SDK member tap-eloqua and target-eloqua override, in one place, with its SDK version.

Methods carry `@override` (checked by mypy's `explicit-override`); plain class attributes cannot, so
they are listed here too. `signature` is `inspect.signature` of the SDK's member as it was in
SDK_VERSION (None for attributes): tests/test_sdk_overrides.py fails when an SDK upgrade changes
one, or when an override is added without a row here. Private members (`_name`) are the ones an
upgrade may change without notice: each says why no public hook does the job in SDK_VERSION.
"""

from __future__ import annotations

from dataclasses import dataclass

SDK_VERSION = "0.54.9"


@dataclass(frozen=True)
class Override:
    """One SDK member overridden by one of our classes."""

    owner: str             # our class, "module.Class"
    member: str
    sdk: str               # the SDK class defining the member, "module.Class"
    signature: str | None  # the SDK member's signature in SDK_VERSION; None for an attribute
    why: str


_STREAM = "singer_sdk.streams.core.Stream"
_SINK = "singer_sdk.sinks.core.Sink"
_BATCH_SINK = "singer_sdk.sinks.batch.BatchSink"
_PLUGIN = "singer_sdk.plugin_base.PluginBase"
_TAP = "singer_sdk.tap_base.Tap"
_TARGET = "singer_sdk.target_base.Target"
_READER = "singer_sdk.singerlib.encoding.base.GenericSingerReader"
_WRITER = "singer_sdk.singerlib.encoding.base.GenericSingerWriter"
_EXPORT = "tap_eloqua.streams.EloquaExportStream"
_REST = "tap_eloqua.rest.streams.EloquaRestStream"
_IMPORT = "target_eloqua.sinks.ImportSink"

_GET_RECORDS = "(self, context: 'types.Context | None') -> 't.Iterable[types.Record | tuple[dict, dict | None]]'"  # noqa: E501
_INCREMENT = ("(self, latest_record: 'types.Record', *, context: 'types.Context | None' = None)"
              " -> 'None'")
_COMPARE = "(self, value: 'str', start_date_value: 'str') -> 'str'"
_NO_PER_RECORD_STATE = ("private; the bookmark is the window end, set per finished window: the "
                        "SDK's per-record progress markers would make it the max value seen")

OVERRIDES: tuple[Override, ...] = (
    # both plugins
    Override("eloqua_plugin.plugin.OneLineConfigErrors", "_validate_config", _PLUGIN,
             "(self, *, raise_errors: 'bool' = True) -> 'list[str]'",
             "private; no public hook runs between reading the config and the first log line "
             "(secrets registered for redaction) nor turns the SDK's multi-line report into one"),
    # tap
    Override("tap_eloqua.tap.TapEloqua", "name", _PLUGIN, None, "plugin name"),
    Override("tap_eloqua.tap.TapEloqua", "package_name", _PLUGIN, None, "the distribution"),
    Override("tap_eloqua.tap.TapEloqua", "config_jsonschema", _PLUGIN, None, "settings"),
    Override("tap_eloqua.tap.TapEloqua", "dynamic_catalog", _TAP, None,
             "discovery calls Eloqua, so --discover validates the config"),
    Override("tap_eloqua.tap.TapEloqua", "message_writer_class", _TAP, None, "orjson writer"),
    Override("tap_eloqua.tap.TapEloqua", "discover_streams", _TAP, "(self) -> 't.Sequence[Stream]'",
             "streams come from the instance's /fields"),
    Override("tap_eloqua.writer.OrjsonWriter", "serialize_message", _WRITER,
             "(self, message: 'M') -> '_WT'", "one orjson encode"),
    Override("tap_eloqua.writer.OrjsonWriter", "write_message", _WRITER,
             "(self, message: 'M') -> 'None'", "flush only at non-RECORD messages"),
    Override(_EXPORT, "TYPE_CONFORMANCE_LEVEL", _STREAM, None, "rows are typed once per page"),
    Override(_EXPORT, "is_sorted", _STREAM, None, "export rows come in no order"),
    Override(_EXPORT, "get_records", _STREAM, _GET_RECORDS, "the export windows"),
    Override(_EXPORT, "get_batches", _STREAM,
             "(self, batch_config: 'BatchConfig', context: 'types.Context | None' = None) -> "
             "'t.Iterable[tuple[BaseBatchFileEncoding, list[str]]]'", "faster jsonl encoder"),
    Override(_EXPORT, "compare_start_date", _STREAM, _COMPARE, "a bad bookmark is one line"),
    Override(_EXPORT, "_increment_stream_state", _STREAM, _INCREMENT, _NO_PER_RECORD_STATE),
    Override(_EXPORT, "_sync_records", _STREAM,
             "(self, context: 'types.Context | None' = None, *, write_messages: 'bool' = True) "
             "-> 't.Generator[dict, t.Any, t.Any]'",
             "private; the hot path writes whole pages (one orjson encode per record); "
             "message_writer_class and TYPE_CONFORMANCE_LEVEL cover the rest, so the former "
             "_write_record_message override is gone"),
    Override(_REST, "TYPE_CONFORMANCE_LEVEL", _STREAM, None, "records are built typed"),
    Override(_REST, "is_sorted", _STREAM, None, "lists come in no bookmark order"),
    Override(_REST, "get_records", _STREAM, _GET_RECORDS, "the REST lists"),
    Override(_REST, "compare_start_date", _STREAM, _COMPARE, "a bad bookmark is one line"),
    Override(_REST, "_increment_stream_state", _STREAM, _INCREMENT, _NO_PER_RECORD_STATE),
    # target
    Override("target_eloqua.target.TargetEloqua", "name", _PLUGIN, None, "plugin name"),
    Override("target_eloqua.target.TargetEloqua", "package_name", _PLUGIN, None, "distribution"),
    Override("target_eloqua.target.TargetEloqua", "config_jsonschema", _PLUGIN, None, "settings"),
    Override("target_eloqua.target.TargetEloqua", "default_sink_class", _TARGET, None,
             "the one import sink"),
    Override("target_eloqua.target.TargetEloqua", "message_reader_class", _TARGET, None,
             "orjson reader"),
    Override("target_eloqua.target.TargetEloqua", "_drain_all", _TARGET,
             "(self, sink_list: 'Iterable[Sink]', parallelism: 'int') -> 'None'",
             "private; drain_all is final and max_parallelism only serialises: contacts and "
             "accounts must sync first, and STATE may follow only once every sync ended"),
    Override("target_eloqua.target.TargetEloqua", "process_endofpipe", _TARGET,
             "(self) -> 'None'", "close the sync line and the rejects file"),
    Override("target_eloqua.fastpath.FastRecordPath", "_process_record_message", _TARGET,
             "(self, message_dict: 'dict') -> 'None'",
             "private; no public hook skips the SDK's per-record copy, identity map, metadata "
             "strip and validator call, half the target's CPU outside process_record; the "
             "sinks and settings that need them keep the SDK's path"),
    Override("target_eloqua.fastpath.FastRecordPath", "_process_schema_message", _TARGET,
             "(self, message_dict: 'dict') -> 'None'",
             "private; a SCHEMA may replace a sink or its maps: the short path is chosen again"),
    Override("target_eloqua.reader.OrjsonReader", "process_lines", _READER,
             "(self, file_input: 't.IO[_RT] | None', callbacks: "
             "'dict[str, t.Callable[[dict], None]]') -> 't.Counter[str]'",
             "one parse, one type check and one dispatch per line"),
    Override("target_eloqua.reader.OrjsonReader", "default_input", _READER,
             "(self) -> 't.IO[_RT]'", "stdin as bytes"),
    Override("target_eloqua.reader.OrjsonReader", "deserialize_json", _READER,
             "(self, line: '_RT') -> 'dict'", "orjson; a bad line is one line"),
    Override("target_eloqua.reader.OrjsonReader", "_process_unknown_message", _READER,
             "(self, message_dict: 'dict') -> 'None'",
             "private; the SDK raises ValueError (a traceback), we raise InvalidInputLine"),
    Override(_IMPORT, "MAX_SIZE_DEFAULT", _SINK, None, "records per import"),
    Override(_IMPORT, "validate_schema", _SINK, "(self) -> 'bool'",
             "validate_records defaults to off"),
    Override(_IMPORT, "setup", _SINK, "(self) -> 'None'", "resolve object and fields"),
    Override(_IMPORT, "_validate_and_parse", _SINK, "(self, record: 'dict') -> 'dict'",
             "private; no public hook skips the SDK's timestamp parsing (dates go to Eloqua as "
             "text) or makes a schema mismatch one line"),
    Override(_IMPORT, "process_record", _BATCH_SINK, "(self, record: 'dict', context: 'dict') -> "
             "'None'", "rows staged every STAGE_ROWS"),
    Override(_IMPORT, "process_batch", _BATCH_SINK, "(self, context: 'dict') -> 'None'",
             "one import per drain"),
)
