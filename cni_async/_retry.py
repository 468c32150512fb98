"""When to retry, and how long to wait: a small policy in front of tenacity.

`is_retryable` is the contract's retry table as one pure function:

| failure                                              | GET PUT DELETE | POST  |
|------------------------------------------------------|----------------|-------|
| no connection: pool wait, connect (request not sent) | retry          | retry |
| 429                                                  | retry          | retry |
| timeout, 408, 500, 502, 503, 504, dropped mid-way    | retry          | never |
| TLS or certificate failure (will not heal)           | never          | never |
| a 3xx, any other 4xx, a bad body, the call's deadline | never          | never |

A `Retry-After` beyond `max_retry_after` is never waited out: the call fails at
once with the error (`retry_after` set) so a batch job can reschedule instead of
hanging. A call's deadline bounds every attempt and wait.

`Retrier` holds tenacity's strategies, built once per policy: `retry` (the
table), `stop` (the attempts and the call's deadline, as one stop) and `wait`
(exponential backoff with jitter, or the server's `Retry-After`). They read the
call they serve from tenacity's call state, so one set serves every call.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable
from typing import TypeVar

import attrs
import tenacity

from ._events import RetryEvent, RetryHook, call_hook
from ._exceptions import APIConnectionError, APIStatusError, APITimeoutError, RateLimitError

__all__ = ["Call", "Clock", "Retrier", "RetryPolicy", "Sleep", "is_retryable"]

T = TypeVar("T")
Clock = Callable[[], float]
Sleep = Callable[[float], Awaitable[None]]
_log = logging.getLogger("cni_async")
_RETRY_STATUSES_IDEMPOTENT = frozenset({408, 500, 502, 503, 504})
_NEVER_HEALS = frozenset({"tls", "deadline"})


@attrs.frozen
class RetryPolicy:
    """How a client retries transient failures.

    Args:
        attempts: total tries per call, the first included; 1 turns retries off.
        wait_initial: the first backoff, in seconds; it doubles each retry.
        wait_max: the longest backoff, in seconds.
        wait_jitter: up to this many random seconds added to each backoff
            (after the `wait_max` cap).
        max_retry_after: the longest `Retry-After` (or rate-limit wait) the
            client will sit out; beyond it the call fails at once.
    """

    attempts: int = attrs.field(default=3, validator=attrs.validators.ge(1))
    wait_initial: float = attrs.field(default=0.5, validator=attrs.validators.ge(0))
    wait_max: float = attrs.field(default=8.0, validator=attrs.validators.ge(0))
    wait_jitter: float = attrs.field(default=0.5, validator=attrs.validators.ge(0))
    max_retry_after: float = attrs.field(default=60.0, validator=attrs.validators.ge(0))


class Call:
    """One logical call, shared by all its attempts: what to name it and when it must end."""

    __slots__ = (
        "attempts",
        "call_id",
        "clock",
        "deadline_at",
        "idempotent",
        "method",
        "out_of_time",
        "path",
        "replay",
        "where",
    )

    def __init__(  # noqa: PLR0917 - made in one place, the pipeline's hot path
        self,
        call_id: int,
        method: str,
        path: str,
        where: str,
        idempotent: bool,  # noqa: FBT001
        deadline_at: float | None,
        clock: Clock = time.monotonic,
    ) -> None:
        self.call_id = call_id
        self.method = method
        self.path = path  # the route's template, for grouping
        self.where = where  # the request's own path (ids, query), for messages
        self.idempotent = idempotent
        self.deadline_at = deadline_at  # on `clock`
        self.clock = clock
        self.attempts = 0  # counted by whoever sends the attempts
        self.out_of_time = False  # set when the deadline, not the attempts, stopped retries
        self.replay: Exception | None = None  # the first attempt's failure, for tenacity

    def remaining(self) -> float | None:
        """Seconds left before the deadline (may be negative), or None without one."""
        return None if self.deadline_at is None else self.deadline_at - self.clock()

    def deadline_error(self) -> APITimeoutError:
        """The error for a call whose deadline passed (after `attempts` attempts)."""
        return APITimeoutError(
            f"{self.method} {self.where}: the call's deadline passed after "
            f"{self.attempts} attempt(s)",
            method=self.method,
            path=self.path,
            phase="deadline",
            maybe_sent=self.attempts > 0,
        )


def is_retryable(exc: BaseException, *, idempotent: bool, max_retry_after: float) -> bool:
    """Whether a failed attempt may be tried again (the table in this module's docstring)."""
    if isinstance(exc, APIConnectionError):
        if exc.phase in _NEVER_HEALS:
            return False
        return idempotent or not exc.maybe_sent
    if not isinstance(exc, APIStatusError):
        return False
    if exc.retry_after is not None and exc.retry_after > max_retry_after:
        return False
    if isinstance(exc, RateLimitError):
        return True
    return idempotent and exc.status_code in _RETRY_STATUSES_IDEMPOTENT


class Retrier:
    """Retries the calls of one policy; the first attempt of each call is the caller's."""

    def __init__(
        self,
        policy: RetryPolicy,
        *,
        on_retry: RetryHook | None = None,
        sleep: Sleep = asyncio.sleep,
    ) -> None:
        self.policy = policy
        self._on_retry = on_retry
        # Jitter goes on top of the cap, so clients that all reached wait_max still spread out.
        self._backoff = tenacity.wait_exponential(
            multiplier=policy.wait_initial, max=policy.wait_max
        ) + tenacity.wait_random(0, policy.wait_jitter)
        self._template = tenacity.AsyncRetrying(
            retry=self._retry,
            stop=self._stop,
            wait=self._wait,
            before_sleep=self._before_sleep,
            sleep=sleep,
            reraise=True,
        )

    async def resume(
        self, call: Call, failure: Exception, attempt: Callable[[], Awaitable[T]]
    ) -> T:
        """Go on with a call whose first attempt failed with `failure`: retry, or raise."""
        if self.policy.attempts > 1 and self._retryable(failure, call):
            call.replay = failure
            # A copy per call: tenacity keeps per-call iteration state on the object.
            retrying = self._template.copy()
            try:
                return await retrying(_replay_then, call, attempt)
            except Exception as exc:  # noqa: BLE001 - re-raised below, or its deadline's error
                failure = exc
        final = self._final(failure, call)
        if final is failure:
            raise failure
        raise final from failure

    def _retryable(self, exc: BaseException, call: Call) -> bool:
        remaining = call.remaining()
        if remaining is not None and remaining <= 0:
            return False
        return is_retryable(
            exc, idempotent=call.idempotent, max_retry_after=self.policy.max_retry_after
        )

    def _final(self, exc: Exception, call: Call) -> Exception:
        """The error the call ends with: the deadline's when time, not the failure, ended it."""
        remaining = call.remaining()
        if remaining is None or (isinstance(exc, APITimeoutError) and exc.phase == "deadline"):
            return exc
        ran_out = remaining <= 0 and (
            isinstance(exc, APITimeoutError)
            or is_retryable(
                exc, idempotent=call.idempotent, max_retry_after=self.policy.max_retry_after
            )
        )
        return call.deadline_error() if call.out_of_time or ran_out else exc

    # tenacity's strategies: the call is the first argument of the retried function.

    def _retry(self, state: tenacity.RetryCallState) -> bool:
        exc = _failure(state)
        return exc is not None and self._retryable(exc, state.args[0])

    def _stop(self, state: tenacity.RetryCallState) -> bool:
        call: Call = state.args[0]
        remaining = call.remaining()
        if remaining is not None and state.upcoming_sleep >= remaining:
            call.out_of_time = True
            return True
        return state.attempt_number >= self.policy.attempts

    def _wait(self, state: tenacity.RetryCallState) -> float:
        exc = _failure(state)
        if isinstance(exc, APIStatusError) and exc.retry_after is not None:
            return exc.retry_after
        return self._backoff(state)

    async def _before_sleep(self, state: tenacity.RetryCallState) -> None:
        """One WARNING line per retry, and the caller's `on_retry` hook."""
        call: Call = state.args[0]
        exc = _failure(state)
        wait = state.upcoming_sleep
        _log.warning(
            "call %d: retrying %s %s after attempt %d failed (%s); waiting %.2f s",
            *(call.call_id, call.method, call.where, state.attempt_number, exc, wait),
        )
        if self._on_retry is not None and exc is not None:
            event = RetryEvent(
                call.call_id, call.method, call.path, state.attempt_number, wait, exc
            )
            await call_hook(self._on_retry, event)


async def _replay_then(call: Call, attempt: Callable[[], Awaitable[T]]) -> T:
    """Tenacity's first attempt is the one the caller already made: its failure, again."""
    failure, call.replay = call.replay, None
    if failure is not None:
        raise failure
    return await attempt()


def _failure(state: tenacity.RetryCallState) -> Exception | None:
    outcome = state.outcome
    exc = None if outcome is None else outcome.exception()
    return exc if isinstance(exc, Exception) else None
