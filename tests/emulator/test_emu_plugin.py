"""The `cni_emulator` fixture of `cni_async.testing.pytest_plugin`."""

from __future__ import annotations

import aiohttp
import pytest

from cni_async.testing import Emulator

pytest_plugins = ["cni_async.testing.pytest_plugin"]


async def test_fixture_yields_a_started_emulator(cni_emulator):
    """The fixture yields a started emulator that answers on its base URL."""
    assert isinstance(cni_emulator, Emulator)
    url = f"{cni_emulator.base_url}/accounts/a/cni/slots"
    headers = {"Authorization": "Bearer t"}
    async with aiohttp.ClientSession() as session, session.get(url, headers=headers) as response:
        assert response.status == 200
    assert cni_emulator.executed["list_slots"] == 1


class TestOptions:
    @pytest.fixture
    def cni_emulator_options(self):
        return {"token": "only-this", "default_page_size": 2}

    async def test_options_fixture_configures_the_emulator(self, cni_emulator):
        """Overriding `cni_emulator_options` passes its keywords to the Emulator."""
        url = f"{cni_emulator.base_url}/accounts/a/cni/slots"
        async with aiohttp.ClientSession() as session:
            async with session.get(url, headers={"Authorization": "Bearer t"}) as response:
                assert response.status == 403
            async with session.get(url, headers={"Authorization": "Bearer only-this"}) as response:
                assert len((await response.json())["items"]) == 2
