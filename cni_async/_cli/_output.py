"""Everything the CLI writes: results on stdout, progress and errors on stderr.

JSON (the default) is one object per line, lists included (JSON lines), so any
output pipes into `jq`. It is the API's data as is: a CNI's `bgp.md5_key`
included, since it is part of the object the user asked for. Tables are for
people, with columns chosen per resource, and show an MD5 key as `***`.
"""

from __future__ import annotations

import json
from typing import IO, Any, TextIO

from .._converter import unstructure
from .._pagination import Paginator
from ._tables import render, rows_of

__all__ = ["Output", "Progress"]


class Progress:
    """One status line on stderr, rewritten in place (carriage return), only on a terminal."""

    def __init__(self, stream: TextIO) -> None:
        """Show progress on `stream` if it is a terminal; otherwise do nothing."""
        self._stream = stream
        self._enabled = stream.isatty()
        self._width = 0

    @property
    def enabled(self) -> bool:
        """Whether the stream is a terminal, where progress is shown."""
        return self._enabled

    def show(self, text: str) -> None:
        """Replace the progress line with `text`."""
        if not self._enabled:
            return
        padding = " " * max(0, self._width - len(text))
        self._stream.write(f"\r{text}{padding}")
        self._stream.flush()
        self._width = len(text)

    def clear(self) -> None:
        """Erase the progress line, if one is shown."""
        if self._width:
            self._stream.write("\r" + " " * self._width + "\r")
            self._stream.flush()
            self._width = 0


class Output:
    """Writes results as JSON lines or a table, and notes, errors and progress on stderr."""

    def __init__(self, fmt: str, stdout: TextIO, stderr: TextIO) -> None:
        """Write results in `fmt` ("json" or "table") to `stdout`, the rest to `stderr`."""
        self.table = fmt == "table"
        self.stdout = stdout
        self.stderr = stderr
        self.progress = Progress(stderr)

    def one(self, model: object) -> None:
        """Write one model."""
        if self.table:
            self._table([model], type(model))
        else:
            self._json_line(model)
        self.stdout.flush()

    async def many(self, paginator: Paginator[Any], what: str, max_items: int | None) -> None:
        """Write every item of a list (at most `max_items`), page by page.

        JSON lines are written as each page arrives; a table waits for the last
        page to size its columns. A cut at a page boundary notes the cursor to
        resume from on stderr.
        """
        rows: list[object] = []
        count = 0
        resume: str | None = None  # noted after the results, under a table too
        try:
            async for page in paginator.pages():
                take = page.items if max_items is None else page.items[: max_items - count]
                count += len(take)
                if self.table:
                    rows.extend(take)
                else:
                    for item in take:
                        self._json_line(item)
                    self.stdout.flush()
                if max_items is not None and count >= max_items:
                    if len(take) == len(page.items) and page.next is not None:
                        resume = (
                            f"stopped at --max-items {max_items}; more from --cursor {page.next}"
                        )
                    break
                if page.next is not None:
                    self.progress.show(f"{what}: {count} fetched...")
        finally:
            self.progress.clear()
        if self.table:
            self._table(rows, type(rows[0]) if rows else None, what)
        if resume is not None:
            self.note(resume)

    def done(self, text: str) -> None:
        """Confirm an action that returns nothing: a line for people, nothing in JSON."""
        if self.table:
            self.stdout.write(text + "\n")
            self.stdout.flush()

    def note(self, text: str) -> None:
        """A remark on stderr that is not a result."""
        self.progress.clear()
        self.stderr.write(text + "\n")
        self.stderr.flush()

    def error(self, message: str) -> None:
        """The one `error: ...` line of a failed command."""
        flat = " ".join("".join(c if c.isprintable() else " " for c in message).split())
        self.note(f"error: {flat}")

    def binary(self, data: bytes) -> None:
        """Write raw bytes (a PDF) to stdout."""
        self.stdout.flush()
        buffer: IO[bytes] = self.stdout.buffer
        buffer.write(data)
        buffer.flush()

    def _json_line(self, model: object) -> None:
        self.stdout.write(json.dumps(unstructure(model)) + "\n")

    def _table(self, models: list[object], model_type: type | None, what: str = "") -> None:
        if model_type is None:
            self.stdout.write(f"no {what}\n")
            return
        for line in render(rows_of(models, model_type)):
            self.stdout.write(line + "\n")
