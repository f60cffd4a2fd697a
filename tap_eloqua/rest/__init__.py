"""Streams over Eloqua's REST Application API: marketing assets, users, lists and visitors.

`rest_streams(tap)` builds one generic stream per resource chosen by the `rest_streams` setting
(default: all) that the API user may read; the resources themselves are rows of
`resources.RESOURCES`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from eloqua_bulk.errors import ConfigurationError
from tap_eloqua.host import TapHost
from tap_eloqua.rest.access import readable
from tap_eloqua.rest.resources import RESOURCES
from tap_eloqua.rest.streams import EloquaRestStream

if TYPE_CHECKING:
    from singer_sdk import Stream

REST_STREAM_NAMES = tuple(RESOURCES)


def chosen(setting: Any) -> list[str]:
    """The REST stream names a `rest_streams` value asks for, in table order ("all": every one)."""
    if isinstance(setting, str):  # e.g. "campaigns,emails" from an environment variable
        setting = setting.split(",")
    wanted = [str(x).strip().lower() for x in setting or [] if str(x).strip()]
    if "all" in wanted or "*" in wanted:
        return list(REST_STREAM_NAMES)
    unknown = sorted(set(wanted) - set(REST_STREAM_NAMES))
    if unknown:
        raise ConfigurationError(
            f"Unknown rest_streams {unknown}; choose from {', '.join(REST_STREAM_NAMES)} "
            "(or \"all\").")
    return [name for name in REST_STREAM_NAMES if name in wanted]


def rest_streams(tap: TapHost) -> tuple[list[Stream], set[str]]:
    """One stream per chosen REST resource the API user may read, and the names of the chosen
    ones Eloqua refused (403): those are left out, with one warning line."""
    count = tap.config.get("rest_page_size", 1000)
    if not isinstance(count, int) or not 1 <= count <= 1000:
        raise ConfigurationError(f"rest_page_size {count} is out of range: use 1 to 1000.")
    wanted = [RESOURCES[name] for name in chosen(tap.config.get("rest_streams", ["all"]))]
    to_probe = [r for r in wanted if _may_sync(tap, r.stream)]
    refused = {r.stream for r in to_probe} - {
        r.stream for r in (readable(tap.client.session, to_probe, tap.logger) if to_probe else [])}
    return ([EloquaRestStream(tap, r) for r in wanted if r.stream not in refused], refused)


def _may_sync(tap: TapHost, name: str) -> bool:
    """Discovery probes every stream; a sync only those its catalog selects (or lacks, which
    the SDK then syncs), so a job reading other streams spends no request on them."""
    catalog = tap.input_catalog
    entry = catalog.get_stream(name) if catalog else None
    return entry is None or bool(entry.metadata.resolve_selection().get((), True))
