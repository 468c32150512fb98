"""Interconnect operations of the emulator, over real HTTP."""

from __future__ import annotations

import asyncio
import uuid

import pytest

from cni_async.testing import Emulator

ACCOUNT = "acc-1"


async def test_create_physical_takes_the_slot(api):
    """A direct interconnect copies site, facility and speed from its slot and occupies it."""
    slot = await api.free_slot(site="AMS", speed="100G")
    body = {"account": ACCOUNT, "type": "direct", "slot_id": slot["id"]}
    icon = await api.ok("POST", "interconnects", json=body)
    assert icon["type"] == "direct"
    assert icon["name"].startswith("ams-")
    assert icon["account"] == ACCOUNT
    assert (icon["site"], icon["speed"], icon["slot_id"]) == ("AMS", "100G", slot["id"])
    assert icon["facility"] == slot["facility"]
    uuid.UUID(icon["virtual_port_reservation_id"])
    assert icon["ccr_device_name"] == slot["ccr_device_name"]
    taken = await api.ok("GET", "slots", slot["id"])
    assert taken["occupied"] is True
    assert taken["account"] == ACCOUNT
    again = await api.error(400, "POST", "interconnects", json=body)
    assert "occupied" in again


async def test_create_physical_speed_from_body(api):
    """A `speed` in the create body overrides the slot's speed."""
    slot = await api.free_slot()
    body = {"account": ACCOUNT, "type": "direct", "slot_id": slot["id"], "speed": "1G"}
    icon = await api.ok("POST", "interconnects", json=body)
    assert icon["speed"] == "1G"


async def test_create_gcp_partner(api):
    """A GCP interconnect gets its region from the pairing key and `speed` from `bandwidth`."""
    icon = await api.gcp(key="7e51371e-72a3-40b5-b844-2e3efefaee59/europe-west3/2", bandwidth="50M")
    assert icon["type"] == "gcp_partner"
    assert icon["region"] == "europe-west3"
    assert icon["speed"] == "50M"
    assert "slot_id" not in icon
    assert "facility" not in icon
    other = await api.gcp(key="opaque-key")
    assert other["region"]
    assert other["name"] != icon["name"]


@pytest.mark.parametrize(
    ("body", "needle"),
    [
        (b"{not json", "not valid JSON"),
        (b"", "required"),
        (b"[1, 2]", "JSON object"),
        (b'{"account": "acc-1", "type": "direct", "slot_id": NaN}', "not valid JSON"),
        (b"[" * 100_000, "not valid JSON"),  # nested past json's recursion: was a 500
        (b'{"account": ' * 50_000, "not valid JSON"),
        ({"type": "direct", "slot_id": str(uuid.uuid4())}, "account"),
        ({"account": "other", "type": "direct", "slot_id": str(uuid.uuid4())}, "account"),
        ({"account": ACCOUNT, "slot_id": str(uuid.uuid4())}, "type"),
        ({"account": ACCOUNT, "type": 7, "slot_id": str(uuid.uuid4())}, "type"),
        ({"account": ACCOUNT, "type": "direct"}, "no interconnect shape"),
        (
            {
                "account": ACCOUNT,
                "type": "direct",
                "slot_id": str(uuid.uuid4()),
                "bandwidth": "1G",
                "pairing_key": "k",
            },
            "both",
        ),
        ({"account": ACCOUNT, "type": "gcp_partner", "slot_id": str(uuid.uuid4())}, "type"),
        ({"account": ACCOUNT, "type": "direct", "slot_id": "slot-1"}, "UUID"),
        ({"account": ACCOUNT, "type": "direct", "slot_id": 12}, "slot_id"),
        ({"account": ACCOUNT, "type": "direct", "slot_id": str(uuid.uuid4())}, "Slot not found"),
        (
            {"account": ACCOUNT, "type": "gcp_partner", "bandwidth": "3G", "pairing_key": "k"},
            "bandwidth",
        ),
        (
            {"account": ACCOUNT, "type": "gcp_partner", "bandwidth": "1G", "pairing_key": ""},
            "pairing_key",
        ),
        ({"account": ACCOUNT, "type": "gcp_partner", "bandwidth": "1G"}, "pairing_key"),
        ({"account": ACCOUNT, "type": "gcp_partner", "pairing_key": "k"}, "bandwidth"),
    ],
)
async def test_create_rejects_bad_bodies(api, body, needle):
    """A body that is not exactly one valid interconnect shape is a 400 naming the problem."""
    kwargs = {"data": body} if isinstance(body, bytes) else {"json": body}
    message = await api.error(400, "POST", "interconnects", **kwargs)
    assert needle in message
    assert api.emu.account(ACCOUNT).interconnects == {}


