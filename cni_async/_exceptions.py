"""Every error cni_async raises, all under one root.

```
CNIError
├── ConfigurationError          (also a ValueError) bad client settings
├── ClientClosedError           (also a RuntimeError) the client was closed
├── RequestValidationError      (also a ValueError) a bad argument, caught before sending
├── APIConnectionError          no usable HTTP response (says in which phase)
│   └── APITimeoutError         ... because a timeout or the call's deadline ran out
├── APIStatusError              a status >= 400 that retries did not clear, or a 3xx
│   ├── BadRequestError               400
│   ├── AuthenticationError           401
│   ├── PermissionDeniedError         403
│   ├── NotFoundError                 404
│   ├── ConflictError                 409
│   ├── UnprocessableEntityError      422
│   ├── RateLimitError                429 (adds retry_after)
│   └── InternalServerError           >= 500
├── APIResponseValidationError  a body that is not what the API promises, or too large
├── PaginationError             a list's cursors went round in a circle
├── RedisUnavailableError       a shared rate limit's Redis could not be used; nothing sent
└── WaitError                   a waiter gave up (carries the last status seen)
    ├── WaitTimeoutError        ... because its timeout passed
    └── InterconnectDownError   ... because the interconnect stayed Down/Unhealthy
```

Messages never carry a credential: they are built from the method, the path,
the status and the server's own error messages only.
"""

from __future__ import annotations

from typing import Any

import attrs

__all__ = [
    "APIConnectionError",
    "APIResponseValidationError",
    "APIStatusError",
    "APITimeoutError",
    "AuthenticationError",
    "BadRequestError",
    "CNIError",
    "ClientClosedError",
    "ConfigurationError",
    "ConflictError",
    "ErrorDetail",
    "InterconnectDownError",
    "InternalServerError",
    "NotFoundError",
    "PaginationError",
    "PermissionDeniedError",
    "RateLimitError",
    "RedisUnavailableError",
    "RequestValidationError",
    "UnprocessableEntityError",
    "WaitError",
    "WaitTimeoutError",
]


@attrs.frozen
class ErrorDetail:
    """One entry of a Cloudflare v4 error body's `errors` list."""

    code: int | None
    message: str


class CNIError(Exception):
    """The root of every error raised by cni_async."""


class ConfigurationError(CNIError, ValueError):
    """The client was configured wrongly (credentials, account id, options)."""


class ClientClosedError(CNIError, RuntimeError):
    """The client was closed; create a new one to send more requests."""


class RequestValidationError(CNIError, ValueError):
    """An argument the API would reject, caught before anything was sent.

    Attributes:
        field: the argument or body field at fault, e.g. `magic.mtu`.
    """

    def __init__(self, message: str, *, field: str) -> None:
        super().__init__(message)
        self.field = field


class APIConnectionError(CNIError):
    """The request got no usable HTTP response (refused, reset, dropped, timed out...).

    Attributes:
        method: the HTTP method of the request.
        path: the request path template, e.g. `/accounts/{account_id}/cni/cnis`.
        phase: where the attempt ended: `"pool"` (waiting for a free connection),
            `"connect"`, `"tls"`, `"response"` (sent, waiting for the answer),
            `"body"` (reading the answer), or `"deadline"` (the call's deadline,
            between attempts or before one).
        maybe_sent: whether the server may have received the request. A create
            that failed with `maybe_sent` True may have been executed: look
            before creating again. The SDK never resends such a create itself.
    """

    def __init__(
        self, message: str, *, method: str, path: str, phase: str, maybe_sent: bool
    ) -> None:
        super().__init__(message)
        self.method = method
        self.path = path
        self.phase = phase
        self.maybe_sent = maybe_sent


class APITimeoutError(APIConnectionError):
    """An attempt's timeout, the wait for a connection, or the call's deadline ran out."""


class APIStatusError(CNIError):
    """The API answered with an HTTP status >= 400, or with a redirect (3xx).

    Redirects are never followed (a credential must not reach another host), so
    a 3xx is an error too.

    Attributes:
        status_code: the HTTP status.
        errors: the `errors` of a v4 error body, else an empty list.
        request_id: the `cf-ray` response header, to quote to Cloudflare support.
        body: the parsed JSON body, else its text, else None.
        method: the HTTP method of the request.
        path: the request path template.
        retry_after: the seconds the response's `Retry-After` asked to wait, if any.
    """

    def __init__(
        self,
        message: str,
        *,
        status_code: int,
        errors: list[ErrorDetail],
        request_id: str | None,
        body: Any,  # noqa: ANN401 - JSON, text or None, as received
        method: str,
        path: str,
        retry_after: float | None = None,
    ) -> None:
        super().__init__(message)
        self.status_code = status_code
        self.errors = errors
        self.request_id = request_id
        self.body = body
        self.method = method
        self.path = path
        self.retry_after = retry_after


class BadRequestError(APIStatusError):
    """400: the API rejected the request."""


class AuthenticationError(APIStatusError):
    """401: no valid credential was presented."""


class PermissionDeniedError(APIStatusError):
    """403: the credential may not do this."""


class NotFoundError(APIStatusError):
    """404: no such interconnect, CNI, slot or account."""


class ConflictError(APIStatusError):
    """409: the object conflicts with one that exists (e.g. a CNI name)."""


class UnprocessableEntityError(APIStatusError):
    """422: the request was well formed but could not be processed."""


class RateLimitError(APIStatusError):
    """429: too many requests; `retry_after` says for how long, when the API said.

    Also raised without sending when the API's `Ratelimit` headers say the
    budget resets later than the retry policy's `max_retry_after`.
    """


class InternalServerError(APIStatusError):
    """A status >= 500: the API failed."""


class APIResponseValidationError(CNIError):
    """A response whose body is not what the API promises.

    A 2xx body that is not JSON, has the wrong shape or nests too deeply, an LOA
    that is not a PDF, or any body past the client's `max_response_size` (the
    read stops there and the connection is dropped). Never retried: a wrong
    body does not fix itself.

    Attributes:
        problems: one line per problem, each naming the JSON path that failed
            (`$.items[3].name`), or the body as a whole (`$`).
        status_code: the HTTP status of the response.
        request_id: the `cf-ray` response header.
    """

    def __init__(
        self, message: str, *, problems: list[str], status_code: int, request_id: str | None
    ) -> None:
        super().__init__(message)
        self.problems = problems
        self.status_code = status_code
        self.request_id = request_id


class PaginationError(CNIError):
    """A list's `next` cursors revisited an earlier cursor, which would never end."""


class RedisUnavailableError(CNIError):
    """The Redis of a shared `RateLimit(redis_url=...)` could not be used; nothing was sent.

    Raised instead of sending without the budget: a job never goes unlimited
    because Redis went away. The message names the Redis (without its password)
    and what failed, with redis-py's exception as `__cause__`.
    `RateLimit(..., local_fallback=True)` limits each process alone instead.
    """


class WaitError(CNIError):
    """A waiter gave up.

    Attributes:
        status: the last `InterconnectStatus` seen, or None when the waiter
            polls something else (waiting for a deletion).
        reason: the last status's `reason`, if any.
        elapsed: seconds the waiter spent.
    """

    def __init__(self, message: str, *, status: object | None, elapsed: float) -> None:
        super().__init__(message)
        self.status = status
        self.reason: str | None = getattr(status, "reason", None)
        self.elapsed = elapsed


class WaitTimeoutError(WaitError):
    """The waiter's timeout passed before the wanted state was reached."""


class InterconnectDownError(WaitError):
    """The interconnect stayed Down or Unhealthy for longer than allowed."""
