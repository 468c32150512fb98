"""Client-side validation: what the API would reject fails before sending, naming the field."""

from __future__ import annotations

import attrs
import pytest

import cni_async
from cni_async import (
    BgpControl,
    Cni,
    CniCreate,
    GcpPartnerInterconnectCreate,
    MagicSettings,
    PhysicalInterconnectCreate,
    _validate,
)

UUID = "3fa85f64-5717-4562-b3fc-2c963f66afa6"
MAGIC = MagicSettings(conduit_name="c", description="d", mtu=1500)
BGP = BgpControl(customer_asn=65000, extra_prefixes=["10.0.0.0/24"], md5_key="k3y!")
CNI = Cni(
    id=UUID,
    account="a",
    interconnect="i",
    p2p_ip="100.64.0.0/31",
    cust_ip="100.64.0.1/31",
    magic=MAGIC,
    bgp=BGP,
)

# (case, the check, the field the error must name)
ROWS = [
    (
        "bandwidth not one of the 12",
        lambda: _validate.interconnect_create(
            GcpPartnerInterconnectCreate(account="a", bandwidth="3G", pairing_key="k")
        ),
        "bandwidth",
    ),
    (
        "bandwidth in the wrong case",
        lambda: _validate.interconnect_create(
            GcpPartnerInterconnectCreate(account="a", bandwidth="1g", pairing_key="k")
        ),
        "bandwidth",
    ),
    (
        "empty pairing key",
        lambda: _validate.interconnect_create(
            GcpPartnerInterconnectCreate(account="a", bandwidth="1G", pairing_key="")
        ),
        "pairing_key",
    ),
    (
        "slot_id not a UUID",
        lambda: _validate.interconnect_create(
            PhysicalInterconnectCreate(account="a", slot_id="slot-1")
        ),
        "slot_id",
    ),
    ("not a create body", lambda: _validate.interconnect_create({"account": "a"}), "body"),
    ("CNI id not a UUID", lambda: _validate.cni(attrs.evolve(CNI, id="x")), "id"),
    ("slot id not a UUID", lambda: _validate.uuid("12345", "slot_id"), "slot_id"),
    (
        "mtu negative",
        lambda: _validate.cni_create(
            CniCreate(account="a", interconnect="i", magic=attrs.evolve(MAGIC, mtu=-1))
        ),
        "magic.mtu",
    ),
    (
        "mtu beyond int32",
        lambda: _validate.cni_create(
            CniCreate(account="a", interconnect="i", magic=attrs.evolve(MAGIC, mtu=2**31))
        ),
        "magic.mtu",
    ),
    (
        "mtu a string",
        lambda: _validate.cni_create(
            CniCreate(account="a", interconnect="i", magic=attrs.evolve(MAGIC, mtu="1500"))
        ),
        "magic.mtu",
    ),
    (
        "customer_asn negative",
        lambda: _validate.cni(attrs.evolve(CNI, bgp=attrs.evolve(BGP, customer_asn=-5))),
        "bgp.customer_asn",
    ),
    (
        "customer_asn beyond int32",
        lambda: _validate.cni(attrs.evolve(CNI, bgp=attrs.evolve(BGP, customer_asn=4_200_000_000))),
        "bgp.customer_asn",
    ),
    ("default_asn negative", lambda: _validate.integer(-1, "default_asn"), "default_asn"),
    ("default_asn a bool", lambda: _validate.integer(True, "default_asn"), "default_asn"),
    ("limit negative", lambda: _validate.optional_integer(-1, "limit"), "limit"),
    ("limit beyond int32", lambda: _validate.optional_integer(2**31, "limit"), "limit"),
    ("cursor beyond int32", lambda: _validate.cursor(2**31), "cursor"),
    ("cursor below int32", lambda: _validate.cursor(-(2**31) - 1), "cursor"),
    (
        "extra prefix without a length",
        lambda: _validate.cni(
            attrs.evolve(CNI, bgp=attrs.evolve(BGP, extra_prefixes=["10.0.0.0"]))
        ),
        "bgp.extra_prefixes[0]",
    ),
    (
        "extra prefix with an octet > 255",
        lambda: _validate.cni(
            attrs.evolve(CNI, bgp=attrs.evolve(BGP, extra_prefixes=["10.0.0.0/8", "10.0.300.0/24"]))
        ),
        "bgp.extra_prefixes[1]",
    ),
    (
        "extra prefix length > 32",
        lambda: _validate.cni(
            attrs.evolve(CNI, bgp=attrs.evolve(BGP, extra_prefixes=["10.0.0.0/33"]))
        ),
        "bgp.extra_prefixes[0]",
    ),
    (
        "extra prefix IPv6",
        lambda: _validate.cni(
            attrs.evolve(CNI, bgp=attrs.evolve(BGP, extra_prefixes=["2001:db8::/32"]))
        ),
        "bgp.extra_prefixes[0]",
    ),
    (
        "p2p_ip not a prefix",
        lambda: _validate.cni(attrs.evolve(CNI, p2p_ip="100.64.0.0")),
        "p2p_ip",
    ),
    ('md5 key with "', lambda: _validate.md5_key('a"b'), "bgp.md5_key"),
    ("md5 key with ?", lambda: _validate.md5_key("a?b"), "bgp.md5_key"),
    ("md5 key with a tab", lambda: _validate.md5_key("a\tb"), "bgp.md5_key"),
    ("md5 key with a newline", lambda: _validate.md5_key("a\nb"), "bgp.md5_key"),
    ("md5 key with CR", lambda: _validate.md5_key("a\rb"), "bgp.md5_key"),
    ("md5 key with VT", lambda: _validate.md5_key("a\vb"), "bgp.md5_key"),
    ("md5 key with FF", lambda: _validate.md5_key("a\fb"), "bgp.md5_key"),
    ("md5 key non-ASCII", lambda: _validate.md5_key("clé"), "bgp.md5_key"),
    ("md5 key empty", lambda: _validate.md5_key(""), "bgp.md5_key"),
    ("LOA name over 200", lambda: _validate.loa_name("x" * 201), "name"),
    ("occupied not a bool", lambda: _validate.optional_bool("true", "occupied"), "occupied"),
    (
        "bgp not a BgpControl",
        lambda: _validate.cni_create(
            CniCreate(account="a", interconnect="i", magic=MAGIC, bgp={"customer_asn": 1})
        ),
        "bgp",
    ),
    (
        "account empty",
        lambda: _validate.cni_create(CniCreate(account="", interconnect="i", magic=MAGIC)),
        "account",
    ),
    (
        "account not a string",
        lambda: _validate.interconnect_create(PhysicalInterconnectCreate(account=7, slot_id=UUID)),
        "account",
    ),
    ("account not the call's", lambda: _validate.same_account("a", "b"), "account"),
    ("CNI body of another type", lambda: _validate.cni_create({"account": "a"}), "body"),
    ("CNI update of another type", lambda: _validate.cni({"id": UUID}), "cni"),
    (
        "magic of another type",
        lambda: _validate.cni_create(CniCreate(interconnect="i", magic={"mtu": 1500})),
        "magic",
    ),
    (
        "extra_prefixes a single string",
        lambda: _validate.cni_create(
            CniCreate(
                interconnect="i",
                magic=MAGIC,
                bgp=BgpControl(customer_asn=1, extra_prefixes="10.0.0.0/8"),  # type: ignore[arg-type]
            )
        ),
        "bgp.extra_prefixes",
    ),
]


