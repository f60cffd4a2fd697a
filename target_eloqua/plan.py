"""A stream's import plan: which property loads into which field, the identifier, the options.

Built once per sink from the stream's SCHEMA and the object's `/fields`; every problem a user can
fix (an unknown property, a missing identifier, a bad option) is a one-line ConfigurationError
raised here, before any record is read.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any
from zoneinfo import ZoneInfo

from eloqua_bulk import ConfigurationError
from target_eloqua import objects as obj
from target_eloqua.fields import READ_ONLY, EloquaField, FieldIndex
from target_eloqua.values import converter

MAX_FIELDS = 100
MAX_SYNC_ACTIONS = 10
NAME_MAX = 100
SUBSCRIBED_KEY = "\x00IsSubscribed"     # never an Eloqua key: removed before rows are encoded
LINK_DEFAULT_MATCH = {"contacts": "C_EmailAddress", "accounts": "M_CompanyName"}


@dataclass(frozen=True)
class Column:
    """A stream property loaded into one definition field."""

    prop: str
    key: str
    statement: str
    data_type: str


@dataclass
class ImportPlan:
    """Everything needed to turn a stream's records into import definitions and rows."""

    stream: str
    target: obj.EloquaObject
    columns: list[Column]
    identifier: str | None
    update_rule: str
    update_rule_by_field: dict[str, str]
    update_multiple: bool
    sync_actions: list[dict[str, Any]]
    link: dict[str, Any] = field(default_factory=dict)
    subscription_prop: str | None = None
    activity_type: str | None = None
    dropped: list[str] = field(default_factory=list)
    ignored: list[str] = field(default_factory=list)

    @property
    def statements(self) -> dict[str, str]:
        return {c.key: c.statement for c in self.columns}

    def parts(self, keys: list[str]) -> list[list[str]]:
        """Split a row shape into definitions of <= 100 fields that all carry the identifier.

        The first part also carries the link's source field, since only it links records.
        """
        if len(keys) <= MAX_FIELDS:
            return [keys]
        if self.identifier is None:
            raise ConfigurationError(
                f"Stream {self.stream} has {len(keys)} fields; an import without an identifier "
                f"takes at most {MAX_FIELDS}.")
        source = self.link.get("mapDataCardsSourceField")
        lead = list(dict.fromkeys(k for k in (self.identifier, source) if k))
        rest = [k for k in keys if k not in lead]
        out = [lead + rest[:MAX_FIELDS - len(lead)]]
        rest = rest[MAX_FIELDS - len(lead):]
        while rest:
            out.append([self.identifier, *rest[:MAX_FIELDS - 1]])
            rest = rest[MAX_FIELDS - 1:]
        return out

    def definition(self, keys: list[str], *, first: bool, subscribed: bool | None,
                   part: int, parts: int) -> dict[str, Any]:
        """The import definition body for one part of one row shape."""
        statements = self.statements
        suffix = f" part {part}/{parts}" if parts > 1 else ""
        body: dict[str, Any] = {
            "name": f"target-eloqua {self.stream}{suffix}"[:NAME_MAX],
            "fields": {k: statements[k] for k in keys},
            "isSyncTriggeredOnImport": False,
            "dataRetentionDuration": "P1D",
            "autoDeleteDuration": "P1D",
        }
        if self.target.kind.upsert and self.identifier:
            body["identifierFieldName"] = self.identifier
            body["isUpdatingMultipleMatchedRecords"] = self.update_multiple
            body["updateRule"] = self.update_rule
            by_field = {k: v for k, v in self.update_rule_by_field.items() if k in keys}
            if self.update_rule == "useFieldRule" and by_field:
                body["updateRuleByField"] = by_field
        actions = list(self.sync_actions) if first else []
        if first and subscribed is not None:
            actions.append({"action": "setStatus", "destination": "{{GlobalSubscribe}}",
                            "status": "subscribed" if subscribed else "unsubscribed"})
        if actions:
            body["syncActions"] = actions
        if first and self.link:
            body.update(self.link)
        return body


