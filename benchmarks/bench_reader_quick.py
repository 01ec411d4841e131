"""Quick reader benchmark: ms per template, iacviz's reader vs cfn-lint's and cfn-flip's.

Not a test. From the repo root:  .venv/bin/python benchmarks/bench_reader_quick.py [rounds]

Reads the YAML and JSON templates of the shared corpus (``../shared/corpus`` beside the repo:
kinds cfn-yaml, cfn-json, sam, multi-stack-group, nested-parent and CDK ``*.template.json``),
keeps them in memory, then times each reader over all of them: the best of several rounds, in
CPU time of this process (``time.process_time``) so that other work on the machine does not
count. Templates a reader refuses are timed like the others.

What bounds the numbers (measured on this corpus while choosing the design, 4 KiB YAML mean):

* libyaml composing the node graph (PyYAML's C parser) is ~150 us of the ~185 us per YAML
  template; it is also where cfn-lint starts, so no libyaml-based reader can be 5x cfn-lint.
* ryaml (serde-yaml, keeps tags) parses in ~90 us, but reads scalars by YAML 1.2, drops ``!!``
  tags, expands anchors and gives no lines. The checks and rewrites that make its result
  provably equal (orjson round trip, regex passes) plus a text scan for lines brought it to
  ~190 us: no gain, so it was dropped. rapidyaml parses in ~15 us but its Python binding costs
  ~1 us per node call and its JSON emitter drops tags; yaml-rs, fastyaml-rs and pyyaml-rs drop
  tags altogether.
* JSON: ``json.loads`` with a duplicate-key hook is ~40 us; cfn-flip's ``load`` is a plain
  ``json.loads`` (no duplicate check, no lines), so it cannot be beaten 10x on JSON.
"""

from __future__ import annotations

import gc
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
CORPUS = REPO.parent / "shared" / "corpus"
sys.path.insert(0, str(REPO))

import cfn_flip  # noqa: E402
from cfnlint.decode import decode_str  # noqa: E402

from iacviz.sources.template_text import parse_template  # noqa: E402

KINDS = {"cfn-yaml", "cfn-json", "sam", "multi-stack-group", "nested-parent"}


def corpus() -> dict[str, list[bytes]]:
    docs: dict[str, list[bytes]] = {"yaml": [], "json": []}
    for row in (CORPUS / "manifest.tsv").read_text().splitlines()[1:]:
        repo, _commit, path, kind, *_ = row.split("\t")
        if kind in KINDS or (kind == "cdk-out" and path.endswith(".template.json")):
            fmt = "json" if path.endswith(".json") else "yaml"
            docs[fmt].append((CORPUS / repo.replace("/", "+") / path).read_bytes())
    return docs


def ms_per_template(read, docs, rounds: int) -> float:
    best = float("inf")
    for _ in range(rounds):
        gc.collect()  # start each round without the previous reader's garbage
        start = time.process_time()
        for doc in docs:
            try:
                read(doc)
            except Exception:  # refused templates are timed like the others
                pass
        best = min(best, time.process_time() - start)
    return best / len(docs) * 1000


def main() -> None:
    rounds = int(sys.argv[1]) if len(sys.argv) > 1 else 7
    if not CORPUS.is_dir():
        sys.exit(f"no corpus at {CORPUS}")
    docs = corpus()
    readers = {  # ours takes the bytes as read from disk; the others want text
        "iacviz parse_template": (lambda d: parse_template(d, "t"), False),
        "cfnlint decode_str": (decode_str, True),
        "cfn_flip.load": (cfn_flip.load, True),
    }
    totals: dict[str, float] = {}
    for fmt in ("yaml", "json"):
        items = docs[fmt]
        texts = [d.decode("utf-8") for d in items]
        print(f"{fmt}: {len(items)} templates, {sum(map(len, items)) / len(items) / 1024:.1f} KiB mean")
        times = {
            name: ms_per_template(read, texts if wants_text else items, rounds)
            for name, (read, wants_text) in readers.items()
        }
        for name, ms in times.items():
            totals[name] = totals.get(name, 0.0) + ms * len(items)
            print(f"  {name:22s} {ms:7.3f} ms/template")
        ours = times["iacviz parse_template"]
        print(
            f"  iacviz is {times['cfnlint decode_str'] / ours:.1f}x faster than cfn-lint, "
            f"{times['cfn_flip.load'] / ours:.1f}x faster than cfn-flip\n"
        )
    n = sum(len(d) for d in docs.values())
    ours = totals["iacviz parse_template"]
    print(
        f"all {n}: iacviz {ours / n:.3f} ms/template; {totals['cfnlint decode_str'] / ours:.1f}x faster "
        f"than cfn-lint, {totals['cfn_flip.load'] / ours:.1f}x faster than cfn-flip"
    )


if __name__ == "__main__":
    main()
