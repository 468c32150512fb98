"""What `cni-async wait` shows on stderr while it polls: the state, and the time so far.

The waiter already says what it sees: one INFO record on the `cni_async` logger
for the first state and for each change, with the facts as record attributes
(`interconnect`, `state`, `reason`, ...). `WaitProgress` is a logging
handler that shows those records, so the command line and a service's logs
report the same thing. On a terminal it is one line rewritten in place, ticking
every second, erased at the end; otherwise (a pipe, a file, CI) one line per
change. stdout is never touched: it carries only the result.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import AsyncGenerator

from ._output import Output

__all__ = ["WaitProgress", "duration"]

TICK = 1.0  # seconds between rewrites of the terminal line
_MINUTE = 60
_HOUR = 3600


def duration(seconds: float) -> str:
    """Seconds for people: `42 s`, `3 min 07 s`, `2 h 05 min`."""
    whole = max(0, int(seconds))
    if whole < _MINUTE:
        return f"{whole} s"
    if whole < _HOUR:
        return f"{whole // _MINUTE} min {whole % _MINUTE:02d} s"
    return f"{whole // _HOUR} h {whole % _HOUR // _MINUTE:02d} min"


class WaitProgress(logging.Handler):
    """Shows the state changes of one interconnect's wait on stderr (see the module)."""

    def __init__(self, out: Output, name: str, target: str) -> None:
        """Follow the wait of interconnect `name` for `target`, writing through `out`."""
        super().__init__(logging.INFO)
        self._out = out
        self._name = name
        self._target = target
        self._state: str | None = None
        self._reason: str | None = None
        self._started = time.monotonic()

    def emit(self, record: logging.LogRecord) -> None:
        """Show a state record of this wait; ignore every other record."""
        state: object = getattr(record, "state", None)
        if getattr(record, "interconnect", None) != self._name or not isinstance(state, str):
            return
        reason: object = getattr(record, "reason", None)
        self._state = state
        self._reason = reason if isinstance(reason, str) else None
        seconds = time.monotonic() - self._started
        if self._out.progress.enabled:
            self._show(seconds)
        else:
            self._out.note(self._line(seconds))

    def _line(self, seconds: float) -> str:
        reason = f" ({self._reason})" if self._reason else ""
        line = (
            f"{self._name}: {self._state}{reason}, {duration(seconds)} waiting for {self._target}"
        )
        # The API's text never reaches the terminal as control characters or line breaks.
        return "".join(c if c.isprintable() else " " for c in line)

    def _show(self, seconds: float) -> None:
        if self._state is not None:
            self._out.progress.show(self._line(seconds))

    async def _tick(self) -> None:
        """Rewrite the terminal line every TICK seconds, so the time so far keeps counting."""
        while True:
            await asyncio.sleep(TICK)
            self._show(time.monotonic() - self._started)

    @contextlib.asynccontextmanager
    async def following(self) -> AsyncGenerator[None, None]:
        """Show the wait run inside this block; the terminal line is erased when it ends."""
        logger = logging.getLogger("cni_async")
        level = logger.level
        logger.addHandler(self)
        if not logger.isEnabledFor(logging.INFO):  # the CLI's logs are off unless --verbose
            logger.setLevel(logging.INFO)
        ticker = asyncio.create_task(self._tick()) if self._out.progress.enabled else None
        try:
            yield
        finally:
            if ticker is not None:
                ticker.cancel()
                await asyncio.wait({ticker})  # never swallows a cancellation of this task
            logger.removeHandler(self)
            logger.setLevel(level)
            self._out.progress.clear()
