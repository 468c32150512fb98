"""`cni-async cnis ...` through `main()`, against the emulator."""

from __future__ import annotations

import pytest

from tests.cli.conftest import assert_one_error_line

_CREATE = ("cnis", "create", "--interconnect", "ams-2", "--description", "second", "--mtu", "1500")


async def _demo_cni(cli) -> dict:
    (cni,) = (await cli("cnis", "list")).lines()
    return cni


async def test_list_json_carries_the_md5_key_but_the_table_hides_it(cli):
    """JSON is the API's data (md5_key included); the table shows *** instead."""
    cni = await _demo_cni(cli)
    assert cni["bgp"]["md5_key"] == "demo-md5-key"
    table = await cli("cnis", "list", "--output", "table")
    header, row = table.out.splitlines()
    assert header.split()[-1] == "MD5_KEY"
    assert row.split()[-1] == "***"
    assert "demo-md5-key" not in table.out


async def test_list_filters_by_tunnel(cli):
    """--tunnel-id reaches the API (the emulator matches it to the conduit name)."""
    assert len((await cli("cnis", "list", "--tunnel-id", "demo-conduit")).lines()) == 1
    assert (await cli("cnis", "list", "--tunnel-id", "other")).out == ""


async def test_list_filters_by_slot(cli):
    """--slot reaches the API: the CNIs on the interconnect in that slot, and none elsewhere."""
    cni = await _demo_cni(cli)
    icon = (await cli("interconnects", "get", cni["interconnect"])).json()
    on_slot = (await cli("cnis", "list", "--slot", icon["slot_id"])).lines()
    assert [c["id"] for c in on_slot] == [cni["id"]]
    other = "3fa85f64-5717-4562-b3fc-2c963f66afa6"
    assert (await cli("cnis", "list", "--slot", other)).out == ""


async def test_get(cli):
    """get prints one CNI by id."""
    cni = await _demo_cni(cli)
    assert (await cli("cnis", "get", cni["id"])).json() == cni


async def test_create_with_and_without_bgp(cli):
    """create sends BGP only when --customer-asn is given."""
    plain = await cli(*_CREATE, "--conduit-name", "plain")
    assert "bgp" not in plain.json()
    with_bgp = await cli(
        *_CREATE,
        "--conduit-name",
        "bgp",
        "--customer-asn",
        "65001",
        "--extra-prefix",
        "198.51.100.0/24",
        "--extra-prefix",
        "192.0.2.0/24",
    )
    bgp = with_bgp.json()["bgp"]
    assert bgp == {"customer_asn": 65001, "extra_prefixes": ["198.51.100.0/24", "192.0.2.0/24"]}
    table = await cli("cnis", "get", with_bgp.json()["id"], "--output", "table")
    assert "198.51.100.0/24,192.0.2.0/24" in table.out.splitlines()[1]


async def test_create_bgp_options_need_an_asn(cli, emu):
    """--md5-key without --customer-asn is a usage error, and nothing is sent."""
    result = await cli(*_CREATE, "--conduit-name", "x", "--md5-key", "k")
    assert "--customer-asn" in assert_one_error_line(result, 2)
    assert emu.executed["create_cni"] == 1  # the seed's


async def test_create_conflict_exits_3(cli):
    """A conduit name already taken is the API's 409: exit 3."""
    result = await cli(*_CREATE, "--conduit-name", "demo-conduit")
    assert "409" in assert_one_error_line(result, 3)


async def test_update_changes_only_what_is_asked(cli):
    """update gets the CNI, changes the flags' fields and puts the whole object back."""
    cni = await _demo_cni(cli)
    result = await cli("cnis", "update", cni["id"], "--mtu", "1400", "--description", "new")
    updated = result.json()
    assert updated["magic"] == {**cni["magic"], "mtu": 1400, "description": "new"}
    assert updated["bgp"] == cni["bgp"]
    assert (await cli("cnis", "get", cni["id"])).json() == updated


async def test_update_bgp_options(cli):
    """--customer-asn and --no-md5-key edit BGP; --no-bgp removes it."""
    cni = await _demo_cni(cli)
    edited = await cli("cnis", "update", cni["id"], "--customer-asn", "65002", "--no-md5-key")
    assert edited.json()["bgp"] == {"customer_asn": 65002, "extra_prefixes": ["203.0.113.0/24"]}
    removed = await cli("cnis", "update", cni["id"], "--no-bgp")
    assert "bgp" not in removed.json()


async def test_update_without_changes_is_a_usage_error(cli, emu):
    """update with no option to change exits 2 without a request."""
    cni = await _demo_cni(cli)
    result = await cli("cnis", "update", cni["id"])
    assert "nothing to update" in assert_one_error_line(result, 2)
    assert emu.executed["get_cni"] == 0


async def test_delete(cli):
    """delete removes the CNI; a get of it then exits 3."""
    cni = await _demo_cni(cli)
    assert (await cli("cnis", "delete", cni["id"])).code == 0
    assert (await cli("cnis", "get", cni["id"])).code == 3


@pytest.mark.parametrize(
    ("flags", "complaint"),
    [
        (["--md5-key", "k", "--no-md5-key"], "contradict"),
        (["--no-bgp", "--customer-asn", "1"], "--no-bgp"),
    ],
)
async def test_update_contradictions_are_usage_errors(cli, emu, flags, complaint):
    """Flags that contradict each other exit 2, naming them, before any request."""
    cni = await _demo_cni(cli)
    result = await cli("cnis", "update", cni["id"], *flags)
    assert complaint in assert_one_error_line(result, 2)
    assert emu.executed["get_cni"] == 0


async def test_update_adds_bgp_only_with_an_asn(cli):
    """A CNI without BGP gets it from --customer-asn; other BGP flags alone exit 2."""
    plain = (await cli(*_CREATE, "--conduit-name", "plain")).json()
    refused = await cli("cnis", "update", plain["id"], "--extra-prefix", "192.0.2.0/24")
    assert "--customer-asn" in assert_one_error_line(refused, 2)
    added = await cli("cnis", "update", plain["id"], "--customer-asn", "65010", "--mtu", "9000")
    assert added.json()["bgp"] == {"customer_asn": 65010, "extra_prefixes": []}
    assert added.json()["magic"]["mtu"] == 9000


async def test_empty_table_says_so(cli):
    """A table of an empty list says there is nothing, rather than printing nothing."""
    result = await cli("cnis", "list", "--tunnel-id", "other", "--output", "table")
    assert result.out == "no CNIs\n"


async def test_update_of_a_cni_without_bgp_keeps_it_without(cli):
    """Changing the MTU of a CNI that has no BGP sends no BGP."""
    created = await cli(*_CREATE, "--conduit-name", "plain")
    assert created.json().get("bgp") is None
    updated = await cli("cnis", "update", created.json()["id"], "--mtu", "1400")
    assert updated.json()["magic"]["mtu"] == 1400
    assert updated.json().get("bgp") is None
