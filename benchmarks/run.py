"""Benchmark cni_async against bare aiohttp and Cloudflare's official SDK on both transports.

    python benchmarks/run.py [--rounds 5] [--clients raw,cf-httpx,cf-aiohttp,ours] [--json [PATH]]

The CNI server (benchmarks/server.py) runs in its own process with every body precomputed.
Per round, every workload runs every client in turn, the order rotating from round to round;
each client is one long-lived session, warmed up first. The table shows medians over rounds,
the ratios ours/raw and ours/(faster official transport), and the targets. It is a report:
the exit code is 0 whether targets pass or not.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import importlib
import json
import os
import platform
import sys
import time
from collections.abc import Awaitable, Callable
from contextlib import AsyncExitStack, suppress
from importlib import metadata
from pathlib import Path
from typing import Any, TextIO

from bench_clients import (
    CLIENTS,
    NAMES,
    PAGE,
    BenchClient,
    base_url,
    check_importable,
    kind_of,
    name_of,
    open_client,
)
from bench_fresh import bench_server, measure_imports, measure_memory, memory_child, rotate
from bench_report import Results, checks, document, notes, rows, summary, table
from server import account_for

DISTRIBUTIONS = (
    "aiohttp",
    "cloudflare",
    "httpx",
    "httpx-aiohttp",
    "pydantic",
    "cni-async",
    "attrs",
    "cattrs",
    "tenacity",
)
Job = Callable[[BenchClient], Awaitable[None]]


def csv(text: str) -> list[str]:
    return [x.strip() for x in text.split(",") if x.strip()]


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    p.add_argument("--rounds", type=int, default=11, help="timed rounds (default 11)")
    p.add_argument("--clients", type=csv, default=list(CLIENTS), help=",".join(CLIENTS))
    p.add_argument(
        "--workloads",
        type=csv,
        default=["seq", "conc", "walk", "mem", "import"],
        help="subset of seq,conc,walk,mem,import",
    )
    p.add_argument("--seq-gets", type=int, default=500)
    p.add_argument("--conc-gets", type=int, default=1000)
    p.add_argument("--concurrency", type=int, default=64)
    p.add_argument("--walk-items", type=int, default=10_000, help="timed walk; small memory walk")
    p.add_argument("--memory-items", type=int, default=100_000, help="large memory walk")
    p.add_argument("--memory-rounds", type=int, default=3, help="fresh processes per size")
    p.add_argument(
        "--memory-clients",
        type=csv,
        default=["ours"],
        help="clients whose peak memory is measured (default: ours)",
    )
    p.add_argument("--import-runs", type=int, default=7, help="fresh interpreters per module")
    p.add_argument(
        "--json",
        nargs="?",
        const="-",
        metavar="PATH",
        help="also write the results as JSON to PATH (no PATH: stdout, table to stderr)",
    )
    p.add_argument("--memory-child", type=int, metavar="N", help=argparse.SUPPRESS)
    p.add_argument("--client", help=argparse.SUPPRESS)
    p.add_argument("--port", type=int, help=argparse.SUPPRESS)
    args = p.parse_args(argv)
    for key in [*args.clients, *args.memory_clients]:
        if key not in CLIENTS:
            p.error(f"unknown client {key!r}; choose from {','.join(CLIENTS)}")
    args.memory_clients = [c for c in args.memory_clients if c in args.clients]
    return args


# --- workloads --------------------------------------------------------------------------


async def seq_gets(client: BenchClient, n: int) -> None:
    for i in range(n):
        await client.get(NAMES[i % len(NAMES)])


async def conc_gets(client: BenchClient, n: int, width: int) -> None:
    todo = iter(range(n))

    async def worker() -> None:
        for i in todo:  # shared iterator: `width` requests in flight until all n are done
            await client.get(NAMES[i % len(NAMES)])

    await asyncio.gather(*(worker() for _ in range(width)))


async def walk(client: BenchClient, expected: int) -> None:
    count = await client.walk(PAGE)
    if count != expected:
        raise RuntimeError(f"walked {count} items, expected {expected}")


def workloads(args: argparse.Namespace) -> dict[str, tuple[str, Job]]:
    every: dict[str, tuple[str, Job]] = {
        "seq": (f"{args.seq_gets:,} sequential gets", lambda c: seq_gets(c, args.seq_gets)),
        "conc": (
            f"{args.conc_gets:,} gets, {args.concurrency} in flight",
            lambda c: conc_gets(c, args.conc_gets, args.concurrency),
        ),
        "walk": (
            f"walk {args.walk_items:,} items (limit {PAGE})",
            lambda c: walk(c, args.walk_items),
        ),
    }
    return {k: v for k, v in every.items() if k in args.workloads}


async def warm_up(key: str, client: BenchClient, args: argparse.Namespace) -> str:
    for name in NAMES[:8]:
        if name_of(got := await client.get(name)) != name:
            raise RuntimeError(f"{key}: get({name!r}) returned {got!r}")
    await conc_gets(client, 2 * args.concurrency, args.concurrency)  # fill the connection pool
    await walk(client, args.walk_items)
    kinds = {kind_of(item) for item in await client.first_page(4)}
    return f"{CLIENTS[key]}: ok; list items are {', '.join(sorted(kinds))}"


async def timed_run(args: argparse.Namespace, port: int, res: Results, log: TextIO) -> None:
    jobs = workloads(args)
    async with AsyncExitStack() as stack:
        opened: dict[str, BenchClient] = {}
        for key in args.clients:
            opened[key] = await stack.enter_async_context(
                open_client(key, base_url(port), account_for(args.walk_items))
            )
            print("  warm-up", await warm_up(key, opened[key], args), file=log, flush=True)
        for r in range(args.rounds):
            order = rotate(args.clients, r)
            for wkey, (_, job) in jobs.items():
                for key in order:
                    gc.collect()
                    start = time.perf_counter()
                    await job(opened[key])
                    elapsed = time.perf_counter() - start
                    res.timings.setdefault(wkey, {}).setdefault(key, []).append(elapsed)
            print(
                f"  round {r + 1}/{args.rounds} done (order: {', '.join(order)})",
                file=log,
                flush=True,
            )


# --- orchestration -------------------------------------------------------------------------


def version(dist: str) -> str | None:
    try:
        return metadata.version(dist)
    except metadata.PackageNotFoundError:
        if dist == "cni-async":  # e.g. run from a checkout through PYTHONPATH
            with suppress(ImportError):
                return str(importlib.import_module("cni_async._version").__version__)
        return None


def meta() -> dict[str, Any]:
    return {
        "python": f"{platform.python_implementation()} {platform.python_version()}",
        "platform": platform.platform(),
        "nproc": os.cpu_count(),
        "versions": {dist: version(dist) for dist in DISTRIBUTIONS},
    }


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    if args.memory_child is not None:
        print(json.dumps(asyncio.run(memory_child(args.client, args.port, args.memory_child))))
        return 0
    log = sys.stderr if args.json == "-" else sys.stdout
    for key in args.clients:
        if (why := check_importable(key)) is not None:
            print(
                f"error: client {key} is not usable ({why}); leave it out with --clients",
                file=sys.stderr,
            )
            return 2
    info = meta()
    print(f"{info['python']} on {info['platform']}, nproc={info['nproc']}", file=log)
    print("  " + ", ".join(f"{k} {v}" for k, v in info["versions"].items() if v), file=log)
    labels = {k: label for k, (label, _) in workloads(args).items()}
    labels |= {
        k: v
        for k, v in (("mem", "peak memory"), ("import", "import time (fresh python)"))
        if k in args.workloads
    }
    res = Results(args.clients, labels, args.walk_items, args.memory_items)
    started = time.perf_counter()
    with bench_server([args.walk_items, args.memory_items]) as port:
        if any(k in args.workloads for k in ("seq", "conc", "walk")):
            asyncio.run(timed_run(args, port, res, log))
        if "mem" in args.workloads and args.memory_clients:
            sizes = (args.walk_items, args.memory_items)
            res.memory = measure_memory(args.memory_clients, sizes, args.memory_rounds, port, log)
    if "import" in args.workloads:
        res.imports = measure_imports(args.clients, args.import_runs)
    found = checks(res)
    how = [f"times: median of {args.rounds} rounds"] if res.timings else []
    if res.memory:
        how.append(f"memory: median of {args.memory_rounds} fresh processes (tracemalloc peak)")
    if res.imports:
        how.append(f"import: median of {args.import_runs} x (`python -c 'import X'` - `pass`)")
    elapsed = time.perf_counter() - started
    print(f"\n{'; '.join(how)}; {elapsed:.0f} s in all\n", file=log)
    print(table(rows(res, found)), file=log)
    print("", *notes(res), summary(found), sep="\n", file=log)
    if args.json is not None:
        text = json.dumps(document(res, found, info), indent=2)
        if args.json == "-":
            print(text)
        else:
            Path(args.json).write_text(text + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
