"""The built wheel is a library on its own: installed alone, it finds its bundled sample estate.

The wheel is built from this checkout (no network: the build backend comes from the dev extra),
installed with ``pip install --no-deps --target`` into a scratch folder, and imported from a
third folder with only that scratch folder on the path (the venv's own packages provide
pandas and the rest), so neither the checkout nor its ``data/`` folder can stand in for it.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from estate_files import ROOT, SAMPLE

import iacviz


def _run(args: list, **kwargs) -> subprocess.CompletedProcess:
    done = subprocess.run([str(a) for a in args], capture_output=True, text=True, **kwargs)
    assert done.returncode == 0, done.stdout + done.stderr
    return done


@pytest.fixture(scope="module")
def installed(tmp_path_factory) -> Path:
    tmp = tmp_path_factory.mktemp("wheel")
    _run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--no-deps",
            "--no-build-isolation",
            "--no-index",
            "-q",
            "-w",
            tmp / "dist",
            ROOT,
        ]
    )
    (wheel,) = (tmp / "dist").glob("iacviz-*.whl")
    names = zipfile.ZipFile(wheel).namelist()
    assert any(n.startswith("iacviz/data/sample-estate/") for n in names), names
    assert any(n.startswith("iacviz/data/scenarios/release-2/") for n in names), names
    assert not any(n.startswith(("tests/", "notebooks/", "benchmarks/", "data/")) for n in names), names
    target = tmp / "site"
    _run([sys.executable, "-m", "pip", "install", "--no-deps", "--no-index", "-q", "--target", target, wheel])
    return target


def _python(target: Path, cwd: Path, code: str) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "PYTHONHOME")}
    env["PYTHONPATH"] = str(target)
    return _run([sys.executable, "-c", code], cwd=cwd, env=env)


def test_installed_wheel_loads_its_sample_estate_from_another_folder(installed, tmp_path):
    code = """if True:
        import json, iacviz
        sample = iacviz.data.sample_estate()
        estate = iacviz.load(sample)
        print(json.dumps({"module": iacviz.__file__, "sample": str(sample),
                          "scenario": str(iacviz.data.scenario("release-2")),
                          "stacks": sorted(estate.stacks["stack"]), "resources": len(estate.resources),
                          "errors": estate.errors.query("severity != 'info'").message.tolist()}))
    """
    got = json.loads(_python(installed, tmp_path, code).stdout)
    assert Path(got["module"]).is_relative_to(installed)
    assert Path(got["sample"]).is_relative_to(installed)
    assert Path(got["scenario"]).is_dir() and Path(got["scenario"]).is_relative_to(installed)
    checkout = iacviz.load(SAMPLE)  # the same estate, read from the checkout's data/ folder
    assert got["stacks"] == sorted(checkout.stacks["stack"])
    assert got["resources"] == len(checkout.resources) > 0
    # pip byte-compiles the sample's Lambda sources: their __pycache__ folders are info rows only
    assert got["errors"] == checkout.errors.query("severity != 'info'").message.tolist()


def test_installed_wheel_answers_help(installed, tmp_path):
    done = _python(installed, tmp_path, "import sys, iacviz.cli; sys.exit(iacviz.cli.main(['--help']))")
    assert "usage: iacviz" in done.stdout
