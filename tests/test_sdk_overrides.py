"""Every SDK member our classes override is listed in eloqua_plugin/sdk_overrides.py, marked
@override, and still has the signature it had in the SDK version the list was written for."""

from __future__ import annotations

import importlib
import inspect
import pkgutil
from functools import cached_property
from typing import Any

import pytest

from eloqua_plugin.sdk_overrides import OVERRIDES, SDK_VERSION

PACKAGES = ("eloqua_plugin", "tap_eloqua", "target_eloqua")


def _classes() -> list[type]:
    found = []
    for package in PACKAGES:
        pkg = importlib.import_module(package)
        for info in pkgutil.walk_packages(pkg.__path__, f"{package}."):
            if info.name.endswith("__main__"):
                continue
            module = importlib.import_module(info.name)
            found += [c for c in vars(module).values()
                      if inspect.isclass(c) and c.__module__ == module.__name__]
    return found


def _declares(cls: type, member: str) -> bool:
    return member in vars(cls) or member in vars(cls).get("__annotations__", {})


def _function(member: Any) -> Any:
    if isinstance(member, property):
        return member.fget
    if isinstance(member, cached_property):
        return member.func
    if isinstance(member, (staticmethod, classmethod)):
        return member.__func__
    return member


def _resolve(path: str) -> type:
    module, _, name = path.rpartition(".")
    return getattr(importlib.import_module(module), name)  # type: ignore[no-any-return]


def found_overrides() -> set[tuple[str, str]]:
    """(our class, member) for every member a class of ours declares over an SDK class's."""
    found = set()
    for cls in _classes():
        for member in {*vars(cls), *vars(cls).get("__annotations__", {})}:
            if member.startswith("__") or member == "_abc_impl":
                continue
            if any(base.__module__.startswith("singer_sdk") and _declares(base, member)
                   for base in cls.__mro__[1:]):
                found.add((f"{cls.__module__}.{cls.__qualname__}", member))
    return found


def test_every_sdk_override_is_listed_once() -> None:
    listed = [(o.owner, o.member) for o in OVERRIDES]
    assert len(listed) == len(set(listed))
    found = found_overrides()
    assert not found - set(listed), (
        f"overrides missing from eloqua_plugin/sdk_overrides.py: {sorted(found - set(listed))}")
    assert not set(listed) - found, f"listed but not overridden: {sorted(set(listed) - found)}"


def _id(entry: Any) -> str:
    return f"{entry.owner.rsplit('.', 1)[1]}.{entry.member}"


@pytest.mark.parametrize("entry", OVERRIDES, ids=_id)
def test_sdk_member_is_unchanged(entry: Any) -> None:
    sdk = _resolve(entry.sdk)
    assert _declares(sdk, entry.member), (
        f"{entry.sdk}.{entry.member} is gone (written for singer-sdk {SDK_VERSION})")
    if entry.signature is None:
        return
    now = str(inspect.signature(_function(vars(sdk)[entry.member])))
    assert now == entry.signature, (
        f"{entry.sdk}.{entry.member} changed since singer-sdk {SDK_VERSION}: {now}; check "
        f"{entry.owner}.{entry.member} still fits, then record the new signature")


@pytest.mark.parametrize("entry", [o for o in OVERRIDES if o.signature is not None],
                         ids=_id)
def test_method_override_is_marked(entry: Any) -> None:
    ours = _function(vars(_resolve(entry.owner))[entry.member])
    assert getattr(ours, "__override__", False), f"{entry.owner}.{entry.member} lacks @override"
