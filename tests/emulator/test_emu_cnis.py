"""CNI operations of the emulator, over real HTTP."""

from __future__ import annotations

import copy
import uuid

import pytest

ACCOUNT = "acc-1"
BGP = {"customer_asn": 64512, "extra_prefixes": ["192.168.3.0/24"], "md5_key": "s3cret!#"}


async def test_create_assigns_id_and_consecutive_31s(api):
    """Creating CNIs assigns UUID ids and consecutive /31 pairs of 100.64.0.0/10."""
    icon = await api.physical()
    first = await api.cni(icon["name"], "tunnel-a", bgp=BGP)
    second = await api.cni(icon["name"], "tunnel-b")
    assert uuid.UUID(first["id"]).version == 4
    assert first["id"] != second["id"]
    assert (first["p2p_ip"], first["cust_ip"]) == ("100.64.0.0/31", "100.64.0.1/31")
    assert (second["p2p_ip"], second["cust_ip"]) == ("100.64.0.2/31", "100.64.0.3/31")
    assert first["bgp"] == BGP
    assert "bgp" not in second
    assert first["magic"] == {
        "conduit_name": "tunnel-a",
        "description": "tunnel-a link",
        "mtu": 1500,
    }
    assert (first["account"], first["interconnect"]) == (ACCOUNT, icon["name"])


async def test_create_name_conflict(api):
    """A second CNI with the same conduit_name is 409 "Name Conflict"."""
    icon = await api.physical()
    await api.cni(icon["name"], "dup")
    body = {
        "account": ACCOUNT,
        "interconnect": icon["name"],
        "magic": {"conduit_name": "dup", "description": "", "mtu": 9000},
    }
    assert await api.error(409, "POST", "cnis", json=body) == "Name Conflict"
    assert len(api.emu.account(ACCOUNT).cnis) == 1


def _mutate(path: str, value: object) -> dict:
    body = {
        "account": ACCOUNT,
        "interconnect": "ICON",
        "magic": {"conduit_name": "t", "description": "d", "mtu": 1500},
        "bgp": copy.deepcopy(BGP),
    }
    *parents, leaf = path.split(".")
    target = body
    for key in parents:
        target = target[key]
    if value is KeyError:
        del target[leaf]
    else:
        target[leaf] = value
    return body


@pytest.mark.parametrize(
    ("path", "value", "needle"),
    [
        ("account", "someone-else", "account"),
        ("account", KeyError, "account"),
        ("interconnect", "ghost", "Interconnect not found"),
        ("interconnect", 5, "interconnect"),
        ("magic", KeyError, "magic"),
        ("magic", "x", "magic"),
        ("magic.mtu", -1, "magic.mtu"),
        ("magic.mtu", 2**31, "magic.mtu"),
        ("magic.mtu", True, "magic.mtu"),
        ("magic.mtu", "1500", "magic.mtu"),
        ("magic.mtu", 1500.0, "magic.mtu"),
        ("magic.conduit_name", None, "magic.conduit_name"),
        ("magic.description", KeyError, "magic.description"),
        ("bgp", [], "bgp"),
        ("bgp.customer_asn", -5, "bgp.customer_asn"),
        ("bgp.customer_asn", KeyError, "bgp.customer_asn"),
        ("bgp.extra_prefixes", "10.0.0.0/8", "bgp.extra_prefixes"),
        ("bgp.extra_prefixes", ["10.0.0.1"], "bgp.extra_prefixes[0]"),
        ("bgp.extra_prefixes", ["10.0.0.0/8", "10.0.0.300/31"], "bgp.extra_prefixes[1]"),
        ("bgp.extra_prefixes", ["10.0.0.0/33"], "bgp.extra_prefixes[0]"),
        ("bgp.extra_prefixes", ["fd00::/64"], "bgp.extra_prefixes[0]"),
        ("bgp.md5_key", "", "bgp.md5_key"),
        ("bgp.md5_key", "why?", "bgp.md5_key"),
        ("bgp.md5_key", 'say "hi"', "bgp.md5_key"),
        ("bgp.md5_key", "tab\there", "bgp.md5_key"),
        ("bgp.md5_key", "line\nbreak", "bgp.md5_key"),
        ("bgp.md5_key", "vt\x0b", "bgp.md5_key"),
        ("bgp.md5_key", "ünï", "bgp.md5_key"),
        ("bgp.md5_key", 7, "bgp.md5_key"),
    ],
)
async def test_create_rejects_bad_bodies(api, path, value, needle):
    """Each invalid field of a CNI create body is a 400 naming that field."""
    icon = await api.physical()
    body = _mutate(path, value)
    if body.get("interconnect") == "ICON":
        body["interconnect"] = icon["name"]
    assert needle in await api.error(400, "POST", "cnis", json=body)
    assert api.emu.account(ACCOUNT).cnis == {}


