"""The workshop notebooks as files: each ``notebooks/NN-name.py`` (jupytext percent format, the
one to edit and review) and its ``.ipynb`` (what Jupyter opens, committed without outputs)
hold the same cells. After editing a ``.py``: ``make notebooks``."""
from __future__ import annotations

import ast
from pathlib import Path

import jupytext
import nbformat
import pytest

NOTEBOOKS = Path(__file__).resolve().parents[1] / "notebooks"
PAIRS = sorted(p.stem for p in NOTEBOOKS.glob("[0-9][0-9]-*.py"))


def _cells(nb) -> list[tuple[str, str, list[str]]]:
    return [(c.cell_type, c.source.strip(), sorted(c.metadata.get("tags", []))) for c in nb.cells]


def test_every_notebook_has_its_pair():
    ipynb = sorted(p.stem for p in NOTEBOOKS.glob("*.ipynb"))
    assert ipynb and ipynb == PAIRS, "each notebooks/NN-name.ipynb needs its NN-name.py (make notebooks)"


@pytest.mark.parametrize("stem", PAIRS)
def test_pair_agrees(stem):
    text = jupytext.read(NOTEBOOKS / f"{stem}.py")
    ipynb = nbformat.read(NOTEBOOKS / f"{stem}.ipynb", as_version=4)
    assert _cells(ipynb) == _cells(text), f"{stem}.ipynb differs from {stem}.py: run make notebooks"
    assert ipynb.metadata.get("jupytext", {}).get("formats") == "ipynb,py:percent", "paired in Jupyter too"


@pytest.mark.parametrize("stem", PAIRS)
def test_committed_without_outputs(stem):
    nb = nbformat.read(NOTEBOOKS / f"{stem}.ipynb", as_version=4)
    dirty = [i for i, c in enumerate(nb.cells)
             if c.cell_type == "code" and (c.outputs or c.execution_count is not None)]
    assert not dirty, f"{stem}.ipynb cells {dirty} have outputs: clear them before committing"


@pytest.mark.parametrize("stem", PAIRS)
def test_parameter_cell_and_pinned_solution(stem):
    """A parameter cell with SOURCE comes first; the solution checks the answer pinned in the
    text (a literal on the sample), not a recomputation of what workshop.check computes."""
    code = [c for c in jupytext.read(NOTEBOOKS / f"{stem}.py").cells if c.cell_type == "code"]
    assert "parameters" in code[0].metadata.get("tags", []) and "SOURCE = " in code[0].source
    solutions = [c for c in code if "solution" in c.metadata.get("tags", [])]
    for cell in solutions:
        pinned = [node for node in ast.walk(ast.parse(cell.source)) if isinstance(node, ast.Assert)
                  and isinstance(node.test, ast.Call) and ast.unparse(node.test.func) == "workshop.check"]
        assert pinned, f"{stem}: a solution cell asserts workshop.check on the pinned answer"
        for node in pinned:
            answer = node.test.args[1]
            assert isinstance(answer, (ast.Constant, ast.List, ast.Set, ast.Tuple)), (
                f"{stem}: pin a literal answer, not {ast.unparse(answer)}")
