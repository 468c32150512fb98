"""`python -m cni_async.testing` as a separate process."""

from __future__ import annotations

import asyncio
import os
import re
import signal
import socket
import sys
from pathlib import Path

import aiohttp
import pytest

from cni_async.testing.__main__ import main
from tests.serving import calls_then_sigterm

ROOT = Path(__file__).resolve().parents[2]


async def _start(*args: str) -> tuple[asyncio.subprocess.Process, str]:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "cni_async.testing",
        "--port",
        "0",
        *args,
        cwd=ROOT,
        env=env,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    assert process.stdout is not None
    line = (await asyncio.wait_for(process.stdout.readline(), 15)).decode()
    return process, line


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT])
async def test_serves_until_signalled(signum):
    """It prints one line with the real URL, answers requests, and exits 0 on a signal."""
    process, line = await _start("--token", "tok", "--status-polls", "0")
    try:
        found = re.fullmatch(
            r"CNI emulator serving at (http://127\.0\.0\.1:(\d+)/client/v4)\n", line
        )
        assert found, line
        assert int(found.group(2)) > 0
        url = f"{found.group(1)}/accounts/a/cni/settings"
        async with aiohttp.ClientSession() as session:
            async with session.get(url, headers={"Authorization": "Bearer tok"}) as response:
                assert await response.json() == {"default_asn": 13335}
            async with session.get(url, headers={"Authorization": "Bearer other"}) as response:
                assert response.status == 403
    finally:
        process.send_signal(signum)
        stdout, stderr = await asyncio.wait_for(process.communicate(), 15)
    assert process.returncode == 0, stderr
    assert stdout == b""
    assert b"other" not in stderr


def test_unusable_port_exits_1(capsys):
    """An invalid or busy port makes `main` report the error on stderr and return 1."""
    assert main(["--port", "-5"]) == 1
    assert "port" in capsys.readouterr().err
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        assert main(["--port", str(busy.getsockname()[1])]) == 1
    captured = capsys.readouterr()
    assert captured.err.startswith("error:")
    assert captured.out == ""


def test_main_serves_in_this_process_until_sigterm(capsys):
    """main() prints its URL, answers, and returns 0 on SIGTERM (run here, not in a subprocess)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    url = f"http://127.0.0.1:{port}/client/v4/accounts/a/cni/settings"
    with calls_then_sigterm(url) as answers:
        code = main(["--port", str(port), "--rate-limit", "10/1"])
    assert code == 0
    assert [status for status, _ in answers] == [200]
    assert capsys.readouterr().out == f"CNI emulator serving at http://127.0.0.1:{port}/client/v4\n"
