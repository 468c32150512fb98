"""The fast converter and the detailed one give the same verdict on every body."""

from __future__ import annotations

import copy
from collections.abc import Iterator
from typing import Any

import pytest

from cni_async import Cni, Interconnect, InterconnectStatus, Page, Settings, Slot
from cni_async._converter import _detailed, _fast

FACILITY = {"address": ["1 Main St", "San Jose"], "name": "SJC-1"}
SAMPLES: list[tuple[Any, dict[str, Any]]] = [
    (
        Interconnect,
        {
            "type": "direct",
            "name": "a",
            "account": "x",
            "facility": FACILITY,
            "site": "SJC",
            "slot_id": "s",
            "speed": "10G",
            "owner": "o",
            "virtual_port_reservation_id": "v",
            "ccr_device_name": "c",
        },
    ),
    (
        Interconnect,
        {
            "type": "gcp_partner",
            "name": "g",
            "account": "x",
            "region": "r",
            "speed": "1G",
            "owner": None,
        },
    ),
    (InterconnectStatus, {"state": "Down", "reason": "cut"}),
    (
        Cni,
        {
            "id": "i",
            "account": "a",
            "interconnect": "n",
            "p2p_ip": "1.1.1.0/31",
            "cust_ip": "1.1.1.1/31",
            "magic": {"conduit_name": "c", "description": "d", "mtu": 1},
            "bgp": {"customer_asn": 1, "extra_prefixes": ["10.0.0.0/8"], "md5_key": None},
            "bgp_mode": "advertise_only",
        },
    ),
    (
        Slot,
        {
            "id": "s",
            "occupied": False,
            "site": "S",
            "speed": "10G",
            "facility": FACILITY,
            "account": None,
        },
    ),
    (Settings, {"default_asn": 13335}),
    (
        Page[Slot],
        {
            "items": [
                {"id": "s", "occupied": True, "site": "S", "speed": "1G", "facility": FACILITY}
            ],
            "next": 3,
        },
    ),
]
ODD_VALUES = [
    None,
    0,
    1,
    -5,
    2**31,
    1.5,
    float("nan"),
    True,
    False,
    "",
    "s",
    [],
    ["s"],
    [1],
    {},
    {"a": 1},
]


def mutations(value: Any) -> Iterator[Any]:
    """Every body one change away: each key removed, each value replaced by an odd one."""
    if isinstance(value, dict):
        for key in value:
            removed = dict(value)
            del removed[key]
            yield removed
            for odd in ODD_VALUES:
                yield {**value, key: odd}
            for deeper in mutations(value[key]):
                yield {**value, key: deeper}
    elif isinstance(value, list):
        for index, item in enumerate(value):
            for deeper in mutations(item):
                changed = copy.copy(value)
                changed[index] = deeper
                yield changed


def verdict(converter: Any, data: Any, type_: Any) -> Any:
    try:
        return ("ok", converter.structure(data, type_))
    except Exception:
        return ("failed", None)


@pytest.mark.parametrize(("type_", "body"), SAMPLES, ids=lambda v: getattr(v, "__name__", ""))
def test_fast_and_detailed_agree(type_, body):
    """Thousands of near-miss bodies: both converters accept or reject each, alike."""
    cases = 0
    for mutated in [body, *mutations(body)]:
        cases += 1
        fast, detailed = verdict(_fast, mutated, type_), verdict(_detailed, mutated, type_)
        assert fast == detailed, mutated
    assert cases > len(ODD_VALUES)
