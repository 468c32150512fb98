"""Credentials check and the shapes of the emulator's HTTP responses."""

from __future__ import annotations

import hmac
import secrets

from aiohttp import web
from multidict import CIMultiDictProxy

from cni_async.testing._errors import ApiError, error_body


def authenticate(headers: CIMultiDictProxy[str], token: str | None) -> None:
    """Accept one complete credential, or raise 401 (none given) or 403 (not accepted).

    With `token` set, only `Authorization: Bearer <token>` is accepted; otherwise any
    non-empty bearer token, `X-Auth-Key` with `X-Auth-Email`, or `X-Auth-User-Service-Key`.
    The credential never appears in the error.
    """
    scheme, _, credential = headers.get("Authorization", "").strip().partition(" ")
    credential = credential.strip()
    bearer = credential if scheme.lower() == "bearer" and credential else None
    key = headers.get("X-Auth-Key", "").strip()
    email = headers.get("X-Auth-Email", "").strip()
    service_key = headers.get("X-Auth-User-Service-Key", "").strip()
    if token is not None:
        if bearer is not None and hmac.compare_digest(bearer.encode(), token.encode()):
            return
    elif bearer or (key and email) or service_key:
        return
    if credential or key or email or service_key:
        raise ApiError(403, "Authentication error")
    raise ApiError(401, "Missing authentication")


def ray() -> dict[str, str]:
    """A fresh `cf-ray` header, as Cloudflare puts on every response."""
    return {"cf-ray": f"{secrets.token_hex(8)}-SJC"}


def error_response(exc: ApiError) -> web.Response:
    """The v4 error envelope for `exc`, with its status and headers."""
    return web.Response(
        status=exc.status,
        body=error_body(exc.status, exc.message, code=exc.code),
        content_type="application/json",
        headers={**ray(), **exc.headers},
    )


def drop(request: web.BaseRequest) -> web.Response:
    """Close the connection; the response returned is never written."""
    transport = request.transport
    if transport is not None:
        transport.close()
    return web.Response(status=204)


def malformed(response: web.Response, body: str | None) -> web.Response:
    """A 200 claiming JSON: `body`, or else the first half of `response`'s body."""
    if body is not None:
        raw = body.encode()
    else:
        original = response.body if isinstance(response.body, bytes) else b""
        raw = original[: len(original) // 2] or b'{"'
    return web.Response(body=raw, content_type="application/json", headers=ray())
