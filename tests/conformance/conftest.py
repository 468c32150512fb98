"""Fixtures of the conformance tests: the OpenAPI document, a prism mock of it, a wire recorder."""

from __future__ import annotations

import http.client
import json
import os
import socket
import subprocess
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import aiohttp
import pytest
import pytest_asyncio

from tests.conformance._openapi import OpenAPI, Recorder, document_path

_PRISM_START_TIMEOUT = 90.0
_STOP_TIMEOUT = 15.0


@pytest.fixture(scope="session")
def openapi_file() -> Path:
    """The CNI OpenAPI document, or a skip (a failure under nox -s conformance) saying where."""
    return document_path()


@pytest.fixture(scope="session")
def openapi(openapi_file: Path) -> OpenAPI:
    """The document as a checker (needs jsonschema and referencing, else the test skips)."""
    pytest.importorskip("jsonschema")
    pytest.importorskip("referencing")  # jsonschema >= 4.18 resolves $refs through it
    return OpenAPI(json.loads(openapi_file.read_text(encoding="utf-8")))


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _answers(port: int) -> bool:
    """Whether prism serves HTTP on the port yet (a bare TCP connect can self-connect on Linux)."""
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))  # never via a proxy
    try:
        with opener.open(f"http://127.0.0.1:{port}/", timeout=1):
            return True
    except urllib.error.HTTPError:
        return True  # prism answered (404: no operation at /)
    except (OSError, http.client.HTTPException):
        return False


@pytest.fixture(scope="session")
def prism_url(openapi_file: Path, openapi: OpenAPI) -> Iterator[str]:
    """`prism mock -d` of the document on a free port of 127.0.0.1 (prism from $PRISM_BIN)."""
    prism = os.environ.get("PRISM_BIN")
    if not prism:
        pytest.skip("PRISM_BIN is not set: run `nox -s conformance`, which installs prism")
    if not Path(prism).is_file():
        pytest.fail(f"PRISM_BIN={prism!r} is not a file; is @stoplight/prism-cli installed?")
    # prism mocks the document's paths at its root, without the servers' /client/v4 prefix.
    port = _free_port()
    command = [prism, "mock", "-d", "-h", "127.0.0.1", "-p", str(port), str(openapi_file)]
    # prism logs every request: a file, not a pipe nobody reads, which would fill and stall it.
    with (
        tempfile.TemporaryFile("w+", encoding="utf-8") as log,
        subprocess.Popen(  # noqa: S603 - the configured prism binary, fixed arguments
            command, stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT
        ) as process,
    ):
        try:
            deadline = time.monotonic() + _PRISM_START_TIMEOUT
            while not _answers(port):
                if process.poll() is not None or time.monotonic() > deadline:
                    log.seek(0)
                    pytest.fail(
                        f"prism did not start (exit {process.poll()}): {log.read()[-3000:]}"
                    )
                time.sleep(0.2)
            yield f"http://127.0.0.1:{port}"
        finally:
            if process.poll() is None:
                process.terminate()
            try:
                process.wait(_STOP_TIMEOUT)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


@pytest.fixture
def recorder() -> Recorder:
    return Recorder()


@pytest_asyncio.fixture
async def recording_session(recorder: Recorder) -> AsyncIterator[aiohttp.ClientSession]:
    """An aiohttp session, lent to a `cni_async.Client`, whose every exchange is recorded."""
    async with aiohttp.ClientSession(trace_configs=[recorder.trace_config]) as session:
        yield session
