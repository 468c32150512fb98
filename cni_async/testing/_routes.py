"""The route table, matched against the raw (still percent-encoded) request path.

Each path segment is unquoted on its own, so `%2F` inside an interconnect name stays
part of that one segment instead of splitting the path.
"""

from __future__ import annotations

from urllib.parse import unquote

import attrs

from cni_async.testing import _cnis, _interconnects, _slots
from cni_async.testing._http import Handler

PREFIX = "/client/v4"
_HEAD = 3  # accounts/{account_id}/cni


@attrs.frozen
class Route:
    """One operation: its operationId, method and path pattern below `/cni/`."""

    operation: str
    method: str
    pattern: tuple[str, ...]
    handler: Handler

    @property
    def template(self) -> str:
        """The OpenAPI path template, e.g. `/accounts/{account_id}/cni/cnis/{cni}`."""
        return "/accounts/{account_id}/cni/" + "/".join(self.pattern)


ROUTES = (
    Route("list_interconnects", "GET", ("interconnects",), _interconnects.list_interconnects),
    Route("create_interconnect", "POST", ("interconnects",), _interconnects.create_interconnect),
    Route("get_interconnect", "GET", ("interconnects", "{icon}"), _interconnects.get_interconnect),
    Route(
        "delete_interconnect",
        "DELETE",
        ("interconnects", "{icon}"),
        _interconnects.delete_interconnect,
    ),
    Route(
        "get_interconnect_loa",
        "GET",
        ("interconnects", "{icon}", "loa"),
        _interconnects.get_interconnect_loa,
    ),
    Route(
        "get_interconnect_status",
        "GET",
        ("interconnects", "{icon}", "status"),
        _interconnects.get_interconnect_status,
    ),
    Route("list_cnis", "GET", ("cnis",), _cnis.list_cnis),
    Route("create_cni", "POST", ("cnis",), _cnis.create_cni),
    Route("get_cni", "GET", ("cnis", "{cni}"), _cnis.get_cni),
    Route("update_cni", "PUT", ("cnis", "{cni}"), _cnis.update_cni),
    Route("delete_cni", "DELETE", ("cnis", "{cni}"), _cnis.delete_cni),
    Route("list_slots", "GET", ("slots",), _slots.list_slots),
    Route("get_slot", "GET", ("slots", "{slot}"), _slots.get_slot),
    Route("get_settings", "GET", ("settings",), _slots.get_settings),
    Route("update_settings", "PUT", ("settings",), _slots.update_settings),
)
OPERATIONS = frozenset(route.operation for route in ROUTES)


@attrs.frozen
class Match:
    """Where a request path leads.

    Attributes:
        paths: The path below `/client/v4`, as sent and decoded, for fault matching.
        account_id: The decoded account id, when the path has the CNI shape.
        route: The operation, when both the path and the method match one.
        params: Decoded path parameters of `route`.
        allowed: The methods the path supports, when only the method is wrong.
    """

    paths: tuple[str, ...]
    account_id: str | None = None
    route: Route | None = None
    params: dict[str, str] = attrs.field(factory=dict[str, str])
    allowed: tuple[str, ...] = ()


def _bind(pattern: tuple[str, ...], segments: list[str]) -> dict[str, str] | None:
    if len(pattern) != len(segments):
        return None
    params: dict[str, str] = {}
    for part, segment in zip(pattern, segments, strict=True):
        if part.startswith("{"):
            if not segment:
                return None
            params[part[1:-1]] = segment
        elif part != segment:
            return None
    return params


def resolve(raw_path: str, method: str) -> Match:
    """Find the operation for a raw request path and method."""
    if not raw_path.startswith(PREFIX + "/"):
        return Match(paths=(raw_path, unquote(raw_path)))
    below = raw_path[len(PREFIX) :]
    paths = (below, unquote(below))
    segments = [unquote(segment) for segment in below.split("/")[1:]]
    head, rest = segments[:_HEAD], segments[_HEAD:]
    if len(head) < _HEAD or head[0] != "accounts" or not head[1] or head[2] != "cni":
        return Match(paths=paths)
    account_id = head[1]
    allowed: list[str] = []
    for route in ROUTES:
        params = _bind(route.pattern, rest)
        if params is None:
            continue
        if route.method == method:
            return Match(paths, account_id, route, params)
        allowed.append(route.method)
    return Match(paths, account_id, allowed=tuple(allowed))
