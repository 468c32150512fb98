"""Create bodies may leave `account` out: the call's account is filled in before sending."""

from __future__ import annotations

import logging

import pytest

import cni_async
from cni_async import (
    CniCreate,
    GcpPartnerInterconnectCreate,
    MagicSettings,
    PhysicalInterconnectCreate,
)
from tests.conftest import ACCOUNT

MAGIC = MagicSettings(conduit_name="tunnel-1", description="to the DC", mtu=1476)
OTHER = "acc-2"


async def _free_slot(cf: cni_async.Client, account_id: str) -> str:
    async for slot in cf.slots.list(occupied=False, account_id=account_id):
        return slot.id
    raise AssertionError("the emulator has no free slot")


async def _create_all(cf: cni_async.Client, account: str | None, account_id: str | None) -> list:
    """The three create bodies, each with `account` as given, sent to `account_id`."""
    slot = await _free_slot(cf, account_id or ACCOUNT)
    physical = await cf.interconnects.create(
        PhysicalInterconnectCreate(account=account, slot_id=slot), account_id=account_id
    )
    gcp = await cf.interconnects.create(
        GcpPartnerInterconnectCreate(account=account, bandwidth="1G", pairing_key="k/us-west1/1"),
        account_id=account_id,
    )
    cni = await cf.cnis.create(
        CniCreate(account=account, interconnect=physical.name, magic=MAGIC), account_id=account_id
    )
    return [physical, gcp, cni]


async def test_left_out_is_filled_with_the_clients_account(cf, emu, caplog):
    """Without `account`, each body goes out carrying the client's account (DEBUG shows it)."""
    caplog.set_level(logging.DEBUG, logger="cni_async")
    created = await _create_all(cf, None, None)
    assert [model.account for model in created] == [ACCOUNT] * 3
    sent = [r.getMessage() for r in caplog.records if " POST " in r.getMessage()]
    posts = [line.partition(" body=")[2] for line in sent if " body=" in line]
    assert len(posts) == 3
    assert all(f"'account': '{ACCOUNT}'" in line for line in posts)
    assert emu.executed["create_interconnect"] == 2
    assert emu.executed["create_cni"] == 1


async def test_left_out_is_filled_with_the_calls_account_id(cf, emu):
    """Without `account`, a per-call `account_id=` is what the body carries, not the client's."""
    created = await _create_all(cf, None, OTHER)
    assert [model.account for model in created] == [OTHER] * 3
    assert len(emu.account(OTHER).interconnects) == 2
    assert emu.account(ACCOUNT).interconnects == {}


async def test_given_and_equal_is_sent(cf, emu):
    """A body naming the call's account is sent as it is."""
    created = await _create_all(cf, OTHER, OTHER)
    assert [model.account for model in created] == [OTHER] * 3
    assert emu.executed["create_cni"] == 1


@pytest.mark.parametrize(
    "body",
    [
        PhysicalInterconnectCreate(account=OTHER, slot_id="3fa85f64-5717-4562-b3fc-2c963f66afa6"),
        GcpPartnerInterconnectCreate(account=OTHER, bandwidth="1G", pairing_key="k"),
        CniCreate(account=OTHER, interconnect="sjc-1", magic=MAGIC),
    ],
    ids=["physical", "gcp", "cni"],
)
async def test_given_and_different_is_refused_before_sending(cf, emu, body):
    """A body naming another account than the call's is refused by field, nothing sent."""
    create = cf.cnis.create if isinstance(body, CniCreate) else cf.interconnects.create
    with pytest.raises(cni_async.RequestValidationError) as info:
        await create(body)
    assert info.value.field == "account"
    assert OTHER in str(info.value)
    assert ACCOUNT in str(info.value)
    assert sum(emu.executed.values()) == 0
    assert emu.requests == 0


async def test_left_out_without_any_account_is_a_configuration_error(emu):
    """With no account anywhere, a body without `account` fails before sending."""
    async with emu.client(account_id=None) as cf:
        with pytest.raises(cni_async.ConfigurationError, match="no account id"):
            await cf.cnis.create(CniCreate(interconnect="sjc-1", magic=MAGIC))
    assert emu.requests == 0
