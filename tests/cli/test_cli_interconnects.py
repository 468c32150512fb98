"""`cni-async interconnects ...` and `wait`, through `main()`, against the emulator."""

from __future__ import annotations

import asyncio
import contextlib
import io

import pytest

from cni_async._cli import main
from tests.cli.conftest import ACCOUNT, TOKEN, assert_one_error_line


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


async def test_list_writes_json_lines(cli):
    """A list is one JSON object per line, every seeded interconnect once."""
    result = await cli("interconnects", "list")
    assert result.code == 0
    assert [icon["name"] for icon in result.lines()] == ["sjc-1", "ams-2", "gcp-3"]
    assert result.err == ""


async def test_list_as_table(cli):
    """--output table writes a header and aligned columns, GCP rows with '-' for the slot."""
    result = await cli("interconnects", "list", "--output", "table")
    header, *rows = result.out.splitlines()
    assert header.split() == ["NAME", "TYPE", "SITE/REGION", "SPEED", "FACILITY", "SLOT"]
    assert len(rows) == 3
    assert rows[2].split()[:3] == ["gcp-3", "gcp_partner", "us-central1"]
    assert rows[2].endswith("-")
    assert header.index("TYPE") == rows[0].index("direct") == rows[2].index("gcp_partner")


async def test_list_filters(cli):
    """--site and --type reach the API as filters."""
    by_site = await cli("interconnects", "list", "--site", "AMS")
    by_type = await cli("interconnects", "list", "--type", "gcp_partner")
    assert [icon["name"] for icon in by_site.lines()] == ["ams-2"]
    assert [icon["name"] for icon in by_type.lines()] == ["gcp-3"]


async def test_max_items_stops_and_says_where_to_resume(cli):
    """--max-items at a page boundary stops there and notes the cursor to resume from."""
    first = await cli("interconnects", "list", "--limit", "1", "--max-items", "2")
    assert [icon["name"] for icon in first.lines()] == ["sjc-1", "ams-2"]
    assert "--cursor 2" in first.err
    rest = await cli("interconnects", "list", "--limit", "1", "--cursor", "2")
    assert [icon["name"] for icon in rest.lines()] == ["gcp-3"]


async def test_the_resume_note_comes_after_a_table(emu, monkeypatch):
    """With both streams on one terminal, the table is printed before the resume note."""
    monkeypatch.setenv("CLOUDFLARE_API_TOKEN", TOKEN)
    monkeypatch.setenv("CLOUDFLARE_ACCOUNT_ID", ACCOUNT)
    terminal = io.StringIO()
    argv = ["--base-url", emu.base_url, "--output", "table", "interconnects", "list"]
    with contextlib.redirect_stdout(terminal), contextlib.redirect_stderr(terminal):
        code = await asyncio.to_thread(main, [*argv, "--limit", "1", "--max-items", "2"])
    assert code == 0
    lines = terminal.getvalue().splitlines()
    assert lines[0].startswith("NAME")
    assert [line.split()[0] for line in lines[1:3]] == ["sjc-1", "ams-2"]
    assert lines[3] == "stopped at --max-items 2; more from --cursor 2"
    assert len(lines) == 4


async def test_get_and_missing_get(cli):
    """get prints the interconnect; a missing one exits 3 with one error line."""
    found = await cli("interconnects", "get", "ams-2")
    assert found.json()["site"] == "AMS"
    missing = await cli("interconnects", "get", "nope")
    message = assert_one_error_line(missing, 3)
    assert "404" in message
    assert missing.out == ""


async def test_create_direct_and_gcp(cli):
    """create makes a direct interconnect on a free slot, or a GCP one with --gcp."""
    slot = (await cli("slots", "list", "--free", "--max-items", "1")).json()
    direct = await cli("interconnects", "create", "--slot-id", slot["id"], "--speed", "10G")
    assert direct.json()["slot_id"] == slot["id"]
    gcp = await cli(
        "interconnects", "create", "--gcp", "--bandwidth", "2G", "--pairing-key", "k/us-west1/1"
    )
    assert gcp.json()["type"] == "gcp_partner"
    assert gcp.json()["account"] == ACCOUNT


