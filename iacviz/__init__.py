"""iacviz: explore AWS infrastructure-as-code estates as tidy pandas DataFrames.

>>> import iacviz
>>> estate = iacviz.load_template({"Resources": {"Bucket": {"Type": "AWS::S3::Bucket"}}}, stack="site")
>>> estate.resources[["stack", "logical_id", "stateful"]].values.tolist()
[['site', 'Bucket', True]]
"""
from __future__ import annotations

from . import data, schema
from ._version import __version__ as __version__
from .errors import IacvizError, LiveError, TemplateError
# model: read an estate
from .model.build import build_estate
from .model.estate import Estate
from .model.live import load_live
from .model.load import load, load_template
from .model.snapshot import read_snapshot
# analysis: pure functions of an estate (importing exports registers estate.exports/.imports)
from .analysis import exports as _exports  # noqa: F401
from .analysis.blast_radius import blast_radius
from .analysis.changes import plan_changes
from .analysis.exports import export_problems
from .analysis.graph import deletion_order, deployment_order, resource_graph, stack_graph
from .analysis.replacement import replacement_prone
from .rules import review
# views: figures load plotly on first use (iacviz.views.export_map, ...)
from . import views, workshop
from .views.report import render_report, write_report

__all__ = [
    "Estate", "IacvizError", "LiveError", "TemplateError", "blast_radius", "build_estate", "data",
    "deletion_order", "deployment_order", "export_problems", "load", "load_live", "load_template",
    "plan_changes", "read_snapshot", "render_report", "replacement_prone", "resource_graph", "review",
    "schema", "stack_graph", "views", "workshop", "write_report",
]
