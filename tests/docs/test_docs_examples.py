"""The docs' example runner (docs/_ext/run_examples.py) passes good examples and fails bad ones.

Each test builds a tiny MyST project with the real extension in a subprocess, as
`nox -s docs` builds the real docs. Skipped where Sphinx and MyST are not installed
(the docs session installs them).
"""

from __future__ import annotations

import os
import socket
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
from pathlib import Path

from cni_async.testing import Emulator


async def main() -> None:
    assert not [name for name in os.environ if name.startswith("CLOUDFLARE_")]
    assert "cni-docs-" in str(Path.cwd())
    async with Emulator() as emu, emu.client() as cf:
        slot = await anext(aiter(cf.slots.list(occupied=False)))
        print(slot.site, "at", emu.base_url)
        print("done")


asyncio.run(main())
{FENCE}

{FENCE}text
SJC at http://127.0.0.1:.../client/v4
...
{FENCE}

{FENCE}console
$ cni-async emulator --port {{port}} --demo &
CNI emulator serving at http://127.0.0.1:{{port}}/client/v4
$ export CLOUDFLARE_BASE_URL=http://127.0.0.1:{{port}}/client/v4
$ export CLOUDFLARE_API_TOKEN=any-token
$ export CLOUDFLARE_ACCOUNT_ID=demo-account
$ SETTINGS=$(cni-async settings get | jq -r .default_asn)
$ echo "$SETTINGS" \\
    "asn"
13335 asn
{FENCE}

{FENCE}python
import os

print(os.environ["CLOUDFLARE_ACCOUNT_ID"])
{FENCE}

{FENCE}text
demo-account
{FENCE}

{FENCE}console
$ test "$SETTINGS" = 13335
$ cni-async interconnects list --output table
{FENCE}

{FENCE}text
NAME   TYPE  ...
...
gcp-3  gcp_partner  ...
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
async def test_emulator(cni_client, cni_emulator):
    assert (await cni_client.settings.get()).default_asn == 13335
    assert cni_emulator.executed["get_settings"] == 1
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
$ cni-async --emulator settings get
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
$ cni-async --emulator cnis get not-a-uuid || echo "exit status $?"
error: cni_id: must be a UUID ...
exit status 1
{FENCE}

{FENCE}python
print("the real output")
{FENCE}

{FENCE}text
the shown output
{FENCE}

{FENCE}console
$ python -c "raise SystemExit(5)" &
never printed
{FENCE}
"""


def build(tmp_path: Path, page: str) -> subprocess.CompletedProcess[str]:
    """Build a one-page project with -W, as the docs session does, with a token in the
    build's own environment that no example may see."""
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
        env={**os.environ, "CLOUDFLARE_API_TOKEN": "the-build-s-own"},
    )


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def test_good_examples_pass_and_are_counted(tmp_path):
    """Python, console (background server, variables across blocks), pytest in strict mode and
    shown outputs all pass with no CLOUDFLARE_* variable but those the page exports, outside
    the repo; norun is skipped."""
    result = build(tmp_path, GOOD.replace("{port}", str(free_port())))
    assert result.returncode == 0, result.stdout + result.stderr
    assert "2 python blocks, 9 console commands and 1 pytest runs on 1 pages" in result.stdout
    assert "11 outputs checked" in result.stdout
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
    assert "index.md:16: WARNING: this console command exited with status 2" in log
    assert "$ cni-async interconnects get no-such-interconnect" in log
    assert "no credentials" in log  # the build's CLOUDFLARE_API_TOKEN did not reach it
    assert "index.md:20: WARNING: a 'bash' block is neither run nor marked" in log
    assert "WARNING: pytest over this page's test files exited with status 1" in log
    assert "assert 1 == 2" in log
    assert "index.md:33: WARNING: this console command printed other output" in log
    assert "$ cni-async --emulator cnis get not-a-uuid" in log
    assert "-exit status 1\n+exit status 2\n" in log
    assert "index.md:39: WARNING: this python example printed other output" in log
    assert "-the shown output\n+the real output" in log
    assert "index.md:47: WARNING: this background command exited with status 5" in log
