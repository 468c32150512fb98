"""What runs in processes of its own: the server, the memory walks, the import timings."""

from __future__ import annotations

import gc
import json
import subprocess
import sys
import time
import tracemalloc
from collections.abc import Generator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, TextIO

from bench_clients import MODULE, NAMES, PAGE, base_url, open_client
from server import account_for

HERE = Path(__file__).resolve().parent


def rotate(items: list[str], n: int) -> list[str]:
    """``items`` starting at position ``n``: round ``n`` of the round-robin order."""
    n %= max(len(items), 1)
    return items[n:] + items[:n]


@contextmanager
def bench_server(sizes: list[int]) -> Generator[int, None, None]:
    """Start benchmarks/server.py in its own process; yield its port."""
    cmd = [sys.executable, str(HERE / "server.py"), "--port", "0"]
    for n in sorted(set(sizes)):
        cmd += ["--items", str(n)]
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, text=True)
    try:
        line = proc.stdout.readline() if proc.stdout else ""
        if not line.strip().isdigit():
            raise RuntimeError(f"bench server did not start (said {line!r})")
        yield int(line)
    finally:
        proc.terminate()
        proc.wait(timeout=10)


async def memory_child(key: str, port: int, items: int) -> dict[str, Any]:
    """In a fresh process: the tracemalloc peak of walking ``items`` items, client warmed up."""
    async with open_client(key, base_url(port), account_for(items)) as client:
        for name in NAMES[:4]:
            await client.get(name)
        await client.first_page(PAGE)
        gc.collect()
        tracemalloc.start()
        count = await client.walk(PAGE)  # counts the items, keeps none
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
    return {"client": key, "items": items, "count": count, "peak_bytes": peak}


def measure_memory(
    clients: list[str], sizes: tuple[int, ...], rounds: int, port: int, log: TextIO
) -> dict[int, dict[str, list[int]]]:
    """Peak bytes per size and client, one fresh ``run.py --memory-child`` per sample."""
    peaks: dict[int, dict[str, list[int]]] = {n: {} for n in sizes}
    for r in range(rounds):
        for key in rotate(clients, r):
            for items in sizes:
                cmd = [sys.executable, str(HERE / "run.py"), "--memory-child", str(items)]
                cmd += ["--client", key, "--port", str(port)]
                proc = subprocess.run(cmd, capture_output=True, text=True, check=False)
                if proc.returncode != 0:
                    raise RuntimeError(f"memory child failed:\n{proc.stderr}")
                data = json.loads(proc.stdout.splitlines()[-1])
                if data["count"] != items:
                    raise RuntimeError(f"{key} walked {data['count']} items, expected {items}")
                peaks[items].setdefault(key, []).append(data["peak_bytes"])
        print(f"  memory round {r + 1}/{rounds} done", file=log, flush=True)
    return peaks


def python_c(code: str) -> float:
    start = time.perf_counter()
    subprocess.run([sys.executable, "-c", code], check=True, cwd=HERE)
    return time.perf_counter() - start


def measure_imports(clients: list[str], runs: int) -> dict[str, list[float]]:
    """Seconds ``python -c "import X"`` takes over ``python -c pass``, per client's module."""
    modules = sorted({MODULE[k] for k in clients})
    samples: dict[str, list[float]] = {m: [] for m in modules}
    python_c("pass")  # warm the OS file cache
    for _ in range(runs):
        baseline = python_c("pass")
        for module in modules:
            samples[module].append(max(python_c(f"import {module}") - baseline, 0.0))
    return {k: samples[MODULE[k]] for k in clients}
