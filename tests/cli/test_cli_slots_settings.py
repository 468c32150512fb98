"""`cni-async slots ...` and `settings ...` through `main()`, against the emulator."""

from __future__ import annotations

import io

from tests.cli.conftest import ACCOUNT


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


async def test_slot_occupancy_filters(cli):
    """--occupied and --free split the 24 seeded slots; the demo took 2 of them."""
    occupied = (await cli("slots", "list", "--occupied")).lines()
    free = (await cli("slots", "list", "--free")).lines()
    assert len(occupied) == 2
    assert len(free) == 22
    assert all(slot["account"] == ACCOUNT for slot in occupied)


async def test_slot_filters_by_site_and_address(cli):
    """--site and --address-contains reach the API as filters."""
    sites = {slot["site"] for slot in (await cli("slots", "list", "--site", "NRT")).lines()}
    tokyo = (await cli("slots", "list", "--address-contains", "Toyosu")).lines()
    assert sites == {"NRT"}
    assert {slot["facility"]["name"] for slot in tokyo} == {"AT Tokyo CC1"}


async def test_slot_get_as_table(cli):
    """slots get prints one slot; the table says yes/no for OCCUPIED."""
    slot = (await cli("slots", "list", "--occupied", "--max-items", "1")).json()
    table = await cli("slots", "get", slot["id"], "--output", "table")
    header, row = table.out.splitlines()
    assert header.split() == ["ID", "SITE", "FACILITY", "SPEED", "OCCUPIED", "ACCOUNT"]
    assert row.startswith(slot["id"])
    assert row.split()[-2:] == ["yes", ACCOUNT]


async def test_long_list_shows_progress_only_on_a_terminal(cli, monkeypatch):
    """A list of several pages updates a \\r progress line on a terminal stderr, then erases it."""
    plain = await cli("slots", "list")
    assert len(plain.lines()) == 24
    assert plain.err == ""
    terminal = _Terminal()
    monkeypatch.setattr("sys.stderr", terminal)
    result = await cli("slots", "list", "--limit", "10")
    assert len(result.lines()) == 24
    shown = terminal.getvalue()
    assert "\rslots: 10 fetched..." in shown
    assert "\rslots: 20 fetched..." in shown
    assert shown.endswith("\r")
    assert "\n" not in shown


async def test_settings_get_and_update(cli):
    """settings update sets the default ASN, and settings get reads it back."""
    assert (await cli("settings", "get")).json() == {"default_asn": 13335}
    assert (await cli("settings", "update", "--default-asn", "65000")).json() == {
        "default_asn": 65000
    }
    table = await cli("settings", "get", "--output", "table")
    assert table.out.split() == ["DEFAULT_ASN", "65000"]


async def test_settings_update_needs_a_number(cli):
    """A non-number --default-asn is argparse's usage error, exit 2."""
    result = await cli("settings", "update", "--default-asn", "many")
    assert result.code == 2
    assert "not an integer" in result.err