async def test_create_with_contradicting_flags_is_a_usage_error(cli, emu):
    """--gcp with --slot-id exits 2 before anything is sent."""
    result = await cli("interconnects", "create", "--gcp", "--slot-id", "x", "--bandwidth", "1G")
    assert "--gcp" in assert_one_error_line(result, 2)
    assert emu.executed["create_interconnect"] == 3  # the seed's, none more


async def test_delete(cli):
    """delete removes the interconnect; table output confirms it in words."""
    result = await cli("interconnects", "delete", "ams-2", "--output", "table")
    assert result.out == "deleted interconnect ams-2\n"
    assert (await cli("interconnects", "get", "ams-2")).code == 3


async def test_loa_writes_the_pdf_file(cli, tmp_path):
    """loa --out writes the whole PDF and leaves no temporary file behind."""
    target = tmp_path / "sjc-1.pdf"
    result = await cli("interconnects", "loa", "sjc-1", "--out", str(target), "--name", "ACME")
    assert result.code == 0
    assert result.out == ""
    assert target.read_bytes().startswith(b"%PDF-")
    assert [path.name for path in tmp_path.iterdir()] == ["sjc-1.pdf"]


async def test_loa_into_a_missing_directory_fails_cleanly(cli, tmp_path):
    """An unwritable --out exits 1 naming the file, and creates nothing."""
    target = tmp_path / "missing" / "x.pdf"
    result = await cli("interconnects", "loa", "sjc-1", "--out", str(target))
    assert str(target) in assert_one_error_line(result, 1)
    assert list(tmp_path.iterdir()) == []


async def test_status_json_and_table(cli):
    """status prints the state object, or a STATE/REASON table."""
    assert (await cli("interconnects", "status", "gcp-3")).json() == {"state": "Pending"}
    table = await cli("interconnects", "status", "gcp-3", "--output", "table")
    assert table.out.split() == ["STATE", "REASON", "Healthy", "-"]


async def test_wait_until_healthy(cli):
    """interconnects wait and the top-level wait both end with the Healthy status."""
    long_form = await cli("interconnects", "wait", "sjc-1", "--interval", "0.01")
    alias = await cli("wait", "ams-2", "--interval", "0.01")
    assert long_form.json() == alias.json() == {"state": "Healthy"}
    assert alias.err.splitlines()[-1] == "ams-2: Healthy, 0 s waiting for Healthy"


@pytest.mark.parametrize(
    ("flags", "complaint"),
    [
        ([], "--slot-id"),
        (["--gcp", "--bandwidth", "1G"], "--pairing-key"),
        (["--bandwidth", "1G"], "--gcp"),
    ],
)
async def test_incomplete_creates_are_usage_errors(cli, flags, complaint):
    """A create missing the flags of its kind exits 2 and says which."""
    result = await cli("interconnects", "create", *flags)
    assert complaint in assert_one_error_line(result, 2)


async def test_loa_refuses_to_write_a_pdf_to_a_terminal(cli, monkeypatch, emu):
    """loa --out - on a terminal stdout exits 2 without fetching the PDF."""
    monkeypatch.setattr("sys.stdout", _Terminal())
    result = await cli("interconnects", "loa", "sjc-1", "--out", "-")
    assert "terminal" in assert_one_error_line(result, 2)
    assert emu.executed["get_interconnect_loa"] == 0


def test_a_failed_write_leaves_no_temporary_file(tmp_path):
    """When the final rename fails (the target is a directory), the temporary file goes too."""
    from cni_async._cli._files import write_atomically

    target = tmp_path / "loa.pdf"
    target.mkdir()
    with pytest.raises(OSError, match=r"loa\.pdf|Is a directory"):
        write_atomically(str(target), b"%PDF-1.4")
    assert [p.name for p in tmp_path.iterdir()] == ["loa.pdf"]