async def test_optional_bgp_fields(api):
    """`bgp: null` means no BGP, and a BGP block without `md5_key` is accepted."""
    icon = await api.physical()
    without = await api.cni(icon["name"], "a", bgp=None)
    assert "bgp" not in without
    bgp = {"customer_asn": 0, "extra_prefixes": [], "md5_key": None}
    cni = await api.cni(icon["name"], "b", bgp=bgp)
    assert cni["bgp"] == {"customer_asn": 0, "extra_prefixes": []}


async def test_get_update_delete(api):
    """A CNI can be read, fully replaced with PUT, and deleted (then 404)."""
    icon = await api.physical()
    other = await api.gcp()
    cni = await api.cni(icon["name"], "t1", bgp=BGP)
    assert await api.ok("GET", "cnis", cni["id"]) == cni
    changed = {
        **cni,
        "interconnect": other["name"],
        "magic": {**cni["magic"], "description": "moved", "mtu": 1400},
        "p2p_ip": "10.0.0.4/31",
        "cust_ip": "10.0.0.5/31",
        "bgp_mode": "advertise_only",
        "ignored": True,
    }
    changed.pop("bgp")
    updated = await api.ok("PUT", "cnis", cni["id"], json=changed)
    assert updated["magic"]["description"] == "moved"
    assert updated["interconnect"] == other["name"]
    assert (updated["p2p_ip"], updated["cust_ip"]) == ("10.0.0.4/31", "10.0.0.5/31")
    assert updated["bgp_mode"] == "advertise_only"
    assert "bgp" not in updated
    assert "ignored" not in updated
    assert await api.ok("GET", "cnis", cni["id"]) == updated
    result = await api.call("DELETE", "cnis", cni["id"])
    assert (result.status, result.raw) == (200, b"")
    assert await api.error(404, "GET", "cnis", cni["id"]) == "CNI not found"
    assert await api.error(404, "DELETE", "cnis", cni["id"]) == "CNI not found"


@pytest.mark.parametrize(
    ("change", "status", "needle"),
    [
        ({"id": str(uuid.uuid4())}, 400, "id"),
        ({"id": 3}, 400, "id"),
        ({"p2p_ip": "100.64.0.0"}, 400, "p2p_ip"),
        ({"cust_ip": None}, 400, "cust_ip"),
        ({"cust_ip": "100.64.9.9/31"}, 400, "same prefix"),
        ({"bgp_mode": "sometimes"}, 400, "bgp_mode"),
        ({"magic": {"conduit_name": "taken", "description": "", "mtu": 1}}, 409, "Name Conflict"),
        ({"interconnect": "ghost"}, 400, "Interconnect not found"),
    ],
)
async def test_update_rejects(api, change, status, needle):
    """PUT validates like create, and more: id must match, IPs must be CIDRs of one prefix."""
    icon = await api.physical()
    await api.cni(icon["name"], "taken")
    cni = await api.cni(icon["name"], "mine")
    assert needle in await api.error(status, "PUT", "cnis", cni["id"], json={**cni, **change})
    assert await api.ok("GET", "cnis", cni["id"]) == cni


async def test_update_keeps_own_name_and_accepts_uppercase_id(api):
    """PUT may keep its own conduit_name, and the body id may be an upper-case UUID."""
    icon = await api.physical()
    cni = await api.cni(icon["name"], "same")
    updated = await api.ok("PUT", "cnis", cni["id"], json={**cni, "id": cni["id"].upper()})
    assert updated == cni


async def test_cni_path_ids_are_uuids(api):
    """A CNI path id that is not a UUID is 400; an unknown UUID is 404."""
    for method in ("GET", "PUT", "DELETE"):
        assert "UUID" in await api.error(400, method, "cnis", "not-a-uuid", json={})
        assert await api.error(404, method, "cnis", str(uuid.uuid4()), json={}) == "CNI not found"


async def test_list_filters_and_pages(api):
    """`slot` keeps CNIs on that slot's interconnect, `tunnel_id` matches the conduit name."""
    first = await api.physical()
    second = await api.physical()
    on_first = [(await api.cni(first["name"], f"f{i}"))["id"] for i in range(5)]
    on_second = [(await api.cni(second["name"], f"s{i}"))["id"] for i in range(2)]
    items, pages = await api.walk("cnis", limit="2")
    assert [item["id"] for item in items] == on_first + on_second
    assert pages == 4
    items, pages = await api.walk("cnis", slot=first["slot_id"], limit="2")
    assert [item["id"] for item in items] == on_first
    assert pages == 3
    page = await api.ok("GET", "cnis", params={"slot": second["slot_id"].upper()})
    assert [item["id"] for item in page["items"]] == on_second
    page = await api.ok("GET", "cnis", params={"slot": "not-a-slot"})
    assert page == {"items": []}
    page = await api.ok("GET", "cnis", params={"tunnel_id": "s1"})
    assert [item["id"] for item in page["items"]] == on_second[1:]
    assert "cursor" in await api.error(400, "GET", "cnis", params={"cursor": "x"})
