"""The tap as its streams see it: the SDK's Tap plus the run's Bulk client and sync scheduler.

Streams are typed against this, not against `tap.TapEloqua`: the tap builds the streams, so the
streams must not import it back (not even for type checking).
"""

from __future__ import annotations

from abc import abstractmethod

from singer_sdk import Tap

from eloqua_bulk import BulkClient
from tap_eloqua.scheduler import SyncScheduler


class TapHost(Tap):
    """What a stream may ask of the tap that runs it, besides the SDK's own Tap members."""

    @property
    @abstractmethod
    def client(self) -> BulkClient:
        """The run's one Bulk client (its session also serves the REST streams)."""

    @property
    @abstractmethod
    def scheduler(self) -> SyncScheduler:
        """Starts upcoming streams' exports ahead; built once the streams are known."""