@pytest.mark.parametrize(("case", "check", "field"), ROWS, ids=[r[0] for r in ROWS])
def test_validation_table(case, check, field):
    """Each row is refused with a RequestValidationError (a ValueError) naming its field."""
    with pytest.raises(cni_async.RequestValidationError) as info:
        check()
    assert info.value.field == field, case
    assert str(info.value).startswith(f"{field}: "), case
    assert isinstance(info.value, ValueError)


@pytest.mark.parametrize(
    "check",
    [
        lambda: _validate.interconnect_create(
            GcpPartnerInterconnectCreate(account="a", bandwidth="50G", pairing_key="k")
        ),
        lambda: _validate.interconnect_create(
            PhysicalInterconnectCreate(account="a", slot_id=UUID)
        ),
        lambda: _validate.cni(CNI),
        lambda: _validate.cni_create(CniCreate(account="a", interconnect="i", magic=MAGIC)),
        # `account` left out: the call fills it in.
        lambda: _validate.interconnect_create(PhysicalInterconnectCreate(slot_id=UUID)),
        lambda: _validate.interconnect_create(
            GcpPartnerInterconnectCreate(bandwidth="1G", pairing_key="k")
        ),
        lambda: _validate.cni_create(CniCreate(interconnect="i", magic=MAGIC)),
        lambda: _validate.same_account(None, "b"),
        lambda: _validate.cursor(-(2**31)),
        lambda: _validate.optional_integer(0, "limit"),
        lambda: _validate.loa_name("x" * 200),
        lambda: _validate.md5_key("~ !#$%&'()*+,-./:;<=>@[\\]^_`{|}"),
        lambda: _validate.cidr("0.0.0.0/0", "p"),
        lambda: _validate.integer(2**31 - 1, "default_asn"),
    ],
)
def test_valid_values_pass(check):
    """The edges of each rule are accepted."""
    check()


def test_the_md5_key_is_not_echoed():
    """A refused MD5 key does not appear in the error message."""
    with pytest.raises(cni_async.RequestValidationError) as info:
        _validate.md5_key("s3cret?")
    assert "s3cret" not in str(info.value)
