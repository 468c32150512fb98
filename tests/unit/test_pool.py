"""The transport's connection-slot pool: free slots without waiting, waiters served in
order, a bounded wait that says the request was never sent, nothing lost on cancellation."""

from __future__ import annotations

import asyncio

import pytest

from cni_async._aiohttp import _Pool
from cni_async._transport import Phase, TransportError


async def test_free_slots_are_taken_without_waiting():
    """While slots are free, take_now() takes one; when none is, it says so."""
    pool = _Pool(2)
    assert pool.take_now()
    assert pool.take_now()
    assert not pool.take_now()
    pool.give()
    assert pool.take_now()


async def test_waiters_get_freed_slots_in_order():
    """A freed slot goes to the longest waiter, and a newcomer cannot jump the queue."""
    pool = _Pool(1)
    assert pool.take_now()
    served: list[int] = []

    async def wait(number: int) -> None:
        await pool.take(None)
        served.append(number)

    tasks = [asyncio.create_task(wait(n)) for n in range(3)]
    await asyncio.sleep(0)
    assert not pool.take_now()  # the queue is not empty
    for _ in range(3):
        pool.give()
        await asyncio.sleep(0)
    await asyncio.gather(*tasks)
    assert served == [0, 1, 2]


async def test_a_bounded_wait_ends_as_a_pool_error_never_sent():
    """No slot within the timeout: TransportError in the pool phase, the waiter gone."""
    pool = _Pool(1)
    assert pool.take_now()
    with pytest.raises(TransportError) as info:
        await pool.take(0.01)
    assert info.value.phase is Phase.POOL
    assert info.value.timed_out
    assert not info.value.phase.maybe_sent
    assert "not sent" in info.value.reason
    pool.give()
    assert pool.take_now()  # the slot was not handed to the waiter that left


async def test_a_cancelled_waiter_leaves_the_queue():
    """Cancelling a waiting task removes it; the next give() goes to the pool."""
    pool = _Pool(1)
    assert pool.take_now()
    task = asyncio.create_task(pool.take(None))
    await asyncio.sleep(0)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    pool.give()
    assert pool.take_now()


async def test_a_slot_handed_to_a_waiter_as_it_is_cancelled_is_passed_on():
    """The slot given to a waiter that is cancelled in the same moment goes to the next one."""
    pool = _Pool(1)
    assert pool.take_now()
    first = asyncio.create_task(pool.take(None))
    second = asyncio.create_task(pool.take(None))
    await asyncio.sleep(0)
    pool.give()  # first's future is resolved...
    first.cancel()  # ...but first is cancelled before it runs
    with pytest.raises(asyncio.CancelledError):
        await first
    await asyncio.wait_for(second, 1)  # second got the slot first gave back
    assert not pool.take_now()


async def test_give_skips_waiters_that_already_left():
    """A waiter whose future is already done is skipped when a slot is returned."""
    pool = _Pool(1)
    assert pool.take_now()
    gone: asyncio.Future[None] = asyncio.get_running_loop().create_future()
    gone.cancel()
    pool._waiters.append(gone)
    pool.give()
    assert not pool._waiters
    assert pool.take_now()
