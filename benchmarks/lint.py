"""What the review's opt-in lint costs: ``iacviz.review(estate, lint=True)`` against
``iacviz.review(estate)`` on the same loaded estate, in one process.

Inputs: the sample estate (``data/sample-estate``) and one folder of the shared corpus
(``aws-cloudformation+aws-cloudformation-templates/ECS``, 20 real templates; skipped with a
message when the corpus is absent). Each estate is loaded and every frame built first, so only
the review is timed. Rounds alternate the two calls (a different one first each round); the
best round of each is kept (wall time, ``time.perf_counter``). The first lint call of the
process (cfn-lint's import and rule set, schemas read from disk) is reported apart as ``cold``.

From the repo root::

    .venv/bin/python -m benchmarks.lint [ROUNDS]
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

import iacviz  # noqa: E402
from benchmarks.common import CORPUS  # noqa: E402

INPUTS = {
    "sample estate": REPO / "data" / "sample-estate",
    "corpus ECS folder": CORPUS / "aws-cloudformation+aws-cloudformation-templates" / "ECS",
}


def _timed(fn) -> float:
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def measure(folder: Path, rounds: int) -> dict[str, float]:
    estate = iacviz.load(folder, cache=False)
    estate.frames()
    cold = _timed(lambda: iacviz.review(estate, lint=True))
    plain, lint = [], []
    for i in range(rounds):
        pair = [(plain, lambda: iacviz.review(estate)), (lint, lambda: iacviz.review(estate, lint=True))]
        for out, fn in pair if i % 2 == 0 else pair[::-1]:
            out.append(_timed(fn))
    return {
        "stacks": len(estate.stacks),
        "review": min(plain),
        "review_lint": min(lint),
        "cold_lint": cold,
        "ratio": min(lint) / min(plain),
    }


def main(argv: list[str]) -> int:
    rounds = int(argv[0]) if argv else 3
    print("| input | stacks | review | review with lint | ratio | first lint call (cold) |")
    print("|---|---:|---:|---:|---:|---:|")
    for name, folder in INPUTS.items():
        if not folder.exists():
            print(f"| {name} | skipped: {folder} not found | | | | |")
            continue
        m = measure(folder, rounds)
        print(
            f"| {name} | {m['stacks']} | {m['review']:.2f} s | {m['review_lint']:.2f} s | "
            f"{m['ratio']:.1f}x | {m['cold_lint']:.2f} s |"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