def build_plan(stream: str, schema: Mapping[str, Any], index: FieldIndex,
               options: Mapping[str, Any], config: Mapping[str, Any], logger: logging.Logger,
               link_index: Callable[[str], FieldIndex],
               key_properties: Sequence[str] = ()) -> ImportPlan:
    """Match every schema property to a field; raise one-line errors for what cannot load."""
    target = index.target
    field_map = dict(options.get("field_map") or {})
    ident_field = _identifier(stream, index, options, key_properties, field_map)
    columns: list[Column] = []
    unknown: list[str] = []
    plan = ImportPlan(stream, target, columns, ident_field.key if ident_field else None,
                      str(options.get("update_rule") or config.get("update_rule", "always")),
                      {}, bool(options.get("update_multiple_matches",
                                           config.get("update_multiple_matches", False))),
                      list(options.get("sync_actions") or []),
                      activity_type=options.get("activity_type"))
    taken: dict[str, str] = {}
    for prop in (schema.get("properties") or {}):
        f = index.require(field_map[prop], f"streams.{stream}.field_map.{prop}") \
            if prop in field_map else index.find(prop)
        if f is None:
            unknown.append(prop)
        elif f.role == obj.SUBSCRIPTION:
            if config.get("apply_subscription_status"):
                plan.subscription_prop = prop
            else:
                logger.info("%s: %s is not applied (set apply_subscription_status to apply it "
                            "as a global subscribe/unsubscribe)", stream, prop)
        elif f.role == obj.DROP or (f.role in (obj.IDENTIFIER, READ_ONLY) and f != ident_field):
            plan.dropped.append(prop)
            if prop in field_map:  # the user asked for this field explicitly: say why not
                logger.warning("%s: streams.%s.field_map.%s names %s, which Eloqua sets itself "
                               "(read-only); the property is left out", stream, stream, prop,
                               f.key)
        else:
            _claim(taken, f, prop, stream)
            columns.append(Column(prop, f.key, f.statement, f.data_type))
    if unknown:
        _unknown(stream, unknown, target, config, logger)
        plan.ignored = unknown
    if plan.activity_type and not any(c.statement == "{{Activity.Type}}" for c in columns):
        columns.append(Column("", "ActivityType", "{{Activity.Type}}", "string"))
    if plan.dropped:
        logger.debug("%s: left out properties Eloqua sets itself: %s", stream,
                     ", ".join(plan.dropped))
    _check(plan, ident_field, options, index, link_index)
    return plan


def _identifier(stream: str, index: FieldIndex, options: Mapping[str, Any],
                key_properties: Sequence[str], field_map: Mapping[str, Any]
                ) -> EloquaField | None:
    """The field imports match on: the user's identifier_field, else the field the SCHEMA's
    key_properties load into (Singer's key), else the object's documented default."""
    if not index.target.kind.upsert:
        return None
    setting = f"streams.{stream}.identifier_field"
    if options.get("identifier_field"):
        return index.require(str(options["identifier_field"]), setting)
    keys = [k for k in key_properties if not k.startswith("_sdc_")]
    if keys:
        found = _key_field(stream, index, keys, field_map, setting)
        if found.role != obj.IDENTIFIER:
            return found
        # Eloqua assigns its own Id (the tap's key): an import matching on it could update but
        # never create, so a stream copied from elsewhere would load nothing. Such a key keeps
        # the default below; identifier_field: Id matches on it when that is what is wanted.
    name = index.target.kind.default_identifier
    if name:
        return index.require(str(name), setting)
    if index.unique is not None:
        return index.unique
    raise ConfigurationError(
        f"{index.target.label} has no unique field to match records on: set {setting} "
        "(e.g. the field holding your record key, or ExternalId).")


def _key_field(stream: str, index: FieldIndex, keys: Sequence[str],
               field_map: Mapping[str, Any], setting: str) -> EloquaField:
    """The unique field a one-property key loads into; anything else is a one-line error, as
    matching on a field Eloqua does not keep unique would update or create the wrong records."""
    label = index.target.label
    if len(keys) > 1:
        raise ConfigurationError(
            f"Stream {stream} is keyed on {len(keys)} properties ({', '.join(keys)}); Eloqua "
            f"matches on one field: set {setting} to a unique field of {label}.")
    prop = keys[0]
    found = index.find(str(field_map.get(prop, prop)))
    if found is None:
        raise ConfigurationError(
            f"Stream {stream}'s key property '{prop}' is not a field of {label}: map it with "
            f"streams.{stream}.field_map, or set {setting}.")
    documented = (index.target.kind.default_identifier or "").casefold()
    if not (found.unique or found.role == obj.IDENTIFIER or found is index.unique
            or found.key.casefold() == documented):
        raise ConfigurationError(
            f"Stream {stream}'s key '{prop}' loads into {found.key}, which is not a unique field "
            f"of {label}, so every run could duplicate records: key the stream on a unique field "
            f"or set {setting}.")
    return found


def _claim(taken: dict[str, str], f: EloquaField, prop: str, stream: str) -> None:
    key = "".join(f.statement.split()).casefold()
    if key in taken:
        raise ConfigurationError(
            f"Stream {stream}: properties '{taken[key]}' and '{prop}' both load into {f.key}; "
            "drop one (stream_maps) or map it elsewhere with field_map.")
    taken[key] = prop


