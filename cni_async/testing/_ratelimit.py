"""Cloudflare's global rate limit, as the emulator enforces it when asked.

Cloudflare counts the requests of each user over a sliding window (1,200 per
300 s); past the budget every call is refused with 429 until the window has
room again. Each answer carries the budget's state:

```
Ratelimit: "default";r=<requests left>;t=<seconds until one more is allowed>
Ratelimit-Policy: "default";q=<requests>;w=<window seconds>
```

Requests refused do not count: a client that waits for `Retry-After` gets in.
"""

from __future__ import annotations

import argparse
import hashlib
import math
from collections import deque

import attrs
from multidict import CIMultiDictProxy

__all__ = ["Verdict", "Window", "credential_of", "parse_rate_limit", "rate_limit_option"]


def parse_rate_limit(text: str) -> tuple[int, float]:
    """`"1200/300"` -> `(1200, 300.0)`: requests per seconds, both positive.

    Raises:
        ValueError: The text is not `REQUESTS/SECONDS` with positive numbers.
    """
    requests, slash, seconds = text.partition("/")
    try:
        parsed = (int(requests), float(seconds))
    except ValueError:
        parsed = None
    if not slash or parsed is None or parsed[0] < 1 or not (0 < parsed[1] < math.inf):
        raise ValueError(f"a rate limit is REQUESTS/SECONDS, e.g. 1200/300; got {text!r}")
    return parsed


def rate_limit_option(text: str) -> tuple[int, float]:
    """The argparse type of the emulator commands' `--rate-limit`."""
    try:
        return parse_rate_limit(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def credential_of(headers: CIMultiDictProxy[str]) -> str | None:
    """A digest of the request's credential (never the credential), or None without one."""
    parts = [
        headers.get(name, "").strip()
        for name in ("Authorization", "X-Auth-Key", "X-Auth-Email", "X-Auth-User-Service-Key")
    ]
    if not any(parts):
        return None
    return hashlib.sha256("\n".join(parts).encode()).hexdigest()


@attrs.frozen
class Verdict:
    """Whether one request passes, and the headers that say so."""

    allowed: bool
    headers: dict[str, str]


class Window:
    """A sliding window of `requests` per `per` seconds, one log of send times per credential."""

    def __init__(self, requests: int, per: float) -> None:
        self.requests = requests
        self.per = per
        self._sent: dict[str, deque[float]] = {}

    def check(self, credential: str, now: float) -> Verdict:
        """Count the request at `now` if the window has room; its verdict and headers."""
        sent = self._sent.setdefault(credential, deque())
        while sent and now - sent[0] >= self.per:
            sent.popleft()
        allowed = len(sent) < self.requests
        if allowed:
            sent.append(now)
        reset = math.ceil(sent[0] + self.per - now)
        headers = {
            "Ratelimit": f'"default";r={self.requests - len(sent)};t={reset}',
            "Ratelimit-Policy": f'"default";q={self.requests};w={self.per:g}',
        }
        if not allowed:
            headers["Retry-After"] = str(reset)  # >= 1: the oldest send is still in the window
        return Verdict(allowed, headers)
