"""What a rate limit shared through Redis costs: round trips, latency per call, 16 workers.

    python benchmarks/redis_limit.py [--redis-url URL]   # else starts a throwaway redis-server

A report, not a test. Measured on a local redis-server (loopback, so a round trip
is ~0.1 ms; on a network, add the real round trip once per call):

1. Redis round trips per call, from Redis's own `INFO commandstats`: on an open
   budget, and on a budget that 16 workers keep spent (waits re-ask Redis).
2. The latency a call gains: `cf.settings.get()` against a local emulator with
   the limit in process vs shared through Redis (median and p99 of 2,000 calls).
3. The shared limiter's throughput: 16 worker processes acquiring as fast as
   they can on an open budget, for 5 s.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

import redis

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "examples"))
from many_workers import throwaway_redis

import cni_async
from cni_async._limits import Limits, LimitWaitTooLongError
from cni_async.testing import Emulator

WORKERS = 16
SECONDS = 5.0
HEADERS = {"Authorization": "Bearer bench"}


# Run by the script inside Redis: counted by commandstats, but no round trip of their own.
_IN_SCRIPT = {"time", "zremrangebyscore", "zcard", "zrange", "zadd", "pexpire"}
_OURS = {"info", "flushall", "config|resetstat"}  # this report's own


def round_trips(url: str) -> int:
    """Commands clients have sent Redis so far (each is one round trip here)."""
    with redis.Redis.from_url(url) as client:
        stats = client.info("commandstats")
    return sum(
        entry["calls"]
        for name, entry in stats.items()
        if name.removeprefix("cmdstat_") not in _IN_SCRIPT | _OURS
    )


def flush(url: str) -> None:
    with redis.Redis.from_url(url) as client:
        client.flushall()
        client.config_resetstat()


async def latency(url: str | None, calls: int) -> list[float]:
    """Seconds per `settings.get()` with a rate limit in process (None) or through Redis."""
    limit = cni_async.RateLimit(10**9, 1.0, url)
    async with Emulator() as emu, emu.client(rate_limit=limit) as cf:
        for _ in range(100):  # warm up: session, connection, script loaded
            await cf.settings.get()
        times = []
        for _ in range(calls):
            started = time.perf_counter()
            await cf.settings.get()
            times.append(time.perf_counter() - started)
    return times


async def acquire_for(url: str, seconds: float, requests: int, tasks: int) -> int:
    """Acquisitions one worker makes in `seconds` (on a budget of `requests` per second)."""
    limits = Limits(cni_async.RateLimit(requests, 1.0, url), None, auth_headers=HEADERS)
    count = 0
    stop = time.monotonic() + seconds

    async def task() -> None:
        nonlocal count
        with contextlib.suppress(LimitWaitTooLongError):  # a place past `stop`: done
            while time.monotonic() < stop:
                await limits.acquire(max_server_wait=60, remaining=stop - time.monotonic())
                limits.release()
                count += 1

    await asyncio.gather(*(task() for _ in range(tasks)))
    await limits.aclose()
    return count


def workers(url: str, seconds: float, requests: int) -> int:
    """16 processes acquiring together for `seconds` each: total acquisitions."""
    command = [sys.executable, __file__, "--worker", url, str(seconds), str(requests)]
    processes = [
        subprocess.Popen(command, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
        for _ in range(WORKERS)
    ]
    for process in processes:  # every interpreter is up before the clock starts
        if process.stdout is None or process.stdout.readline().strip() != "ready":
            raise RuntimeError("a worker failed to start")
    for process in processes:
        if process.stdin is not None:
            process.stdin.write("go\n")
            process.stdin.flush()
    return sum(int(process.communicate()[0]) for process in processes)


def report(url: str) -> None:
    print(f"machine: {os.cpu_count()} cores, Python {sys.version.split()[0]}, local redis-server")
    flush(url)
    calls = 2000
    local = asyncio.run(latency(None, calls))
    before = round_trips(url)
    shared = asyncio.run(latency(url, calls))
    trips = (round_trips(url) - before) / (calls + 100)
    for name, times in (("in process", local), ("through Redis", shared)):
        q = statistics.quantiles(times, n=100)
        median, p99 = q[49] * 1e3, q[98] * 1e3
        print(f"settings.get(), rate limit {name:13}: median {median:.3f} ms, p99 {p99:.3f} ms")
    added = statistics.median(shared) - statistics.median(local)
    print(f"added per call by Redis: {added * 1e3:.3f} ms median; {trips:.2f} round trips per call")

    for budget, name in ((10**9, "open budget"), (500, "budget of 500/s kept spent")):
        flush(url)
        total = workers(url, SECONDS, budget)
        trips = round_trips(url) / total
        print(
            f"{WORKERS} workers x 8 tasks, {name}: {total / SECONDS:,.0f} acquisitions/s "
            f"({total:,} in {SECONDS:.0f} s), {trips:.2f} round trips each"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--redis-url")
    parser.add_argument("--worker", nargs=3, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker is not None:
        url, seconds, requests = args.worker
        print("ready", flush=True)
        sys.stdin.readline()
        print(asyncio.run(acquire_for(url, float(seconds), int(requests), tasks=8)))
    elif args.redis_url is not None:
        report(args.redis_url)
    else:
        with throwaway_redis() as url:
            report(url)


if __name__ == "__main__":
    main()
