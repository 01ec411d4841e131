"""Notebooks 01-05 and 07 run top to bottom on estates they were not written for: a generated
multi-stack estate and a CDK cloud assembly from the shared corpus, chosen with the
``IACVIZ_SOURCE`` environment variable that every notebook's parameter cell reads.

Nothing here asserts a sample number: on another estate the notebooks pick their examples
from the data (``workshop.busiest_export`` and friends) and ``workshop.expect`` only prints.
What is asserted is that every cell runs, that the examples were picked from *this* estate
(no sample name leaks into the printed targets) and that the exercises computed an answer.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import nbformat
import pytest

from estate_files import CORPUS, ROOT

NOTEBOOKS = ROOT / "notebooks"
RUN = [
    "01-getting-started",
    "02-persistent-and-ephemeral",
    "03-cross-stack-exports",
    "04-blast-radius",
    "05-replacement-and-change-preview",
    "07-architecture-review",
]
# A CDK app nobody here wrote: two stacks, a cross-stack reference through a generated export.
CDK_APP = (
    CORPUS
    / "aws+aws-cdk-cli"
    / "packages"
    / "@aws-cdk"
    / "integ-runner"
    / "test"
    / "language-tests"
    / "integ.typescript-test.ts.snapshot"
)
SAMPLE_NAMES = ("network/AppSecurityGroup", "data/OrdersQueue", "data/Db", "shop-network-")


@pytest.fixture(scope="module")
def generated(tmp_path_factory) -> Path:
    sys.path.insert(0, str(ROOT))
    from benchmarks.generate import write_estate

    # 30 stacks: networks, data stacks and apps sharing values through exports, some ambiguous
    # or dangling links; small enough to keep the six notebooks within the suite's budget.
    return write_estate(tmp_path_factory.mktemp("estate"), 30, 12, seed=3)


def _run(name: str, source: Path) -> nbformat.NotebookNode:
    from nbclient import NotebookClient

    nb = nbformat.read(NOTEBOOKS / f"{name}.ipynb", as_version=4)
    env = {
        "IACVIZ_SOURCE": str(source),
        "IACVIZ_AFTER": "",
        "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")])),
    }
    old = {k: os.environ.get(k) for k in env}
    os.environ.update(env)  # the kernel inherits the environment
    try:
        NotebookClient(
            nb, timeout=240, kernel_name="python3", resources={"metadata": {"path": str(NOTEBOOKS)}}
        ).execute()
    finally:
        for k, v in old.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v
    return nb


def _text(nb) -> str:
    out = []
    for cell in nb.cells:
        for o in cell.get("outputs", []):
            out.append(o.get("text", "") if o.get("output_type") == "stream" else "")
    return "".join(out)


def _check(nb, source: Path) -> None:
    printed = _text(nb)
    assert "Traceback" not in printed
    for line in printed.splitlines():
        if line.startswith(("target:", "to delete:", "example resource:", "replacing")):
            assert not any(s in line for s in SAMPLE_NAMES), f"a sample name on {source.name}: {line}"
    if any("workshop.check(" in c.source for c in nb.cells if c.cell_type == "code"):
        assert "Question " in printed and "Answer: " in printed, "the exercise asked and the solution answered"


@pytest.mark.parametrize("name", RUN)
def test_notebook_runs_on_a_generated_estate(name, generated):
    _check(_run(name, generated), generated)


@pytest.mark.skipif(not CDK_APP.is_dir(), reason="shared corpus not present")
@pytest.mark.parametrize("name", RUN)
def test_notebook_runs_on_a_cdk_assembly(name):
    _check(_run(name, CDK_APP), CDK_APP)
