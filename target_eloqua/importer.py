"""A stream's rows -> Eloqua: definitions, pushes, syncs, rejects, cleanup.

Rows come in slices (the sink stages every STAGE_ROWS records, and the rest at each drain). A
slice is deduplicated on the identifier (the last record wins, as an upsert of the same key in
order would end), grouped by shape (the set of properties present, so a property a record leaves
out is never sent as an empty value that would clear the Eloqua field), split into definitions of
at most 100 fields that share the identifier, encoded once, and staged: its JSON bodies (under
`max_push_bytes`) are pushed into the stream's open definitions, one per shape and part. The
slice's rows are then no longer held.

A sync of every open definition follows at the end of each batch (`batch_size_rows` records, the
sink's drain), and earlier when the stream has `max_staged_bytes` staged, when a definition reaches
`max_pushes_per_sync` pushes, or before a slice whose identifier is already staged (so one sync
never carries two rows of one record). After a batch's sync the definitions are deleted. All
Eloqua calls run in order on the target's `SyncLine` worker while the main thread reads on; each
sync is polled to its end, its rejects read page by page, and a summary (and `fail_on_rejects`)
follows each round of syncs.
"""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial
from typing import Any

from eloqua_bulk import BulkClient, EloquaError, SyncResult
from target_eloqua import chunks
from target_eloqua.plan import SUBSCRIBED_KEY, ImportPlan
from target_eloqua.rejects import RejectsFile
from target_eloqua.rowmap import PushLog
from target_eloqua.syncline import SyncLine

CREATED = frozenset({"ELQ-00004", "ELQ-00005", "ELQ-00007", "ELQ-00069"})
UPDATED = frozenset({"ELQ-00022", "ELQ-00023", "ELQ-00012"})
TOLD_BY_REJECTS = frozenset({"ELQ-00060", "ELQ-00002"})   # counts the rejects line gives
UNMAPPED = frozenset({"ELQ-00111"})     # keys in the rows that no field of the definition maps


@dataclass
class ImportSettings:
    """Limits and failure policy, from the target's settings."""

    max_push_bytes: int
    max_pushes: int
    fail_on_rejects: bool
    max_staged_bytes: int = 250_000_000


@dataclass
class Outcome:
    """What one round of syncs did in Eloqua."""

    records: int = 0
    merged: int = 0
    created: int = 0
    updated: int = 0
    syncs: list[str] = field(default_factory=list)
    rejected: set[int] = field(default_factory=set)     # record numbers
    reasons: Counter[str] = field(default_factory=Counter)
    warned: int = 0                                       # syncs that ended `warning`
    remarks: Counter[str] = field(default_factory=Counter)   # their warning logs, not rejects
    unmapped: int = 0


@dataclass
class _Open:
    """A definition rows are staged in. `uri` is set on the worker; `pushes` and `log` (the
    staged rows' record numbers and pushes) count what was queued since its last sync."""

    body: dict[str, Any]
    label: str
    identifier: str | None
    uri: str | None = None
    pushes: int = 0
    log: PushLog = field(init=False)

    def __post_init__(self) -> None:
        self.log = PushLog(self.identifier)


class RejectsError(EloquaError):
    """Eloqua rejected rows and `fail_on_rejects` is set."""


