"""An estate holds base frames, its live frames and registered derived frames, and nothing else;
every frame is documented in iacviz.schema without importing the module that computes it."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

import iacviz
from iacviz import schema
from iacviz.model.estate import BASE_FRAMES

PACKAGE = Path(iacviz.__file__).resolve().parent
TEMPLATE = {
    "Resources": {
        "Sg": {
            "Type": "AWS::EC2::SecurityGroup",
            "Properties": {"GroupDescription": "x", "VpcId": {"Fn::ImportValue": "net-VpcId"}},
        }
    }
}


@pytest.mark.parametrize("name", ["plan", "findings", "blast_radius", "coverage", "unmanaged", "nonsense"])
def test_a_frame_nobody_computed_is_not_made_up(name):
    estate = iacviz.load_template(TEMPLATE, stack="app")
    with pytest.raises(AttributeError, match=rf"no frame '{name}'.*stacks") as info:
        getattr(estate, name)
    assert "exports" in str(info.value) and "imports" in str(info.value)  # the frames it does have
    assert name not in estate.frames(derived=True)


def test_findings_are_what_review_returns_not_an_empty_frame():
    estate = iacviz.load_template(TEMPLATE, stack="app")
    assert len(iacviz.review(estate)) >= 1
    assert not hasattr(estate, "findings")


def test_a_snapshot_holds_only_real_frames(tmp_path):
    estate = iacviz.load_template(TEMPLATE, stack="app")
    for name in ("plan", "findings", "unmanaged"):
        assert not hasattr(estate, name)
    estate.to_parquet(tmp_path)
    back = iacviz.read_snapshot(tmp_path)
    assert set(back.frames()) == set(BASE_FRAMES)
    assert not hasattr(back, "unmanaged")
    assert back.imports.link.tolist() == ["dangling"]  # derived frames are recomputed, not stored


def test_base_frames_always_exist_and_derived_frames_are_computed():
    estate = iacviz.Estate({"stacks": schema.frame("stacks", [{"stack": "net"}])})
    assert estate.resources.empty and list(estate.resources.columns) == schema.columns("resources")
    assert list(estate.exports.columns) == schema.columns("exports")


def _frames_built_in_package() -> set[str]:
    names = set()
    for path in PACKAGE.rglob("*.py"):
        names |= set(re.findall(r"""schema\.frame\(\s*["'](\w+)["']""", path.read_text()))
        names |= set(re.findall(r"""derived_frame\(\s*["'](\w+)["']\)""", path.read_text()))
    return names


def test_schema_knows_every_frame_in_a_fresh_interpreter():
    built = (_frames_built_in_package() | set(BASE_FRAMES)) - {"n_stacks"}  # n_stacks: a doctest's example
    assert {"findings", "coverage", "plan", "unmanaged", "export_problems"} <= built
    code = (
        "import sys, iacviz.schema as s\n"
        "names = sys.argv[1:]\n"
        "for n in names: s.describe(n)\n"
        "print(sorted(s.COLUMNS))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code, *sorted(built)], capture_output=True, text=True, cwd=PACKAGE.parent
    )
    assert out.returncode == 0, out.stderr
    fresh = set(eval(out.stdout))
    assert built <= fresh
    import iacviz.analysis.coverage
    import iacviz.model.live  # importing everything adds no frame

    assert iacviz.analysis.coverage and iacviz.model.live
    assert set(schema.COLUMNS) == fresh


@pytest.mark.parametrize(
    "module",
    [
        "analysis/exports.py",
        "analysis/graph.py",
        "analysis/problems.py",
        "model/estate.py",
        "model/snapshot.py",
        "model/load.py",
    ],
)
def test_no_import_cycle_hidden_in_a_function(module):
    # exports <-> graph and estate <-> snapshot used to import each other inside functions.
    import ast

    tree = ast.parse((PACKAGE / module).read_text())
    inner = [
        node
        for fn in ast.walk(tree)
        if isinstance(fn, (ast.FunctionDef, ast.AsyncFunctionDef))
        for node in ast.walk(fn)
        if isinstance(node, ast.ImportFrom) and (node.level or (node.module or "").startswith("iacviz"))
    ]
    assert not inner, f"{module}:{inner[0].lineno} imports iacviz inside a function"
