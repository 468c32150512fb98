"""The validation table again, through the public methods: each bad argument is refused by
the method a user calls, naming the field, before anything reaches the server.

(tests/unit/test_validate.py holds the checks themselves to each row; this holds every
method to calling them.)
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

import cni_async
from cni_async import (
    BgpControl,
    Cni,
    CniCreate,
    GcpPartnerInterconnectCreate,
    MagicSettings,
    PhysicalInterconnectCreate,
)
from tests.conftest import ACCOUNT

UUID = "3fa85f64-5717-4562-b3fc-2c963f66afa6"
MAGIC = MagicSettings(conduit_name="c", description="d", mtu=1500)


def _cni_create(**changes: Any) -> CniCreate:
    return CniCreate(**{"account": ACCOUNT, "interconnect": "sjc-1", "magic": MAGIC, **changes})


def _bgp(**changes: Any) -> BgpControl:
    return BgpControl(**{"customer_asn": 65000, "extra_prefixes": [], **changes})


ROWS: list[tuple[str, Callable[[cni_async.Client], Any], str]] = [
    ("interconnects.list limit", lambda cf: cf.interconnects.list(limit=-1), "limit"),
    ("interconnects.list cursor", lambda cf: cf.interconnects.list(cursor=2**31), "cursor"),
    ("interconnects.list site", lambda cf: cf.interconnects.list(site=5), "site"),
    ("interconnects.get", lambda cf: cf.interconnects.get(""), "icon"),
    (
        "interconnects.create bandwidth",
        lambda cf: cf.interconnects.create(
            GcpPartnerInterconnectCreate(account=ACCOUNT, bandwidth="3G", pairing_key="k")
        ),
        "bandwidth",
    ),
    (
        "interconnects.create slot_id",
        lambda cf: cf.interconnects.create(
            PhysicalInterconnectCreate(account=ACCOUNT, slot_id="x")
        ),
        "slot_id",
    ),
    ("interconnects.loa name", lambda cf: cf.interconnects.loa("sjc-1", name="x" * 201), "name"),
    ("interconnects.status", lambda cf: cf.interconnects.status(".."), "icon"),
    ("interconnects.delete", lambda cf: cf.interconnects.delete("."), "icon"),
    ("interconnects.wait_for_status", lambda cf: cf.interconnects.wait_for_status(""), "icon"),
    ("cnis.list limit", lambda cf: cf.cnis.list(limit=2**31), "limit"),
    (
        "cnis.create mtu",
        lambda cf: cf.cnis.create(
            _cni_create(magic=MagicSettings(conduit_name="c", description="d", mtu=-1))
        ),
        "magic.mtu",
    ),
    (
        "cnis.create customer_asn",
        lambda cf: cf.cnis.create(_cni_create(bgp=_bgp(customer_asn=-1))),
        "bgp.customer_asn",
    ),
    (
        "cnis.create extra_prefixes",
        lambda cf: cf.cnis.create(_cni_create(bgp=_bgp(extra_prefixes=["10.0.0/24"]))),
        "bgp.extra_prefixes[0]",
    ),
    (
        "cnis.create md5_key",
        lambda cf: cf.cnis.create(_cni_create(bgp=_bgp(md5_key='a"b'))),
        "bgp.md5_key",
    ),
    (
        "cnis.update mtu",
        lambda cf: cf.cnis.update(
            Cni(
                id=UUID,
                account=ACCOUNT,
                interconnect="sjc-1",
                p2p_ip="100.64.0.0/31",
                cust_ip="100.64.0.1/31",
                magic=MagicSettings(conduit_name="c", description="d", mtu=2**31),
            )
        ),
        "magic.mtu",
    ),
    ("cnis.get", lambda cf: cf.cnis.get("x"), "cni_id"),
    ("slots.list limit", lambda cf: cf.slots.list(limit=-1), "limit"),
    ("slots.list occupied", lambda cf: cf.slots.list(occupied="yes"), "occupied"),
    ("slots.get", lambda cf: cf.slots.get("x"), "slot_id"),
    ("settings.update", lambda cf: cf.settings.update(default_asn=-1), "default_asn"),
]


@pytest.mark.parametrize(("case", "call", "field"), ROWS, ids=[row[0] for row in ROWS])
async def test_each_method_refuses_a_bad_argument_before_sending(cf, emu, case, call, field):
    """The method raises RequestValidationError naming `field`; the server sees nothing."""
    with pytest.raises(cni_async.RequestValidationError) as info:
        result = call(cf)
        if isinstance(result, cni_async.Paginator):
            [item async for item in result]
        else:
            await result
    assert info.value.field == field, case
    assert str(info.value).startswith(f"{field}: ")
    assert isinstance(info.value, ValueError)
    assert emu.requests == 0
