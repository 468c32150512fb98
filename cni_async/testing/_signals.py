"""Waiting for Ctrl-C or SIGTERM, for the commands that serve the emulator."""

from __future__ import annotations

import asyncio
import contextlib
import signal

__all__ = ["until_stopped"]


async def until_stopped() -> None:
    """Return on SIGINT or SIGTERM.

    Where handlers cannot be installed (Windows, or a loop outside the main
    thread) it waits forever, and Ctrl-C still interrupts as KeyboardInterrupt.
    """
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        with contextlib.suppress(NotImplementedError, RuntimeError, ValueError):
            loop.add_signal_handler(signum, stop.set)
    await stop.wait()
