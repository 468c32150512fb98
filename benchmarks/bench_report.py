"""Medians, ratios, targets and the printed table / JSON document of one benchmark run."""

from __future__ import annotations

from dataclasses import dataclass, field
from statistics import median
from typing import Any

from bench_clients import CLIENTS, OFFICIAL

# (metric, limit) pairs per timed workload: the targets of the issue.
TIME_TARGETS: dict[str, tuple[tuple[str, float], ...]] = {
    "seq": (("ours/raw", 1.3), ("ours/best-official", 0.25)),
    "conc": (("ours/raw", 1.3), ("ours/best-official", 0.25)),
    "walk": (("ours/raw", 2.0), ("ours/best-official", 0.25)),
}
MEMORY_SCALING_LIMIT = 2.0  # ours: peak walking the large list <= 2x peak walking the small one


@dataclass
class Check:
    row: str
    metric: str
    value: float | None
    limit: float

    @property
    def passed(self) -> bool | None:
        return None if self.value is None else self.value <= self.limit

    @property
    def verdict(self) -> str:
        return {True: "PASS", False: "FAIL", None: "SKIP"}[self.passed]


@dataclass
class Results:
    clients: list[str]
    labels: dict[str, str]  # workload key -> row label, in display order
    small: int  # items walked in the "walk" workload and the small memory measurement
    large: int  # items walked in the large memory measurement
    timings: dict[str, dict[str, list[float]]] = field(
        default_factory=dict[str, dict[str, list[float]]]
    )  # seconds
    memory: dict[int, dict[str, list[int]]] = field(
        default_factory=dict[int, dict[str, list[int]]]
    )  # peak bytes
    imports: dict[str, list[float]] = field(
        default_factory=dict[str, list[float]]
    )  # seconds, per client

    def med(self, samples: dict[str, list[Any]], key: str) -> float | None:
        values = samples.get(key)
        return float(median(values)) if values else None


def ratio(num: float | None, den: float | None) -> float | None:
    return None if num is None or not den else num / den


def best_official(values: dict[str, float | None]) -> float | None:
    known = [v for k, v in values.items() if k in OFFICIAL and v is not None]
    return min(known) if known else None


def checks(res: Results) -> list[Check]:
    out: list[Check] = []
    for key, targets in TIME_TARGETS.items():
        if key not in res.timings:
            continue
        meds = {c: res.med(res.timings[key], c) for c in CLIENTS}
        values = {
            "ours/raw": ratio(meds["ours"], meds["raw"]),
            "ours/best-official": ratio(meds["ours"], best_official(meds)),
        }
        out.extend(Check(key, metric, values[metric], limit) for metric, limit in targets)
    if res.memory:
        small, large = (res.med(res.memory.get(n, {}), "ours") for n in (res.small, res.large))
        out.append(
            Check("mem-scaling", "ours large/small", ratio(large, small), MEMORY_SCALING_LIMIT)
        )
    return out


def _cells(meds: dict[str, float | None], fmt: str, scale: float) -> list[str]:
    return ["-" if (m := meds[c]) is None else fmt.format(m * scale) for c in CLIENTS]


def _ratio_cells(meds: dict[str, float | None]) -> list[str]:
    pair = (ratio(meds["ours"], meds["raw"]), ratio(meds["ours"], best_official(meds)))
    return ["-" if r is None else f"{r:.2f}" for r in pair]


def _verdict(row_checks: list[Check]) -> tuple[str, str]:
    if not row_checks:
        return "-", "info"
    target = " ".join(
        f"{c.metric.removeprefix('ours/').replace('best-official', 'off')}<={c.limit:.2f}"
        for c in row_checks
    )
    failed = [c.metric for c in row_checks if c.passed is False]
    if failed:
        return target, "FAIL: " + ", ".join(failed)
    if any(c.passed is None for c in row_checks):
        return target, "SKIP"
    return target, "PASS"


