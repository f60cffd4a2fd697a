"""The one way a REST list is paged by number: pages 1, 2, ... until the list says it is done.

Every REST read goes through `numbered_pages` (lists, per-parent lists, the same-second pages of a
keyset window), so the end-of-list rules live here once: a page with no elements ends the list
(even if `total` promises more: a list that shrank while read, or one that never fills a page),
as does a short page, or one that reaches `total`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from tap_eloqua.rest.schema import to_int


@dataclass(frozen=True)
class Page:
    """One answer of a REST list call."""

    number: int
    elements: list[dict[str, Any]]
    total: int | None  # what Eloqua says the whole list holds, if it says


def read_page(body: Any, number: int = 1) -> Page:
    """The elements (objects only) and total of one list answer."""
    body = body if isinstance(body, Mapping) else {}
    elements = [e for e in body.get("elements") or [] if isinstance(e, dict)]
    return Page(number, elements, to_int(body.get("total")))


def is_last(page: Page, count: int) -> bool:
    """No more pages after this one: it is empty, short, or reaches `total`."""
    return (not page.elements or len(page.elements) < count
            or (page.total is not None and page.number * count >= page.total))


def numbered_pages(fetch: Callable[[int], Any], count: int) -> Iterator[Page]:
    """Pages 1, 2, ... of `count` elements (`fetch(n)` answers page n), up to the last one."""
    number = 1
    while True:
        page = read_page(fetch(number), number)
        yield page
        if is_last(page, count):
            return
        number += 1