async def test_create_physical_speed_must_be_a_string(api):
    """A non-string physical `speed` is a 400."""
    slot = await api.free_slot()
    body = {"account": ACCOUNT, "type": "direct", "slot_id": slot["id"], "speed": 10}
    assert "speed" in await api.error(400, "POST", "interconnects", json=body)


async def test_get_and_unknown(api):
    """GET returns the stored interconnect; an unknown name is 404 "Interconnect not found"."""
    icon = await api.physical()
    assert await api.ok("GET", "interconnects", icon["name"]) == icon
    assert await api.error(404, "GET", "interconnects", "nope") == "Interconnect not found"


async def test_delete_frees_the_slot(api):
    """DELETE answers 200 with an empty body, frees the slot and forgets the interconnect."""
    icon = await api.physical()
    result = await api.call("DELETE", "interconnects", icon["name"])
    assert (result.status, result.raw) == (200, b"")
    slot = await api.ok("GET", "slots", icon["slot_id"])
    assert slot["occupied"] is False
    assert "account" not in slot
    assert await api.error(404, "GET", "interconnects", icon["name"]) == "Interconnect not found"
    assert await api.error(404, "GET", "interconnects", icon["name"], "status")
    assert await api.error(404, "DELETE", "interconnects", icon["name"])


async def test_delete_refused_while_cnis_remain(api):
    """An interconnect still hosting CNIs cannot be deleted (400); it can once they are gone."""
    icon = await api.physical()
    cni = await api.cni(icon["name"], "tunnel-a")
    message = await api.error(400, "DELETE", "interconnects", icon["name"])
    assert cni["id"] in message
    await api.ok("DELETE", "cnis", cni["id"])
    await api.ok("DELETE", "interconnects", icon["name"])


async def test_list_walks_many_pages_in_creation_order(api):
    """Following `next` visits every interconnect once, in order; the last page has no `next`."""
    names = api.emu.add_interconnects(ACCOUNT, 95)
    items, pages = await api.walk("interconnects", limit="10")
    assert [item["name"] for item in items] == names
    assert pages == 10
    first = await api.ok("GET", "interconnects")
    assert len(first["items"]) == 20
    assert first["next"] == 20
    zero = await api.ok("GET", "interconnects", params={"limit": "0"})
    assert len(zero["items"]) == 20
    last = await api.ok("GET", "interconnects", params={"cursor": "90", "limit": "10"})
    assert len(last["items"]) == 5
    assert "next" not in last
    beyond = await api.ok("GET", "interconnects", params={"cursor": "500"})
    assert beyond == {"items": []}


async def test_list_limit_is_capped_at_1000(api):
    """A `limit` above 1000 returns 1000 items and a `next` cursor."""
    api.emu.add_interconnects(ACCOUNT, 1001)
    page = await api.ok("GET", "interconnects", params={"limit": "5000"})
    assert len(page["items"]) == 1000
    assert page["next"] == 1000


@pytest.mark.parametrize(
    "limit", ["2147483648", "136083061302679", "9" * 5000, "0" * 5000 + "2000"]
)
async def test_a_limit_beyond_int32_is_capped_not_refused(api, limit):
    """`limit` is an integer >= 0 with no documented maximum: any size is a capped page (schemathesis)."""
    api.emu.add_interconnects(ACCOUNT, 3)
    for resource in ("interconnects", "cnis", "slots"):
        page = await api.ok("GET", resource, params={"limit": limit})
        assert "next" not in page
    assert len((await api.ok("GET", "interconnects", params={"limit": limit}))["items"]) == 3


async def test_list_filters_by_site_and_type(api):
    """`site` and `type` filter the list, and pagination applies to the filtered items."""
    sjc = [(await api.physical(site="SJC"))["name"] for _ in range(3)]
    await api.physical(site="NRT")
    gcp = api.emu.add_interconnects(ACCOUNT, 7, prefix="g")
    items, pages = await api.walk("interconnects", site="SJC", limit="2")
    assert [item["name"] for item in items] == sjc
    assert pages == 2
    items, pages = await api.walk("interconnects", type="gcp_partner", limit="3")
    assert [item["name"] for item in items] == gcp
    assert pages == 3
    direct = await api.ok("GET", "interconnects", params={"type": "direct", "site": "NRT"})
    assert [item["site"] for item in direct["items"]] == ["NRT"]


