"""A batch job on four worker processes that spend ONE rate-limit budget, shared through Redis.

    python examples/many_workers.py                  # starts a throwaway redis-server
    python examples/many_workers.py --redis-url redis://localhost:6379/0
    python examples/many_workers.py --per-process    # each worker counts alone: 429s

The emulator enforces Cloudflare's rate limit, scaled down from 1,200 requests
per 300 s to 120 per 3 s. Four workers make 300 gets each, 1,200 in all: the
budget lets them through in 27 s at best (ten windows' worth, the first at
once). With `RateLimit(..., redis_url=...)` every worker takes its place in one
window kept in Redis, and the API refuses nothing. With per-process limits
each worker spends a whole budget of its own, and the API answers 429.

Pointed at the real API (`RateLimit.cloudflare(redis_url=...)`, your token),
the same worker code keeps a fleet under Cloudflare's 1,200 per 5 minutes.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator

import cni_async
from cni_async.testing import Emulator

TOKEN = "one-token-for-every-worker"  # the budget is per credential: all workers share it
# The server counts requests when they arrive, the limiter when it lets them go: a little
# headroom on the window covers the difference in delay between two requests (0.15 s here).
HEADROOM = 0.15
MAX_CONCURRENCY = 2  # in flight per worker: the budget is the bottleneck, more only queue


async def work(args: argparse.Namespace) -> None:
    """One worker: `--gets` gets, limited by the shared budget (or its own)."""
    rate = cni_async.RateLimit(args.requests, args.per + HEADROOM, args.redis_url)
    names = [f"bulk-{index:06d}" for index in range(args.gets)]
    async with cni_async.Client(
        api_token=TOKEN,
        account_id=args.account,
        base_url=args.base_url,
        rate_limit=rate,
        max_concurrency=MAX_CONCURRENCY,
    ) as cf:
        print("ready", flush=True)
        await asyncio.get_running_loop().run_in_executor(None, sys.stdin.readline)  # "go"
        results = await cni_async.batch(cf.interconnects.get, names, concurrency=MAX_CONCURRENCY)
    failed = [type(result).__name__ for result in results if isinstance(result, Exception)]
    print(json.dumps({"ok": len(results) - len(failed), "failed": len(failed)}), flush=True)


async def run(args: argparse.Namespace, redis_url: str | None) -> None:
    """Serve the emulator, start the workers together, and report what the API saw."""
    async with Emulator(rate_limit=(args.requests, args.per)) as emu:
        emu.add_interconnects(emu.account_id, args.gets)
        command = [sys.executable, __file__, "--worker", emu.base_url, emu.account_id]
        options = ["--gets", str(args.gets), "--budget", f"{args.requests}/{args.per:g}"]
        if redis_url is not None:
            options += ["--redis-url", redis_url]
        workers = [
            await asyncio.create_subprocess_exec(
                *command, *options, stdin=subprocess.PIPE, stdout=subprocess.PIPE
            )
            for _ in range(args.workers)
        ]
        for worker in workers:  # wait until every worker is up, then start them together
            ready = await worker.stdout.readline() if worker.stdout else b""
            if ready.strip() != b"ready":
                raise RuntimeError("a worker failed to start")
        started = time.monotonic()
        for worker in workers:
            if worker.stdin is not None:
                worker.stdin.write(b"go\n")
                await worker.stdin.drain()
        outputs = [await worker.communicate() for worker in workers]
        elapsed = time.monotonic() - started
    reports = [json.loads(stdout) for stdout, _ in outputs]
    total = args.workers * args.gets
    best = (total / args.requests - 1) * args.per  # the first budget's worth goes at once
    shared = "shared through Redis" if redis_url else "counted by each worker alone"
    print(f"{args.workers} workers x {args.gets} gets, {args.requests} requests per {args.per:g} s")
    print(f"budget {shared}")
    over = elapsed / best - 1
    print(f"done in {elapsed:.1f} s; the budget allows {best:.1f} s at best (+{over:.0%})")
    ok = sum(report["ok"] for report in reports)
    failed = sum(report["failed"] for report in reports)
    print(f"{ok} succeeded, {failed} failed; the API refused {emu.rate_limited} requests with 429")


@contextlib.contextmanager
def throwaway_redis() -> Iterator[str]:
    """A redis-server on a free port for this run only, saving nothing."""
    binary = shutil.which("redis-server")
    if binary is None:
        sys.exit("redis-server is not installed: install it, or pass --redis-url")
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    with tempfile.TemporaryDirectory() as folder:
        arguments = ["--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"]
        server = subprocess.Popen(  # noqa: S603 - the installed redis-server, fixed arguments
            [binary, *arguments, "--dir", folder], stdout=subprocess.DEVNULL
        )
        try:
            for _ in range(200):
                with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port)):
                    break
                time.sleep(0.05)
            yield f"redis://127.0.0.1:{port}/0"
        finally:
            server.terminate()
            server.wait()


def budget(text: str) -> tuple[int, float]:
    """`120/3` -> (120, 3.0)."""
    requests, _, seconds = text.partition("/")
    return int(requests), float(seconds)


def main() -> None:
    """Run the batch (or, with --worker, one of its workers)."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workers", type=int, default=4, help="worker processes (4)")
    parser.add_argument("--gets", type=int, default=300, help="gets per worker (300)")
    parser.add_argument("--budget", type=budget, default=(120, 3.0), help="REQUESTS/SECONDS")
    parser.add_argument("--redis-url", help="the Redis to share the budget through")
    parser.add_argument("--per-process", action="store_true", help="no Redis: limits per worker")
    parser.add_argument(
        "--worker", nargs=2, metavar=("BASE_URL", "ACCOUNT"), help=argparse.SUPPRESS
    )
    args = parser.parse_args()
    args.requests, args.per = args.budget
    if args.worker is not None:
        args.base_url, args.account = args.worker
        asyncio.run(work(args))
    elif args.per_process:
        asyncio.run(run(args, None))
    elif args.redis_url is not None:
        asyncio.run(run(args, args.redis_url))
    else:
        with throwaway_redis() as url:
            asyncio.run(run(args, url))


if __name__ == "__main__":
    main()
