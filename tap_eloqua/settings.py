"""tap-eloqua settings, declared once for the SDK (`--about`, validation) and for Meltano."""

from __future__ import annotations

from singer_sdk import typing as th

from eloqua_plugin.connection import CONNECTION
from eloqua_plugin.entities import ACTIVITY_TYPES

TAP_SETTINGS = th.PropertiesList(
    *CONNECTION.wrapped.values(),
    th.Property("start_date", th.DateTimeType, required=True,
                description="Export records changed (activities: created) at or after this "
                            "instant on the first run."),
    th.Property("end_date", th.DateTimeType,
                description="Optional upper bound (exclusive) of every export window."),
    th.Property("activity_types", th.ArrayType(th.StringType), default=list(ACTIVITY_TYPES),
                description="Activity types to offer as streams."),
    th.Property("custom_objects", th.ArrayType(th.StringType),
                description="Custom objects (names or ids) to offer as streams; default all."),
    th.Property("page_size", th.IntegerType, default=50000,
                description="Rows per /syncs/{id}/data page (1 to 50000); exports wider than 50 "
                            "columns use proportionally fewer rows per page to bound memory."),
    th.Property("activity_lag_minutes", th.NumberType, default=60,
                description="Activity windows end this long before Eloqua's now, so late "
                            "bouncebacks are not skipped."),
    th.Property("settle_lag_minutes", th.NumberType, default=5,
                description="Every export window ends this long before Eloqua's now (its "
                            "Date header), so changes Eloqua stamped but has not yet made "
                            "visible to exports are read by the next run instead of lost."),
    th.Property("max_concurrent_syncs", th.IntegerType, default=3,
                description="Exports Eloqua may prepare at once: upcoming streams' syncs are "
                            "created while earlier streams are read. 1 = one at a time."),
    th.Property("max_concurrent_activity_syncs", th.IntegerType, default=1,
                description="Activity exports open at once (Oracle asks for one at a time)."),
    th.Property("activity_max_rows_per_export", th.IntegerType, default=5_000_000,
                description="Eloqua's cap on rows in one activity export; a window over it is "
                            "split into smaller windows sized from Eloqua's count."),
    th.Property("data_retention_duration", th.StringType, default="P1D",
                description="How long Eloqua keeps an export's data (ISO 8601, PT1H..P14D); an "
                            "interrupted run can resume reading within this time."),
    th.Property("sync_timeout_minutes", th.NumberType, default=360,
                description="Give up on a sync that is not finished after this long."),
    th.Property("poll_interval_max_seconds", th.NumberType, default=30,
                description="Longest pause between two polls of a sync's status."),
    th.Property("instance_timezone", th.StringType, default="America/New_York",
                description="Time zone Eloqua writes non-system (custom) date fields in; they "
                            "are converted to UTC."),
    th.Property("rest_streams", th.ArrayType(th.StringType), default=["all"],
                description="REST Application API streams to offer: campaigns, emails, forms, "
                            "form_submissions, landing_pages, users, contact_lists, "
                            "contact_list_members, contact_segments, email_groups, visitors, "
                            "external_assets, or \"all\" (the default). A stream the API user may "
                            "not read (403) is left out with a warning."),
    th.Property("include_email_html", th.BooleanType, default=False,
                description="Read emails at depth complete: htmlContent.html and plainText "
                            "(large) are then included."),
    th.Property("rest_page_size", th.IntegerType, default=1000,
                description="Elements per REST list page (`count`, 1 to 1000)."),
    th.Property("events", th.ArrayType(th.StringType), default=[],
                description="Events (names or ids, or \"all\") to offer as Bulk streams "
                            "event_<name>. Default none."),
    th.Property("detect_deletes", th.BooleanType, default=False,
                description="Offer a stream <stream>_ids per contacts, accounts, custom object "
                            "and event stream: every Id that exists now, with the sweep's time "
                            "as swept_at. Upserted on Id, an Id whose swept_at is older than the "
                            "newest one was deleted in Eloqua."),
    th.Property("campaign_responses", th.BooleanType, default=False,
                description="Offer the campaign_responses Bulk stream (Oracle documents these "
                            "exports for AppCloud services; the instance may refuse them)."),
)
