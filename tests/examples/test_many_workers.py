"""examples/many_workers.py: four processes on one Redis budget get no 429; alone, they do."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "many_workers.py"
DONE = re.compile(r"done in ([\d.]+) s; the budget allows ([\d.]+) s at best")
TALLY = re.compile(r"(\d+) succeeded, (\d+) failed; the API refused (\d+) requests with 429")


def run(*options: str) -> tuple[float, float, int, int, int]:
    """Run the example; its time, the budget's best time, successes, failures and 429s."""
    done = subprocess.run(  # noqa: S603 - this interpreter, the example, fixed options
        [sys.executable, str(EXAMPLE), *options],
        capture_output=True,
        text=True,
        timeout=180,
        check=True,
    )
    timing, tally = DONE.search(done.stdout), TALLY.search(done.stdout)
    assert timing is not None, done.stdout
    assert tally is not None, done.stdout
    assert done.stderr == ""
    print(done.stdout)
    ok, failed, refused = map(int, tally.groups())
    return float(timing[1]), float(timing[2]), ok, failed, refused


@pytest.mark.slow
def test_four_workers_on_one_shared_budget_get_no_429_and_lose_little_time(redis_url):
    """4 x 300 gets on 120 per 3 s shared through Redis: no 429, within 10% of the best 27 s."""
    elapsed, best, ok, failed, refused = run("--redis-url", redis_url)
    assert (ok, failed, refused) == (1200, 0, 0)
    assert best == 27.0
    assert best <= elapsed <= best * 1.1


@pytest.mark.slow
def test_the_same_workers_with_per_process_limits_earn_429s():
    """The same run with a limit per worker only: the API refuses requests with 429."""
    _, _, _, _, refused = run("--per-process")
    assert refused > 0
