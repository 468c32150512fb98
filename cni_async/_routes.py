"""`Route`: one API operation as data, and how its URL is built.

Each resource module (`_resources/`) makes its operations' routes once at
import: method, path template, the operation's name (`interconnects.get`, for
logs and traces) and what its 200 body holds. Building a URL validates every
path id and percent-encodes it as exactly one segment, before anything is sent.
"""

from __future__ import annotations

import enum
import string
from collections.abc import Mapping
from urllib.parse import quote

import attrs

from . import _validate

__all__ = ["ACCEPT", "Body", "Route", "query_string"]


class Body(enum.Enum):
    """What a route's 200 body holds."""

    JSON = "json"
    PDF = "pdf"
    NONE = "none"


_IDEMPOTENT = frozenset({"GET", "PUT", "DELETE", "HEAD", "OPTIONS"})
ACCEPT = {Body.JSON: "application/json", Body.PDF: "application/pdf, */*", Body.NONE: "*/*"}


@attrs.frozen
class Route:
    """One API operation: `Route("GET", "/accounts/{account_id}/cni/cnis/{cni}", "cnis.get")`."""

    method: str
    template: str
    name: str  # the SDK method that calls it: "cnis.get"
    body: Body = Body.JSON
    uuid_ids: frozenset[str] = frozenset()
    # What a caller knows each path id as, for error messages: ("cni", "cni_id").
    arguments: tuple[tuple[str, str], ...] = ()
    idempotent: bool = attrs.field(init=False)
    accept: str = attrs.field(init=False)
    _pieces: tuple[tuple[str, str | None, str], ...] = attrs.field(init=False, repr=False)

    def __attrs_post_init__(self) -> None:
        known_as = dict(self.arguments)
        pieces = tuple(
            (literal, name, known_as.get(name, name) if name else "")
            for literal, name, _, _ in string.Formatter().parse(self.template)
        )
        object.__setattr__(self, "_pieces", pieces)
        object.__setattr__(self, "idempotent", self.method in _IDEMPOTENT)
        object.__setattr__(self, "accept", ACCEPT[self.body])

    def path(self, **ids: str) -> str:
        """Fill the template with validated, percent-encoded ids."""
        out: list[str] = []
        for literal, name, argument in self._pieces:
            out.append(literal)
            if name is not None:
                value = ids[name]
                _validate.path_id(value, argument)
                if name in self.uuid_ids:
                    _validate.uuid(value, argument)
                out.append(quote(value, safe=""))
        return "".join(out)


def query_string(params: Mapping[str, str | int | bool | None]) -> str:
    """Serialise query parameters: None dropped, booleans as `true`/`false`."""
    parts: list[str] = []
    for key, value in params.items():
        if value is None:
            continue
        text = ("true" if value else "false") if isinstance(value, bool) else str(value)
        parts.append(f"{key}={quote(text, safe='')}")
    return "&".join(parts)
