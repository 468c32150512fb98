"""Driving a command that serves until SIGTERM, in this process: calls from a thread, then
SIGTERM, which the command's own handler turns into a clean return."""

from __future__ import annotations

import json
import os
import signal
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager

_TIMEOUT = 15.0


@contextmanager
def calls_then_sigterm(url: str, count: int = 1) -> Iterator[list[tuple[int, object]]]:
    """While the block serves, GET `url` `count` times (waiting for it to listen), then
    SIGTERM this process. Yields the (status, JSON body or None) of each call."""
    answers: list[tuple[int, object]] = []

    def call() -> tuple[int, object]:
        request = urllib.request.Request(url, headers={"Authorization": "Bearer t"})  # noqa: S310 - http://127.0.0.1 of the test's
        for _attempt in range(200):
            try:
                with urllib.request.urlopen(request, timeout=_TIMEOUT) as response:  # noqa: S310 - the same
                    return response.status, json.loads(response.read())
            except urllib.error.HTTPError as exc:  # noqa: PERF203 - retried until it listens
                return exc.code, None
            except urllib.error.URLError:
                time.sleep(0.05)  # not listening yet
        raise AssertionError(f"nothing listened at {url}")

    def run() -> None:
        try:
            answers.extend(call() for _ in range(count))
        finally:
            os.kill(os.getpid(), signal.SIGTERM)

    caller = threading.Thread(target=run)
    caller.start()
    try:
        yield answers
    finally:
        caller.join(_TIMEOUT)
