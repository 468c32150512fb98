"""What every resource shares: the pipeline, and how a list becomes a Paginator."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

import attrs

from .. import _validate
from .._models import CniCreate, GcpPartnerInterconnectCreate, Page, PhysicalInterconnectCreate
from .._pagination import Paginator
from .._pipeline import Pipeline
from .._routes import Route, query_string

T = TypeVar("T")
Query = Mapping[str, "str | int | bool | None"]
CreateBody = TypeVar(
    "CreateBody",
    bound=PhysicalInterconnectCreate | GcpPartnerInterconnectCreate | CniCreate,
)


def with_account(body: CreateBody, account: str) -> CreateBody:
    """A create body as it is sent: its `account` is the call's, filled in when left out.

    The API requires `account` in the body, equal to the path's; a given one that
    differs is refused here, before anything is sent.
    """
    _validate.same_account(body.account, account)
    return body if body.account is not None else attrs.evolve(body, account=account)


class Resource:
    """A resource bound to a client's pipeline."""

    __slots__ = ("_pipeline",)

    def __init__(self, pipeline: Pipeline) -> None:
        self._pipeline = pipeline

    def _paginate(
        self,
        route: Route,
        *,
        item: Any,  # noqa: ANN401 - a model class or a union alias
        account_id: str | None,
        filters: Query,
        limit: int | None,
        cursor: int | None,
    ) -> Paginator[Any]:
        """Validate everything now, send nothing until iterated."""
        pipeline = self._pipeline
        url = pipeline.url(route, account_id)
        base = query_string({**filters, "limit": _validate.optional_integer(limit, "limit")})
        page_type = Page[item]

        async def fetch(page_cursor: int | None) -> Page[Any]:
            query = base if page_cursor is None else f"{base}&cursor={page_cursor}".lstrip("&")
            return await pipeline.request_model(
                route, f"{url}?{query}" if query else url, page_type
            )

        return Paginator(fetch, _validate.cursor(cursor))
