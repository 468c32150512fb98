"""The scripts in examples/ run as a user runs them: from a clean environment, anywhere."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"


def test_workflow_runs_with_an_empty_environment(tmp_path):
    """The README's first command: the day-one workflow on the emulator, no CLOUDFLARE_* set."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("CLOUDFLARE_")}
    done = subprocess.run(  # noqa: S603 - this interpreter, our own example
        [sys.executable, "-W", "error", str(EXAMPLES / "workflow.py")],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
        cwd=tmp_path,
        env=env,
    )
    assert done.returncode == 0, done.stderr
    assert done.stderr == ""
    lines = done.stdout.splitlines()
    assert lines[0].startswith("Emulator serving the CNI API at http://127.0.0.1:")
    assert "1. 24 free slots across AMS, NRT, SJC" in lines
    assert "   page of 3: ams-7, ams-8, gcp-9  (next cursor: None)" in lines
    assert any(line.startswith("5. LOA for ams-1: ") for line in lines)
    assert lines[-1].startswith("7. Errors are typed: NotFoundError: GET /accounts/")
