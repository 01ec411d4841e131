"""iacviz: explore AWS infrastructure-as-code estates as tidy pandas DataFrames.

The public API is imported on first use (PEP 562), so ``import iacviz`` and ``iacviz --help``
load neither pandas nor plotly; ``iacviz.load`` then loads what reading needs.

>>> import iacviz
>>> estate = iacviz.load_template({"Resources": {"Bucket": {"Type": "AWS::S3::Bucket"}}}, stack="site")
>>> estate.resources[["stack", "logical_id", "stateful"]].values.tolist()
[['site', 'Bucket', True]]
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

from ._version import __version__ as __version__
from .errors import IacvizError, LiveError, SnapshotError, TemplateError

# Public name -> the module (relative to iacviz) that defines it.
_HOME = {
    # model: read an estate
    "Estate": "model.estate",
    "build_estate": "model.build",
    "load_live": "model.live",
    "load": "model.load",
    "load_template": "model.load",
    "read_snapshot": "model.load",
    "open_estate": "model.open",
    # analysis: pure functions of an estate
    "blast_radius": "analysis.blast_radius",
    "plan_changes": "analysis.changes",
    "export_problems": "analysis.problems",
    "deletion_order": "analysis.graph",
    "deployment_order": "analysis.graph",
    "resource_graph": "analysis.graph",
    "stack_graph": "analysis.graph",
    "replacement_prone": "analysis.replacement",
    "iac_coverage": "analysis.coverage",
    "review": "rules",
    "wire_suggestions": "analysis.wiring",
    "wire_snippet": "analysis.wiring",
    # views: the report and the notebooks' explorers (figures: iacviz.views.export_map, ...)
    "render_report": "views.report",
    "write_report": "views.report",
    "blast_explorer": "views.widgets",
    "export_explorer": "views.widgets",
    # lab (the `lab` extra): the local demo account of the workshop
    "start_demo_account": "lab.demo_account",
}
# Submodules reachable as attributes: iacviz.data.sample_estate(), iacviz.views.export_map, ...
_MODULES = {"data": "data", "schema": "schema", "views": "views", "lab": "lab", "workshop": "lab.workshop"}
# Derived estate frames (estate.exports, ...) and the analysis registering each: declared with the
# first public function or class, so that an estate from iacviz.load has them, and imported on
# the first access to one of them (the analyses bring networkx and cfn-lint's rules: a load that
# never looks at them never pays for them). Not for submodules: the package's own
# `from .. import schema` comes through here too, and must not start a cycle.
_REGISTERING = {
    "exports": "analysis.exports",
    "imports": "analysis.exports",
    "export_problems": "analysis.problems",
    "replacement_prone": "analysis.replacement",
}
_declared: list[bool] = []

__all__ = [
    "Estate",
    "IacvizError",
    "LiveError",
    "SnapshotError",
    "TemplateError",
    "blast_explorer",
    "blast_radius",
    "build_estate",
    "data",
    "deletion_order",
    "deployment_order",
    "export_explorer",
    "export_problems",
    "iac_coverage",
    "lab",
    "load",
    "load_live",
    "load_template",
    "open_estate",
    "plan_changes",
    "read_snapshot",
    "render_report",
    "replacement_prone",
    "resource_graph",
    "review",
    "schema",
    "stack_graph",
    "start_demo_account",
    "views",
    "wire_snippet",
    "wire_suggestions",
    "workshop",
    "write_report",
]


def __getattr__(name: str) -> Any:
    if name not in _HOME and name not in _MODULES:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    if name in _HOME and not _declared:
        _declare_derived_frames()
    if name in _HOME:
        value = getattr(import_module(f".{_HOME[name]}", __name__), name)
    else:
        value = import_module(f".{_MODULES[name]}", __name__)
    globals()[name] = value
    return value


def _declare_derived_frames() -> None:
    from .model.estate import derived_frame_later

    from functools import partial

    for frame, module in _REGISTERING.items():
        derived_frame_later(frame, partial(import_module, f".{module}", __name__))
    _declared.append(True)


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))


if TYPE_CHECKING:  # what type checkers and editors see; at run time __getattr__ loads these
    from . import data, lab, schema, views
    from .analysis.blast_radius import blast_radius
    from .analysis.changes import plan_changes
    from .analysis.coverage import iac_coverage
    from .analysis.problems import export_problems
    from .analysis.graph import deletion_order, deployment_order, resource_graph, stack_graph
    from .analysis.replacement import replacement_prone
    from .analysis.wiring import wire_snippet, wire_suggestions
    from .lab import workshop
    from .lab.demo_account import start_demo_account
    from .model.build import build_estate
    from .model.estate import Estate
    from .model.live import load_live
    from .model.load import load, load_template, read_snapshot
    from .model.open import open_estate
    from .rules import review
    from .views.report import render_report, write_report
    from .views.widgets import blast_explorer, export_explorer
