"""`cni-async emulator` as a real process, and `python -m cni_async`."""

from __future__ import annotations

import subprocess
import sys
import threading

from cni_async._cli import main
from tests.redis_server import free_port
from tests.serving import calls_then_sigterm

_TIMEOUT = 15.0


def test_emulator_command_serves_until_terminated(capsys):
    """`emulator --port 0 --demo` prints its URL, answers commands, and exits 0 on SIGTERM."""
    command = [sys.executable, "-m", "cni_async", "emulator", "--port", "0", "--demo"]
    with subprocess.Popen(  # noqa: S603 - this interpreter, fixed arguments
        command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    ) as proc:
        watchdog = threading.Timer(_TIMEOUT, proc.kill)  # a hung start fails, never hangs
        watchdog.start()
        try:
            assert proc.stdout is not None
            line = proc.stdout.readline()
            assert line.startswith("CNI emulator serving at http://127.0.0.1:")
            assert proc.stdout.readline() == "demo data in account demo-account\n"
            argv = ["--base-url", line.split()[-1], "--api-token", "any"]
            assert main([*argv, "--account-id", "demo-account", "interconnects", "list"]) == 0
            assert len(capsys.readouterr().out.splitlines()) == 3
        finally:
            watchdog.cancel()
            proc.terminate()
            _, err = proc.communicate(timeout=_TIMEOUT)
    assert proc.returncode == 0
    assert err == ""


def test_python_dash_m_runs_the_cli():
    """`python -m cni_async` is the console script: same output, same exit status."""
    command = [sys.executable, "-m", "cni_async", "--emulator", "interconnects", "get", "x"]
    done = subprocess.run(  # noqa: S603 - this interpreter, fixed arguments
        command, capture_output=True, text=True, timeout=_TIMEOUT, check=False
    )
    assert done.returncode == 3
    assert done.stdout == ""
    assert done.stderr.startswith("error: ")
    assert done.stderr.count("\n") == 1


def test_emulator_command_enforces_rate_limit(capsys):
    """`cni-async emulator --rate-limit 1/60` (in this process) answers the second call 429."""
    port = free_port()
    url = f"http://127.0.0.1:{port}/client/v4/accounts/a/cni/settings"
    with calls_then_sigterm(url, count=2) as answers:
        code = main(["emulator", "--port", str(port), "--rate-limit", "1/60"])
    assert code == 0
    assert [status for status, _ in answers] == [200, 429]
    assert capsys.readouterr().out == f"CNI emulator serving at http://127.0.0.1:{port}/client/v4\n"


def test_the_package_main_module_is_the_cli():
    """`cni_async.__main__` runs the same `main` as the console script (and nothing on import)."""
    import cni_async.__main__ as package_main

    assert package_main.main is main


def test_a_reader_that_goes_away_ends_the_cli_quietly():
    """`cni-async ... | head -1`: stdout's reader leaves; exit 1, no traceback, no noise."""
    command = [sys.executable, "-m", "cni_async", "--emulator", "slots", "list"]
    with subprocess.Popen(  # noqa: S603 - this interpreter, fixed arguments
        command, stdout=subprocess.PIPE, stderr=subprocess.PIPE
    ) as proc:
        assert proc.stdout is not None
        proc.stdout.close()  # the reader is gone before the first line, as `head` may be
        _, err = proc.communicate(timeout=_TIMEOUT)
    assert proc.returncode == 1
    assert err == b""


def test_emulator_command_with_demo_data_in_this_process(capsys):
    """`cni-async emulator --demo ACCOUNT` (in this process) serves that account's demo data."""
    port = free_port()
    url = f"http://127.0.0.1:{port}/client/v4/accounts/show/cni/interconnects"
    with calls_then_sigterm(url) as answers:
        code = main(["emulator", "--port", str(port), "--demo", "show"])
    assert code == 0
    ((status, page),) = answers
    assert status == 200
    assert [icon["name"] for icon in page["items"]] == ["sjc-1", "ams-2", "gcp-3"]
    assert capsys.readouterr().out.splitlines() == [
        f"CNI emulator serving at http://127.0.0.1:{port}/client/v4",
        "demo data in account show",
    ]
