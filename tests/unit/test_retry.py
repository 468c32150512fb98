"""The retry table, row by row, as one pure function; and the loop that applies it."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import TypeVar

import pytest

import cni_async
from cni_async import RetryPolicy
from cni_async._decode import status_error
from cni_async._retry import Call, is_retryable, retry_after

T = TypeVar("T")


def _connection(*, maybe_sent: bool) -> cni_async.APIConnectionError:
    error = cni_async.APIConnectionError("x", method="GET", path="/p")
    error._maybe_sent = maybe_sent
    return error


def _timeout() -> cni_async.APITimeoutError:
    return cni_async.APITimeoutError("x", method="GET", path="/p")


def _status(status: int, retry_after: str | None = None) -> cni_async.APIStatusError:
    headers = {} if retry_after is None else {"retry-after": retry_after}
    return status_error(status, headers, b"", method="GET", path="/p")


# (failure, retried for GET/PUT/DELETE, retried for POST)
TABLE = [
    ("connection failed before sending", lambda: _connection(maybe_sent=False), True, True),
    ("429", lambda: _status(429), True, True),
    ("429 with Retry-After within the cap", lambda: _status(429, "5"), True, True),
    ("429 with Retry-After beyond the cap", lambda: _status(429, "600"), False, False),
    ("timeout", _timeout, True, False),
    ("connection dropped mid-request", lambda: _connection(maybe_sent=True), True, False),
    ("408", lambda: _status(408), True, False),
    ("500", lambda: _status(500), True, False),
    ("502", lambda: _status(502), True, False),
    ("503", lambda: _status(503), True, False),
    ("503 with Retry-After beyond the cap", lambda: _status(503, "600"), False, False),
    ("504", lambda: _status(504), True, False),
    ("501", lambda: _status(501), False, False),
    ("400", lambda: _status(400), False, False),
    ("401", lambda: _status(401), False, False),
    ("403", lambda: _status(403), False, False),
    ("404", lambda: _status(404), False, False),
    ("409", lambda: _status(409), False, False),
    ("422", lambda: _status(422), False, False),
    (
        "a bad 2xx body",
        lambda: cni_async.APIResponseValidationError(
            "x", problems=[], status_code=200, request_id=None
        ),
        False,
        False,
    ),
    ("a bug of ours", lambda: KeyError("x"), False, False),
]


@pytest.mark.parametrize(("row", "make", "idempotent", "post"), TABLE, ids=[r[0] for r in TABLE])
def test_retry_table(row, make, idempotent, post):
    """Each failure is retried for exactly the methods the contract says."""
    assert is_retryable(make(), idempotent=True, max_retry_after=60.0) is idempotent, row
    assert is_retryable(make(), idempotent=False, max_retry_after=60.0) is post, row


def test_retry_after_cap_is_the_policys():
    """The Retry-After cap comes from the policy: a larger cap waits a longer Retry-After."""
    assert is_retryable(_status(429, "600"), idempotent=True, max_retry_after=900.0)


class Script:
    """An attempt function that fails with the scripted errors, then succeeds."""

    def __init__(self, *failures: BaseException) -> None:
        self.failures = list(failures)
        self.calls = 0

    async def __call__(self) -> str:
        self.calls += 1
        if self.failures:
            raise self.failures.pop(0)
        return "ok"


async def with_retries(attempt: Callable[[], Awaitable[T]], policy: RetryPolicy, call: Call) -> T:
    """A first attempt, then the retry loop, as Pipeline.call runs them."""
    try:
        return await attempt()
    except Exception as exc:
        return await retry_after(exc, attempt, policy, call)


GET = Call(1, "GET", "/p", idempotent=True)
POST = Call(2, "POST", "/p", idempotent=False)
FAST = RetryPolicy(attempts=3, wait_initial=0.0, wait_max=0.0, wait_jitter=0.0)


async def test_retries_until_success():
    """Two retryable failures and then a success: three attempts, the result returned."""
    attempt = Script(_status(503), _connection(maybe_sent=True))
    assert await with_retries(attempt, FAST, GET) == "ok"
    assert attempt.calls == 3


async def test_stops_after_the_policys_attempts_and_reraises_ours():
    """After the last attempt the last error is raised as itself, never tenacity's RetryError."""
    attempt = Script(_status(503), _status(502), _status(500), _status(500))
    with pytest.raises(cni_async.InternalServerError) as info:
        await with_retries(attempt, FAST, GET)
    assert info.value.status_code == 500
    assert attempt.calls == 3


