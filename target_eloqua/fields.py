"""An object's importable fields, found by internal name, display name or statement, any case."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from eloqua_bulk import ConfigurationError
from target_eloqua import objects as obj

READ_ONLY = "read_only"      # a /fields item with hasReadOnlyConstraint: an identifier at most


@dataclass(frozen=True)
class EloquaField:
    """One thing a property can load into: the definition key, its statement, type and role."""

    key: str
    statement: str
    data_type: str
    role: str                # objects.WRITABLE / IDENTIFIER / DROP / SUBSCRIPTION, or READ_ONLY
    display: str | None = None
    unique: bool = False     # /fields hasUniquenessConstraint: Eloqua holds one record per value


class FieldIndex:
    """Lookup of an object's fields: system properties first, then internal, then display names."""

    def __init__(self, target: obj.EloquaObject, items: Iterable[dict[str, Any]]) -> None:
        self.target = target
        self.fields: list[EloquaField] = []
        self._system: dict[str, EloquaField] = {}
        self._internal: dict[str, EloquaField] = {}
        self._display: dict[str, list[EloquaField]] = {}
        self._statement: dict[str, EloquaField] = {}
        for prop in target.system:
            f = EloquaField(prop.name, prop.statement, prop.data_type, prop.role)
            self._system.setdefault(prop.name.casefold(), f)
            self._add(f)
        unique_id = (target.unique_field_uri or "").rstrip("/").rsplit("/", 1)[-1]
        self.unique: EloquaField | None = None
        for item in items:
            internal = str(item.get("internalName") or "")
            statement = str(item.get("statement") or "")
            if not internal or not statement or internal.casefold() in self._internal:
                continue
            role = READ_ONLY if item.get("hasReadOnlyConstraint") else obj.WRITABLE
            if target.kind.kind == "activities":
                role = obj.DROP        # every activity field is Eloqua's own (docs §5.7)
            f = EloquaField(internal, statement, str(item.get("dataType") or "string"), role,
                            item.get("name"), bool(item.get("hasUniquenessConstraint")))
            self._internal[internal.casefold()] = f
            if f.display:
                self._display.setdefault(f.display.casefold(), []).append(f)
            self._add(f)
            if unique_id and str(item.get("uri", "")).rstrip("/").endswith("/" + unique_id):
                self.unique = f

    def _add(self, f: EloquaField) -> None:
        self.fields.append(f)
        self._statement.setdefault(_statement_key(f.statement), f)

    def find(self, name: str) -> EloquaField | None:
        """The field a property or setting names; None when nothing matches.

        Raises ConfigurationError when a display name is shared by several fields.
        """
        key = name.strip().casefold()
        found = self._system.get(key) or self._internal.get(key) \
            or self._statement.get(_statement_key(name))
        if found is not None:
            return found
        shared = self._display.get(key, [])
        if len(shared) > 1:
            raise ConfigurationError(
                f"'{name}' is the display name of several {self.target.label} fields "
                f"({', '.join(f.key for f in shared)}); use the internal name.")
        return shared[0] if shared else None

    def require(self, name: str, setting: str) -> EloquaField:
        """Like `find`, but a miss is a one-line configuration error naming the setting."""
        found = self.find(name)
        if found is None:
            raise ConfigurationError(
                f"{setting} '{name}' is not a field of {self.target.label} (use an internal "
                "name such as C_EmailAddress, a display name, or a {{...}} statement).")
        return found


def _statement_key(text: str) -> str:
    return "".join(text.split()).casefold()
