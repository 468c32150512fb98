"""Global options, exit statuses, error lines and credentials, through `main()`."""

from __future__ import annotations

import asyncio
import json
import socket

import pytest

import cni_async
from cni_async._cli import _app, main
from tests.cli.conftest import TOKEN, assert_one_error_line


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_version(capsys):
    """--version prints the package version and exits 0."""
    assert main(["--version"]) == 0
    assert capsys.readouterr().out.strip() == f"cni-async {cni_async.__version__}"


@pytest.mark.parametrize(
    "argv",
    [
        [],
        ["bogus"],
        ["interconnects"],
        ["interconnects", "get"],
        ["slots", "list", "--limit", "-1"],
        ["--timeout", "soon", "settings", "get"],
        ["wait", "x", "--interval", "nan"],
    ],
)
def test_usage_errors_exit_2(argv, capsys):
    """A bad command line is argparse's usage error: exit 2, usage on stderr."""
    assert main(argv) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert "usage: cni-async" in captured.err


def test_emulator_flag_runs_against_demo_data(capsys):
    """--emulator needs no credentials and lists the demo interconnects as a table."""
    assert main(["--emulator", "interconnects", "list", "--output", "table"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].split()[0] == "NAME"
    assert [line.split()[0] for line in lines[1:]] == ["sjc-1", "ams-2", "gcp-3"]


def test_emulator_flag_uses_the_given_account(capsys):
    """--emulator seeds the --account-id account when one is given."""
    assert main(["--emulator", "--account-id", "mine", "interconnects", "get", "gcp-3"]) == 0
    assert json.loads(capsys.readouterr().out)["account"] == "mine"


def test_emulator_flag_with_base_url_is_a_usage_error(capsys):
    """--emulator and --base-url contradict each other: exit 2."""
    assert main(["--emulator", "--base-url", "http://x", "settings", "get"]) == 2
    assert "--emulator" in capsys.readouterr().err


def test_loa_to_stdout_is_the_pdf(capsysbinary):
    """loa --out - writes the PDF bytes to stdout and nothing else."""
    assert main(["--emulator", "interconnects", "loa", "sjc-1", "--out", "-"]) == 0
    assert capsysbinary.readouterr().out.startswith(b"%PDF-")


def test_no_credentials_exits_2(capsys):
    """Without any credential the command exits 2 naming the variable to set."""
    assert main(["--account-id", "a", "settings", "get"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: no credentials")
    assert "CLOUDFLARE_API_TOKEN" in err


def test_no_account_exits_2(capsys, monkeypatch):
    """Without an account id the command exits 2 naming --account-id."""
    monkeypatch.setenv("CLOUDFLARE_API_TOKEN", TOKEN)
    assert main(["settings", "get"]) == 2
    assert "--account-id" in capsys.readouterr().err


def test_connection_failure_exits_4(capsys):
    """A base URL nobody listens on is a connection failure: exit 4, one line."""
    url = f"http://127.0.0.1:{_closed_port()}/client/v4"
    argv = ["--api-token", TOKEN, "--account-id", "a", "--base-url", url, "--max-retries", "0"]
    assert main([*argv, "slots", "list"]) == 4
    err = capsys.readouterr().err
    assert err.startswith("error: ")
    assert err.count("\n") == 1
    assert TOKEN not in err


async def test_timeout_exits_4(cli, emu):
    """A response slower than --timeout is a timeout: exit 4."""
    emu.faults.add("get_settings", delay=1.0)
    result = await cli("--timeout", "0.1", "--max-retries", "0", "settings", "get")
    assert_one_error_line(result, 4)


async def test_wrong_token_exits_3(cli, monkeypatch):
    """A credential the API refuses is an API error status: exit 3."""
    monkeypatch.setenv("CLOUDFLARE_API_TOKEN", "wrong-token-0000")
    result = await cli("settings", "get")
    assert "HTTP 403" in assert_one_error_line(result, 3)  # as Cloudflare answers
    assert "wrong-token-0000" not in result.err


async def test_options_go_before_or_after_the_command(cli):
    """Global options work before the command and after it alike."""
    before = await cli("--output", "table", "settings", "get")
    after = await cli("settings", "get", "--output", "table")
    assert before.out == after.out == "DEFAULT_ASN\n13335\n"


async def test_token_flag_never_shows_up(cli, monkeypatch, tmp_path):
    """A --api-token is in no output: results, errors or --verbose DEBUG logs."""
    monkeypatch.delenv("CLOUDFLARE_API_TOKEN")
    runs = [
        await cli("--api-token", TOKEN, "--verbose", "interconnects", "list"),
        await cli("--api-token", TOKEN, "-v", "interconnects", "get", "nope"),
        await cli("--api-token", TOKEN, "cnis", "list", "--output", "table"),
        await cli("--api-token", TOKEN, "interconnects", "loa", "x", "--out", str(tmp_path / "x")),
    ]
    assert [run.code for run in runs] == [0, 3, 0, 3]
    assert "DEBUG cni_async" in runs[0].err
    assert all(TOKEN not in run.out + run.err for run in runs)


def test_interrupt_exits_130(capsys, monkeypatch):
    """Ctrl-C during a command exits 130 with one line and no traceback."""

    async def interrupted(*_):
        raise KeyboardInterrupt

    monkeypatch.setattr(_app, "_run", interrupted)
    assert main(["--emulator", "settings", "get"]) == 130
    assert capsys.readouterr().err == "error: interrupted\n"


def test_unexpected_error_is_one_line(capsys, monkeypatch):
    """Even a bug surfaces as one error line and exit 1, never a traceback."""

    async def broken(*_):
        await asyncio.sleep(0)
        raise RuntimeError("boom\nsecond line")

    monkeypatch.setattr(_app, "_run", broken)
    assert main(["--emulator", "settings", "get"]) == 1
    assert capsys.readouterr().err == "error: unexpected RuntimeError: boom second line\n"


async def test_account_flag_beats_the_environment(cli, emu):
    """--account-id wins over CLOUDFLARE_ACCOUNT_ID: the request goes to the flag's account."""
    assert len((await cli("cnis", "list")).lines()) == 1
    emu.faults.add("/accounts/other/cni/cnis", status=418)
    flagged = await cli("--account-id", "other", "cnis", "list")
    assert "GET /accounts/other/cni/cnis failed with HTTP 418" in flagged.err
    assert emu.faults.pending == 0


@pytest.mark.parametrize(
    ("argv", "field"),
    [
        (["cnis", "get", "not-a-uuid"], "cni_id"),
        (["slots", "get", "not-a-uuid"], "slot_id"),
        (["settings", "update", "--default-asn", "99999999999"], "default_asn"),
        (["interconnects", "list", "--cursor", "99999999999"], "cursor"),
    ],
)
async def test_a_value_the_sdk_refuses_is_a_usage_error(cli, emu, argv, field):
    """A value refused before sending exits 2 like any bad option, naming the field."""
    before = emu.requests
    result = await cli(*argv)
    assert assert_one_error_line(result, 2).startswith(f"error: {field}: ")
    assert emu.requests == before


@pytest.mark.parametrize("port", ["-1", "65536", "http"])
def test_emulator_port_must_be_a_port_number(capsys, port):
    """`emulator --port` refuses what is not 0-65535, as a usage error naming the value."""
    assert main(["emulator", "--port", port]) == 2
    assert "not a port number (0 to 65535)" in capsys.readouterr().err
