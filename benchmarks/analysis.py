"""Whole-estate analysis of a generated estate, measured in a process of its own.

Steps, each timed with ``time.perf_counter`` (wall) and ``time.process_time`` (CPU of this
process), in the order a user meets them:

* ``build``: ``iacviz.build_estate`` on the generated stacks (every frame);
* ``exports+imports``: ``estate.exports`` and ``estate.imports`` (cross-stack resolution);
* ``export_problems``: dangling, ambiguous, unused exports;
* ``resource_graph``: the cross-stack resource graph (``iacviz.resource_graph``) and
  ``iacviz.stack_graph``;
* ``blast_radius``: one query per export of the estate (or a seeded sample of them), each
  timed on its own (median and p95 reported);
* ``plan_changes``: the second version (:mod:`benchmarks.versions`, ~2% edited) built, then
  ``iacviz.plan_changes(before, after)`` on the two estates.

Peak memory is the process's peak resident set (``resource.getrusage(...).ru_maxrss``),
measured in a child process so that one measurement does not inherit another's heap;
``baseline`` is the same after imports, before any estate exists.

From the repo root, one measurement::

    .venv/bin/python -m benchmarks.analysis 2000 50
"""

from __future__ import annotations

import gc
import json
import random
import resource
import statistics
import sys
import time
from pathlib import Path
from typing import Any, Callable

REPO = Path(__file__).resolve().parents[1]
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

import iacviz  # noqa: E402
from benchmarks.generate import generate_estate  # noqa: E402
from benchmarks.versions import edit_estate  # noqa: E402


def peak_rss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux: KiB


class Clock:
    """Named steps: wall and CPU seconds."""

    def __init__(self) -> None:
        self.steps: dict[str, dict[str, float]] = {}

    def run(self, name: str, fn: Callable[[], Any]) -> Any:
        w, c = time.perf_counter(), time.process_time()
        out = fn()
        self.steps[name] = {"wall": time.perf_counter() - w, "cpu": time.process_time() - c}
        return out


def blast_every_export(estate, sample: int | None, seed: int) -> dict[str, Any]:
    names = sorted(set(estate.exports["export_name"].dropna()))
    if sample is not None and sample < len(names):
        names = sorted(random.Random(seed).sample(names, sample))
    times, rows = [], 0
    for name in names:
        t = time.perf_counter()
        rows += len(iacviz.blast_radius(estate, name))
        times.append(time.perf_counter() - t)
    times.sort()
    return {
        "queries": len(times),
        "rows": rows,
        "total_s": sum(times),
        "median_ms": statistics.median(times) * 1e3 if times else None,
        "p95_ms": times[min(len(times) - 1, int(0.95 * len(times)))] * 1e3 if times else None,
        "max_ms": times[-1] * 1e3 if times else None,
    }


def analyse(estate, clock: Clock, *, blast_sample: int | None, seed: int, after_stacks=None) -> dict[str, Any]:
    """Everything after the frames exist; returns counts for the report."""
    clock.run("exports+imports", lambda: (estate.exports, estate.imports))
    problems = clock.run("export_problems", lambda: estate.export_problems)
    graph = clock.run("resource_graph", lambda: (iacviz.resource_graph(estate), iacviz.stack_graph(estate))[0])
    blast = clock.run("blast_radius", lambda: blast_every_export(estate, blast_sample, seed))
    out = {
        "resources": len(estate.resources),
        "references": len(estate.references),
        "imports": len(estate.imports),
        "exports": len(estate.exports),
        "problems": len(problems),
        "graph_nodes": graph.number_of_nodes(),
        "graph_edges": graph.number_of_edges(),
        "blast": blast,
    }
    if after_stacks is not None:
        after = clock.run("build v2", lambda: iacviz.build_estate(after_stacks, []))
        plan = clock.run("plan_changes", lambda: iacviz.plan_changes(estate, after))
        out["plan_rows"] = len(plan)
        out["plan_actions"] = plan["action"].value_counts().to_dict()
    return out


def measure_generated(
    n: int, k: int, seed: int = 0, blast_sample: int | None = None, plan: bool = True
) -> dict[str, Any]:
    """Generate in memory, then build and analyse (reading excluded: see benchmarks.reading)."""
    baseline = peak_rss_mib()
    stacks = generate_estate(n, k, seed)
    after_stacks = edit_estate(stacks, 0.02, seed + 1) if plan else None
    gc.collect()
    generated = peak_rss_mib()
    clock = Clock()
    estate = clock.run("build", lambda: iacviz.build_estate(stacks, []))
    counts = analyse(estate, clock, blast_sample=blast_sample, seed=seed, after_stacks=after_stacks)
    return {
        "n_stacks": n,
        "resources_per_stack": k,
        "steps": clock.steps,
        **counts,
        "baseline_mib": baseline,
        "generated_mib": generated,
        "peak_mib": peak_rss_mib(),
    }


def measure_folder(folder: str, seed: int = 0, blast_sample: int | None = None) -> dict[str, Any]:
    """Read a written estate with ``iacviz.load``, then analyse it (the growth measurement)."""
    baseline = peak_rss_mib()
    clock = Clock()
    estate = clock.run("load (read+build)", lambda: iacviz.load(folder))
    counts = analyse(estate, clock, blast_sample=blast_sample, seed=seed)
    return {
        "steps": clock.steps,
        **counts,
        "stacks": len(estate.stacks),
        "errors": len(estate.errors),
        "baseline_mib": baseline,
        "peak_mib": peak_rss_mib(),
    }


if __name__ == "__main__":
    args = sys.argv[1:]
    if args and args[0] == "--folder":
        result = measure_folder(args[1], blast_sample=int(args[2]) if len(args) > 2 and args[2] != "all" else None)
    else:
        n, k = (int(a) for a in (args[:2] if len(args) >= 2 else (2000, 50)))
        sample = args[2] if len(args) > 2 else "all"
        result = measure_generated(n, k, blast_sample=None if sample == "all" else int(sample))
    print(json.dumps(result, default=str))
