"""A pytest plugin providing the `cni_emulator` fixture (needs pytest-asyncio).

Enable it in your root `conftest.py`::

    pytest_plugins = ["cni_async.testing.pytest_plugin"]

and change the emulator's options by overriding `cni_emulator_options`::

    @pytest.fixture
    def cni_emulator_options():
        return {"token": "test-token", "status_polls": 0}
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest
import pytest_asyncio

from cni_async.testing._emulator import Emulator


@pytest.fixture
def cni_emulator_options() -> dict[str, Any]:
    """Keyword arguments for the `Emulator` of `cni_emulator`; override it to change them."""
    return {}


@pytest_asyncio.fixture
async def cni_emulator(cni_emulator_options: dict[str, Any]) -> AsyncIterator[Emulator]:
    """A started `Emulator` on a free port of 127.0.0.1, closed after the test."""
    async with Emulator(**cni_emulator_options) as emulator:
        yield emulator
