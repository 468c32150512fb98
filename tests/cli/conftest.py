"""CLI fixtures: a seeded emulator and `cli(...)`, which runs `main()` against it."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator, Awaitable, Callable

import attrs
import pytest
import pytest_asyncio

from cni_async._cli import main
from cni_async._cli._emulator import seed_demo
from cni_async.testing import Emulator

ACCOUNT = "cli-acc"
TOKEN = "cli-SECRET-token-4242"


@attrs.frozen
class Result:
    """What one `cni-async` run left behind."""

    code: int
    out: str
    err: str

    def json(self) -> object:
        """stdout as one JSON object."""
        return json.loads(self.out)

    def lines(self) -> list[dict[str, object]]:
        """stdout as JSON lines."""
        return [json.loads(line) for line in self.out.splitlines()]


Run = Callable[..., Awaitable[Result]]


@pytest_asyncio.fixture
async def emu() -> AsyncIterator[Emulator]:
    """An emulator holding the CLI's demo data in ACCOUNT; it wants TOKEN."""
    async with Emulator(token=TOKEN, status_polls=1) as emulator:
        await seed_demo(emulator.base_url, ACCOUNT, TOKEN)
        yield emulator


@pytest.fixture
def cli(emu: Emulator, capsys, monkeypatch, _no_cloudflare_env) -> Run:
    """Run `main()` in a worker thread against `emu`, credentials from the environment."""
    monkeypatch.setenv("CLOUDFLARE_API_TOKEN", TOKEN)
    monkeypatch.setenv("CLOUDFLARE_ACCOUNT_ID", ACCOUNT)

    async def run(*argv: str) -> Result:
        capsys.readouterr()
        code = await asyncio.to_thread(main, ["--base-url", emu.base_url, *argv])
        captured = capsys.readouterr()
        return Result(code, captured.out, captured.err)

    return run


def assert_one_error_line(result: Result, code: int) -> str:
    """The run failed with `code` and said so in one `error:` line, no traceback."""
    assert result.code == code, result
    assert result.err.startswith("error: ")
    assert result.err.count("\n") == 1
    assert "Traceback" not in result.err
    assert TOKEN not in result.err
    return result.err
