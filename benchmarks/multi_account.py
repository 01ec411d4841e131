"""What one machine holds: memory and time of analysing a multi-account estate of N resources.

The seeded estate of :mod:`benchmarks.generate` (2,000 stacks of 50 resources = 100,000
resources, with exports, imports and nested stacks) is deployed, under the same stack names,
in several account-regions, as an organisation deploys one set of templates everywhere. One
child process per size builds the estate and runs what a review of it needs: stack keys,
exports and imports linked per account-region, export problems, the stack graph, one blast
radius and the review rules; then it writes and reads back a snapshot. Peak memory is
``ru_maxrss`` of that child.

    python -m benchmarks.multi_account                 # 100k and 500k resources (about 10 min on 2 cores)
    python -m benchmarks.multi_account --places 5 --core         # 500k: build, links, graph, blast
    python -m benchmarks.multi_account --places 1 --stacks 200   # a quick look
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import resource
import sys
import tempfile
import time

from benchmarks.common import run_child


def _estate(places: int, stacks: int, per_stack: int):
    from benchmarks.generate import generate_estate

    base = generate_estate(stacks, per_stack, seed=0)
    raws = []
    for p in range(places):
        account, region = f"{100000000000 + p // 2:012d}", ("eu-west-1", "us-east-1")[p % 2]
        raws += [dataclasses.replace(r, account=account, region=region, live={}, live_resources={}) for r in base]
    return raws


def measure(places: int, stacks: int, per_stack: int, full: bool = True) -> dict:
    """Build and analyse the estate in this process; seconds per step and peak memory."""
    import iacviz
    from iacviz.analysis.graph import stack_graph
    from iacviz.model.build import build_estate

    steps: dict[str, float] = {}
    t = time.perf_counter()
    raws = _estate(places, stacks, per_stack)
    steps["generate"] = round(time.perf_counter() - t, 2)

    def step(name, fn):
        start = time.perf_counter()
        out = fn()
        steps[name] = round(time.perf_counter() - start, 2)
        return out

    estate = step("build", lambda: build_estate(raws, []))
    n_resources = step("resources frame", lambda: len(estate.resources))
    step("imports linked per account-region", lambda: len(estate.imports))
    problems = step("export problems", lambda: iacviz.export_problems(estate))
    step("stack graph", lambda: stack_graph(estate).number_of_edges())
    first = estate.stacks[estate.stacks.stack_name == "net-000"]["stack"].iloc[0]
    blast = step("blast radius of one network", lambda: iacviz.blast_radius(estate, f"{first}/Vpc"))
    findings, same = [], None
    if full:  # the review and a snapshot round trip (the slow part on a busy machine)
        findings = step("review", lambda: iacviz.review(estate))
        with tempfile.TemporaryDirectory() as folder:
            step("snapshot write", lambda: estate.to_parquet(folder))
            back = step("snapshot read", lambda: iacviz.read_snapshot(folder))
            same = len(back.resources) == n_resources
    rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return {
        "places": places,
        "stacks": len(estate.stacks),
        "resources": n_resources,
        "properties": len(estate.properties),
        "duplicate_exports": int((problems.kind == "duplicate export").sum()),
        "blast_rows": len(blast),
        "blast_places": int(
            blast["stack"]
            .map(dict(zip(estate.stacks["stack"], estate.stacks.account + "/" + estate.stacks.region)))
            .nunique()
        ),
        "findings": len(findings),
        "snapshot_round_trip": same,
        "seconds": steps,
        "peak_rss_mb": round(rss_mb),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--places",
        type=int,
        nargs="+",
        default=[1, 5],
        help="account-regions holding the estate (default: 1 and 5: 100k and 500k resources)",
    )
    parser.add_argument("--stacks", type=int, default=2000)
    parser.add_argument("--per-stack", type=int, default=50)
    parser.add_argument(
        "--core",
        action="store_true",
        help="build, link, export problems, graph and one blast radius only (no review, no snapshot)",
    )
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        print(json.dumps(measure(args.places[0], args.stacks, args.per_stack, full=not args.core)))
        return 0
    for places in args.places:
        out = run_child(
            "benchmarks.multi_account",
            "--child",
            "--places",
            str(places),
            "--stacks",
            str(args.stacks),
            "--per-stack",
            str(args.per_stack),
            *(["--core"] if args.core else []),
            timeout=3600,
        )
        print(json.dumps(out, indent=1))
        sys.stdout.flush()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
