"""A pytest plugin with the `cni_emulator` and `cni_client` fixtures (needs pytest-asyncio).

Enable it in your root `conftest.py`::

    pytest_plugins = ["cni_async.testing.pytest_plugin"]

The fixtures are pytest-asyncio fixtures, so they work in its default strict
mode (mark your tests `@pytest.mark.asyncio`) and in auto mode alike. Change
the emulator's options by overriding `cni_emulator_options`, and the client's
by overriding `cni_client_options`::

    @pytest.fixture
    def cni_emulator_options():
        return {"token": "test-token", "status_polls": 0}
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest
import pytest_asyncio

import cni_async
from cni_async.testing._emulator import Emulator


@pytest.fixture
def cni_emulator_options() -> dict[str, Any]:
    """Keyword arguments for the `Emulator` of `cni_emulator`; override it to change them."""
    return {}


@pytest.fixture
def cni_client_options() -> dict[str, Any]:
    """Keyword arguments for `cni_emulator.client()`; override it to change them."""
    return {}


@pytest_asyncio.fixture
async def cni_emulator(cni_emulator_options: dict[str, Any]) -> AsyncIterator[Emulator]:
    """A started `Emulator` on a free port of 127.0.0.1, closed after the test."""
    async with Emulator(**cni_emulator_options) as emulator:
        yield emulator


@pytest_asyncio.fixture
async def cni_client(
    cni_emulator: Emulator, cni_client_options: dict[str, Any]
) -> AsyncIterator[cni_async.Client]:
    """A `cni_async.Client` for `cni_emulator` (see `Emulator.client`), closed after the test."""
    async with cni_emulator.client(**cni_client_options) as client:
        yield client
