"""What the route handlers receive and return, and the shared list pagination."""

from __future__ import annotations

import json
import random
import time
import uuid
from collections.abc import Callable, Sequence
from typing import Any

import attrs
from multidict import MultiMapping

from cni_async.testing._state import AccountState
from cni_async.testing._validate import query_int

MAX_PAGE_SIZE = 1000


@attrs.frozen
class Reply:
    """A successful answer: status 200 with `body` (bare JSON, a PDF, or nothing)."""

    body: bytes = b""
    content_type: str | None = None


def json_reply(value: object) -> Reply:
    """A bare JSON body."""
    return Reply(json.dumps(value, ensure_ascii=False).encode(), "application/json")


@attrs.define
class Runtime:
    """Emulator-wide options and the seeded source of generated ids."""

    status_polls: int
    status_seconds: float | None
    default_page_size: int
    rng: random.Random

    def new_uuid(self) -> str:
        """A random (version 4) UUID drawn from the seeded generator."""
        return str(uuid.UUID(int=self.rng.getrandbits(128), version=4))

    @staticmethod
    def now() -> float:
        """The monotonic clock used for time-based status progression."""
        return time.monotonic()


@attrs.frozen
class Call:
    """One request routed to an operation.

    Attributes:
        runtime: Emulator options and id generator.
        account: State of the account named in the path.
        params: Decoded path parameters other than the account id (`icon`, `cni`, `slot`).
        query: The query string.
        body: The raw request body.
    """

    runtime: Runtime
    account: AccountState
    params: dict[str, str]
    query: MultiMapping[str]
    body: bytes


Handler = Callable[[Call], Reply]


def paginate(call: Call, items: Sequence[Any]) -> Reply:
    """Answer one page of `items` as `{"items": [...], "next": cursor}`.

    The cursor is the offset of the next item; `next` is left out on the last page.
    Any int32 is a valid cursor, as the API documents; one this list never issued
    (negative, or past the end) gives an empty last page.
    """
    cursor = query_int(call.query, "cursor") or 0
    # `limit` is an integer >= 0 with no documented maximum: any size, capped here.
    limit = (
        query_int(call.query, "limit", minimum=0, maximum=None) or call.runtime.default_page_size
    )
    limit = min(limit, MAX_PAGE_SIZE)
    if cursor < 0:
        return json_reply({"items": []})
    page: dict[str, Any] = {"items": list(items[cursor : cursor + limit])}
    if cursor + limit < len(items):
        page["next"] = cursor + limit
    return json_reply(page)
