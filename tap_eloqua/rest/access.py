"""Which REST streams the API user may read: one cheap request per stream, at discovery.

Eloqua answers 403 on a list the user's security group may not read. Such a stream is left out of
discovery (and of a sync whose catalog names it) with one warning line, so REST streams can be on
by default without failing runs of API users whose role covers only part of the API.
"""

from __future__ import annotations

import logging
from typing import Any

from eloqua_bulk.errors import EloquaAPIError
from eloqua_bulk.session import BulkSession
from tap_eloqua.rest.resources import Resource
from tap_eloqua.rest.schema import to_int


def _first_page(session: BulkSession, path: str, version: str) -> dict[str, Any]:
    """One element at the default (minimal) depth: the cheapest call a list answers."""
    answer = session.rest_request("GET", path, {"count": 1, "page": 1}, version=version)
    return answer if isinstance(answer, dict) else {}


def _denied(session: BulkSession, resource: Resource) -> bool:
    """True when Eloqua answers 403 to the resource's list (for children: to its parents' list
    or to the first parent's child list)."""
    try:
        parent = resource.parent
        if parent is None:
            _first_page(session, resource.path, resource.version)
            return False
        first = _first_page(session, parent.path, parent.version)
        ids = [to_int(e.get("id")) for e in first.get("elements") or [] if isinstance(e, dict)]
        if ids and ids[0] is not None:
            _first_page(session, resource.path.replace("{parent}", str(ids[0])),
                        resource.version)
        return False
    except EloquaAPIError as exc:
        if exc.status == 403:
            return True
        if exc.status == 404 and parent is not None:
            return False  # the parent went away in between: nothing says access is refused
        raise


def readable(session: BulkSession, resources: list[Resource],
             logger: logging.Logger) -> list[Resource]:
    """The resources the API user may read; one warning line names the others."""
    denied = [r for r in resources if _denied(session, r)]
    if denied:
        names = ", ".join(r.stream for r in denied)
        logger.warning(
            "REST streams left out: %s (Eloqua answered 403 Forbidden: the API user's security "
            "group may not read them; grant access, or leave them out of rest_streams)", names)
    return [r for r in resources if r not in denied]
