"""When to retry, and how long to wait: a small policy in front of tenacity.

`is_retryable` is the contract's retry table as one pure function:

| failure                                           | GET PUT DELETE | POST  |
|---------------------------------------------------|----------------|-------|
| connection failed before the request was sent     | retry          | retry |
| 429                                               | retry          | retry |
| timeout, 408, 500, 502, 503, 504, dropped mid-way | retry          | never |
| any other 4xx, a bad 2xx body                     | never          | never |

A `Retry-After` beyond `max_retry_after` is never waited out: the call fails at
once with the error (`RateLimitError.retry_after` set) so a batch job can
reschedule instead of hanging. A call's deadline bounds every attempt and wait.
"""

from __future__ import annotations

import inspect
import logging
import time
from collections.abc import Awaitable, Callable
from typing import TypeVar

import attrs
import tenacity

from ._events import RetryEvent, RetryHook
from ._exceptions import APIConnectionError, APIStatusError, APITimeoutError, RateLimitError

__all__ = ["Call", "RetryPolicy", "is_retryable", "retry_after"]

T = TypeVar("T")
_log = logging.getLogger("cni_async")
_RETRY_STATUSES_IDEMPOTENT = frozenset({408, 500, 502, 503, 504})


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


@attrs.define  # not frozen: one is made per call, and a frozen __init__ costs more
class Call:
    """One logical call, shared by all its attempts: what to name it and when it must end."""

    call_id: int
    method: str
    path: str
    idempotent: bool
    deadline_at: float | None = None  # on the time.monotonic() clock
    on_retry: RetryHook | None = None
    attempts: int = 0  # counted by whoever sends the attempts
    where: str = ""  # the request's own path (ids, query) for messages; `path` if empty

    def remaining(self) -> float | None:
        """Seconds left before the deadline (may be negative), or None without one."""
        return None if self.deadline_at is None else self.deadline_at - time.monotonic()

    def deadline_error(self, attempts: int) -> APITimeoutError:
        """The error for a call whose deadline passed."""
        error = APITimeoutError(
            f"{self.method} {self.where or self.path}: the call's deadline passed "
            f"after {attempts} attempt(s)",
            method=self.method,
            path=self.path,
        )
        error._deadline = True  # noqa: SLF001 - marks it as final for the retry loop
        return error


def is_retryable(exc: BaseException, *, idempotent: bool, max_retry_after: float) -> bool:
    """Whether a failed attempt may be tried again (the table in this module's docstring)."""
    if isinstance(exc, APIConnectionError):
        return idempotent or not exc._maybe_sent  # noqa: SLF001
    if not isinstance(exc, APIStatusError):
        return False
    retry_after = exc._retry_after  # noqa: SLF001
    if retry_after is not None and retry_after > max_retry_after:
        return False
    if isinstance(exc, RateLimitError):
        return True
    return idempotent and exc.status_code in _RETRY_STATUSES_IDEMPOTENT


def _wait(policy: RetryPolicy) -> Callable[[tenacity.RetryCallState], float]:
    # Jitter goes on top of the cap, so clients that all reached wait_max still spread out.
    backoff = tenacity.wait_exponential(
        multiplier=policy.wait_initial, max=policy.wait_max
    ) + tenacity.wait_random(0, policy.wait_jitter)

    def wait(state: tenacity.RetryCallState) -> float:
        exc = state.outcome.exception() if state.outcome else None
        retry_after = exc._retry_after if isinstance(exc, APIStatusError) else None  # noqa: SLF001
        return retry_after if retry_after is not None else backoff(state)

    return wait


async def retry_after(
    failure: Exception, attempt: Callable[[], Awaitable[T]], policy: RetryPolicy, call: Call
) -> T:
    """Go on with a call whose first attempt failed with `failure`: retry or raise.

    The first attempt runs bare in the caller: tenacity's machinery is built
    only once a failure happened, so the common success costs nothing extra.
    """
    if policy.attempts <= 1 or not _retryable(failure, policy, call):
        deadline = _deadline_error(failure, policy, call, attempts=1, out_of_time=False)
        if deadline is None:
            raise failure
        raise deadline from failure
    first_failure: Exception | None = failure
    attempts = 1
    out_of_time = False

    async def replay_then_attempt() -> T:
        # tenacity's first attempt is the failure we already have, so its
        # counting, waiting and logging cover that attempt too.
        nonlocal first_failure, attempts
        if first_failure is not None:
            replayed, first_failure = first_failure, None
            raise replayed
        attempts += 1
        return await attempt()

    def stop(state: tenacity.RetryCallState) -> bool:
        nonlocal out_of_time
        remaining = call.remaining()
        out_of_time = remaining is not None and state.upcoming_sleep >= remaining
        return out_of_time or state.attempt_number >= policy.attempts

    retrying = tenacity.AsyncRetrying(
        stop=stop,
        wait=_wait(policy),
        retry=tenacity.retry_if_exception(lambda e: _retryable(e, policy, call)),
        before_sleep=_before_sleep(call),
        reraise=True,
    )
    try:
        return await retrying(replay_then_attempt)
    except Exception as exc:
        deadline = _deadline_error(exc, policy, call, attempts=attempts, out_of_time=out_of_time)
        if deadline is None:
            raise
        raise deadline from exc


def _before_sleep(call: Call) -> Callable[[tenacity.RetryCallState], Awaitable[None]]:
    """One WARNING line per retry, and the caller's `on_retry` hook."""

    async def before_sleep(state: tenacity.RetryCallState) -> None:
        exc = state.outcome.exception() if state.outcome else None
        wait = state.upcoming_sleep
        _log.warning(
            "call %d: retrying %s %s after attempt %d failed (%s); waiting %.2f s",
            call.call_id,
            call.method,
            call.path,
            state.attempt_number,
            exc,
            wait,
        )
        if call.on_retry is not None and exc is not None:
            event = RetryEvent(
                call.call_id, call.method, call.path, state.attempt_number, wait, exc
            )
            result = call.on_retry(event)
            if inspect.isawaitable(result):
                await result

    return before_sleep


def _retryable(exc: BaseException, policy: RetryPolicy, call: Call) -> bool:
    remaining = call.remaining()
    if remaining is not None and remaining <= 0:
        return False
    return is_retryable(exc, idempotent=call.idempotent, max_retry_after=policy.max_retry_after)


def _deadline_error(
    exc: Exception, policy: RetryPolicy, call: Call, *, attempts: int, out_of_time: bool
) -> APITimeoutError | None:
    """The deadline error to raise instead of `exc` when time, not the failure, ended the call."""
    remaining = call.remaining()
    if remaining is None or (isinstance(exc, APITimeoutError) and exc._deadline):  # noqa: SLF001
        return None
    ran_out = remaining <= 0 and (
        isinstance(exc, APITimeoutError)
        or is_retryable(exc, idempotent=call.idempotent, max_retry_after=policy.max_retry_after)
    )
    return call.deadline_error(attempts) if out_of_time or ran_out else None
