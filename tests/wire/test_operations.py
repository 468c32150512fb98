"""Every SDK operation against the emulator, over real sockets, with real state."""

from __future__ import annotations

import attrs
import pytest

import cni_async
from cni_async import (
    BgpControl,
    CniCreate,
    GcpPartnerInterconnect,
    GcpPartnerInterconnectCreate,
    MagicSettings,
    PhysicalInterconnect,
    PhysicalInterconnectCreate,
)
from tests.conftest import ACCOUNT


async def free_slot(cf: cni_async.Client) -> cni_async.Slot:
    async for slot in cf.slots.list(occupied=False):
        return slot
    raise AssertionError("the emulator has no free slot")


async def test_physical_interconnect_lifecycle(cf, emu):
    """create -> get -> list -> status -> loa -> delete, the slot taken then freed."""
    slot = await free_slot(cf)
    icon = await cf.interconnects.create(
        PhysicalInterconnectCreate(account=ACCOUNT, slot_id=slot.id, speed="10G")
    )
    assert isinstance(icon, PhysicalInterconnect)
    assert (icon.slot_id, icon.site, icon.account) == (slot.id, slot.site, ACCOUNT)
    assert await cf.interconnects.get(icon.name) == icon
    assert icon in [i async for i in cf.interconnects.list()]
    assert (await cf.slots.get(slot.id)).occupied is True

    status = await cf.interconnects.status(icon.name)
    assert status == cni_async.InterconnectStatus(state="Pending")

    pdf = await cf.interconnects.loa(icon.name, name="ACME Networks")
    assert pdf.startswith(b"%PDF-")
    assert b"ACME Networks" in pdf
    assert pdf.rstrip().endswith(b"%%EOF")

    assert await cf.interconnects.delete(icon.name) is None
    with pytest.raises(cni_async.NotFoundError):
        await cf.interconnects.get(icon.name)
    assert (await cf.slots.get(slot.id)).occupied is False
    assert emu.executed["delete_interconnect"] == 1


async def test_gcp_partner_interconnect(cf):
    """A GCP partner create sends bandwidth and comes back as a GcpPartnerInterconnect."""
    icon = await cf.interconnects.create(
        GcpPartnerInterconnectCreate(account=ACCOUNT, bandwidth="1G", pairing_key="k/us-west1/1")
    )
    assert isinstance(icon, GcpPartnerInterconnect)
    assert icon.speed == "1G"
    assert [i.name async for i in cf.interconnects.list(type="gcp_partner")] == [icon.name]
    assert [i async for i in cf.interconnects.list(type="direct")] == []


async def test_list_filters_by_site(cf):
    """interconnects.list(site=...) returns only that site's interconnects."""
    slots = [s async for s in cf.slots.list(occupied=False)]
    sites = sorted({s.site for s in slots})
    made = {}
    for site in sites[:2]:
        slot = next(s for s in slots if s.site == site)
        made[site] = await cf.interconnects.create(
            PhysicalInterconnectCreate(account=ACCOUNT, slot_id=slot.id)
        )
    for site, icon in made.items():
        assert [i.name async for i in cf.interconnects.list(site=site)] == [icon.name]


async def test_cni_lifecycle(cf, emu):
    """create -> get -> list -> update (get, evolve, update) -> delete."""
    icon = await cf.interconnects.create(
        PhysicalInterconnectCreate(account=ACCOUNT, slot_id=(await free_slot(cf)).id)
    )
    created = await cf.cnis.create(
        CniCreate(
            account=ACCOUNT,
            interconnect=icon.name,
            magic=MagicSettings(conduit_name="tunnel-1", description="to SJC", mtu=1476),
            bgp=BgpControl(customer_asn=65000, extra_prefixes=["10.1.0.0/24"], md5_key="k3y"),
        )
    )
    assert created.p2p_ip.endswith("/31")
    assert created.cust_ip.endswith("/31")
    assert await cf.cnis.get(created.id) == created
    assert [c.id async for c in cf.cnis.list()] == [created.id]
    assert [c.id async for c in cf.cnis.list(slot=icon.slot_id)] == [created.id]

    edited = attrs.evolve(created, magic=attrs.evolve(created.magic, mtu=1400), bgp=None)
    updated = await cf.cnis.update(edited)
    assert updated.magic.mtu == 1400
    assert (await cf.cnis.get(created.id)).magic.mtu == 1400

    await cf.cnis.delete(created.id)
    with pytest.raises(cni_async.NotFoundError):
        await cf.cnis.get(created.id)
    assert emu.executed["update_cni"] == 1


