"""`Paginator[T]`: a lazy `async for` over every item of a cursor-paged list.

The CNI lists answer `{"items": [...], "next": <int> | null}`; the paginator
sends `cursor=<next>` until `next` is absent or null. It holds one page at a
time, and each page is one pipeline call, so a failure on page 40 is retried
as page 40 and never restarts the walk.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Generic, TypeVar

from ._exceptions import PaginationError
from ._models import Page

__all__ = ["Paginator"]

T = TypeVar("T")
FetchPage = Callable[[int | None], Awaitable[Page[T]]]


class Paginator(Generic[T]):
    """Every item of a list, fetched page by page as you iterate; nothing is sent before.

    ```python
    async for icon in cf.interconnects.list(site="SJC"):
        ...
    async for page in cf.interconnects.list(limit=100).pages():
        save_checkpoint(page.next)
    ```
    """

    __slots__ = ("_cursor", "_fetch")

    def __init__(self, fetch: FetchPage[T], cursor: int | None = None) -> None:
        self._fetch = fetch
        self._cursor = cursor

    def __repr__(self) -> str:
        return f"<Paginator from cursor {self._cursor}>"

    def pages(self) -> AsyncIterator[Page[T]]:
        """Iterate page by page; `page.next` is the cursor to resume from later."""
        return _Pages(self._fetch, self._cursor)

    def __aiter__(self) -> AsyncIterator[T]:
        return _Items(_Pages(self._fetch, self._cursor))


class _Pages(AsyncIterator[Page[T]]):
    """Follows `next`; stops at the end, or when a page repeats the cursor it was asked with."""

    __slots__ = ("_cursor", "_done", "_fetch", "_loop_error", "_seen")

    def __init__(self, fetch: FetchPage[T], cursor: int | None) -> None:
        self._fetch = fetch
        self._cursor = cursor
        self._done = False
        self._loop_error: PaginationError | None = None
        self._seen: set[int | None] = set()

    async def __anext__(self) -> Page[T]:
        if self._loop_error is not None:
            raise self._loop_error
        if self._done:
            raise StopAsyncIteration
        cursor = self._cursor
        page = await self._fetch(cursor)
        self._seen.add(cursor)
        nxt = page.next
        if nxt is None or nxt == cursor or not page.items:
            # The end; or a server that answers its own cursor back (mock servers do)
            # or an empty page, either of which would otherwise repeat forever.
            self._done = True
        elif nxt in self._seen:
            # This page is still good; the error comes when asked for the next one.
            msg = f"the list's next cursor {nxt} was already visited; stopping rather than loop"
            self._loop_error = PaginationError(msg)
        self._cursor = nxt
        return page


class _Items(AsyncIterator[T]):
    __slots__ = ("_items", "_pages")

    def __init__(self, pages: _Pages[T]) -> None:
        self._pages = pages
        self._items: list[T] = []

    async def __anext__(self) -> T:
        while not self._items:
            page = await self._pages.__anext__()
            # Reversed once per page so each item is a cheap pop from the end.
            self._items = list(reversed(page.items))
        return self._items.pop()
