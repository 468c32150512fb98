"""A stateful emulator of the CNI API for tests.

`Emulator` serves the whole API on a local port from in-memory state: seeded slots,
interconnects whose status turns from Pending to Healthy, CNIs with allocated /31s,
LOA PDFs and account settings. `FaultPlan` (on `Emulator.faults`) injects error
statuses, dropped connections, delays and malformed bodies.

Example:
    >>> async def demo() -> None:
    ...     async with Emulator() as emu:
    ...         base_url = emu.base_url  # point any client here

Run it standalone with `python -m cni_async.testing --port 8787`, or use the
`cni_emulator` fixture of `cni_async.testing.pytest_plugin`.
"""

from cni_async.testing._emulator import Emulator
from cni_async.testing._faults import FaultPlan
from cni_async.testing._state import AccountState, StatusTrack

__all__ = ["AccountState", "Emulator", "FaultPlan", "StatusTrack"]
