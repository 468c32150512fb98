"""What the `otel` extra costs a get when no OpenTelemetry SDK is configured.

    python benchmarks/otel_cost.py [--rounds 201] [--gets 100] [--concurrency 16]

Two clients in one process, against benchmarks/server.py (in its own process):

* `without`: made while opentelemetry is blocked from import, exactly as on a machine
  without the extra: the client finds no OpenTelemetry and takes its plain road;
* `no-op`: made after, with opentelemetry-api importable and no SDK set, so every call
  goes through the API's no-op (proxy) tracer and meter: a call span started (and found
  invalid) and a duration recorded per get.

Per round, each client in turn (the order alternating) times `--gets` sequential gets,
then the same number with `--concurrency` in flight, in wall time and in this process's
CPU time (what the SDK itself spends; the server is another process). Rounds are short
and paired so that whatever else the machine runs meanwhile weighs on both alike: the
ratio is the median of each round's no-op/without, shown beside each variant's median
per get, against the issue's limit of 1.05. A report: the exit code is 0 either way.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import os
import platform
import statistics
import sys
import time
from collections.abc import Awaitable, Callable, Iterator
from contextlib import AsyncExitStack, contextmanager
from importlib import metadata
from importlib.machinery import ModuleSpec

from bench_clients import NAMES, TOKEN, base_url
from bench_fresh import bench_server, rotate
from server import account_for

import cni_async

LIMIT = 1.05  # issue 13: a get with the no-op providers costs at most 5% more
VARIANTS = ("without", "no-op")
CLOCKS = ("wall", "cpu")
Job = Callable[[cni_async.Client], Awaitable[None]]
Times = dict[tuple[str, str], dict[str, list[float]]]


class _Blocked:
    """A meta-path finder that makes opentelemetry look not installed."""

    def find_spec(self, name: str, *_: object) -> ModuleSpec | None:
        if name.partition(".")[0] == "opentelemetry":
            raise ImportError(f"{name} blocked: the no-extra variant")
        return None


@contextmanager
def opentelemetry_blocked() -> Iterator[None]:
    if any(name.partition(".")[0] == "opentelemetry" for name in sys.modules):
        raise RuntimeError("opentelemetry was imported before the no-extra client was made")
    finder = _Blocked()
    sys.meta_path.insert(0, finder)
    try:
        yield
    finally:
        sys.meta_path.remove(finder)


def loaded() -> bool:
    return "opentelemetry.trace" in sys.modules


async def seq(cf: cni_async.Client, n: int) -> None:
    for i in range(n):
        await cf.interconnects.get(NAMES[i % len(NAMES)])


async def conc(cf: cni_async.Client, n: int, width: int) -> None:
    todo = iter(range(n))

    async def worker() -> None:
        for i in todo:
            await cf.interconnects.get(NAMES[i % len(NAMES)])

    await asyncio.gather(*(worker() for _ in range(width)))


async def measure(args: argparse.Namespace, port: int) -> Times:
    options = {"api_token": TOKEN, "account_id": account_for(0), "base_url": base_url(port)}
    with opentelemetry_blocked():
        without = cni_async.Client(**options)
    if loaded():
        raise RuntimeError("the no-extra client imported opentelemetry")
    noop = cni_async.Client(**options)
    if not loaded():
        raise RuntimeError("opentelemetry-api is not installed: pip install 'cni-async[otel]'")
    from opentelemetry import metrics, trace

    print(f"  tracer provider: {type(trace.get_tracer_provider()).__name__}")
    print(f"  meter provider: {type(metrics.get_meter_provider()).__name__}")
    clients = {"without": without, "no-op": noop}
    jobs: dict[str, Job] = {
        "seq": lambda cf: seq(cf, args.gets),
        "conc": lambda cf: conc(cf, args.gets, args.concurrency),
    }
    # (workload, clock) -> variant -> seconds per get, one entry per round
    times: Times = {(j, c): {v: [] for v in VARIANTS} for j in jobs for c in CLOCKS}
    async with AsyncExitStack() as stack:
        for cf in clients.values():
            await stack.enter_async_context(cf)
            await conc(cf, 4 * args.concurrency, args.concurrency)  # warm: pool, caches
        for r in range(args.rounds):
            for job_key, job in jobs.items():
                for variant in rotate(list(VARIANTS), r):
                    gc.collect()
                    wall, cpu = time.perf_counter(), time.process_time()
                    await job(clients[variant])
                    cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
                    times[job_key, "wall"][variant].append(wall / args.gets)
                    times[job_key, "cpu"][variant].append(cpu / args.gets)
    return times


def main() -> int:
    p = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    p.add_argument("--rounds", type=int, default=201, help="paired rounds (default 201)")
    p.add_argument("--gets", type=int, default=100, help="gets per client per round")
    p.add_argument("--concurrency", type=int, default=16, help="in flight, second workload")
    args = p.parse_args()
    versions = {d: metadata.version(d) for d in ("cni-async", "aiohttp", "opentelemetry-api")}
    print(f"{platform.python_implementation()} {platform.python_version()}, {versions}")
    print(f"  nproc={os.cpu_count()}, load average {os.getloadavg()[0]:.2f} before")
    with bench_server([1]) as port:
        times = asyncio.run(measure(args, port))
    print(f"  load average {os.getloadavg()[0]:.2f} after")
    print(f"\nmedians of {args.rounds} paired rounds of {args.gets} gets per client\n")
    print(f"{'per get':<40}{'without extra':>15}{'no-op providers':>17}{'ratio':>8}  target")
    labels = {"seq": "sequential", "conc": f"{args.concurrency} in flight"}
    clocks = {"wall": "wall time", "cpu": "client CPU time"}
    for (job, clock), samples in times.items():
        without, noop = (statistics.median(samples[v]) for v in VARIANTS)
        pairs = zip(samples["no-op"], samples["without"], strict=True)
        ratio = statistics.median(n / w for n, w in pairs)
        verdict = "PASS" if ratio <= LIMIT else "FAIL"
        label = f"{labels[job]}, {clocks[clock]}"
        print(
            f"{label:<40}{without * 1e6:>12.1f} us{noop * 1e6:>14.1f} us{ratio:>8.3f}  "
            f"<= {LIMIT:.2f} {verdict}"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
