"""The converter: strict types, shape-told unions, unknown keys and values kept out of the way."""

from __future__ import annotations

import math

import attrs
import pytest

import cni_async
from cni_async import (
    BgpControl,
    Cni,
    CniCreate,
    GcpPartnerInterconnect,
    GcpPartnerInterconnectCreate,
    Interconnect,
    InterconnectStatus,
    MagicSettings,
    Page,
    PhysicalInterconnect,
    PhysicalInterconnectCreate,
    Settings,
    Slot,
)
from cni_async._converter import ShapeError, structure, unstructure

FACILITY = {"address": ["1 Main St", "San Jose"], "name": "SJC-1"}
PHYSICAL = {
    "type": "direct",
    "name": "sjc-1",
    "account": "acc",
    "facility": FACILITY,
    "site": "SJC",
    "slot_id": "3fa85f64-5717-4562-b3fc-2c963f66afa6",
    "speed": "10G",
}
GCP = {"type": "gcp_partner", "name": "gcp-1", "account": "acc", "region": "us-west1"}
SLOT = {
    "id": "3fa85f64-5717-4562-b3fc-2c963f66afa6",
    "occupied": False,
    "site": "SJC",
    "speed": "10G",
    "facility": FACILITY,
}


def test_physical_told_apart_by_shape_not_type():
    """A body with slot_id/facility/site is physical even when its type is new."""
    icon = structure({**PHYSICAL, "type": "direct_v2"}, Interconnect)
    assert isinstance(icon, PhysicalInterconnect)
    assert icon.type == "direct_v2"
    assert icon.facility.address == ("1 Main St", "San Jose")


def test_gcp_told_apart_by_region():
    """A body with region is a GCP partner interconnect, whatever its type says."""
    icon = structure({**GCP, "type": "direct"}, Interconnect)
    assert isinstance(icon, GcpPartnerInterconnect)
    assert icon.region == "us-west1"
    assert icon.speed is None


def test_unknown_keys_are_ignored():
    """Keys the API adds later do not break decoding."""
    icon = structure({**GCP, "brand_new": {"x": 1}, "speed": "1G"}, Interconnect)
    assert icon == GcpPartnerInterconnect(
        account="acc", name="gcp-1", type="gcp_partner", region="us-west1", speed="1G"
    )


def test_unknown_state_is_kept_as_text():
    """A status state the API adds later is kept as a plain string."""
    assert structure({"state": "Degraded", "reason": "fibre"}, InterconnectStatus) == (
        InterconnectStatus(state="Degraded", reason="fibre")
    )


def test_2026_08_optional_fields_are_read():
    """virtual_port_reservation_id, ccr_device_name and bgp_mode are modelled when present."""
    icon = structure(
        {**PHYSICAL, "virtual_port_reservation_id": "v-1", "ccr_device_name": "ccr1"}, Interconnect
    )
    assert isinstance(icon, PhysicalInterconnect)
    assert (icon.virtual_port_reservation_id, icon.ccr_device_name) == ("v-1", "ccr1")


@pytest.mark.parametrize(
    ("value", "got"),
    [
        ({"code": 1}, "object"),
        (None, "null"),
        ([1], "array"),
        (math.nan, "non-finite number"),
        (12, "number"),
        (True, "boolean"),
    ],
)
def test_a_string_field_is_never_coerced(value, got):
    """Where a string is promised, any other JSON type is an error naming the path."""
    with pytest.raises(ShapeError) as info:
        structure({**GCP, "region": value}, Interconnect)
    assert info.value.problems == [f"expected string, got {got} @ $.region"]


def test_integers_and_booleans_are_strict():
    """A string where an int or bool is promised is an error, not a conversion."""
    with pytest.raises(ShapeError) as info:
        structure({"default_asn": "13335"}, __import__("cni_async").Settings)
    assert info.value.problems == ["expected integer, got string @ $.default_asn"]
    slot = {"id": "s", "occupied": "false", "site": "SJC", "speed": "10G", "facility": FACILITY}
    with pytest.raises(ShapeError) as info:
        structure(slot, Slot)
    assert info.value.problems == ["expected boolean, got string @ $.occupied"]


def test_a_string_is_not_a_list():
    """A string where an array is promised is not split into characters."""
    with pytest.raises(ShapeError) as info:
        structure({**PHYSICAL, "facility": {"address": "1 Main St", "name": "f"}}, Interconnect)
    assert info.value.problems == ["expected array, got string @ $.facility.address"]


def test_every_problem_of_a_page_is_named_with_its_path():
    """A bad page names each failing item by index, and a missing key as missing."""
    page = {"items": [PHYSICAL, {"name": "x"}, {**GCP, "account": None}], "next": "2"}
    with pytest.raises(ShapeError) as info:
        structure(page, Page[Interconnect])
    assert info.value.problems == [
        (
            "neither a physical interconnect (slot_id, facility, site) nor a GCP one (region)"
            " @ $.items[1]"
        ),
        "expected string, got null @ $.items[2].account",
        "expected integer, got string @ $.next",
    ]
    with pytest.raises(ShapeError) as info:
        structure({"next": 1}, Page[Interconnect])
    assert info.value.problems == ["required field missing @ $.items"]


def test_a_page_with_absent_or_null_next():
    """`next` may be absent or null; both mean the last page."""
    assert structure({"items": [], "next": None}, Page[Slot]) == Page(items=(), next=None)
    assert structure({"items": []}, Page[Slot]) == Page(items=(), next=None)


