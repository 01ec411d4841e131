"""The C walks (``iacviz/_walks.c``) against the Python walks they stand for, in one process.

``python -m benchmarks.walks [rounds] [estate folder...]``: a whole ``iacviz.load(*files,
cache=False).frames()`` of the corpus's non-SAM templates (the files ``benchmarks.reading``
loads) with the Python walks and with the C walks, alternating, best of `rounds` CPU seconds
(``time.process_time``); then each walk alone on the values that load gave it. Not part of
``run.py``: it compares iacviz with itself.
"""

from __future__ import annotations

import gc
import sys
import time
from pathlib import Path
from typing import Any, Callable

import iacviz
from benchmarks.common import CORPUS
from iacviz import limits, walks
from iacviz.cfn import intrinsics, shapes
from iacviz.model import build
from iacviz.sources import template_text

USERS = (limits, build, intrinsics, shapes)  # the modules that pick the C walks


def corpus_files() -> list[Path]:
    """The corpus's plain templates, as benchmarks.reading's whole-load row picks them."""
    rows = (CORPUS / "manifest.tsv").read_text().splitlines()[1:]
    kinds = {"cfn-yaml", "cfn-json", "multi-stack-group", "nested-parent"}
    return [CORPUS / r.split("\t")[0].replace("/", "+") / r.split("\t")[2] for r in rows if r.split("\t")[3] in kinds]


def use(fast: bool) -> None:
    for module in USERS:
        module._FAST = walks.FAST if fast else None


def best(fn: Callable[[], Any], rounds: int) -> float:
    out = float("inf")
    for _ in range(rounds):
        gc.collect()
        start = time.process_time()
        fn()
        out = min(out, time.process_time() - start)
    return out


def main(rounds: int, roots: list[Path]) -> None:
    if walks.FAST is None:
        sys.exit("the C walks are not built (python hatch_build.py)")
    load = lambda: iacviz.load(*roots, cache=False).frames()  # noqa: E731
    times = {False: float("inf"), True: float("inf")}
    for r in range(rounds):
        for fast in (False, True) if r % 2 == 0 else (True, False):
            use(fast)
            times[fast] = min(times[fast], best(load, 1))
    print(f"whole load of {len(roots)} roots, best of {rounds} CPU s, alternating:")
    print(
        f"  Python walks {times[False] * 1e3:.1f} ms, C walks {times[True] * 1e3:.1f} ms: {times[False] / times[True]:.2f}x"
    )

    # each walk alone, on the values one load hands it
    seen: dict[str, list] = {"leaves": [], "too_deep": [], "walk_resource": []}
    originals = build._leaves, template_text.too_deep, build._walk_resource
    build._leaves = lambda v, *a: (seen["leaves"].append(v), originals[0](v, *a))[1]
    template_text.too_deep = lambda v, *a: (seen["too_deep"].append(v), originals[1](v, *a))[1]
    build._walk_resource = lambda res, w=None: (seen["walk_resource"].append(res), originals[2](res, w))[1]
    try:
        load()
    finally:
        build._leaves, template_text.too_deep, build._walk_resource = originals
    calls: dict[str, Callable[[], Any]] = {
        "_leaves (properties)": lambda: [build._leaves(v, "/properties", [], []) for v in seen["leaves"]],
        "too_deep (JSON bodies)": lambda: [limits.too_deep(v) for v in seen["too_deep"]],
        "_walk_resource (references + shapes)": lambda: [build._walk_resource(r) for r in seen["walk_resource"]],
    }
    for name, fn in calls.items():
        use(False)
        python = best(fn, rounds)
        use(True)
        c = best(fn, rounds)
        print(f"  {name}: Python {python * 1e3:.2f} ms, C {c * 1e3:.2f} ms: {python / c:.2f}x")
    use(True)


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 5, [Path(p) for p in sys.argv[2:]] or corpus_files())
