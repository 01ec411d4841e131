"""Write the learners' copies of the workshop notebooks: every cell tagged ``solution`` removed.

``make learner-notebooks`` (or ``python scripts/learner_notebooks.py [OUT]``) writes them to
``build/learner-notebooks/`` by default, without outputs, with the same relative layout as
``notebooks/`` so that ``SOURCE = "../data/sample-estate"`` still resolves when the folder is
copied next to ``data/`` (the instructor's kit, docs/workshop.md, says how to hand them out).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = ROOT / "notebooks"
OUT = ROOT / "build" / "learner-notebooks"


def learner_copy(notebook: Path) -> nbformat.NotebookNode:
    """`notebook` without its solution cells and without outputs."""
    nb = nbformat.read(notebook, as_version=4)
    nb.cells = [c for c in nb.cells if "solution" not in c.metadata.get("tags", [])]
    for cell in nb.cells:
        if cell.cell_type == "code":
            cell.outputs, cell.execution_count = [], None
    nb.metadata.pop("jupytext", None)  # a learner's copy is not paired with the .py
    return nb


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "out", nargs="?", type=Path, default=OUT, help=f"folder to write (default {OUT.relative_to(ROOT)})"
    )
    args = parser.parse_args(argv)
    args.out.mkdir(parents=True, exist_ok=True)
    for notebook in sorted(NOTEBOOKS.glob("[0-9][0-9]-*.ipynb")):
        nbformat.write(learner_copy(notebook), args.out / notebook.name)
        print(f"wrote {args.out / notebook.name}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
