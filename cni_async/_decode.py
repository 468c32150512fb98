"""Pure decisions about one HTTP response: no I/O, tested without sockets.

`(status, headers, body bytes)` goes in; JSON, bytes or a typed error comes out.
"""

from __future__ import annotations

import email.utils
import json
import math
import time
from collections.abc import Mapping
from typing import Any, cast
from urllib.parse import urlsplit

from ._exceptions import (
    APIResponseValidationError,
    APIStatusError,
    AuthenticationError,
    BadRequestError,
    ConflictError,
    ErrorDetail,
    InternalServerError,
    NotFoundError,
    PermissionDeniedError,
    RateLimitError,
    UnprocessableEntityError,
)

__all__ = ["decode_json", "parse_retry_after", "status_error"]

_BY_STATUS: dict[int, type[APIStatusError]] = {
    400: BadRequestError,
    401: AuthenticationError,
    403: PermissionDeniedError,
    404: NotFoundError,
    409: ConflictError,
    422: UnprocessableEntityError,
    429: RateLimitError,
}
# Keys a bare CNI body has at its top level; a v4 envelope has none of them.
_BARE_KEYS = frozenset({"items", "state", "default_asn", "id", "account"})
_MAX_BODY_IN_MESSAGE = 200
# A v4 error body is three levels deep. One nested deeper than this is no API body:
# it is kept as text, so that nothing (our message, the caller's repr or json.dumps
# of `error.body`) recurses through it without bound.
_MAX_ERROR_BODY_DEPTH = 32


def decode_json(status: int, headers: Mapping[str, str], body: bytes) -> Any:  # noqa: ANN401 - JSON
    """Parse a 2xx body as JSON, unwrapping a v4 envelope if one ever arrives.

    The CNI API answers with bare JSON; an envelope `{"success", "result"}` with
    none of the bare keys is unwrapped defensively.
    """
    try:
        # JSON on the wire is UTF-8 (RFC 8259); decoding first skips json's encoding sniffing.
        data = json.loads(body.decode())
    except (ValueError, RecursionError) as exc:  # UnicodeDecodeError included
        if isinstance(exc, RecursionError):  # `[` x 100,000: json's parser recurses per level
            problem = "the body is too deeply nested"
        elif not body.strip():
            problem = "the body is empty"
        else:
            problem = "the body is not valid JSON"
        raise APIResponseValidationError(
            f"HTTP {status} response: {problem} @ $",
            problems=[f"{problem} @ $"],
            status_code=status,
            request_id=headers.get("cf-ray"),
        ) from None
    envelope = json_object(data)
    if (
        envelope is not None
        and "result" in envelope
        and "success" in envelope
        and _BARE_KEYS.isdisjoint(envelope)
    ):
        return envelope["result"]
    return data


def json_object(value: object) -> dict[str, Any] | None:
    """The value as a JSON object, or None if it is not one."""
    return cast("dict[str, Any]", value) if type(value) is dict else None


def status_error(
    status: int,
    headers: Mapping[str, str],
    body: bytes,
    *,
    method: str,
    path: str,
    where: str | None = None,
) -> APIStatusError:
    """Build the typed error for a redirect (3xx) or a response with status >= 400.

    `path` is the route's template (kept on the error for grouping); the
    message names `where`, the request's own path, when given.
    """
    parsed = _parse_error_body(body)
    errors = _error_details(parsed)
    request = f"{method} {where or path}"
    if status < 400:  # noqa: PLR2004
        cls: type[APIStatusError] = APIStatusError
        message = (
            f"{request}: the API answered with a redirect (HTTP {status}"
            f"{_redirect_target(headers)}), which the SDK does not follow, so no "
            "credential reaches another host; check base_url"
        )
    else:
        cls = _BY_STATUS.get(status, InternalServerError if status >= 500 else APIStatusError)  # noqa: PLR2004
        detail = "; ".join(
            f"[{e.code}] {e.message}" if e.code is not None else e.message for e in errors
        ) or _short_text(parsed)
        message = f"{request} failed with HTTP {status}" + (f": {detail}" if detail else "")
    return cls(
        message,
        status_code=status,
        errors=errors,
        request_id=headers.get("cf-ray"),
        body=parsed,
        method=method,
        path=path,
        retry_after=parse_retry_after(headers),
    )


def _redirect_target(headers: Mapping[str, str]) -> str:
    """' to https://host' from `Location` (its host only: a path or query may hold secrets)."""
    parts = urlsplit(headers.get("location", ""))
    if parts.scheme in {"http", "https"} and parts.hostname:
        return f" to {parts.scheme}://{parts.hostname}"
    return ""


def parse_retry_after(headers: Mapping[str, str], *, now: float | None = None) -> float | None:
    """Read `Retry-After` as seconds or as an HTTP date; None when absent or unreadable."""
    raw = headers.get("retry-after")
    if raw is None:
        return None
    raw = raw.strip()
    try:
        seconds = float(raw)
    except ValueError:
        try:
            when = email.utils.parsedate_to_datetime(raw)
        except (TypeError, ValueError, IndexError):
            return None
        seconds = when.timestamp() - (time.time() if now is None else now)
    if not math.isfinite(seconds):
        return None
    return max(seconds, 0.0)


def _parse_error_body(body: bytes) -> Any:  # noqa: ANN401 - JSON, text or None
    if not body.strip():
        return None
    try:
        parsed = json.loads(body)
    except (ValueError, RecursionError):  # not JSON, or nested too deeply to parse
        return body.decode("utf-8", "replace")
    if _deeper_than(parsed, _MAX_ERROR_BODY_DEPTH):
        return body.decode("utf-8", "replace")
    return parsed


def _deeper_than(value: object, limit: int) -> bool:
    """Whether JSON `value` nests arrays and objects more than `limit` levels (no recursion)."""
    level: list[object] = [value]
    for _ in range(limit):
        below: list[object] = []
        for node in level:
            if type(node) is dict:
                below += cast("dict[str, object]", node).values()
            elif type(node) is list:
                below += cast("list[object]", node)
        if not below:
            return False
        level = below
    return any(type(node) is dict or type(node) is list for node in level)


def _error_details(parsed: object) -> list[ErrorDetail]:
    body = json_object(parsed)
    raw: object = None if body is None else body.get("errors")
    if type(raw) is not list:
        return []
    details: list[ErrorDetail] = []
    for entry in cast("list[object]", raw):
        item = json_object(entry)
        if item is not None:
            code = item.get("code")
            message = item.get("message")
            details.append(
                ErrorDetail(
                    code=code if type(code) is int else None,
                    message=message if type(message) is str else "",
                )
            )
    return details


def _short_text(parsed: object) -> str:
    """A one-line excerpt of a non-v4 error body, for the exception message."""
    if parsed is None:
        return ""
    text = parsed if isinstance(parsed, str) else json.dumps(parsed, separators=(",", ":"))
    if text.lstrip().startswith("<"):
        return "(an HTML page)"
    text = " ".join(text.split())
    if len(text) > _MAX_BODY_IN_MESSAGE:
        return text[:_MAX_BODY_IN_MESSAGE] + "..."
    return text
