"""The REST paging helper's end-of-list rules (tap_eloqua/rest/paging.py), which every REST list
read goes through: an empty page ends the list whatever `total` says, and so do a short page and
a page that reaches `total`; nothing past the last page is asked for."""

from __future__ import annotations

import logging
from typing import Any

import pytest

from tap_eloqua.rest.client import RestReader
from tap_eloqua.rest.paging import numbered_pages


def _lister(pages: dict[int, dict[str, Any]]) -> tuple[list[int], Any]:
    asked: list[int] = []

    def fetch(number: int) -> Any:
        asked.append(number)
        return pages.get(number, {"elements": [], "total": 99})
    return asked, fetch


def _full(start: int, count: int = 3, total: int | None = None) -> dict[str, Any]:
    body: dict[str, Any] = {"elements": [{"id": str(i)} for i in range(start, start + count)]}
    if total is not None:
        body["total"] = total
    return body


@pytest.mark.parametrize(("pages", "asked"), [
    ({1: _full(1, total=99), 2: {"elements": [], "total": 99}}, [1, 2]),  # empty, total says more
    ({1: _full(1, total=99), 2: {"total": 99}}, [1, 2]),                   # no elements key at all
    ({1: _full(1), 2: _full(4, 1)}, [1, 2]),                               # short page, no total
    ({1: _full(1, total=6), 2: _full(4, total=6)}, [1, 2]),                # reaches total
    ({1: _full(1, total=7), 2: _full(4, total=7), 3: _full(7, 1, total=7)}, [1, 2, 3]),
    ({1: "not an object"}, [1]),                                           # unreadable answer
])
def test_paging_stops_at_the_last_page(pages, asked):
    seen, fetch = _lister(pages)
    got = [e["id"] for page in numbered_pages(fetch, 3) for e in page.elements]
    assert seen == asked
    assert got == [e["id"] for n in asked if isinstance(pages.get(n), dict)
                   for e in pages[n].get("elements", [])]


class _Session:
    """Answers REST list calls from a dict of pages, recording the page numbers asked."""

    def __init__(self, pages: dict[int, dict[str, Any]]) -> None:
        self.pages, self.asked = pages, []

    def rest_request(self, method: str, path: str, params: dict[str, Any],
                     version: str) -> Any:
        self.asked.append(params["page"])
        return self.pages.get(params["page"], {"elements": [], "total": 99})


def test_the_reader_pages_through_the_helper():
    session = _Session({1: _full(1, total=99), 2: _full(4, total=99)})
    reader = RestReader(session, 3, logging.getLogger("test"))  # type: ignore[arg-type]
    got = [e["id"] for page in reader.pages("/assets/x", "2.0", {}) for e in page]
    assert got == ["1", "2", "3", "4", "5", "6"]
    assert session.asked == [1, 2, 3]  # page 3 was empty: the end, though total said 99
