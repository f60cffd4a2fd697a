"""The tap as its streams see it: the SDK's Tap plus the run's Bulk client and sync scheduler.

Streams are typed against this, not against `tap.TapEloqua`: the tap builds the streams, so the
streams must not import it back (not even for type checking).
"""

from __future__ import annotations

from abc import abstractmethod
from datetime import datetime, timedelta

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

    def window_end(self, *, lagged: bool) -> datetime:
        """Where an incremental window ends: Eloqua's now (never the tap's clock) minus the
        settle lag (activities: the larger of it and activity_lag_minutes), to the ms."""
        lag = float(self.config.get("settle_lag_minutes", 5))
        if lagged:
            lag = max(lag, float(self.config.get("activity_lag_minutes", 60)))
        end = self.client.session.server_now() - timedelta(minutes=lag)
        return end.replace(microsecond=end.microsecond // 1000 * 1000)
