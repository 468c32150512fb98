"""Errors the emulator answers with, in Cloudflare's v4 error envelope."""

from __future__ import annotations

import json
from http import HTTPStatus

# One v4 error code per HTTP status; the real API's codes are undocumented for CNI.
_CODES = {
    400: 1001,
    401: 10001,
    403: 10000,
    404: 1002,
    405: 1003,
    409: 1004,
    413: 1005,
    429: 1015,
    500: 1000,
}


class ApiError(Exception):
    """A failure the emulator reports to the client as an HTTP error status.

    Args:
        status: The HTTP status to answer with.
        message: The human-readable message placed in `errors[0].message`.
        code: The v4 error code; derived from `status` when omitted.
        headers: Extra response headers, such as `Allow` or `Retry-After`.
    """

    def __init__(
        self,
        status: int,
        message: str,
        *,
        code: int | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        """Create the error."""
        super().__init__(message)
        self.status = status
        self.message = message
        self.code = code if code is not None else error_code(status)
        self.headers = headers or {}


def error_code(status: int) -> int:
    """The v4 error code the emulator uses for an HTTP status."""
    return _CODES.get(status, 1000)


def status_phrase(status: int) -> str:
    """The standard reason phrase of `status`, or a generic one."""
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return "Error"


def error_body(status: int, message: str, *, code: int | None = None) -> bytes:
    """Serialise a v4 failure envelope."""
    envelope = {
        "success": False,
        "errors": [{"code": code if code is not None else error_code(status), "message": message}],
        "messages": [],
        "result": None,
    }
    return json.dumps(envelope).encode()


def bad_request(message: str) -> ApiError:
    """A 400 error."""
    return ApiError(400, message)


def not_found(message: str) -> ApiError:
    """A 404 error."""
    return ApiError(404, message)
