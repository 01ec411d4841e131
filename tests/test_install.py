"""What the core install promises: a light start, and a clear word when the lab extra is missing."""

from __future__ import annotations

import os
import subprocess
import sys

from estate_files import ROOT


def _python(code: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True)


def test_help_loads_neither_pandas_nor_plotly():
    done = _python(
        "import sys, iacviz.cli\n"
        "code = iacviz.cli.main(['--help'])\n"
        "print(sorted(m for m in ('pandas', 'plotly', 'numpy', 'networkx', 'boto3', 'yaml') if m in sys.modules))"
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip().splitlines()[-1] == "[]"


def test_the_public_api_loads_on_first_use():
    done = _python(
        "import sys, iacviz\n"
        "print('pandas' in sys.modules)\n"
        "e = iacviz.load(iacviz.data.sample_estate())\n"
        "print('pandas' in sys.modules, len(e.exports) > 0, 'plotly' in sys.modules)"
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["False", "True", "True", "False"]


def test_demo_account_without_moto_names_the_extra():
    block = "import sys; sys.modules['moto'] = None\n"  # as if moto were not installed
    done = _python(block + "import iacviz.lab.demo_account")
    assert done.returncode != 0
    assert "MissingExtra" in done.stderr and "pip install 'iacviz[lab]'" in done.stderr
    done = _python(block + "import sys, iacviz.cli; sys.exit(iacviz.cli.main(['demo-account']))")
    assert done.returncode == 3
    assert "iacviz demo-account: error: the demo account (iacviz.lab.demo_account) needs moto" in done.stderr
    assert "pip install 'iacviz[lab]'" in done.stderr


def test_explorers_without_ipywidgets_name_the_extra():
    done = _python("import sys; sys.modules['ipywidgets'] = None\nimport iacviz\niacviz.export_explorer")
    assert done.returncode != 0 and "pip install 'iacviz[lab]'" in done.stderr


def test_reloading_from_the_cache_imports_no_analysis_nor_cfn_lint(tmp_path):
    # A notebook's load cell re-run in a new kernel: the estate comes back from the cache folder
    # without importing what only analyses and the properties frame need (~1 s of imports).
    load = f"import sys, iacviz\ne = iacviz.load(iacviz.data.sample_estate(), cache={str(tmp_path)!r})\n"
    assert _python(load + "e.frames()").returncode == 0
    done = _python(
        load + "print(sorted(m for m in ('cfnlint', 'networkx', 'samtranslator', 'plotly') if m in sys.modules))\n"
        "print(len(e.exports) > 0, len(e.export_problems.columns) > 0)"
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip().splitlines()[-2:] == ["[]", "True True"]


def test_every_lazily_declared_frame_is_registered_by_its_module():
    from importlib import import_module

    import iacviz
    from iacviz.model import estate

    for frame, module in iacviz._REGISTERING.items():
        import_module(f"iacviz.{module}")
        assert frame in estate._DERIVED, (frame, module)
