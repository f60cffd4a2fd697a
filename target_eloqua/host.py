"""The target as its sinks see it: the SDK's Target plus the run's client, resolver, rejects file,
sync line and the sinks it has made.

Sinks are typed against this, not against `target.TargetEloqua`: the target builds the sinks, so
the sinks must not import it back (not even for type checking).
"""

from __future__ import annotations

from abc import abstractmethod
from collections import Counter
from typing import Protocol

from singer_sdk import Target

from eloqua_bulk import BulkClient
from target_eloqua.importer import Importer
from target_eloqua.rejects import RejectsFile
from target_eloqua.resolver import Resolver
from target_eloqua.syncline import SyncLine


class StagedSink(Protocol):
    """A sink as the target orders syncs: its stream, its priority, its importer."""

    stream_name: str
    priority: int
    importer: Importer


class TargetHost(Target):
    """What a sink may ask of the target that runs it, besides the SDK's own Target members."""

    @property
    @abstractmethod
    def client(self) -> BulkClient:
        """The run's one Bulk client."""

    @property
    @abstractmethod
    def resolver(self) -> Resolver:
        """Stream -> Eloqua object and object -> fields, asked once per run."""

    @property
    @abstractmethod
    def rejects(self) -> RejectsFile:
        """Where every row Eloqua rejects is appended."""

    @property
    @abstractmethod
    def sync_line(self) -> SyncLine:
        """Every Eloqua call of every import, in order, on one worker thread."""

    @property
    @abstractmethod
    def record_counts(self) -> Counter[str]:
        """Records read per stream."""

    @property
    @abstractmethod
    def import_sinks(self) -> list[StagedSink]:
        """Every import sink of the run, in creation order."""

    @abstractmethod
    def sync_before(self, sink: StagedSink) -> None:
        """Sync the staged rows of the streams that must be imported before `sink`'s."""
