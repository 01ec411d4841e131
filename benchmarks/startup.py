"""Start-up: how long ``iacviz --help`` and an argument error take, against the interpreter alone.

Each command runs as a fresh process, the commands interleaved round by round (a different
one first each round), and the best round of each is kept, so a busy machine moves all of them
alike. Peers: ``python -c pass`` (the floor of any Python command line) and ``cfn-lint
--version`` (a CloudFormation tool's start-up). The first real command (``iacviz exports`` on
the sample estate) shows what a command pays once it needs pandas.

    python -m benchmarks.startup [--rounds 15]

Target: ``iacviz --help`` under 0.3 s (best round); exit status 1 when missed.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
TARGET_S = 0.3


def _commands() -> dict[str, list[str]]:
    py = sys.executable
    sample = str(REPO / "data" / "sample-estate")
    commands = {
        "python -c pass": [py, "-c", "pass"],
        "iacviz --help": [py, "-m", "iacviz", "--help"],
        "iacviz plan (argument error)": [py, "-m", "iacviz", "plan"],
        "iacviz exports data/sample-estate": [py, "-m", "iacviz", "exports", sample, "--format", "csv"],
    }
    cfn_lint = shutil.which("cfn-lint", path=str(Path(py).parent)) or shutil.which("cfn-lint")
    if cfn_lint:
        commands["cfn-lint --version"] = [cfn_lint, "--version"]
    return commands


def measure(rounds: int) -> dict[str, float]:
    commands = _commands()
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join([str(REPO), os.environ.get("PYTHONPATH", "")]).rstrip(os.pathsep),
    }
    best = {name: float("inf") for name in commands}
    names = list(commands)
    for r in range(rounds):
        for name in names[r % len(names) :] + names[: r % len(names)]:
            start = time.perf_counter()
            subprocess.run(commands[name], cwd=REPO, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            best[name] = min(best[name], time.perf_counter() - start)
    return best


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.startup", description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=15)
    args = parser.parse_args(argv)
    best = measure(args.rounds)
    floor = best["python -c pass"]
    print(f"Best of {args.rounds} interleaved rounds, wall time of a fresh process; ratio = time / `python -c pass`.\n")
    print("| command | best s | vs `python -c pass` |")
    print("|---|---:|---:|")
    for name, seconds in best.items():
        print(f"| `{name}` | {seconds:.3f} | {seconds / floor:.1f}x |")
    met = best["iacviz --help"] < TARGET_S
    print(f"\n`iacviz --help` < {TARGET_S} s: {'met' if met else 'NOT met'} ({best['iacviz --help']:.3f} s)")
    return 0 if met else 1


if __name__ == "__main__":
    sys.exit(main())
