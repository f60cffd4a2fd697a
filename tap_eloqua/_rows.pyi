from collections.abc import Callable
from typing import Any

class RowConverter:
    def __init__(self, names: tuple[str, ...], kinds: bytes,
                 convs: tuple[Callable[[str], Any], ...],
                 heads: tuple[dict[str, str | None] | None, ...], nulls: dict[str, None],
                 fallback: Callable[[dict[str, str]], dict[str, Any]]) -> None: ...
    def __call__(self, row: dict[str, str]) -> dict[str, Any]: ...
