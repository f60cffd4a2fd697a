"""target-eloqua settings: the shared connection settings plus how streams become Eloqua imports."""

from __future__ import annotations

from singer_sdk import typing as th

from eloqua_plugin.connection import CONNECTION

UPDATE_RULES = ("always", "ifNewIsNotNull", "ifExistingIsNull", "useFieldRule")
MAX_PUSH_BYTES = 32_000_000          # Eloqua answers 404 above 32 MB; stay under either reading
MAX_PUSHES_PER_SYNC = 500            # the 501st POST of one sync gets a 400
MAX_STAGED_BYTES = 250_000_000       # Eloqua advises a sync once about 250 MB is staged
BATCH_SIZE_ROWS = 100_000

SYNC_ACTION = th.ObjectType(
    th.Property("action", th.StringType, allowed_values=["add", "remove", "setStatus"],
                description="add / remove (lists) or setStatus (subscription, AppCloud)."),
    th.Property("destination", th.StringType, required=True,
                description="EML destination, e.g. {{ContactList[123]}}, {{AccountList[7]}}, "
                            "{{EmailGroup[5]}} or {{GlobalSubscribe}}."),
    th.Property("status", th.StringType,
                description="For setStatus: subscribed, unsubscribed, ..."),
)

LINK = th.ObjectType(
    th.Property("to", th.StringType, allowed_values=["contacts", "accounts"],
                description="Link each custom-object record to a contact (default) or an account."),
    th.Property("source_field", th.StringType, required=True,
                description="The custom-object field (or stream property) holding the value to "
                            "match, e.g. the record's email address."),
    th.Property("match_field", th.StringType,
                description="The contact/account field matched against it; default "
                            "C_EmailAddress (contacts) or M_CompanyName (accounts)."),
    th.Property("case_sensitive", th.BooleanType, default=False,
                description="Match case-sensitively."),
)

STREAM_OPTIONS = th.ObjectType(
    th.Property("object", th.StringType,
                description="contacts, accounts, activities, or a custom object's name or id. "
                            "Default: from the stream name (contacts, accounts, activity_*, or "
                            "a custom object's snake_case name as tap-eloqua names it)."),
    th.Property("identifier_field", th.StringType,
                description="Eloqua field records are matched on (internal or display name, or "
                            "Id). Default: C_EmailAddress (contacts), M_CompanyName (accounts), "
                            "the custom object's unique field."),
    th.Property("update_rule", th.StringType, allowed_values=list(UPDATE_RULES),
                description="Overrides the update_rule setting for this stream."),
    th.Property("update_rule_by_field", th.ObjectType(additional_properties=th.StringType),
                description="With update_rule useFieldRule: Eloqua field -> always, "
                            "ifNewIsNotNull or ifExistingIsNull."),
    th.Property("update_multiple_matches", th.BooleanType,
                description="Overrides update_multiple_matches for this stream."),
    th.Property("sync_actions", th.ArrayType(SYNC_ACTION),
                description="Applied by Eloqua to every imported record (at most 10)."),
    th.Property("link", LINK, description="Custom objects: link records to contacts/accounts "
                                          "(Eloqua's mapDataCards)."),
    th.Property("field_map", th.ObjectType(additional_properties=th.StringType),
                description="Stream property -> Eloqua field (internal or display name), for "
                            "properties whose names match no field."),
    th.Property("activity_type", th.StringType,
                description="Activities: the type to use when a record has no ActivityType."),
)

IMPORT = th.PropertiesList(
    th.Property("streams", th.ObjectType(additional_properties=STREAM_OPTIONS),
                description="Per-stream options, keyed by stream name: object, identifier_field, "
                            "update_rule, update_rule_by_field, update_multiple_matches, "
                            "sync_actions, link, field_map, activity_type."),
    th.Property("update_rule", th.StringType, default="always", allowed_values=list(UPDATE_RULES),
                description="How an import updates an existing record: always, ifNewIsNotNull, "
                            "ifExistingIsNull or useFieldRule."),
    th.Property("update_multiple_matches", th.BooleanType, default=False,
                description="Update every record matching the identifier (Eloqua's "
                            "isUpdatingMultipleMatchedRecords); must be false to change "
                            "C_EmailAddress."),
    th.Property("ignore_unknown_properties", th.BooleanType, default=False,
                description="Leave out (with a warning) stream properties that match no Eloqua "
                            "field, instead of failing."),
    th.Property("apply_subscription_status", th.BooleanType, default=False,
                description="Contacts: apply each record's IsSubscribed as a global subscribe / "
                            "unsubscribe. Off by default: re-subscribing people is a compliance "
                            "decision."),
    th.Property("rejects_file", th.StringType,
                description="JSON-lines file every row Eloqua rejects is appended to (created "
                            "only when there are rejects). Default: a file per run in "
                            "~/.local/state/eloqua-singer/rejects/ ($XDG_STATE_HOME), named in "
                            "the run's log by its absolute path."),
    th.Property("fail_on_rejects", th.BooleanType, default=False,
                description="Fail the run (exit 1, no further STATE) when Eloqua rejects any "
                            "row; by default rejects are reported and the run continues."),
    th.Property("max_push_bytes", th.IntegerType, default=MAX_PUSH_BYTES,
                description="Largest body of one data POST (Eloqua refuses more than 32 MB)."),
    th.Property("max_pushes_per_sync", th.IntegerType, default=MAX_PUSHES_PER_SYNC,
                description="Data POSTs into one definition before a sync is run (Eloqua allows "
                            "at most 500)."),
    th.Property("max_staged_bytes", th.IntegerType, default=MAX_STAGED_BYTES,
                description="Bytes of JSON rows a stream stages in Eloqua before a sync even "
                            "within a batch (Eloqua advises syncing at about 250 MB)."),
    th.Property("batch_size_rows", th.IntegerType, default=BATCH_SIZE_ROWS,
                description="Records of a stream per import: each batch ends with a sync, which "
                            "runs while the next batch is read (more syncs when "
                            "max_staged_bytes, max_pushes_per_sync or a record repeated within "
                            "the batch need them). Rows are pushed every 10,000 records as they "
                            "arrive, so memory does not grow with the batch."),
    th.Property("instance_timezone", th.StringType, default="America/New_York",
                description="Time zone Eloqua reads date values in; ISO 8601 date-times with an "
                            "offset are converted to it."),
    th.Property("sync_timeout_minutes", th.NumberType, default=360,
                description="Give up on an import sync that is not finished after this long."),
    th.Property("poll_interval_max_seconds", th.NumberType, default=30,
                description="Longest pause between two polls of a sync's status."),
    th.Property("validate_records", th.BooleanType, default=False,
                description="Validate records against their schema before importing. Off by "
                            "default: Eloqua validates every value and rejects are reported."),
)

TARGET_SETTINGS = th.PropertiesList(*CONNECTION.wrapped.values(), *IMPORT.wrapped.values())
