"""Resolving the one credential scheme a client uses (pure; reads the environment given).

Explicit arguments beat the environment. Two schemes at the same level, or
none at all, is a `ConfigurationError`: the client never picks silently.
Messages name arguments and variables, never their values.

A credential travels as an HTTP field value (RFC 9110 section 5.5), so each must
be visible ASCII (VCHAR), with spaces and tabs only between visible characters.
Refused at construction, naming the argument or variable:

- a control character (U+0000-U+001F but tab, U+007F): not allowed anywhere in a
  field value; aiohttp would refuse every request with a bare ValueError;
- leading or trailing space or tab: HTTP strips it on receipt, so the server
  would check another value than the one given (we refuse rather than strip:
  never a silent change to a secret);
- any character outside ASCII: the RFC admits such octets only as opaque
  `obs-text`, aiohttp would send them UTF-8 encoded, and Cloudflare's
  credentials (tokens, hex keys, `v1.0-` service keys, account emails) are
  ASCII: a non-breaking or zero-width space pasted with a token is a mistake.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

import attrs

from ._exceptions import ConfigurationError

__all__ = ["Credentials", "resolve_credentials"]

_ENV_TOKEN = "CLOUDFLARE_API_TOKEN"  # noqa: S105 - a variable name, not a secret
_ENV_KEY = "CLOUDFLARE_API_KEY"
_ENV_EMAIL = "CLOUDFLARE_EMAIL"
_ENV_SERVICE_KEY = "CLOUDFLARE_API_USER_SERVICE_KEY"
# RFC 9110 field-value, visible ASCII only: VCHAR, with SP/HTAB only between them.
_FIELD_VALUE = re.compile(r"[\x21-\x7e](?:[\t\x20-\x7e]*[\x21-\x7e])?")
_CONTROL = re.compile(r"[\x00-\x08\x0a-\x1f\x7f]")


@attrs.frozen
class Credentials:
    """The scheme's name (for reprs) and the headers that carry it (never shown)."""

    scheme: str
    headers: Mapping[str, str] = attrs.field(repr=False)


def _check(value: str, name: str) -> str:
    """The credential, if an HTTP header can carry it as it is; the message never shows it."""
    if not isinstance(value, str) or not value:
        raise ConfigurationError(f"{name} must be a non-empty string")
    if _FIELD_VALUE.fullmatch(value):
        return value
    if _CONTROL.search(value):
        problem = (
            "contains a control character (a line break, NUL, DEL or another of "
            "U+0000-U+001F but tab), which an HTTP header cannot carry"
        )
    elif not value.isascii():
        problem = (
            "contains a character outside ASCII (a pasted non-breaking or zero-width space, "
            "for instance); Cloudflare credentials are ASCII"
        )
    else:
        problem = "starts or ends with a space or tab, which HTTP would strip from the header"
    raise ConfigurationError(f"{name} {problem}")


def _scheme(
    token: str | None,
    key: str | None,
    email: str | None,
    service_key: str | None,
    names: tuple[str, str, str, str],
) -> Credentials | None:
    given = [
        label
        for label, present in (
            (names[0], token is not None),
            (f"{names[1]} + {names[2]}", key is not None or email is not None),
            (names[3], service_key is not None),
        )
        if present
    ]
    if len(given) > 1:
        raise ConfigurationError(
            f"more than one credential scheme given ({', '.join(given)}); pass exactly one"
        )
    if token is not None:
        return Credentials("api_token", {"Authorization": f"Bearer {_check(token, names[0])}"})
    if key is not None or email is not None:
        if key is None or email is None:
            raise ConfigurationError(f"{names[1]} and {names[2]} go together; one is missing")
        return Credentials(
            "api_key",
            {"X-Auth-Key": _check(key, names[1]), "X-Auth-Email": _check(email, names[2])},
        )
    if service_key is not None:
        return Credentials(
            "user_service_key", {"X-Auth-User-Service-Key": _check(service_key, names[3])}
        )
    return None


def resolve_credentials(
    *,
    api_token: str | None,
    api_key: str | None,
    api_email: str | None,
    user_service_key: str | None,
    environ: Mapping[str, str],
) -> Credentials:
    """Pick the credential scheme: explicit arguments first, then the environment."""
    explicit = _scheme(
        api_token,
        api_key,
        api_email,
        user_service_key,
        ("api_token", "api_key", "api_email", "user_service_key"),
    )
    if explicit is not None:
        return explicit

    def env(name: str) -> str | None:
        return environ.get(name) or None  # an empty variable counts as unset

    from_env = _scheme(
        env(_ENV_TOKEN),
        env(_ENV_KEY),
        env(_ENV_EMAIL),
        env(_ENV_SERVICE_KEY),
        (_ENV_TOKEN, _ENV_KEY, _ENV_EMAIL, _ENV_SERVICE_KEY),
    )
    if from_env is not None:
        return from_env
    raise ConfigurationError(
        "no credentials: pass api_token= (or api_key= with api_email=, or user_service_key=), "
        f"or set {_ENV_TOKEN}"
    )