class Importer:
    """Stages one stream's batches in Eloqua and syncs them, through the target's sync line."""

    def __init__(self, client: BulkClient, plan: ImportPlan, settings: ImportSettings,
                 rejects: RejectsFile, logger: logging.Logger, line: SyncLine,
                 before_sync: Callable[[], None] = lambda: None) -> None:
        self.client, self.plan, self.settings = client, plan, settings
        self.rejects, self.logger, self.line = rejects, logger, line
        self.before_sync = before_sync    # syncs streams that must be imported before this one
        self._open: dict[tuple[Any, ...], _Open] = {}
        self._staged_keys: set[int] = set()   # hashes of the identifiers staged, not synced
        self._staged_bytes = 0
        self._outcome = Outcome()

    @property
    def staged(self) -> bool:
        """Rows are staged and not synced yet."""
        return any(d.log for d in self._open.values())

    def stage(self, rows: list[dict[str, Any]], numbers: list[int]) -> int:
        """Push rows into the open definitions; `numbers` are the records' 1-based positions in
        the stream. Returns how many records merged into a later one with the same identifier."""
        records = len(rows)
        rows, numbers, merged, keys = self._dedupe(rows, numbers)
        if keys and not self._staged_keys.isdisjoint(keys):
            self.sync(delete=False)          # never two rows of one record in one sync
        self._outcome.records += records
        self._outcome.merged += merged
        for shape, subscribed, members in self._shapes(rows):
            group_rows = [rows[i] for i in members]
            group_numbers = [numbers[i] for i in members]
            parts = self.plan.parts(shape)
            for n, part in enumerate(parts, start=1):
                self._stage((tuple(part), subscribed, n), part, n, len(parts), subscribed,
                            group_rows, group_numbers)
        # after staging: a sync in the middle of this slice (push limit) resets the set
        self._staged_keys.update(keys)
        if self._staged_bytes >= self.settings.max_staged_bytes:
            self.sync(delete=False)
        return merged

    # -- batch shaping ---------------------------------------------------------------------
    def _dedupe(self, rows: list[dict[str, Any]], numbers: list[int]
                ) -> tuple[list[dict[str, Any]], list[int], int, set[int]]:
        """The last row of each identifier, how many merged, and the hashes of the identifiers
        kept (normalised as Eloqua matches them: trimmed, case-folded)."""
        ident = self.plan.identifier
        if ident is None or not self.plan.target.kind.upsert:
            return rows, numbers, 0, set()
        seen: set[Any] = set()
        keep: list[int] = []
        for i in range(len(rows) - 1, -1, -1):
            value = rows[i].get(ident)
            if value is not None and not isinstance(value, (dict, list)):
                key = value.strip().casefold() if isinstance(value, str) else value
                if key in seen:
                    continue
                seen.add(key)
            keep.append(i)
        keys = set(map(hash, seen))
        if len(keep) == len(rows):
            return rows, numbers, 0, keys
        keep.reverse()
        return ([rows[i] for i in keep], [numbers[i] for i in keep], len(rows) - len(keep),
                keys)

    def _shapes(self, rows: list[dict[str, Any]]) -> list[tuple[list[str], bool | None,
                                                                 list[int]]]:
        """Rows grouped by the fields they carry (and their subscription), in first-seen order."""
        groups: dict[tuple[tuple[str, ...], bool | None], list[int]] = {}
        for i, row in enumerate(rows):
            subscribed = row.pop(SUBSCRIBED_KEY, None)
            groups.setdefault((tuple(row), subscribed), []).append(i)
        ident = self.plan.identifier
        out = []
        for (keys, subscribed), members in groups.items():
            names = list(keys)
            if ident is not None and ident not in names:
                names.insert(0, ident)       # Eloqua then rejects these rows, and says why
            out.append((names, subscribed, members))
        if len(out) > 1:
            self.logger.info("%s: %d records in %d shapes (records leave out different "
                             "properties); one import each", self.plan.stream, len(rows),
                             len(out))
        return out

    # -- staging (main thread) -------------------------------------------------------------
    def _stage(self, key: tuple[Any, ...], keys: list[str], part: int, parts: int,
               subscribed: bool | None, rows: list[dict[str, Any]], numbers: list[int]) -> None:
        plan, settings = self.plan, self.settings
        if parts > 1:
            wanted = set(keys)
            rows = [{k: v for k, v in row.items() if k in wanted} for row in rows]
        encoded = chunks.encode(rows)
        try:
            spans = list(chunks.spans([len(e) for e in encoded], settings.max_push_bytes))
        except chunks.RowTooLargeError as exc:
            raise EloquaError(f"Stream {plan.stream}, record {numbers[exc.index]}: {exc}."
                              ) from None
        for start, end in spans:
            target = self._open.get(key)
            if target is not None and target.pushes >= settings.max_pushes:
                self.sync(delete=False)      # the 501st push would be refused
            if target is None:
                target = self._open[key] = _Open(
                    plan.definition(keys, first=part == 1, subscribed=subscribed, part=part,
                                    parts=parts),
                    f", part {part} of {parts}" if parts > 1 else "",
                    plan.identifier if plan.target.kind.upsert else None)
                self.line.submit(partial(self._create, target))
            data = chunks.body(encoded, start, end)
            target.pushes += 1
            target.log.add(rows[start:end], numbers[start:end])
            self._staged_bytes += len(data)
            self.line.submit(partial(self._push, target, data), len(data))

    def sync(self, *, delete: bool) -> None:
        """Queue a sync of every definition with staged rows (after the streams that go first);
        with `delete`, the definitions are deleted after it and the next rows get new ones."""
        if not self._open:
            return
        if self.staged:
            self.before_sync()
            round_ = [(d, d.log) for d in self._open.values() if d.log]
            outcome, self._outcome = self._outcome, Outcome()
            self.line.submit(partial(self._sync_round, round_, outcome))
            for d in self._open.values():
                d.pushes, d.log = 0, PushLog(d.identifier)
            self._staged_keys, self._staged_bytes = set(), 0
        if delete:
            opened = list(self._open.values())
            self._open = {}
            self.line.submit(partial(self._delete_all, opened))

    # -- on the sync line's worker ---------------------------------------------------------
    def _create(self, d: _Open) -> None:
        d.uri = str(self.client.create_definition(self.plan.target.imports_path, d.body)["uri"])

    def _push(self, d: _Open, data: bytes) -> None:
        assert d.uri is not None
        self.client.push_data(d.uri, data)

    def _sync_round(self, round_: list[tuple[_Open, PushLog]], outcome: Outcome) -> None:
        plan, client = self.plan, self.client
        for d, log in round_:
            assert d.uri is not None
            sync_uri = client.create_sync(d.uri)
            outcome.syncs.append(sync_uri)
            result = client.wait(sync_uri, plan.stream)
            self._collect(result, d.uri, log, outcome)
            self.logger.info("%s: sync %s %s: %d rows%s", plan.stream, sync_uri, result.status,
                             len(log), d.label)
        self._report(outcome)

    def _delete_all(self, opened: list[_Open]) -> None:
        for d in opened:
            if d.uri is not None:
                self._delete(d.uri)

    def _delete(self, uri: str) -> None:
        try:
            self.client.delete_definition(uri)
        except Exception as exc:       # the run's own error matters more; retried at exit
            self.logger.warning("%s: could not delete %s yet: %s", self.plan.stream, uri, exc)

    def _collect(self, result: SyncResult, definition: str, pushed: PushLog,
                 outcome: Outcome) -> None:
        for log in result.logs:
            raw = log.get("count")
            count = raw if isinstance(raw, int) else 0
            if log.get("statusCode") in CREATED:
                outcome.created += count
            elif log.get("statusCode") in UPDATED:
                outcome.updated += count
        if result.status != "warning":
            return
        outcome.warned += 1
        for log in result.logs:
            code = log.get("statusCode")
            if log.get("severity") != "warning" or code in TOLD_BY_REJECTS:
                continue
            raw = log.get("count")
            count = raw if isinstance(raw, int) else 1
            outcome.remarks[f"{code} {log.get('message')}"] += count
            if code in UNMAPPED:
                outcome.unmapped += count
        items = []
        for reject in self.client.rejects(result.uri):
            index = reject.get("recordIndex")
            number, candidates = pushed.locate(index, reject.get("fieldValues"))
            if number is not None:
                outcome.rejected.add(number)
            reason = f"{reject.get('statusCode')} {reject.get('message')}"
            outcome.reasons[reason] += 1
            items.append({"stream": self.plan.stream, "object": self.plan.target.label,
                          "definition": definition, "sync": result.uri,
                          "recordIndex": index, "record_number": number,
                          **({"record_number_candidates": candidates} if candidates else {}),
                          "fieldValues": reject.get("fieldValues"),
                          "invalidFields": reject.get("invalidFields"),
                          "message": reject.get("message"),
                          "statusCode": reject.get("statusCode")})
            if len(items) >= 1000:
                self.rejects.write(self.plan.stream, items)
                items = []
        self.rejects.write(self.plan.stream, items)

    def _report(self, outcome: Outcome) -> None:
        stream = self.plan.stream
        self.logger.info("%s: %d records imported into %s (%d created, %d updated%s) in %d "
                         "syncs", stream, outcome.records, self.plan.target.label,
                         outcome.created, outcome.updated,
                         f", {outcome.merged} duplicates merged" if outcome.merged else "",
                         len(outcome.syncs))
        if outcome.warned:
            self._report_warnings(outcome)
        if not outcome.reasons:
            return
        reasons = "; ".join(f"{reason}: {n}" for reason, n in outcome.reasons.most_common(5))
        count = len(outcome.rejected) or sum(outcome.reasons.values())
        summary = (f"{stream}: Eloqua rejected {count} of {outcome.records} records "
                   f"({reasons}); every rejected row is in {self.rejects.path}")
        if self.settings.fail_on_rejects:
            raise RejectsError(summary + "; fail_on_rejects is set, so the run stops here.")
        self.logger.warning(summary)

    def _report_warnings(self, outcome: Outcome) -> None:
        """A `warning` sync finished and applied every row it did not reject; its logs say
        what else Eloqua left out (real syncs end `warning` with no reject at all when rows
        carry keys the definition does not map), so they are told, never passed over."""
        stream, syncs = self.plan.stream, len(outcome.syncs)
        rejected = sum(outcome.reasons.values())
        told = "; ".join(f"{remark} ({n})" for remark, n in outcome.remarks.most_common(5))
        line = (f"{stream}: {outcome.warned} of {syncs} syncs ended 'warning' "
                f"({'with ' + str(rejected) if rejected else 'with no'} rejected rows)"
                f"{': Eloqua logged ' + told if told else ''}")
        if outcome.unmapped:
            line += (f"; {outcome.unmapped} keys of the rows match no field of the import "
                     "definition, so Eloqua did not load them")
        if told or not rejected:
            self.logger.warning(line)