async def test_cni_name_conflict(cf):
    """A second CNI with the same conduit name is a ConflictError, sent once."""
    icon = await cf.interconnects.create(
        GcpPartnerInterconnectCreate(account=ACCOUNT, bandwidth="2G", pairing_key="pk")
    )
    body = CniCreate(
        account=ACCOUNT,
        interconnect=icon.name,
        magic=MagicSettings(conduit_name="dup", description="", mtu=1500),
    )
    await cf.cnis.create(body)
    with pytest.raises(cni_async.ConflictError) as info:
        await cf.cnis.create(body)
    assert info.value.status_code == 409
    assert info.value.errors


async def test_slots_filters(cf):
    """slots.list filters by site, speed, occupancy and address text."""
    slots = [s async for s in cf.slots.list()]
    assert len(slots) >= 12
    site = slots[0].site
    assert {s.site async for s in cf.slots.list(site=site)} == {site}
    speed = slots[0].speed
    assert all(s.speed == speed for s in [s async for s in cf.slots.list(speed=speed)])
    word = slots[0].facility.address[0].split()[-1]
    found = [s async for s in cf.slots.list(address_contains=word)]
    assert slots[0] in found
    assert await cf.slots.get(slots[0].id) == slots[0]
    await cf.interconnects.create(PhysicalInterconnectCreate(account=ACCOUNT, slot_id=slots[0].id))
    occupied = [s.id async for s in cf.slots.list(occupied=True)]
    assert occupied == [slots[0].id]
    assert slots[0].id not in [s.id async for s in cf.slots.list(occupied=False)]


async def test_settings_persist(cf):
    """settings.update persists what settings.get returns."""
    before = await cf.settings.get()
    after = await cf.settings.update(default_asn=before.default_asn + 1)
    assert after.default_asn == before.default_asn + 1
    assert await cf.settings.get() == after


async def test_per_call_account_wins(cf, emu):
    """account_id= on a call goes to that account, whose state is separate."""
    await cf.settings.update(default_asn=64512, account_id="other")
    assert (await cf.settings.get(account_id="other")).default_asn == 64512
    assert (await cf.settings.get()).default_asn != 64512


async def test_no_account_anywhere_fails_before_sending(emu):
    """Without any account id a call fails with ConfigurationError and sends nothing."""
    async with cni_async.Client(api_token="t", base_url=emu.base_url) as cf:
        with pytest.raises(cni_async.ConfigurationError, match="no account id"):
            await cf.settings.get()
        with pytest.raises(cni_async.ConfigurationError, match="no account id"):
            cf.interconnects.list()
    assert emu.requests == 0


async def test_body_account_must_match(cf, emu):
    """A create body whose account differs from the call's account is refused locally."""
    with pytest.raises(cni_async.RequestValidationError, match="account"):
        await cf.interconnects.create(
            GcpPartnerInterconnectCreate(account="someone-else", bandwidth="1G", pairing_key="k")
        )
    assert emu.requests == 0


@pytest.mark.parametrize("base", ["{}", "{}/"])
async def test_base_url_with_or_without_slash(emu, base):
    """A trailing slash on base_url makes no difference."""
    async with cni_async.Client(
        api_token="tok-SECRET-abc123", account_id=ACCOUNT, base_url=base.format(emu.base_url)
    ) as cf:
        assert (await cf.settings.get()).default_asn >= 0


async def test_bad_ids_name_the_argument_and_send_nothing(cf, emu):
    """An id that is not a UUID is named as the caller passed it, and nothing is sent."""
    cni = cni_async.Cni(
        id="not-a-uuid",
        account=ACCOUNT,
        interconnect="sjc-1",
        p2p_ip="100.64.0.0/31",
        cust_ip="100.64.0.1/31",
        magic=cni_async.MagicSettings(conduit_name="c", description="d", mtu=1500),
    )
    calls = [
        ("cni_id", cf.cnis.get("not-a-uuid")),
        ("cni_id", cf.cnis.delete("not-a-uuid")),
        ("id", cf.cnis.update(cni)),  # a field of the body, as every body check names it
        ("slot_id", cf.slots.get("not-a-uuid")),
    ]
    for argument, call in calls:
        with pytest.raises(cni_async.RequestValidationError, match=f"^{argument}: must be a UUID"):
            await call
    assert emu.requests == 0