@pytest.mark.parametrize(
    "params",
    [
        {"cursor": "abc"},
        {"cursor": "-2147483649"},
        {"cursor": "2147483648"},
        {"cursor": "1.5"},
        {"cursor": "9" * 5000},  # past Python's int() digit limit: was a 500
        {"cursor": "-" + "9" * 5000},
        {"limit": "-1"},
        {"limit": "true"},
        {"limit": "-" + "9" * 5000},
        {"limit": ""},
    ],
)
async def test_list_rejects_bad_cursor_and_limit(api, params):
    """A `cursor` that is not an int32, or a `limit` that is not a non-negative integer, is a 400
    naming the parameter."""
    message = await api.error(400, "GET", "interconnects", params=params)
    assert next(iter(params)) in message


@pytest.mark.parametrize("cursor", ["-1", "-2147483648", "1000000", "-" + "0" * 5000 + "7"])
async def test_a_cursor_the_list_never_issued_is_an_empty_last_page(api, cursor):
    """Any int32 cursor is accepted (the API's type); one never issued ends the list."""
    await api.physical()
    page = await api.ok("GET", "interconnects", params={"cursor": cursor})
    assert page == {"items": []}


async def test_status_turns_healthy_after_polls(api):
    """A new interconnect reports Pending for `status_polls` requests, then Healthy."""
    icon = await api.physical()
    states = [
        (await api.ok("GET", "interconnects", icon["name"], "status"))["state"] for _ in range(4)
    ]
    assert states == ["Pending", "Pending", "Healthy", "Healthy"]


async def test_status_by_time(api_for):
    """With `status_seconds`, an interconnect is Pending until that time has passed."""
    async with Emulator(status_seconds=0.2) as emu:
        api = api_for(emu)
        icon = await api.gcp()
        for _ in range(3):
            assert (await api.ok("GET", "interconnects", icon["name"], "status")) == {
                "state": "Pending"
            }
        await asyncio.sleep(0.25)
        assert (await api.ok("GET", "interconnects", icon["name"], "status")) == {
            "state": "Healthy"
        }


async def test_set_status_overrides(api):
    """`set_status` forces a state and reason; unknown names raise KeyError."""
    icon = await api.physical()
    api.emu.set_status(ACCOUNT, icon["name"], "Down", "light level low")
    status = await api.ok("GET", "interconnects", icon["name"], "status")
    assert status == {"state": "Down", "reason": "light level low"}
    api.emu.set_status(ACCOUNT, icon["name"], "Unhealthy")
    assert await api.ok("GET", "interconnects", icon["name"], "status") == {"state": "Unhealthy"}
    with pytest.raises(KeyError):
        api.emu.set_status(ACCOUNT, "missing", "Down")


async def test_bulk_interconnects_are_healthy_and_unique(api):
    """`add_interconnects` makes Healthy GCP interconnects and refuses to reuse a name."""
    names = api.emu.add_interconnects(ACCOUNT, 3, prefix="x")
    assert names == ["x-000000", "x-000001", "x-000002"]
    assert await api.ok("GET", "interconnects", "x-000001", "status") == {"state": "Healthy"}
    with pytest.raises(ValueError, match="x-000000"):
        api.emu.add_interconnects(ACCOUNT, 1, prefix="x")


@pytest.mark.parametrize(
    "prefix", ["with/slash", "with space", "ünïcødé-東京", "50%25 off?#", ".."]
)
async def test_names_are_single_encoded_segments(api, prefix):
    """An interconnect name holding `/`, spaces, unicode or URL syntax is one encoded segment."""
    [name] = api.emu.add_interconnects(ACCOUNT, 1, prefix=prefix)
    assert (await api.ok("GET", "interconnects", name))["name"] == name
    assert await api.ok("GET", "interconnects", name, "status") == {"state": "Healthy"}
    pdf = await api.call("GET", "interconnects", name, "loa")
    assert pdf.status == 200
    await api.ok("DELETE", "interconnects", name)
    assert api.emu.account(ACCOUNT).interconnects == {}


async def test_unencoded_slash_is_a_different_path(api):
    """A raw `/` splits the path, so `a/b` sent unencoded does not reach interconnect `a/b`."""
    api.emu.add_interconnects(ACCOUNT, 1, prefix="a/b")
    url = f"{api.emu.base_url}/accounts/{ACCOUNT}/cni/interconnects/a/b-000000"
    async with api.session.get(url) as response:
        assert response.status == 404
        assert (await response.json())["errors"][0]["code"] == 7003
