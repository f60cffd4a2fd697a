"""Eloqua objects a stream can be imported into: a kind from `eloqua_bulk.kinds` plus parameters.

The kinds themselves (fields and imports paths, the system properties tap-eloqua emits that
`/fields` does not list and what an import may do with each, the default identifier, drain
priority, upsert or create-only) are data in `eloqua_bulk/kinds.py`, shared with tap-eloqua; one
generic sink runs every kind that has an `imports_path`. A new importable entity is one
`ObjectKind` row there plus, here, its constructor. The roles (IDENTIFIER, WRITABLE, DROP,
SUBSCRIPTION) are described in that module.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from eloqua_bulk.kinds import (
    ACCOUNTS,
    ACTIVITIES,
    CONTACTS,
    CUSTOM_OBJECT,
    DROP,
    IDENTIFIER,
    SUBSCRIPTION,
    WRITABLE,
    ObjectKind,
    fill_template,
)

__all__ = ["DROP", "IDENTIFIER", "SUBSCRIPTION", "WRITABLE", "EloquaObject", "SystemProperty",
           "accounts", "activities", "contacts", "custom_object"]


@dataclass(frozen=True)
class SystemProperty:
    """A property tap-eloqua emits that `/fields` does not list, as an import sees it."""

    name: str
    statement: str
    data_type: str
    role: str


@dataclass(frozen=True)
class EloquaObject:
    """One import destination: a kind plus its parameters (the custom object's id)."""

    kind: ObjectKind
    label: str
    params: dict[str, Any] = field(default_factory=dict)
    unique_field_uri: str | None = None

    def _fill(self, template: str) -> str:
        return fill_template(template, self.params)

    @property
    def fields_path(self) -> str:
        return self._fill(self.kind.fields_path)

    @property
    def imports_path(self) -> str:
        if self.kind.imports_path is None:
            raise ValueError(f"Eloqua has no Bulk import for {self.kind.kind}")
        return self._fill(self.kind.imports_path)

    @property
    def system(self) -> tuple[SystemProperty, ...]:
        return tuple(SystemProperty(f.name, self._fill(f.statement), f.data_type, f.import_role)
                     for f in self.kind.import_fields if f.import_role is not None)


def contacts() -> EloquaObject:
    return EloquaObject(CONTACTS, "contacts")


def accounts() -> EloquaObject:
    return EloquaObject(ACCOUNTS, "accounts")


def activities() -> EloquaObject:
    return EloquaObject(ACTIVITIES, "external activities")


def custom_object(co_id: int, name: str, unique_field_uri: str | None) -> EloquaObject:
    return EloquaObject(CUSTOM_OBJECT, f"custom object '{name}'", {"id": co_id, "name": name},
                        unique_field_uri)
