"""wait_for_status logs the first state it sees and each change at INFO, against the emulator."""

from __future__ import annotations

import logging

import pytest

import cni_async
from cni_async import GcpPartnerInterconnectCreate
from cni_async.testing import Emulator
from tests.conftest import ACCOUNT, TOKEN


def _waits(caplog: pytest.LogCaptureFixture) -> list[logging.LogRecord]:
    return [r for r in caplog.records if r.name == "cni_async" and r.levelno == logging.INFO]


async def _gcp(cf: cni_async.Client) -> str:
    body = GcpPartnerInterconnectCreate(bandwidth="1G", pairing_key="k/us-west1/1")
    return (await cf.interconnects.create(body)).name


async def test_first_state_then_the_change(cf, caplog):
    """Pending (first seen) then Pending -> Healthy: two lines naming the interconnect and account."""
    caplog.set_level(logging.INFO, logger="cni_async")
    name = await _gcp(cf)
    await cf.interconnects.wait_for_status(name, timeout=10, interval=0.01)
    first, change = _waits(caplog)
    assert first.getMessage().startswith(
        f"interconnect {name!r} in account {ACCOUNT!r}: Pending, 0.0 s into the wait for Healthy"
    )
    assert change.getMessage().startswith(
        f"interconnect {name!r} in account {ACCOUNT!r}: Pending -> Healthy, "
    )
    assert change.getMessage().endswith(" s into the wait for Healthy")
    assert (first.previous_state, first.state) == (None, "Pending")
    assert (change.previous_state, change.state) == ("Pending", "Healthy")
    assert first.interconnect == change.interconnect == name
    assert first.account == change.account == ACCOUNT
    assert first.target == change.target == "Healthy"
    assert 0 <= first.elapsed <= change.elapsed


async def test_each_change_once_with_its_reason(caplog):
    """A repeated state logs nothing; Down's reason is in the line and on the record."""
    caplog.set_level(logging.INFO, logger="cni_async")
    # Pending until told otherwise; after each poll the facility moves it along.
    script = [("Down", "LOS on port Ethernet12/1"), ("Down", "LOS on port Ethernet12/1")]
    script.append(("Healthy", None))
    emu = Emulator(token=TOKEN, account_id=ACCOUNT)
    name = ""

    async def facility(event: cni_async.ResponseEvent) -> None:
        if event.path.endswith("/status") and script:
            emu.set_status(ACCOUNT, name, *script.pop(0))

    async with emu, emu.client(on_response=facility) as cf:
        name = await _gcp(cf)
        emu.set_status(ACCOUNT, name, "Pending")
        status = await cf.interconnects.wait_for_status(
            name, timeout=10, interval=0.01, allow_down_for=5
        )
    assert status.state == "Healthy"
    records = _waits(caplog)
    assert [(r.previous_state, r.state, r.reason) for r in records] == [
        (None, "Pending", None),
        ("Pending", "Down", "LOS on port Ethernet12/1"),
        ("Down", "Healthy", None),
    ]
    assert ": Pending -> Down (LOS on port Ethernet12/1), " in records[1].getMessage()
    assert [r.elapsed for r in records] == sorted(r.elapsed for r in records)


async def test_the_state_that_ends_the_wait_is_logged(cf, emu, caplog):
    """A wait that fails on Down has logged the Down first; no credential in any line."""
    caplog.set_level(logging.INFO, logger="cni_async")
    name = await _gcp(cf)
    emu.set_status(ACCOUNT, name, "Down", reason="fibre cut")
    with pytest.raises(cni_async.InterconnectDownError):
        await cf.interconnects.wait_for_status(name, timeout=10, interval=0.01)
    (record,) = _waits(caplog)
    assert record.getMessage().startswith(
        f"interconnect {name!r} in account {ACCOUNT!r}: Down (fibre cut), "
    )
    assert TOKEN not in caplog.text


async def test_nothing_at_warning_level(cf, caplog):
    """The lines are INFO: an application logging at WARNING sees none of them."""
    caplog.set_level(logging.WARNING, logger="cni_async")
    name = await _gcp(cf)
    await cf.interconnects.wait_for_status(name, timeout=10, interval=0.01)
    assert caplog.records == []
