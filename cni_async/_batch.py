"""`batch`: run one coroutine function over many inputs, a bounded number at a time."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Iterable
from typing import TypeVar

from ._exceptions import RequestValidationError

__all__ = ["batch"]

X = TypeVar("X")
R = TypeVar("R")


async def batch(
    func: Callable[[X], Awaitable[R]], items: Iterable[X], *, concurrency: int = 8
) -> list[R | Exception]:
    """Await `func(item)` for every item, at most `concurrency` at once.

    Returns one entry per input, in input order: the result, or the exception
    that call raised. One failure never cancels the others; cancelling the
    batch cancels the calls in flight. Calls made through a `Client` still
    honour its rate limit, concurrency cap and retries.

    ```python
    names = ["sjc-1", "sjc-2", "ams-1"]
    results = await cni_async.batch(cf.interconnects.status, names, concurrency=16)
    failed = {n: r for n, r in zip(names, results) if isinstance(r, Exception)}
    ```
    """
    if type(concurrency) is not int or concurrency < 1:
        msg = f"concurrency: must be an int >= 1, got {concurrency!r}"
        raise RequestValidationError(msg, field="concurrency")
    inputs = list(items)
    results: list[R | Exception] = [None] * len(inputs)  # type: ignore[list-item] # all filled below
    queue = iter(enumerate(inputs))

    async def worker() -> None:
        # Workers share one iterator: taking the next item never awaits, so no item is taken twice.
        for index, item in queue:
            try:
                results[index] = await func(item)
            except Exception as exc:  # noqa: BLE001, PERF203 - each failure is that input's result
                results[index] = exc

    await asyncio.gather(*(worker() for _ in range(min(concurrency, len(inputs)))))
    return results
