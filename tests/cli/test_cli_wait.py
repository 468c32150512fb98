"""`cni-async wait`: progress on stderr (in place on a terminal, a line per change on a pipe).

stderr is a real pseudo-terminal or a real pipe here, so `isatty()` is the operating
system's answer; stdout must hold the final result and nothing else.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import sys
import threading
import tty
from collections.abc import Iterator

import pytest

from cni_async._cli import _waiting
from cni_async._cli._output import Output
from tests.cli.conftest import ACCOUNT

HEALTHY = '{"state": "Healthy"}\n'


@contextlib.contextmanager
def _stderr_on(kind: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[list[str]]:
    """sys.stderr on a pty ("terminal") or a pipe; the list holds what was written, at exit."""
    if kind == "terminal":
        reader, writer = os.openpty()
        tty.setraw(writer)  # bytes as written: no \n -> \r\n translation
    else:
        reader, writer = os.pipe()
    chunks: list[bytes] = []

    def drain() -> None:  # a pty holds little: read while the command writes
        with contextlib.suppress(OSError):  # EIO: the pty's other end closed
            while chunk := os.read(reader, 4096):
                chunks.append(chunk)

    thread = threading.Thread(target=drain)
    thread.start()
    written: list[str] = []
    with open(writer, "w", encoding="utf-8") as stream:  # noqa: PTH123 - a file descriptor
        assert stream.isatty() is (kind == "terminal")
        monkeypatch.setattr("sys.stderr", stream)
        try:
            yield written
        finally:
            monkeypatch.undo()
    thread.join(timeout=10)
    os.close(reader)
    written.append(b"".join(chunks).decode())


async def test_pipe_gets_one_line_per_change_and_stdout_only_the_result(cli, monkeypatch):
    """On a pipe: Pending, then Healthy, one line each; stdout is exactly the final JSON."""
    with _stderr_on("pipe", monkeypatch) as stderr:
        result = await cli("wait", "sjc-1", "--interval", "0.01")
    assert result.code == 0
    assert result.out == HEALTHY
    assert stderr[0] == (
        "sjc-1: Pending, 0 s waiting for Healthy\nsjc-1: Healthy, 0 s waiting for Healthy\n"
    )


async def test_pipe_shows_the_reason_before_the_error(cli, emu, monkeypatch):
    """A Down interconnect: its state and reason on one line, then the one error line."""
    emu.set_status(ACCOUNT, "sjc-1", "Down", "fibre cut")
    with _stderr_on("pipe", monkeypatch) as stderr:
        result = await cli("interconnects", "wait", "sjc-1", "--interval", "0.01")
    assert result.code == 1
    assert result.out == ""
    change, error, nothing = stderr[0].split("\n")
    assert change == "sjc-1: Down (fibre cut), 0 s waiting for Healthy"
    assert error.startswith("error: interconnect 'sjc-1' is Down (fibre cut)")
    assert nothing == ""


async def test_control_characters_from_the_api_are_not_written(cli, emu, monkeypatch):
    """A reason holding escapes or line breaks is shown flattened, on one line."""
    emu.set_status(ACCOUNT, "sjc-1", "Down", "LOS\x1b[2J\non port 1")
    with _stderr_on("pipe", monkeypatch) as stderr:
        await cli("wait", "sjc-1", "--interval", "0.01")
    assert stderr[0].split("\n")[0] == "sjc-1: Down (LOS [2J on port 1), 0 s waiting for Healthy"


async def test_table_output_keeps_stdout_to_the_table(cli, monkeypatch):
    """--output table: stdout is the STATE/REASON table, the progress lines go to stderr."""
    with _stderr_on("pipe", monkeypatch) as stderr:
        result = await cli("wait", "ams-2", "--interval", "0.01", "--output", "table")
    assert result.out.split("\n")[1:] == ["Healthy  -", ""]
    assert result.out.split() == ["STATE", "REASON", "Healthy", "-"]
    assert stderr[0].count("\n") == 2


async def test_terminal_line_is_rewritten_in_place_and_erased(cli, monkeypatch):
    """On a terminal: one \\r line, rewritten per change, erased at the end; no newline at all."""
    with _stderr_on("terminal", monkeypatch) as stderr:
        result = await cli("wait", "sjc-1", "--interval", "0.01")
    assert result.code == 0
    assert result.out == HEALTHY
    shown = stderr[0]
    assert shown.startswith("\rsjc-1: Pending, 0 s waiting for Healthy")
    assert "\rsjc-1: Healthy, 0 s waiting for Healthy" in shown
    width = len("sjc-1: Pending, 0 s waiting for Healthy")
    assert shown.endswith("\r" + " " * width + "\r")
    assert "\n" not in shown


async def test_terminal_line_counts_the_time_between_polls(cli, emu, monkeypatch):
    """The line is rewritten between polls as time passes, then erased before the error."""
    monkeypatch.setattr(_waiting, "TICK", 0.01)
    emu.set_status(ACCOUNT, "sjc-1", "Pending")
    with _stderr_on("terminal", monkeypatch) as stderr:
        result = await cli("wait", "sjc-1", "--interval", "0.2", "--max-wait", "0.3")
    assert result.code == 1
    assert result.out == ""
    shown = stderr[0]
    # Two polls (0 s and 0.2 s) and one state: every rewrite beyond the first is a tick.
    assert shown.count("\rsjc-1: Pending, 0 s waiting for Healthy") >= 5
    line, _, error = shown.rpartition("\r")
    assert line.endswith("\r" + " " * len("sjc-1: Pending, 0 s waiting for Healthy"))
    assert error.startswith("error: interconnect 'sjc-1' is still Pending after 0.3 s")
    assert error.endswith("\n")


async def test_the_logger_is_left_as_it_was(cli, monkeypatch):
    """The wait turns INFO on for itself only: level and handlers are restored after."""
    logger = logging.getLogger("cni_async")
    handlers = list(logger.handlers)
    with _stderr_on("pipe", monkeypatch):
        result = await cli("wait", "gcp-3", "--interval", "0.01")
    assert result.code == 0
    assert logger.level == logging.NOTSET
    assert logger.handlers == handlers


async def test_verbose_keeps_debug_on_and_still_shows_progress(cli, monkeypatch):
    """With --verbose the DEBUG logs and the progress lines both reach stderr."""
    with _stderr_on("pipe", monkeypatch) as stderr:
        result = await cli("--verbose", "wait", "sjc-1", "--interval", "0.01")
    assert result.out == HEALTHY
    assert "DEBUG cni_async: call " in stderr[0]
    assert "\nsjc-1: Healthy, 0 s waiting for Healthy\n" in stderr[0]


@pytest.mark.parametrize(
    ("seconds", "shown"),
    [(0.4, "0 s"), (59.9, "59 s"), (60, "1 min 00 s"), (187, "3 min 07 s"), (7500, "2 h 05 min")],
)
def test_durations_for_people(seconds, shown):
    """Seconds, then minutes and seconds, then hours and minutes."""
    assert _waiting.duration(seconds) == shown


def test_other_records_are_not_shown(capsys):
    """Records of other interconnects, or without a state, leave stderr untouched."""
    out = Output("json", sys.stdout, sys.stderr)
    progress = _waiting.WaitProgress(out, "sjc-1", "Healthy")
    for extra in ({"interconnect": "ams-2", "state": "Down"}, {"interconnect": "sjc-1"}):
        record = logging.LogRecord("cni_async", logging.INFO, __file__, 1, "m", None, None)
        record.__dict__.update(extra)
        progress.emit(record)
    assert capsys.readouterr().err == ""


async def test_nothing_is_shown_before_the_first_state(monkeypatch):
    """Ticks before the first status arrives leave the terminal blank."""
    monkeypatch.setattr(_waiting, "TICK", 0.001)
    with _stderr_on("terminal", monkeypatch) as stderr:
        out = Output("json", sys.stdout, sys.stderr)
        async with _waiting.WaitProgress(out, "sjc-1", "Healthy").following():
            await asyncio.sleep(0.05)
    assert stderr[0] == ""