def _unknown(stream: str, unknown: list[str], target: obj.EloquaObject,
             config: Mapping[str, Any], logger: logging.Logger) -> None:
    listed = ", ".join(unknown[:20]) + (f" and {len(unknown) - 20} more" if len(unknown) > 20
                                        else "")
    if config.get("ignore_unknown_properties"):
        logger.warning("%s: properties matching no field of %s are left out: %s", stream,
                       target.label, listed)
        return
    raise ConfigurationError(
        f"Stream {stream} has properties that match no field of {target.label}: {listed}. "
        f"Rename them (stream_maps), map them with streams.{stream}.field_map, or set "
        "ignore_unknown_properties to leave them out.")


def _check(plan: ImportPlan, ident: EloquaField | None, options: Mapping[str, Any],
           index: FieldIndex, link_index: Callable[[str], FieldIndex]) -> None:
    stream, keys = plan.stream, {c.key for c in plan.columns}
    if ident is not None:
        if ident.data_type in ("date", "boolean"):
            raise ConfigurationError(f"streams.{stream}.identifier_field {ident.key} is a "
                                     f"{ident.data_type} field; Eloqua cannot match on it.")
        if ident.key not in keys:
            raise ConfigurationError(
                f"Stream {stream} has no property for its identifier {ident.key}: add it to the "
                f"records or choose another with streams.{stream}.identifier_field.")
    if not plan.columns:
        raise ConfigurationError(f"Stream {stream} has no property that loads into "
                                 f"{plan.target.label}.")
    by_field = dict(options.get("update_rule_by_field") or {})
    for name, rule in by_field.items():
        if rule not in ("always", "ifNewIsNotNull", "ifExistingIsNull"):
            raise ConfigurationError(f"streams.{stream}.update_rule_by_field.{name}: '{rule}' "
                                     "is not always, ifNewIsNotNull or ifExistingIsNull.")
        plan.update_rule_by_field[index.require(
            name, f"streams.{stream}.update_rule_by_field").key] = rule
    actions = len(plan.sync_actions) + (1 if plan.subscription_prop else 0)
    if actions > MAX_SYNC_ACTIONS:
        raise ConfigurationError(f"Stream {stream} has {actions} sync actions; Eloqua allows "
                                 f"at most {MAX_SYNC_ACTIONS}.")
    if plan.update_multiple and plan.target.kind.kind == "contacts" and \
            "C_EmailAddress" in keys and plan.identifier != "C_EmailAddress":
        raise ConfigurationError(f"Stream {stream} updates C_EmailAddress, which Eloqua only "
                                 "allows with update_multiple_matches false.")
    link = options.get("link")
    if link:
        _link(plan, link, index, link_index)


def _link(plan: ImportPlan, link: Mapping[str, Any], index: FieldIndex,
          link_index: Callable[[str], FieldIndex]) -> None:
    stream = plan.stream
    if plan.target.kind.kind != "custom_object":
        raise ConfigurationError(f"streams.{stream}.link only applies to custom objects.")
    to = str(link.get("to") or "contacts")
    source = index.require(str(link.get("source_field")), f"streams.{stream}.link.source_field")
    if source.key not in {c.key for c in plan.columns}:
        raise ConfigurationError(f"streams.{stream}.link.source_field {source.key} is not "
                                 "among the stream's properties.")
    match = link_index(to).require(str(link.get("match_field") or LINK_DEFAULT_MATCH[to]),
                                   f"streams.{stream}.link.match_field")
    plan.link = {"mapDataCards": True,
                 "mapDataCardsEntityType": "Contact" if to == "contacts" else "Company",
                 "mapDataCardsEntityField": match.statement,
                 "mapDataCardsSourceField": source.key,
                 "mapDataCardsCaseSensitiveMatch": bool(link.get("case_sensitive", False))}


def row_builder(plan: ImportPlan, schema: Mapping[str, Any],
                zone: ZoneInfo) -> Callable[[dict[str, Any]], dict[str, Any]]:
    """A function record -> row keyed by definition fields; absent properties stay absent."""
    props = schema.get("properties") or {}
    steps = [(c.prop, c.key, converter(c.data_type, props.get(c.prop) or {}, zone))
             for c in plan.columns if c.prop]
    plain = tuple((prop, key) for prop, key, conv in steps if conv is None)
    converted = tuple((prop, key, conv) for prop, key, conv in steps if conv is not None)
    subscribed = plan.subscription_prop
    activity_type = plan.activity_type
    type_key = next((c.key for c in plan.columns if c.statement == "{{Activity.Type}}"), None)

    def build(record: dict[str, Any]) -> dict[str, Any]:
        row = {key: record[prop] for prop, key in plain if prop in record}
        for prop, key, conv in converted:
            if prop in record:
                value = record[prop]
                row[key] = value if value is None else conv(value)
        if subscribed is not None and record.get(subscribed) is not None:
            row[SUBSCRIBED_KEY] = bool(record[subscribed])
        if activity_type and type_key and row.get(type_key) is None:
            row[type_key] = activity_type
        return row

    return build
