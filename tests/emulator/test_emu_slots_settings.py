"""Slots and settings of the emulator, and the seeded per-account state."""

from __future__ import annotations

import uuid

import pytest

from cni_async.testing import Emulator

ACCOUNT = "acc-1"


async def test_seeded_slots(api):
    """A fresh account has 12+ free slots on 3 sites, 2 facilities each, at 10G and 100G."""
    slots, _ = await api.walk("slots", limit="1000")
    assert len(slots) >= 12
    assert all(slot["occupied"] is False and "account" not in slot for slot in slots)
    sites = {slot["site"] for slot in slots}
    assert len(sites) == 3
    for site in sites:
        facilities = {slot["facility"]["name"] for slot in slots if slot["site"] == site}
        assert len(facilities) == 2
    assert {slot["speed"] for slot in slots} == {"10G", "100G"}
    for slot in slots:
        uuid.UUID(slot["id"])
        assert slot["facility"]["address"]


def test_seed_decides_the_ids():
    """The same seed gives the same slot ids; another seed or account gives others."""
    one = list(Emulator(seed=1).account("a").slots)
    assert one == list(Emulator(seed=1).account("a").slots)
    assert set(one).isdisjoint(Emulator(seed=2).account("a").slots)
    assert set(one).isdisjoint(Emulator(seed=1).account("b").slots)


async def test_slot_filters(api):
    """`site`, `speed`, `occupied` and case-insensitive `address_contains` filter slots."""
    taken = await api.physical(site="AMS", speed="10G")
    ams = (await api.ok("GET", "slots", params={"site": "AMS", "limit": "100"}))["items"]
    assert ams
    assert {slot["site"] for slot in ams} == {"AMS"}
    fast = (await api.ok("GET", "slots", params={"speed": "100G", "limit": "100"}))["items"]
    assert {slot["speed"] for slot in fast} == {"100G"}
    occupied = (await api.ok("GET", "slots", params={"occupied": "true"}))["items"]
    assert [slot["id"] for slot in occupied] == [taken["slot_id"]]
    free = (await api.ok("GET", "slots", params={"occupied": "false", "limit": "100"}))["items"]
    assert taken["slot_id"] not in {slot["id"] for slot in free}
    found = (await api.ok("GET", "slots", params={"address_contains": "amsterDAM"}))["items"]
    assert found
    assert all(any("Amsterdam" in line for line in s["facility"]["address"]) for s in found)
    nothing = await api.ok("GET", "slots", params={"address_contains": "Atlantis"})
    assert nothing == {"items": []}


@pytest.mark.parametrize("value", ["yes", "True", "1", ""])
async def test_occupied_must_be_true_or_false(api, value):
    """`occupied` other than `true`/`false` is a 400."""
    assert "occupied" in await api.error(400, "GET", "slots", params={"occupied": value})


async def test_get_slot(api):
    """A slot is found by id (any case); a non-UUID is 400 and an unknown UUID 404."""
    slot = await api.free_slot()
    assert await api.ok("GET", "slots", slot["id"].upper()) == slot
    assert "UUID" in await api.error(400, "GET", "slots", "slot-1")
    assert await api.error(404, "GET", "slots", str(uuid.uuid4())) == "Slot not found"


async def test_settings_round_trip(api):
    """Settings start at ASN 13335; PUT changes it, and `{}` or null leaves it unchanged."""
    assert await api.ok("GET", "settings") == {"default_asn": 13335}
    assert await api.ok("PUT", "settings", json={"default_asn": 64512}) == {"default_asn": 64512}
    assert await api.ok("PUT", "settings", json={}) == {"default_asn": 64512}
    assert await api.ok("PUT", "settings", json={"default_asn": None}) == {"default_asn": 64512}
    assert await api.ok("GET", "settings") == {"default_asn": 64512}
    assert await api.ok("GET", "settings", account="acc-2") == {"default_asn": 13335}


@pytest.mark.parametrize(
    "body",
    [{"default_asn": -1}, {"default_asn": 2**31}, {"default_asn": "1"}, {"default_asn": True}, [1]],
)
async def test_settings_validation(api, body):
    """`default_asn` must be an int32 >= 0 (or null), in a JSON object."""
    await api.error(400, "PUT", "settings", json=body)
    assert await api.ok("GET", "settings") == {"default_asn": 13335}


async def test_settings_needs_a_body(api):
    """PUT settings without a body or with invalid JSON is a 400."""
    assert "required" in await api.error(400, "PUT", "settings")
    assert "JSON" in await api.error(400, "PUT", "settings", data=b"{")
