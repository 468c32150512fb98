"""Every client-side check of a request, in one place, run before anything is sent.

Each check raises `RequestValidationError` (a `ValueError`) naming the field,
so a bad argument never costs a round trip or a half-applied change.
"""

from __future__ import annotations

import re

from ._exceptions import RequestValidationError
from ._models import (
    BgpControl,
    Cni,
    CniCreate,
    GcpPartnerInterconnectCreate,
    MagicSettings,
    PhysicalInterconnectCreate,
)

INT32_MIN = -(2**31)
INT32_MAX = 2**31 - 1
LOA_NAME_MAX = 200
BANDWIDTHS = ("50M", "100M", "200M", "300M", "400M", "500M", "1G", "2G", "5G", "10G", "20G", "50G")

_UUID = re.compile(r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}")
_CIDR = re.compile(r"(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})/(\d{1,2})")
# Printable ASCII less the characters the API forbids in a BGP MD5 key.
_MD5_KEY = re.compile(r"[\x20-\x7e]+")
_MD5_FORBIDDEN = frozenset('"?')


def _fail(field: str, problem: str) -> RequestValidationError:
    return RequestValidationError(f"{field}: {problem}", field=field)


def text(value: object, field: str, *, allow_empty: bool = False) -> str:
    """A string (non-empty unless allowed)."""
    if not isinstance(value, str):
        raise _fail(field, f"must be a string, not {type(value).__name__}")
    if not value and not allow_empty:
        raise _fail(field, "must not be empty")
    return value


def path_id(value: object, field: str) -> str:
    """A path id: a non-empty string other than `.` and `..` (any other text is data)."""
    checked = text(value, field)
    if checked in {".", ".."}:
        raise _fail(field, f"{checked!r} is not a valid id (it would change the path)")
    return checked


def uuid(value: object, field: str) -> str:
    """A UUID in its canonical 8-4-4-4-12 hex form."""
    checked = text(value, field)
    if not _UUID.fullmatch(checked):
        raise _fail(
            field, f"must be a UUID like 3fa85f64-5717-4562-b3fc-2c963f66afa6, got {checked!r}"
        )
    return checked


def integer(value: object, field: str, *, minimum: int = 0, maximum: int = INT32_MAX) -> int:
    """An int (not a bool) within [minimum, maximum]; int32 unless told otherwise."""
    if type(value) is not int:
        raise _fail(field, f"must be an integer, not {type(value).__name__}")
    if not minimum <= value <= maximum:
        raise _fail(field, f"must be between {minimum} and {maximum}, got {value}")
    return value


def optional_integer(value: object, field: str, *, minimum: int = 0) -> int | None:
    """None, or an int32 not below `minimum`."""
    return None if value is None else integer(value, field, minimum=minimum)


def cursor(value: object) -> int | None:
    """A list cursor: None or any int32 (the API's `next` may be negative)."""
    return None if value is None else integer(value, "cursor", minimum=INT32_MIN)


def optional_text(value: object, field: str) -> str | None:
    """None, or a non-empty string."""
    return None if value is None else text(value, field)


def optional_bool(value: object, field: str) -> bool | None:
    """None, True or False (sent as `true`/`false`)."""
    if value is None or type(value) is bool:
        return value
    raise _fail(field, f"must be True, False or None, not {type(value).__name__}")


def cidr(value: object, field: str) -> str:
    """An IPv4 prefix written `A.B.C.D/N`."""
    checked = text(value, field)
    match = _CIDR.fullmatch(checked)
    if match is None or any(int(o) > 255 for o in match.groups()[:4]) or int(match[5]) > 32:  # noqa: PLR2004
        raise _fail(field, f"must be an IPv4 prefix A.B.C.D/N, got {checked!r}")
    return checked


