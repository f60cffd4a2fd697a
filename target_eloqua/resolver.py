"""Which Eloqua object a stream loads into, and that object's field list (fetched once, paged)."""

from __future__ import annotations

import logging
import threading
from collections.abc import Mapping
from typing import Any

from eloqua_bulk import BulkClient, ConfigurationError, EloquaAPIError
from eloqua_plugin import entities as tap_entities
from target_eloqua import objects as obj

LOGGER = logging.getLogger("target_eloqua.resolver")
KIND_WORDS = {"contacts": obj.contacts, "contact": obj.contacts, "accounts": obj.accounts,
              "account": obj.accounts, "activities": obj.activities,
              "activity": obj.activities}


class Resolver:
    """Answers stream -> object and object -> fields, caching what it asked Eloqua."""

    def __init__(self, client: BulkClient) -> None:
        self.client = client
        self._lock = threading.Lock()
        self._custom_objects: list[dict[str, Any]] | None = None
        self._fields: dict[str, list[dict[str, Any]]] = {}

    def custom_objects(self) -> list[dict[str, Any]]:
        """`/customObjects`, every page, once per run."""
        with self._lock:
            if self._custom_objects is None:
                self._custom_objects = self.client.list_all("/customObjects")
            return self._custom_objects

    def fields(self, target: obj.EloquaObject) -> list[dict[str, Any]]:
        """The object's `/fields` items, every page, once per run."""
        path = target.fields_path
        with self._lock:
            cached = self._fields.get(path)
        if cached is None:
            if target.kind.kind == "activities":
                cached = self._activity_fields(path)
            else:
                cached = self.client.list_all(path)
            with self._lock:
                self._fields[path] = cached
        return cached

    def _activity_fields(self, path: str) -> list[dict[str, Any]]:
        """Activity fields of every type, asked type by type as the tap does (docs §6.3).

        They only let the target recognise (and leave out) what Eloqua records itself, so a type
        the instance refuses to describe is skipped rather than failing the run.
        """
        items: dict[str, dict[str, Any]] = {}
        for activity_type in tap_entities.ACTIVITY_TYPES:
            try:
                found = self.client.list_all(path, {"activityType": activity_type})
            except EloquaAPIError as exc:
                LOGGER.debug("No field list for %s activities: %s", activity_type, exc)
                continue
            for item in found:
                items.setdefault(str(item.get("internalName")), item)
        return list(items.values())

    def _co_objects(self) -> dict[str, obj.EloquaObject]:
        """Custom objects by the stream name tap-eloqua gives them (same rule, same clashes)."""
        items = {_co_id(i): i for i in self.custom_objects()}
        taken = {"contacts", "accounts"} | {
            tap_entities.activity(t).stream_name for t in tap_entities.ACTIVITY_TYPES}
        named = tap_entities.custom_objects(
            [(co_id, str(i.get("name") or f"custom object {co_id}")) for co_id, i in items.items()],
            taken)
        return {e.stream_name: _custom_object(items[int(e.params["id"])]) for e in named}

    def object_for(self, stream: str, options: Mapping[str, Any]) -> obj.EloquaObject:
        """The configured object, else the one the stream's name means; else a one-line error."""
        wanted = options.get("object")
        if wanted is not None:
            return self._named(stream, str(wanted))
        if stream in ("contacts", "accounts"):
            return KIND_WORDS[stream]()
        if stream.startswith("activity_"):
            return obj.activities()
        by_name = self._co_objects()
        if stream in by_name:
            return by_name[stream]
        examples = ", ".join(sorted(by_name)[:8]) or "none on this instance"
        example = '{"streams": {"%s": {"object": "contacts"}}}' % stream  # noqa: UP031
        raise ConfigurationError(
            f"Stream '{stream}' maps to no Eloqua object: name it contacts, accounts, "
            f"activity_<type> or a custom object's stream name ({examples}), or map it with the "
            f"streams setting, e.g. {example}.")

    def _named(self, stream: str, wanted: str) -> obj.EloquaObject:
        word = wanted.strip().lower()
        if word in KIND_WORDS:
            return KIND_WORDS[word]()
        items = self.custom_objects()
        for item in items:
            if word == str(_co_id(item)) or word == str(item.get("name", "")).strip().lower():
                return _custom_object(item)
        by_name = self._co_objects()
        if word in by_name:
            return by_name[word]
        names = ", ".join(f"{i.get('name')} ({_co_id(i)})" for i in items[:10]) or "none"
        raise ConfigurationError(
            f"streams.{stream}.object '{wanted}' is not contacts, accounts, activities or a "
            f"custom object of this instance (custom objects: {names}).")


def _co_id(item: Mapping[str, Any]) -> int:
    return int(str(item["uri"]).rstrip("/").rsplit("/", 1)[-1])


def _custom_object(item: Mapping[str, Any]) -> obj.EloquaObject:
    return obj.custom_object(_co_id(item), str(item.get("name") or ""),
                             item.get("uniqueFieldUri"))