async def test_attempts_one_disables_retries():
    """attempts=1 (max_retries=0) sends once."""
    attempt = Script(_status(503))
    with pytest.raises(cni_async.InternalServerError):
        await with_retries(attempt, RetryPolicy(attempts=1), GET)
    assert attempt.calls == 1


async def test_a_post_that_may_have_arrived_is_sent_once():
    """A POST answered 503 is not sent again."""
    attempt = Script(_status(503))
    with pytest.raises(cni_async.InternalServerError):
        await with_retries(attempt, FAST, POST)
    assert attempt.calls == 1


async def test_retry_after_is_waited(monkeypatch):
    """The wait before a retry is the Retry-After the server asked for."""
    waits: list[float] = []

    async def fake_sleep(seconds: float) -> None:
        waits.append(seconds)

    monkeypatch.setattr("asyncio.sleep", fake_sleep)
    attempt = Script(_status(429, "3"), _status(429, "1.5"))
    assert await with_retries(attempt, RetryPolicy(), POST) == "ok"
    assert waits == [3.0, 1.5]


async def test_backoff_grows_and_is_capped(monkeypatch):
    """Without Retry-After, waits grow exponentially from wait_initial up to wait_max."""
    waits: list[float] = []

    async def fake_sleep(seconds: float) -> None:
        waits.append(seconds)

    monkeypatch.setattr("asyncio.sleep", fake_sleep)
    policy = RetryPolicy(attempts=6, wait_initial=0.5, wait_max=3.0, wait_jitter=0.0)
    attempt = Script(*[_status(503) for _ in range(5)])
    assert await with_retries(attempt, policy, GET) == "ok"
    assert waits == [0.5, 1.0, 2.0, 3.0, 3.0]


async def test_jitter_stays_within_its_bound(monkeypatch):
    """Jitter adds between 0 and wait_jitter seconds to each backoff."""
    waits: list[float] = []

    async def fake_sleep(seconds: float) -> None:
        waits.append(seconds)

    monkeypatch.setattr("asyncio.sleep", fake_sleep)
    policy = RetryPolicy(attempts=30, wait_initial=1.0, wait_max=1.0, wait_jitter=0.25)
    attempt = Script(*[_status(503) for _ in range(29)])
    await with_retries(attempt, policy, GET)
    assert all(1.0 <= w <= 1.25 for w in waits)
    assert len(set(waits)) > 1


async def test_each_retry_logs_one_warning(caplog):
    """One WARNING per retry, naming the call and the attempt."""
    attempt = Script(_status(503), _status(503))
    with caplog.at_level("WARNING", logger="cni_async"):
        await with_retries(attempt, FAST, Call(1, "GET", "/p/{icon}", idempotent=True))
    warnings = [r.getMessage() for r in caplog.records if r.levelname == "WARNING"]
    assert len(warnings) == 2
    assert warnings[0].startswith("call 1: retrying GET /p/{icon} after attempt 1 failed")
    assert "attempt 2" in warnings[1]


def test_policy_rejects_nonsense():
    """A policy with zero attempts or negative waits is refused at construction."""
    with pytest.raises(ValueError, match="attempts"):
        RetryPolicy(attempts=0)
    with pytest.raises(ValueError, match="wait_max"):
        RetryPolicy(wait_max=-1)
