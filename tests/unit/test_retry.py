"""The retry table, row by row, as one pure function (the loop: test_pipeline.py)."""

from __future__ import annotations

import pytest

import cni_async
from cni_async import RetryPolicy
from cni_async._decode import status_error
from cni_async._retry import is_retryable


def _connection(phase: str, *, maybe_sent: bool) -> cni_async.APIConnectionError:
    return cni_async.APIConnectionError(
        "x", method="GET", path="/p", phase=phase, maybe_sent=maybe_sent
    )


def _timeout(phase: str = "response", *, maybe_sent: bool = True) -> cni_async.APITimeoutError:
    return cni_async.APITimeoutError(
        "x", method="GET", path="/p", phase=phase, maybe_sent=maybe_sent
    )


def _status(status: int, retry_after: str | None = None) -> cni_async.APIStatusError:
    headers = {} if retry_after is None else {"retry-after": retry_after}
    return status_error(status, headers, b"", method="GET", path="/p")


# (failure, retried for GET/PUT/DELETE, retried for POST)
TABLE = [
    ("could not connect", lambda: _connection("connect", maybe_sent=False), True, True),
    ("no free connection in time", lambda: _timeout("pool", maybe_sent=False), True, True),
    ("timed out connecting", lambda: _timeout("connect", maybe_sent=False), True, True),
    ("429", lambda: _status(429), True, True),
    ("429 with Retry-After within the cap", lambda: _status(429, "5"), True, True),
    ("429 with Retry-After beyond the cap", lambda: _status(429, "600"), False, False),
    ("timeout waiting for the response", _timeout, True, False),
    ("dropped mid-request", lambda: _connection("response", maybe_sent=True), True, False),
    ("dropped reading the body", lambda: _connection("body", maybe_sent=True), True, False),
    ("TLS or certificate failure", lambda: _connection("tls", maybe_sent=False), False, False),
    ("the call's deadline", lambda: _timeout("deadline", maybe_sent=False), False, False),
    ("301 redirect", lambda: _status(301), False, False),
    ("307 redirect", lambda: _status(307), False, False),
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


def test_policy_rejects_nonsense():
    """A policy with zero attempts or negative waits is refused at construction."""
    with pytest.raises(ValueError, match="attempts"):
        RetryPolicy(attempts=0)
    with pytest.raises(ValueError, match="wait_max"):
        RetryPolicy(wait_max=-1)
