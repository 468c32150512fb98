"""The emulator as a separate process (`python -m cni_async.testing`), shared by a module."""

from __future__ import annotations

import os
import queue
import re
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
TOKEN = "official-sdk-token"
STATUS_POLLS = 2
_READY = re.compile(r"CNI emulator serving at (http://127\.0\.0\.1:\d+/client/v4)\s*")
_START_TIMEOUT = 30.0
_STOP_TIMEOUT = 15.0


def _first_line(stream, timeout: float) -> str | None:
    """The first line of `stream`, or None if none came in time (portable: no select on pipes)."""
    lines: queue.Queue[str] = queue.Queue()
    reader = threading.Thread(target=lambda: lines.put(stream.readline()), daemon=True)
    reader.start()
    try:
        return lines.get(timeout=timeout)
    except queue.Empty:
        return None


@pytest.fixture(scope="module")
def emulator_url() -> Iterator[str]:
    """Start the standalone emulator with one accepted token; stop it and check it exited cleanly."""
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")])),
    }
    command = [
        sys.executable,
        "-m",
        "cni_async.testing",
        "--host",
        "127.0.0.1",
        "--port",
        "0",
        "--token",
        TOKEN,
        "--status-polls",
        str(STATUS_POLLS),
    ]
    # The context manager closes both pipes and waits, whatever happens in between.
    with subprocess.Popen(  # noqa: S603 - our own interpreter and module, fixed arguments
        command,
        cwd=ROOT,
        env=env,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    ) as process:
        ready = None
        try:
            line = _first_line(process.stdout, _START_TIMEOUT)
            ready = _READY.fullmatch(line or "")
            if ready is not None:
                yield ready.group(1)
        finally:
            if process.poll() is None:
                process.terminate()
            try:
                stdout, stderr = process.communicate(timeout=_STOP_TIMEOUT)
            except subprocess.TimeoutExpired:
                process.kill()
                stdout, stderr = process.communicate()
    if ready is None:
        pytest.fail(f"the emulator did not start: first line {line!r}, stderr {stderr!r}")
    # SIGTERM is a clean stop for the emulator; anything it logged is a server-side failure.
    assert process.returncode == 0, stderr
    assert stdout == "", stdout
    assert "Traceback" not in stderr, stderr
    assert TOKEN not in stderr
