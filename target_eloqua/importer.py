"""One drained batch of one stream -> Eloqua: definitions, pushes, syncs, rejects, cleanup.

Per batch: rows are deduplicated on the identifier (the last record wins, as an upsert of the
same key in order would end), grouped by shape (the set of properties present, so a property a
record leaves out is never sent as an empty value that would clear the Eloqua field), and each
shape is imported through definitions of at most 100 fields that share the identifier. Each
definition gets its rows in JSON bodies under `max_push_bytes`, a sync after at most
`max_pushes_per_sync` bodies, a poll until the sync ends, its rejects read page by page, and is
deleted whatever happens.
"""

from __future__ import annotations

import logging
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from eloqua_bulk import BulkClient, EloquaError, SyncResult
from target_eloqua import chunks
from target_eloqua.plan import SUBSCRIBED_KEY, ImportPlan
from target_eloqua.rejects import RejectsFile

CREATED = frozenset({"ELQ-00004", "ELQ-00005", "ELQ-00007", "ELQ-00069"})
UPDATED = frozenset({"ELQ-00022", "ELQ-00023", "ELQ-00012"})


@dataclass
class ImportSettings:
    """Limits and failure policy, from the target's settings."""

    max_push_bytes: int
    max_pushes: int
    fail_on_rejects: bool


@dataclass
class Outcome:
    """What one batch did in Eloqua."""

    records: int
    merged: int = 0
    created: int = 0
    updated: int = 0
    pushes: int = 0
    syncs: list[str] = field(default_factory=list)
    rejected: set[int] = field(default_factory=set)     # record numbers
    reasons: Counter[str] = field(default_factory=Counter)


class RejectsError(EloquaError):
    """Eloqua rejected rows and `fail_on_rejects` is set."""


class Importer:
    """Runs batches of one stream's rows through Eloqua's import flow."""

    def __init__(self, client: BulkClient, plan: ImportPlan, settings: ImportSettings,
                 rejects: RejectsFile, logger: logging.Logger) -> None:
        self.client, self.plan, self.settings = client, plan, settings
        self.rejects, self.logger = rejects, logger

    def run(self, rows: list[dict[str, Any]], numbers: list[int]) -> Outcome:
        """Import one batch; `numbers` are the records' 1-based positions in the stream."""
        outcome = Outcome(len(rows))
        rows, numbers, outcome.merged = self._dedupe(rows, numbers)
        for keys, subscribed, members in self._shapes(rows):
            group_rows = [rows[i] for i in members]
            group_numbers = [numbers[i] for i in members]
            parts = self.plan.parts(keys)
            for n, part in enumerate(parts, start=1):
                self._import(part, n, len(parts), subscribed, group_rows, group_numbers, outcome)
        self._report(outcome)
        return outcome

    # -- batch shaping ---------------------------------------------------------------------
    def _dedupe(self, rows: list[dict[str, Any]],
                numbers: list[int]) -> tuple[list[dict[str, Any]], list[int], int]:
        ident = self.plan.identifier
        if ident is None or not self.plan.target.kind.upsert:
            return rows, numbers, 0
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
        if len(keep) == len(rows):
            return rows, numbers, 0
        keep.reverse()
        return [rows[i] for i in keep], [numbers[i] for i in keep], len(rows) - len(keep)

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

    # -- one definition --------------------------------------------------------------------
    def _import(self, keys: list[str], part: int, parts: int, subscribed: bool | None,
                rows: list[dict[str, Any]], numbers: list[int], outcome: Outcome) -> None:
        plan, client = self.plan, self.client
        body = plan.definition(keys, first=part == 1, subscribed=subscribed, part=part,
                               parts=parts)
        uri = str(client.create_definition(plan.target.imports_path, body)["uri"])
        try:
            if parts > 1:
                wanted = set(keys)
                rows = [{k: v for k, v in row.items() if k in wanted} for row in rows]
            encoded = chunks.encode(rows)
            try:
                spans = list(chunks.spans([len(e) for e in encoded],
                                          self.settings.max_push_bytes))
            except chunks.RowTooLargeError as exc:
                raise EloquaError(f"Stream {plan.stream}, record {numbers[exc.index]}: {exc}."
                                  ) from None
            step = self.settings.max_pushes
            for first in range(0, len(spans), step):
                batch = spans[first:first + step]
                sent = 0
                for start, end in batch:
                    data = chunks.body(encoded, start, end)
                    client.push_data(uri, data)
                    sent += len(data)
                outcome.pushes += len(batch)
                start_row, end_row = batch[0][0], batch[-1][1]
                sync_uri = client.create_sync(uri)
                outcome.syncs.append(sync_uri)
                result = client.wait(sync_uri, plan.stream)
                self._collect(result, uri, numbers[start_row:end_row], outcome)
                self.logger.info("%s: sync %s %s: %d rows in %d pushes (%.1f MB)%s",
                                 plan.stream, sync_uri, result.status, end_row - start_row,
                                 len(batch), sent / 1e6,
                                 f", part {part} of {parts}" if parts > 1 else "")
        finally:
            try:
                client.delete_definition(uri)
            except Exception as exc:       # the run's own error matters more; retried at exit
                self.logger.warning("%s: could not delete %s yet: %s", plan.stream, uri, exc)

    def _collect(self, result: SyncResult, definition: str, numbers: list[int],
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
        items = []
        for reject in self.client.rejects(result.uri):
            index = reject.get("recordIndex")
            number = numbers[index - 1] if isinstance(index, int) and \
                0 < index <= len(numbers) else None
            if number is not None:
                outcome.rejected.add(number)
            reason = f"{reject.get('statusCode')} {reject.get('message')}"
            outcome.reasons[reason] += 1
            items.append({"stream": self.plan.stream, "object": self.plan.target.label,
                          "definition": definition, "sync": result.uri,
                          "recordIndex": index, "record_number": number,
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
        if not outcome.reasons:
            return
        reasons = "; ".join(f"{reason}: {n}" for reason, n in outcome.reasons.most_common(5))
        count = len(outcome.rejected) or sum(outcome.reasons.values())
        summary = (f"{stream}: Eloqua rejected {count} of {outcome.records} records "
                   f"({reasons}); every rejected row is in {self.rejects.path}")
        if self.settings.fail_on_rejects:
            raise RejectsError(summary + "; fail_on_rejects is set, so the run stops here.")
        self.logger.warning(summary)
