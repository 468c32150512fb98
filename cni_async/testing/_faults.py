"""Scripted and random fault injection."""

from __future__ import annotations

import random as _random
from collections.abc import Sequence
from typing import Literal

import attrs

from cni_async.testing._routes import OPERATIONS, Match

Drop = Literal["before", "after"]
_DEFAULT_STATUSES = (429, 500, 502, 503, 504)
_MIN_STATUS = 400
_MAX_STATUS = 599


@attrs.frozen
class Injection:
    """What the emulator does to one request (see `FaultPlan.add` for the meaning)."""

    status: int | None = None
    retry_after: str | None = None
    drop: Drop | None = None
    delay: float | None = None
    malformed: bool = False
    body: str | None = None


@attrs.define
class _Scripted:
    target: str
    method: str | None
    remaining: int
    injection: Injection

    def matches(self, match: Match, method: str) -> bool:
        if self.method is not None and self.method != method:
            return False
        if self.target in OPERATIONS:
            return match.route is not None and match.route.operation == self.target
        if match.route is not None and match.route.template.endswith(self.target):
            return True
        return any(path.endswith(self.target) for path in match.paths)


class FaultPlan:
    """Faults the emulator injects into the requests it receives.

    Scripted faults (`add`) are consulted first, in the order added; random faults
    (`random`) apply to requests no scripted fault took. Faults are decided before
    authentication, so they hit requests with bad credentials too.
    """

    def __init__(self) -> None:
        """Start with no faults."""
        self._scripted: list[_Scripted] = []
        self._rate = 0.0
        self._rng = _random.Random(0)  # noqa: S311 - reproducible test faults, not security
        self._statuses: tuple[int, ...] = _DEFAULT_STATUSES
        self._random_drop = True
        self._retry_after: str | None = "0"
        self._injected = 0

    @property
    def injected(self) -> int:
        """How many faults were injected so far (scripted and random)."""
        return self._injected

    @property
    def pending(self) -> int:
        """How many scripted injections are still to come."""
        return sum(fault.remaining for fault in self._scripted)

    def add(
        self,
        operation_or_path: str,
        *,
        method: str | None = None,
        times: int = 1,
        status: int | None = None,
        retry_after: str | None = None,
        drop: Drop | None = None,
        delay: float | None = None,
        malformed: bool = False,
        body: str | None = None,
    ) -> None:
        """Script a fault for the next `times` matching requests.

        Args:
            operation_or_path: An operationId such as `"create_interconnect"`, or a path
                suffix starting with `/`, matched against the path template (such as
                `"/cni/interconnects"`) and against the concrete request path.
            method: Only requests with this HTTP method match.
            times: How many matching requests the fault applies to.
            status: Answer this error status (400-599) with a v4 error body, without
                executing the operation.
            retry_after: The `Retry-After` header sent with `status`.
            drop: `"before"` closes the connection without executing the operation or
                answering; `"after"` executes it, then closes without answering.
            delay: Seconds to wait before handling the request (combines with the rest).
            malformed: Execute the operation, then answer 200 with a truncated body.
            body: The exact (bad) body to answer with instead; implies `malformed`.

        Raises:
            ValueError: The target is unknown or the options contradict each other.
        """
        if operation_or_path not in OPERATIONS and not operation_or_path.startswith("/"):
            known = ", ".join(sorted(OPERATIONS))
            raise ValueError(
                f"Unknown operation {operation_or_path!r}; use a path starting with '/' "
                f"or one of: {known}"
            )
        if times < 1:
            raise ValueError("times must be at least 1")
        malformed = malformed or body is not None
        if sum((status is not None, drop is not None, malformed)) > 1:
            raise ValueError("Choose at most one of status, drop and malformed/body")
        if status is not None and not _MIN_STATUS <= status <= _MAX_STATUS:
            raise ValueError("status must be an error status between 400 and 599")
        if retry_after is not None and status is None:
            raise ValueError("retry_after needs a status")
        if drop not in {None, "before", "after"}:
            raise ValueError("drop must be 'before', 'after' or None")
        if delay is not None and delay < 0:
            raise ValueError("delay must not be negative")
        if status is None and drop is None and not malformed and delay is None:
            raise ValueError("The fault does nothing: give status, drop, delay or malformed")
        injection = Injection(status, retry_after, drop, delay, malformed, body)
        verb = method.upper() if method is not None else None
        self._scripted.append(_Scripted(operation_or_path, verb, times, injection))

    def random(
        self,
        rate: float,
        *,
        seed: int = 0,
        statuses: Sequence[int] = _DEFAULT_STATUSES,
        drop: bool = True,
        retry_after: str | None = "0",
    ) -> None:
        """Inject a random fault into each request with probability `rate`.

        The fault is an error status drawn from `statuses` (sent with `Retry-After:
        retry_after` unless that is None) or, when `drop` is true, a dropped connection
        before execution. The sequence is reproducible for a given `seed`.

        Args:
            rate: Probability per request, from 0 (off) to 1 (every request).
            seed: Seed of the random generator.
            statuses: The error statuses to choose from.
            drop: Whether a dropped connection is among the choices.
            retry_after: The `Retry-After` header sent with the statuses.

        Raises:
            ValueError: The rate is out of range or there is nothing to choose from.
        """
        if not 0.0 <= rate <= 1.0:
            raise ValueError("rate must be between 0 and 1")
        if rate and not statuses and not drop:
            raise ValueError("Give at least one status or allow drop")
        if any(not _MIN_STATUS <= status <= _MAX_STATUS for status in statuses):
            raise ValueError("statuses must be error statuses between 400 and 599")
        self._rate = rate
        self._rng = _random.Random(seed)  # noqa: S311 - reproducible test faults, not security
        self._statuses = tuple(statuses)
        self._random_drop = drop
        self._retry_after = retry_after

    def clear(self) -> None:
        """Remove every scripted fault and turn random faults off."""
        self._scripted.clear()
        self._rate = 0.0

    def take(self, match: Match, method: str) -> Injection | None:
        """Decide the fault for one request (called by the emulator for each request)."""
        for fault in self._scripted:
            if fault.matches(match, method):
                fault.remaining -= 1
                if not fault.remaining:
                    self._scripted.remove(fault)
                self._injected += 1
                return fault.injection
        if self._rate and self._rng.random() < self._rate:
            choices: list[int | None] = list(self._statuses)
            if self._random_drop:
                choices.append(None)
            status = self._rng.choice(choices)
            self._injected += 1
            if status is None:
                return Injection(drop="before")
            return Injection(status=status, retry_after=self._retry_after)
        return None