def _memory_rows(res: Results, all_checks: list[Check]) -> list[list[str]]:
    out: list[list[str]] = []
    by_size = {
        n: {c: res.med(res.memory.get(n, {}), c) for c in CLIENTS} for n in (res.small, res.large)
    }
    for n, meds in by_size.items():
        out.append(
            [
                f"peak traced memory, walk {n:,}",
                *_cells(meds, "{:.2f} MiB", 2**-20),
                *_ratio_cells(meds),
                "-",
                "info",
            ]
        )
    scaling = {c: ratio(by_size[res.large][c], by_size[res.small][c]) for c in CLIENTS}
    target, verdict = _verdict([c for c in all_checks if c.row == "mem-scaling"])
    out.append(
        [
            f"peak memory {res.large:,} / {res.small:,}",
            *_cells(scaling, "{:.2f}x", 1.0),
            "-",
            "-",
            target.replace("ours large/small", "ours"),
            verdict,
        ]
    )
    return out


def rows(res: Results, all_checks: list[Check]) -> list[list[str]]:
    out = [["workload", *CLIENTS.values(), "ours/raw", "ours/best-off", "target", "result"]]
    for key, label in res.labels.items():
        if key in res.timings:
            meds = {c: res.med(res.timings[key], c) for c in CLIENTS}
            verdict = _verdict([c for c in all_checks if c.row == key])
            out.append([label, *_cells(meds, "{:.1f} ms", 1e3), *_ratio_cells(meds), *verdict])
        elif key == "mem" and res.memory:
            out.extend(_memory_rows(res, all_checks))
        elif key == "import" and res.imports:
            meds = {c: res.med(res.imports, c) for c in CLIENTS}
            out.append([label, *_cells(meds, "{:.0f} ms", 1e3), *_ratio_cells(meds), "-", "info"])
    return out


def table(table_rows: list[list[str]]) -> str:
    widths = [max(len(r[i]) for r in table_rows) for i in range(len(table_rows[0]))]
    lines: list[str] = []
    for n, r in enumerate(table_rows):
        cells = [
            c.ljust(w) if i in {0, len(r) - 1, len(r) - 2} else c.rjust(w)
            for i, (c, w) in enumerate(zip(r, widths, strict=True))
        ]
        lines.append("  ".join(cells).rstrip())
        if n == 0:
            lines.append("  ".join("-" * w for w in widths))
    return "\n".join(lines)


def notes(res: Results) -> list[str]:
    """Targets that no client could meet here: the floor (raw) itself misses them."""
    out: list[str] = []
    for key, targets in TIME_TARGETS.items():
        meds = {c: res.med(res.timings.get(key, {}), c) for c in CLIENTS}
        floor = ratio(meds["raw"], best_official(meds))
        limit = dict(targets)["ours/best-official"]
        if floor is not None and floor > limit:
            out.append(
                f"note: {res.labels[key]}: raw/best-official = {floor:.2f} > {limit:.2f}, "
                "so ours/best-official <= target would need ours faster than bare aiohttp"
            )
    return out


def summary(all_checks: list[Check]) -> str:
    count = {v: sum(c.verdict == v for c in all_checks) for v in ("PASS", "FAIL", "SKIP")}
    failed = "; ".join(
        f"{c.row} {c.metric} = {c.value:.2f} > {c.limit:.2f}"
        for c in all_checks
        if c.passed is False
    )
    line = f"targets: {count['PASS']} PASS, {count['FAIL']} FAIL, {count['SKIP']} SKIP"
    return f"{line} ({failed})" if failed else line


def document(res: Results, all_checks: list[Check], meta: dict[str, Any]) -> dict[str, Any]:
    def stats(samples: list[Any]) -> dict[str, Any]:
        return {"median": median(samples), "samples": samples}

    return {
        "meta": meta,
        "clients": res.clients,
        "workloads": res.labels,
        "timings_s": {k: {c: stats(s) for c, s in v.items()} for k, v in res.timings.items()},
        "peak_memory_bytes": {
            str(n): {c: stats(s) for c, s in v.items()} for n, v in res.memory.items()
        },
        "import_s": {c: stats(s) for c, s in res.imports.items()},
        "checks": [
            {
                "row": c.row,
                "metric": c.metric,
                "value": c.value,
                "limit": c.limit,
                "result": c.verdict,
            }
            for c in all_checks
        ],
        "notes": notes(res),
        "summary": summary(all_checks),
    }
