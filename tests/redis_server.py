"""A throwaway `redis-server` for the tests: a free port, a temp dir, nothing saved."""

from __future__ import annotations

import shutil
import socket
import subprocess
import tempfile
import time
from pathlib import Path

_START_SECONDS = 10.0


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def ping(port: int) -> bool:
    """Whether a Redis answers PING on 127.0.0.1:port (if only to ask for a password)."""
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=0.5) as conn:
            conn.sendall(b"PING\r\n")
            return conn.recv(16).startswith((b"+PONG", b"-NOAUTH"))
    except OSError:
        return False


class RedisServer:
    """`redis-server --port N --save '' --appendonly no` in a temp dir; `stop()` ends it."""

    def __init__(self, port: int | None = None, *options: str) -> None:
        self.port = port or free_port()
        self._options = options
        self._folder = tempfile.TemporaryDirectory(prefix="cni-redis-")
        self._process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> RedisServer:
        binary = shutil.which("redis-server")
        assert binary is not None, "redis-server is not installed"
        self._process = subprocess.Popen(  # noqa: S603 - the installed redis-server, fixed arguments
            [
                binary,
                *("--port", str(self.port), "--bind", "127.0.0.1"),
                *("--save", "", "--appendonly", "no"),
                *("--dir", str(Path(self._folder.name))),
                *self._options,
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + _START_SECONDS
        while not ping(self.port):
            if self._process.poll() is not None or time.monotonic() > deadline:
                self.stop()
                raise RuntimeError(f"redis-server did not start on port {self.port}")
            time.sleep(0.02)
        return self

    def stop(self) -> None:
        """End the server (if running); it can be started again on the same port."""
        process, self._process = self._process, None
        if process is not None:
            process.terminate()
            process.wait(timeout=_START_SECONDS)

    def close(self) -> None:
        self.stop()
        self._folder.cleanup()