def bandwidth(value: object, field: str = "bandwidth") -> str:
    """One of the 12 GCP partner bandwidths."""
    if not isinstance(value, str) or value not in BANDWIDTHS:
        raise _fail(field, f"must be one of {', '.join(BANDWIDTHS)}; got {value!r}")
    return value


def md5_key(value: object, field: str = "bgp.md5_key") -> str | None:
    """None, or non-empty printable ASCII without `"` or `?` (the API rejects others)."""
    if value is None:
        return None
    checked = text(value, field)
    if not _MD5_KEY.fullmatch(checked) or _MD5_FORBIDDEN.intersection(checked):
        # The key itself is never echoed: it is shared with the customer's router.
        raise _fail(field, 'must be printable ASCII without ", ?, tabs or line breaks')
    return checked


def loa_name(value: object) -> str | None:
    """None, or a name of at most 200 characters to print on the LOA."""
    if value is None:
        return None
    checked = text(value, "name")
    if len(checked) > LOA_NAME_MAX:
        raise _fail("name", f"must be at most {LOA_NAME_MAX} characters, got {len(checked)}")
    return checked


def interconnect_create(body: object) -> None:
    """A physical or GCP partner create body."""
    if isinstance(body, PhysicalInterconnectCreate):
        optional_text(body.account, "account")
        uuid(body.slot_id, "slot_id")
        optional_text(body.speed, "speed")
        text(body.type, "type")
    elif isinstance(body, GcpPartnerInterconnectCreate):
        optional_text(body.account, "account")
        bandwidth(body.bandwidth)
        text(body.pairing_key, "pairing_key")
        text(body.type, "type")
    else:
        raise _fail(
            "body",
            "must be a PhysicalInterconnectCreate or a GcpPartnerInterconnectCreate, "
            f"not {type(body).__name__}",
        )


def cni_create(body: object) -> None:
    """A CNI create body."""
    if not isinstance(body, CniCreate):
        raise _fail("body", f"must be a CniCreate, not {type(body).__name__}")
    optional_text(body.account, "account")
    text(body.interconnect, "interconnect")
    _magic(body.magic)
    _bgp(body.bgp)


def cni(body: object) -> None:
    """A full CNI, as `cnis.update` sends it."""
    if not isinstance(body, Cni):
        raise _fail("cni", f"must be a Cni, not {type(body).__name__}")
    uuid(body.id, "id")
    text(body.account, "account")
    text(body.interconnect, "interconnect")
    cidr(body.p2p_ip, "p2p_ip")
    cidr(body.cust_ip, "cust_ip")
    _magic(body.magic)
    _bgp(body.bgp)
    optional_text(body.bgp_mode, "bgp_mode")


def _magic(magic: object) -> None:
    if not isinstance(magic, MagicSettings):
        raise _fail("magic", f"must be a MagicSettings, not {type(magic).__name__}")
    text(magic.conduit_name, "magic.conduit_name")
    text(magic.description, "magic.description", allow_empty=True)
    integer(magic.mtu, "magic.mtu")


def _bgp(bgp: object) -> None:
    if bgp is None:
        return
    if not isinstance(bgp, BgpControl):
        raise _fail("bgp", f"must be a BgpControl or None, not {type(bgp).__name__}")
    integer(bgp.customer_asn, "bgp.customer_asn")
    if not isinstance(bgp.extra_prefixes, tuple):
        raise _fail("bgp.extra_prefixes", "must be a list or tuple of A.B.C.D/N strings")
    for index, prefix in enumerate(bgp.extra_prefixes):
        cidr(prefix, f"bgp.extra_prefixes[{index}]")
    md5_key(bgp.md5_key)


def same_account(body_account: str | None, account_id: str) -> None:
    """A body's `account`, when given, must be the account the request goes to.

    The API repeats the account in the body; None (left out) is filled in by the call.
    """
    if body_account is not None and body_account != account_id:
        raise _fail(
            "account",
            f"the body's account {body_account!r} differs from the request's account_id "
            f"{account_id!r}",
        )
