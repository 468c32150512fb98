"""The `cni_emulator` fixture of `cni_async.testing.pytest_plugin`."""

from __future__ import annotations

import os
import subprocess
import sys

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


async def test_client_fixture_is_ready_for_the_emulator(cni_client, cni_emulator):
    """`cni_client` reaches `cni_emulator` with its default account, no environment needed."""
    assert cni_client.base_url == cni_emulator.base_url
    assert cni_client.account_id == cni_emulator.account_id
    assert (await cni_client.settings.get()).default_asn > 0
    assert cni_emulator.executed["get_settings"] == 1


class TestClientOptions:
    @pytest.fixture
    def cni_emulator_options(self):
        return {"token": "only-this"}

    @pytest.fixture
    def cni_client_options(self):
        return {"account_id": "other-account", "max_retries": 0}

    async def test_options_reach_the_client(self, cni_client, cni_emulator):
        """`cni_client_options` go to the client; the emulator's own token is used."""
        assert cni_client.account_id == "other-account"
        assert cni_client.retry.attempts == 1
        slot = await anext(aiter(cni_client.slots.list()))
        assert slot.site
        assert cni_emulator.executed["list_slots"] == 1


PLUGIN_TEST = """
import pytest

pytest_plugins = ["cni_async.testing.pytest_plugin"]


@pytest.mark.asyncio
async def test_it(cni_client, cni_emulator):
    await cni_client.settings.get()
    assert cni_emulator.executed["get_settings"] == 1
"""


@pytest.mark.parametrize("mode", ["strict", "auto"])
def test_plugin_works_in_strict_and_auto_mode(tmp_path, mode):
    """In a folder with no configuration, the plugin's fixtures work in both asyncio modes."""
    (tmp_path / "test_plugin_user.py").write_text(PLUGIN_TEST)
    command = [
        *(sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider"),
        *("-o", f"asyncio_mode={mode}", "--rootdir", str(tmp_path), str(tmp_path)),
    ]
    env = {k: v for k, v in os.environ.items() if not k.startswith("CLOUDFLARE_")}
    done = subprocess.run(  # noqa: S603 - this interpreter, fixed arguments
        command, capture_output=True, text=True, timeout=60, check=False, cwd=tmp_path, env=env
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "1 passed" in done.stdout
