"""Import syncs (docs §4, §5.2-5.5): staged rows -> upsert, sync actions, logs, rejects.

A sync takes every row staged on its definition at creation (the staging area and its push count
start again from zero) and applies them when its wall-clock lifecycle ends, on the next read.
Sync ids share the export syncs' counter, so `/syncs/{id}` is unique across both kinds.

The status is `warning` when any row was rejected or any log is a warning (rows carrying keys
the definition does not map end `warning` with no reject: real traffic, fact 1), else `success`.
Decided where the docs are silent ([I] in the reference): sync-action logs are ELQ-00115/00118
(added to / removed from a contact list), ELQ-00114/00117 (account list), ELQ-00138 /
ELQ-00017 (globally subscribed / unsubscribed). Subscription changes do not move UpdatedAt.
ELQ-00111 for keys the definition does not map is ours: real traffic shows the `warning`,
but no recording has those logs.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from .catalog import canonical
from .common import BadRequestError, failure
from .config import EmulatorConfig
from .imports import LIST_REF, ImportDefinition
from .sync_base import SyncBase, SyncLifecycle
from .upsert import Outcome, Upserter, apply_activities, link_data_cards

if TYPE_CHECKING:
    from .emulator import EloquaEmulator

CREATED_CODES = {"contacts": ("ELQ-00004", "Contacts created.", "ELQ-00022", "Contacts updated."),
                 "accounts": ("ELQ-00005", "Accounts created.", "ELQ-00023", "Accounts updated."),
                 "customObjects": ("ELQ-00007", "CustomObject data created.", "ELQ-00012",
                                   "CustomObject data updated."),
                 "activities": ("ELQ-00069", "Activities created.", "", "")}


@dataclass
class ImportSync(SyncBase):
    """One sync of an import definition, with the rows it took from staging."""

    rows: list[dict[str, Any]] = field(default_factory=list)
    positions: list[int] = field(default_factory=list)    # recordIndex of each row
    rejects: list[dict[str, Any]] = field(default_factory=list)


class ImportSyncs(SyncLifecycle):
    """Every import sync of the instance; lifecycle timing follows the emulator config."""

    def __init__(self, emu: EloquaEmulator) -> None:
        self.emu = emu
        self.syncs: dict[int, ImportSync] = {}

    # SyncLifecycle declares lock and cfg as attributes; here they are derived from the emulator
    @property
    def lock(self) -> threading.RLock:  # type: ignore[override]
        return self.emu.imports.lock      # staging and sync state change together

    @property
    def cfg(self) -> EmulatorConfig:  # type: ignore[override]
        return self.emu.config

    def create(self, defn: ImportDefinition, body: dict[str, Any]) -> ImportSync:
        """POST /syncs on an import definition (or an auto-triggered data POST)."""
        emu = self.emu
        sync_id, planned = emu.syncs.allocate()   # one id counter and fail-next plan for all syncs
        with emu.imports.lock:
            rows, positions = defn.staged, defn.positions
            defn.staged, defn.positions, defn.pushes = [], [], 0
            callback = body.get("callbackUrl") or body.get("callbackURL")
            sync = ImportSync(sync_id, defn, emu.store.clock.now(), time.monotonic(),
                              emu.config.username,
                              callback, planned, rows=rows, positions=positions)
            self.syncs[sync_id] = sync
            defn.syncs.append(sync)
        return sync

    def get(self, sync_id: int) -> ImportSync | None:
        sync = self.syncs.get(sync_id)
        if sync is not None:
            self.advance(sync)
        return sync

    # ---- processing -----------------------------------------------------------------------
    def _finish(self, sync: ImportSync) -> None:
        defn, fail = sync.definition, self.emu.config.error_status_literal
        self._log(sync, "ELQ-00137", "Ready for data import processing.")
        if defn.deleted:
            sync.status = fail
            self._log(sync, "ELQ-00143", "The definition was deleted before the sync completed.",
                      0, "error")
        elif sync.planned_error:
            sync.status = fail
            self._log(sync, sync.planned_error[0], sync.planned_error[1], 0, "error")
        elif not sync.rows:
            sync.status = "success"
            self._log(sync, "ELQ-00124", "There was no data available to process.")
        else:
            self._process(sync)
        self._log(sync, "ELQ-00101",
                  f"Sync processed for sync {sync.id}, resulting in {sync.status} status.")
        sync.ended = self.emu.store.clock.now()
        sync.rows, sync.positions = [], []

    def _process(self, sync: ImportSync) -> None:
        emu, defn = self.emu, sync.definition
        kind = defn.entity.kind
        if defn.ignored_keys:
            self._log(sync, "ELQ-00111", "Fields not in the import definition were ignored: "
                      + ", ".join(sorted(defn.ignored_keys)), len(defn.ignored_keys), "warning")
        if defn.missing_keys:
            self._log(sync, "ELQ-00121", "Fields of the import definition were missing from the "
                      "file: " + ", ".join(sorted(defn.missing_keys)), len(defn.missing_keys),
                      "warning")
        defn.ignored_keys, defn.missing_keys = set(), set()
        with emu.store.lock:
            if kind == "activities":
                if defn.identifier:
                    self._log(sync, "ELQ-00123", f"identifierField {defn.identifier} will be "
                              "ignored since Activities are never updated.")
                out = apply_activities(emu.store, emu.imports, defn, sync.rows, sync.positions)
            else:
                out = Upserter(emu.store, defn).apply(sync.rows, sync.positions)
                link_data_cards(emu.store, emu.imports, defn, sync.rows, out)
        self._log(sync, "ELQ-00001", "Total records processed.", len(sync.rows))
        created, created_msg, updated, updated_msg = CREATED_CODES[kind]
        self._log(sync, created, created_msg, out.created)
        if updated:
            self._log(sync, updated, updated_msg, out.updated)
        if out.linked:
            self._log(sync, "ELQ-00025", "CustomObject data linked.", out.linked)
        if out.invalid_emails:
            self._log(sync, "ELQ-00002", "Invalid email addresses.", out.invalid_emails, "warning")
        if out.rejects:
            self._log(sync, "ELQ-00060", "Total rejected records.", len(out.rejects), "warning")
        if kind != "activities":
            with emu.store.lock:
                self._sync_actions(sync, out)
        sync.rejects = out.rejects
        # real traffic (fact 1): a warning log ends the sync `warning`, rejects or not
        warned = any(log.get("severity") == "warning" for log in sync.logs)
        sync.status = "warning" if out.rejects or warned else "success"

    def _sync_actions(self, sync: ImportSync, out: Outcome) -> None:
        store, kind = self.emu.store, sync.definition.entity.kind
        ids = list(dict.fromkeys(rid for _, rid in out.touched))
        for action in sync.definition.resource.get("syncActions") or []:
            verb = action.get("action", "add")
            dest = canonical(str(action.get("destination")))
            m = LIST_REF.match(dest)
            if verb == "setStatus" and dest == "{{globalsubscribe}}":
                value = action["status"] == "subscribed"
                changed = 0
                for rid in ids:
                    rec = store.contacts[rid]
                    if rec["IsSubscribed"] != value:
                        store.update("contacts", rid, {"IsSubscribed": value,
                                                       "UpdatedAt": rec["UpdatedAt"]})
                        changed += 1
                code, text = ("ELQ-00138", "Contacts marked subscribed.") if value else \
                    ("ELQ-00017", "Contacts marked unsubscribed.")
                self._log(sync, code, text, changed)
            elif m is not None:
                lists = store.contact_lists if kind == "contacts" else store.account_lists
                members = lists[int(m.group(2))].members
                if verb == "add":
                    members.update(ids)
                else:
                    members.difference_update(ids)
                base = 115 if kind == "contacts" else 114
                code = f"ELQ-{base + (0 if verb == 'add' else 3):05d}"
                what = "contact" if kind == "contacts" else "account"
                self._log(sync, code, f"Members {'added to' if verb == 'add' else 'removed from'} "
                          f"{what} list.", len(ids))

    # ---- reads ----------------------------------------------------------------------------
    def data(self, sync: ImportSync) -> None:
        """`GET /syncs/{id}/data` on an import sync is a 400 (docs §4.3)."""
        raise BadRequestError([failure("syncUri", sync.uri,
                                       "Import syncs have no data to read")])