@pytest.mark.parametrize("nxt", [2**31, -(2**31) - 1])
def test_a_page_next_outside_int32_names_next(nxt):
    """`next` is an int32 in the spec: one outside it is a wrong shape at $.next."""
    with pytest.raises(ShapeError) as info:
        structure({"items": [], "next": nxt}, Page[Slot])
    assert info.value.problems == [
        "expected an int32 cursor, from -2147483648 to 2147483647 @ $.next"
    ]
    for edge in (2**31 - 1, -(2**31)):
        assert structure({"items": [], "next": edge}, Page[Slot]).next == edge


def test_create_bodies_are_what_the_api_wants():
    """Create bodies carry `type` and leave out unset optional fields."""
    slot = "3fa85f64-5717-4562-b3fc-2c963f66afa6"
    assert unstructure(PhysicalInterconnectCreate(account="a", slot_id=slot)) == {
        "account": "a",
        "slot_id": slot,
        "type": "direct",
    }
    assert unstructure(
        GcpPartnerInterconnectCreate(account="a", bandwidth="1G", pairing_key="k")
    ) == {
        "account": "a",
        "bandwidth": "1G",
        "pairing_key": "k",
        "type": "gcp_partner",
    }
    magic = MagicSettings(conduit_name="c", description="d", mtu=1500)
    assert unstructure(CniCreate(account="a", interconnect="i", magic=magic)) == {
        "account": "a",
        "interconnect": "i",
        "magic": {"conduit_name": "c", "description": "d", "mtu": 1500},
    }


def test_a_cni_round_trips():
    """A Cni read from JSON unstructures to the same JSON (the update body)."""
    data = {
        "id": "3fa85f64-5717-4562-b3fc-2c963f66afa6",
        "account": "a",
        "interconnect": "i",
        "p2p_ip": "100.64.0.0/31",
        "cust_ip": "100.64.0.1/31",
        "magic": {"conduit_name": "c", "description": "", "mtu": 1476},
        "bgp": {"customer_asn": 65000, "extra_prefixes": ["10.0.0.0/24"], "md5_key": "k"},
        "bgp_mode": "advertise_only",
    }
    cni = structure(data, Cni)
    assert isinstance(cni.bgp, BgpControl)
    assert unstructure(cni) == data


def test_md5_key_never_shows_in_repr():
    """The BGP MD5 key is redacted in a model's repr."""
    bgp = BgpControl(customer_asn=1, extra_prefixes=[], md5_key="hunter2")
    assert "hunter2" not in repr(bgp)
    assert "md5_key='***'" in repr(bgp)


def test_deep_nesting_anywhere_is_a_shape_error_not_a_recursion():
    """100,000 levels where a model expects a value: the converter never descends past the shape."""
    deep_list: list = []
    deep_object: dict = {}
    for _ in range(100_000):  # built in a loop: no parser involved, any depth
        deep_list, deep_object = [deep_list], {"a": deep_object}
    with pytest.raises(ShapeError) as info:
        structure({"items": [deep_list], "next": deep_object}, Page[Slot])
    assert info.value.problems == [
        "expected object, got array @ $.items[0]",
        "expected integer, got object @ $.next",
    ]
    with pytest.raises(ShapeError) as info:
        structure({**PHYSICAL, "facility": {"address": deep_list, "name": "f"}}, Interconnect)
    assert info.value.problems == ["expected string, got array @ $.facility.address[0]"]
    assert structure({"default_asn": 1, "unknown": deep_object}, Settings) == Settings(1)


@attrs.frozen(kw_only=True)
class _KeywordOnly:
    name: str
    tags: tuple[str, ...] = ()


@attrs.frozen
class _Derived:
    name: str
    made: list[str] = attrs.Factory(list)
    shown: str = attrs.field(init=False, default="x")


@pytest.mark.parametrize("cls", [_KeywordOnly, _Derived])
def test_classes_the_generated_code_skips_fall_back_to_cattrs_with_the_same_rules(cls):
    """kw_only, Factory and init=False fields go through cattrs' hooks, as strictly."""
    assert structure({"name": "n"}, cls).name == "n"
    with pytest.raises(ShapeError) as info:
        structure({"name": 5}, cls)
    assert info.value.problems == ["expected string, got number @ $.name"]


def test_a_keyword_only_body_round_trips():
    """The keyword-only create bodies structure from their own JSON (the fallback path)."""
    body = cni_async.CniCreate(
        interconnect="sjc-1", magic=cni_async.MagicSettings(conduit_name="c", description="", mtu=1)
    )
    assert structure(unstructure(body), cni_async.CniCreate) == body


def test_every_model_is_hashable_and_its_arrays_are_tuples():
    """Array fields are tuples (a list given is stored as one), so models hash and never change."""
    bgp = cni_async.BgpControl(customer_asn=1, extra_prefixes=["10.0.0.0/8"])
    assert bgp.extra_prefixes == ("10.0.0.0/8",)
    assert {bgp, bgp} == {bgp}
    slot = structure(SLOT, cni_async.Slot)
    assert isinstance(slot.facility.address, tuple)
    assert hash(slot) == hash(structure(SLOT, cni_async.Slot))
    with pytest.raises(AttributeError):
        slot.facility.address.append("x")  # type: ignore[attr-defined]
