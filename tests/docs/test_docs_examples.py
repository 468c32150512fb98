"""The docs' example runner (docs/_ext/run_examples.py) passes good examples and fails bad ones.

Each test builds a tiny MyST project with the real extension in a subprocess, as
`nox -s docs` builds the real docs. Skipped where Sphinx and MyST are not installed
(the docs session installs them).
"""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

pytest.importorskip("sphinx")
pytest.importorskip("myst_parser")

EXT = Path(__file__).resolve().parents[2] / "docs" / "_ext"
FENCE = "```"

GOOD = f"""\
# Good

{FENCE}python
import asyncio
import os

import cni_async


async def main() -> None:
    async with cni_async.Client() as cf:
        assert cf.account_id == os.environ["CLOUDFLARE_ACCOUNT_ID"] == "docs-index"
        slot = await anext(aiter(cf.slots.list(occupied=False)))
        print(slot.site)


asyncio.run(main())
{FENCE}

{FENCE}console
$ SETTINGS=$(cni-async settings get | jq -r .default_asn)
$ echo "$SETTINGS" \\
    "asn"
13335 asn
{FENCE}

{FENCE}console
$ test "$SETTINGS" = 13335
{FENCE}

{FENCE}{{code-block}} python
:class: norun

raise SystemExit("never run")
{FENCE}

{FENCE}{{code-block}} python
:caption: test_fixture.py
:class: pytest

import pytest

pytest_plugins = ["cni_async.testing.pytest_plugin"]


@pytest.mark.asyncio
async def test_emulator(cni_emulator):
    assert cni_emulator.base_url.startswith("http://127.0.0.1:")
{FENCE}

{FENCE}console
$ cni-async cnis get not-a-uuid || echo "exit status $?"
error: cni_id: must be a UUID ...
exit status 2
{FENCE}
"""

BAD = f"""\
# Bad

{FENCE}python
import asyncio


async def main() -> None:
    raise RuntimeError("broken example")


asyncio.run(main())
{FENCE}

{FENCE}console
$ cni-async settings get
$ cni-async interconnects get no-such-interconnect
$ echo never
{FENCE}

{FENCE}bash
echo unmarked
{FENCE}

{FENCE}{{code-block}} python
:caption: test_failing.py
:class: pytest

def test_fails():
    assert 1 == 2
{FENCE}

{FENCE}console
$ cni-async cnis get not-a-uuid || echo "exit status $?"
exit status 1
{FENCE}
"""


def build(tmp_path: Path, page: str) -> subprocess.CompletedProcess[str]:
    """Build a one-page project with -W, as the docs session does."""
    source = tmp_path / "src"
    source.mkdir()
    (source / "conf.py").write_text(
        textwrap.dedent(
            f"""\
            import sys
            sys.path.insert(0, {str(EXT)!r})
            extensions = ["myst_parser", "run_examples"]
            """
        )
    )
    (source / "index.md").write_text(page)
    return subprocess.run(  # noqa: S603 - our interpreter, fixed arguments
        [
            sys.executable,
            "-m",
            "sphinx",
            "-W",
            "--keep-going",
            "-b",
            "html",
            str(source),
            str(tmp_path / "out"),
        ],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_good_examples_pass_and_are_counted(tmp_path):
    """Python, console (with variables across blocks) and pytest blocks run; norun does not."""
    result = build(tmp_path, GOOD)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "1 python blocks, 4 console commands and 1 pytest runs on 1 pages" in result.stdout
    assert "not run: 1 blocks marked norun and 0 docstring snippets; 0 failed" in result.stdout


def test_bad_examples_fail_the_build_at_their_line(tmp_path):
    """Each kind of failure is a warning at the page and line of the example, so -W fails."""
    result = build(tmp_path, BAD)
    assert result.returncode != 0
    log = result.stderr
    assert "index.md:4: WARNING: this python example exited with status 1" in log
    assert 'File "' in log
    assert ", line 8, in main" in log  # the traceback names the page's own line
    assert "RuntimeError: broken example" in log
    assert "index.md:16: WARNING: this console command exited with status 3" in log
    assert "$ cni-async interconnects get no-such-interconnect" in log
    assert "index.md:20: WARNING: a 'bash' block is neither run nor marked" in log
    assert "WARNING: pytest over this page's test files exited with status 1" in log
    assert "assert 1 == 2" in log
    assert "printed exit statuses ['exit status 2'] where the page shows ['exit status 1']" in log
