"""`Emulator.client()`: a Client for the emulator that needs nothing from the environment."""

from __future__ import annotations

import pytest

import cni_async
from cni_async.testing import Emulator


async def test_client_works_with_an_empty_environment():
    """No CLOUDFLARE_* variable set (conftest clears them): the client still has all it needs."""
    async with Emulator() as emu, emu.client() as cf:
        assert cf.base_url == emu.base_url
        assert cf.account_id == emu.account_id == "023e105f4ecef8ad9ca31a8372d0c353"
        free = [slot async for slot in cf.slots.list(occupied=False)]
    assert len(free) == 24
    assert emu.executed["list_slots"] >= 1


async def test_client_uses_the_only_token_accepted():
    """With `token=`, the client sends that token; a wrong one would get 403."""
    async with Emulator(token="only-this") as emu, emu.client() as cf:
        assert (await cf.settings.get()).default_asn > 0


async def test_a_given_credential_replaces_the_token():
    """A credential among the keywords is used instead of the emulator's token."""
    async with Emulator(token="only-this") as emu, emu.client(api_token="wrong") as cf:
        with pytest.raises(cni_async.PermissionDeniedError):
            await cf.settings.get()
    async with Emulator() as emu, emu.client(api_key="k", api_email="e@example.com") as cf:
        assert (await cf.settings.get()).default_asn > 0


async def test_keywords_override_the_defaults():
    """`account_id` and client options passed to `client()` win over the emulator's."""
    async with Emulator(account_id="mine") as emu, emu.client(max_retries=0) as cf:
        assert cf.account_id == "mine"
        assert cf.retry.attempts == 1
    async with Emulator() as emu, emu.client(account_id="other") as cf:
        await cf.settings.update(default_asn=65001)
        assert emu.account("other").default_asn == 65001


def test_an_empty_account_id_is_refused():
    """The default account must be a real id."""
    with pytest.raises(ValueError, match="account_id must not be empty"):
        Emulator(account_id="")


def test_client_needs_a_started_emulator():
    """Before `start`, there is no base URL to point a client at."""
    with pytest.raises(RuntimeError, match="not started"):
        Emulator().client()


def test_the_port_needs_a_started_emulator():
    """Before `start`, there is no port to name."""
    with pytest.raises(RuntimeError, match="not started"):
        _ = Emulator().port


def test_a_new_name_skips_names_already_taken():
    """An interconnect name is never issued twice, even past names added by hand."""
    from cni_async.testing import AccountState

    state = AccountState.seeded("acc", 0)
    state.interconnects["sjc-1"] = {"name": "sjc-1"}
    state.interconnects["sjc-2"] = {"name": "sjc-2"}
    assert state.new_interconnect_name("sjc") == "sjc-3"
