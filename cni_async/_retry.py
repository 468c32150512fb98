"""When to retry, and how long to wait: a small policy in front of tenacity.

`is_retryable` is the contract's retry table as one pure function:

| failure                                          | GET PUT DELETE | POST  |
|--------------------------------------------------|----------------|-------|
| connection failed before the request was sent    | retry          | retry |
| 429                                              | retry          | retry |
| timeout, 408, 500, 502, 503, 504, dropped mid-way| retry          | never |
| any other 4xx, a bad 2xx body                    | never          | never |

A `Retry-After` beyond `max_retry_after` is never waited out: the call fails at
once with the error (`RateLimitError.retry_after` set) so a batch job can
reschedule instead of hanging.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from typing import TypeVar

import attrs
import tenacity

from ._exceptions import APIConnectionError, APIStatusError, RateLimitError

__all__ = ["RetryPolicy", "is_retryable", "with_retries"]

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
        max_retry_after: the longest `Retry-After` the client will wait out;
            beyond it the call fails at once.
    """

    attempts: int = attrs.field(default=3, validator=attrs.validators.ge(1))
    wait_initial: float = attrs.field(default=0.5, validator=attrs.validators.ge(0))
    wait_max: float = attrs.field(default=8.0, validator=attrs.validators.ge(0))
    wait_jitter: float = attrs.field(default=0.5, validator=attrs.validators.ge(0))
    max_retry_after: float = attrs.field(default=60.0, validator=attrs.validators.ge(0))


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


async def with_retries(
    attempt: Callable[[], Awaitable[T]], policy: RetryPolicy, *, idempotent: bool, what: str
) -> T:
    """Run `attempt`, retrying per `policy`; `what` ("GET /path") names it in logs.

    The first attempt runs bare: tenacity's machinery is built only once a
    retryable failure happened, so the common success costs nothing extra.
    """
    try:
        return await attempt()
    except Exception as exc:
        if policy.attempts <= 1 or not is_retryable(
            exc, idempotent=idempotent, max_retry_after=policy.max_retry_after
        ):
            raise
        first_failure: Exception | None = exc

    async def replay_then_attempt() -> T:
        # tenacity's first attempt is the failure we already have, so its
        # counting, waiting and logging cover that attempt too.
        nonlocal first_failure
        if first_failure is not None:
            failure, first_failure = first_failure, None
            raise failure
        return await attempt()

    def log_retry(state: tenacity.RetryCallState) -> None:
        exc = state.outcome.exception() if state.outcome else None
        wait = state.next_action.sleep if state.next_action else 0.0
        _log.warning(
            "retrying %s after attempt %d failed (%s); waiting %.2f s",
            what,
            state.attempt_number,
            exc,
            wait,
        )

    retrying = tenacity.AsyncRetrying(
        stop=tenacity.stop_after_attempt(policy.attempts),
        wait=_wait(policy),
        retry=tenacity.retry_if_exception(
            lambda e: is_retryable(e, idempotent=idempotent, max_retry_after=policy.max_retry_after)
        ),
        before_sleep=log_retry,
        reraise=True,
    )
    return await retrying(replay_then_attempt)
