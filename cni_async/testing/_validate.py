"""Validation of request bodies, path ids and query parameters.

Every helper raises `ApiError` (status 400) with a message naming the offending field;
`where` is the dotted path of the enclosing object ("" for the body itself).
"""

from __future__ import annotations

import ipaddress
import json
import re
import uuid
from typing import Any, cast

from multidict import MultiMapping

from cni_async.testing._errors import bad_request

INT32_MAX = 2**31 - 1
INT32_MIN = -(2**31)
BANDWIDTHS = ("50M", "100M", "200M", "300M", "400M", "500M", "1G", "2G", "5G", "10G", "20G", "50G")
BGP_MODES = ("dynamic_route_exchange", "advertise_only")

_UUID = re.compile(r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}")
_CIDR = re.compile(r"[0-9]{1,3}(?:\.[0-9]{1,3}){3}/[0-9]{1,2}")
_INT = re.compile(r"-?[0-9]+")
# A value with more digits is out of every range here; beyond 4300 digits Python's
# int() refuses it with a ValueError, which must not become a 500.
_MAX_DIGITS = 20
_OUT_OF_RANGE: int = 10**_MAX_DIGITS
# MD5 keys: printable ASCII except `"` and `?` (the control characters are not printable).
_MD5_KEY = re.compile(r"[ !#->@-~]+")


def _reject_constant(name: str) -> None:
    raise ValueError(name)


def _field(where: str, key: str) -> str:
    return f"{where}.{key}" if where else key


def parse_json_object(body: bytes) -> dict[str, Any]:
    """Decode a request body that must be a JSON object."""
    if not body.strip():
        raise bad_request("A JSON request body is required")
    try:
        value = json.loads(body, parse_constant=_reject_constant)
    except (ValueError, UnicodeDecodeError, RecursionError):  # RecursionError: `[` x 100,000
        raise bad_request("Request body is not valid JSON") from None
    if not isinstance(value, dict):
        raise bad_request("Request body must be a JSON object")
    return cast("dict[str, Any]", value)


def require_object(obj: dict[str, Any], key: str, where: str = "") -> dict[str, Any]:
    """Return the required JSON object `obj[key]`."""
    value = obj.get(key)
    if not isinstance(value, dict):
        raise bad_request(f"Field {_field(where, key)} is required and must be an object")
    return cast("dict[str, Any]", value)


def optional_object(obj: dict[str, Any], key: str, where: str = "") -> dict[str, Any] | None:
    """Return the optional JSON object `obj[key]` (absent and null are both None)."""
    value = obj.get(key)
    if value is None:
        return None
    if not isinstance(value, dict):
        raise bad_request(f"Field {_field(where, key)} must be an object")
    return cast("dict[str, Any]", value)


def require_str(obj: dict[str, Any], key: str, where: str = "", *, non_empty: bool = False) -> str:
    """Return the required string `obj[key]`."""
    value = obj.get(key)
    if not isinstance(value, str):
        raise bad_request(f"Field {_field(where, key)} is required and must be a string")
    if non_empty and not value:
        raise bad_request(f"Field {_field(where, key)} must not be empty")
    return value


def optional_str(obj: dict[str, Any], key: str, where: str = "") -> str | None:
    """Return the optional, nullable string `obj[key]`."""
    value = obj.get(key)
    if value is not None and not isinstance(value, str):
        raise bad_request(f"Field {_field(where, key)} must be a string or null")
    return value


def require_int(
    obj: dict[str, Any],
    key: str,
    where: str = "",
    *,
    nullable: bool = False,
) -> int | None:
    """Return `obj[key]`, an int32 >= 0 (None only when `nullable` and absent or null)."""
    value = obj.get(key)
    if value is None and nullable:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= INT32_MAX:
        kind = "an integer" if not nullable else "an integer or null"
        raise bad_request(f"Field {_field(where, key)} must be {kind} between 0 and {INT32_MAX}")
    return value


def check_cidr(value: object, field: str) -> str:
    """Check that `value` is an IPv4 address with a prefix length, `A.B.C.D/N`."""
    if not isinstance(value, str) or not _CIDR.fullmatch(value):
        raise bad_request(f"Field {field} must be an IPv4 prefix of the form A.B.C.D/N")
    try:
        ipaddress.IPv4Interface(value)
    except ValueError:
        raise bad_request(f"Field {field} is not a valid IPv4 prefix: {value}") from None
    return value


def check_md5_key(value: str, field: str) -> str:
    """Check an MD5 key: non-empty printable ASCII without `"` or `?`."""
    if not _MD5_KEY.fullmatch(value):
        raise bad_request(
            f"Field {field} must be non-empty printable ASCII without quotation marks, "
            "question marks, tabs or line breaks"
        )
    return value


def canonical_uuid(value: str) -> str | None:
    """Return the lower-case form of a hyphenated UUID, or None if `value` is not one."""
    if not _UUID.fullmatch(value):
        return None
    return str(uuid.UUID(value))


def require_uuid_path(value: str, what: str) -> str:
    """Return the canonical form of a UUID path id, or raise 400."""
    canonical = canonical_uuid(value)
    if canonical is None:
        raise bad_request(f"{what} id must be a UUID, got {value!r}")
    return canonical


def query_int(
    query: MultiMapping[str],
    name: str,
    *,
    minimum: int = INT32_MIN,
    maximum: int | None = INT32_MAX,
) -> int | None:
    """Parse an optional integer query parameter: an int32 unless `maximum` is None."""
    raw = query.get(name)
    if raw is None:
        return None
    if not _INT.fullmatch(raw):
        raise bad_request(f"Query parameter {name} must be an integer")
    digits = raw.removeprefix("-").lstrip("0") or "0"  # int() counts leading zeros too
    magnitude = _OUT_OF_RANGE if len(digits) > _MAX_DIGITS else int(digits)
    value = -magnitude if raw.startswith("-") else magnitude
    low = max(minimum, INT32_MIN)
    if maximum is None:
        if value < low:
            raise bad_request(f"Query parameter {name} must be at least {low}")
    elif not low <= value <= maximum:
        raise bad_request(f"Query parameter {name} must be between {low} and {maximum}")
    return value


def query_bool(query: MultiMapping[str], name: str) -> bool | None:
    """Parse an optional boolean query parameter, spelled `true` or `false`."""
    raw = query.get(name)
    if raw is None:
        return None
    if raw not in {"true", "false"}:
        raise bad_request(f"Query parameter {name} must be true or false")
    return raw == "true"
