"""iacviz: explore AWS infrastructure-as-code estates as tidy pandas DataFrames.

>>> import iacviz
>>> estate = iacviz.load_template({"Resources": {"Bucket": {"Type": "AWS::S3::Bucket"}}}, stack="site")
>>> estate.resources[["stack", "logical_id", "stateful"]].values.tolist()
[['site', 'Bucket', True]]
"""
from __future__ import annotations

from . import data, schema
from .errors import IacvizError, LiveError, TemplateError
from .model.build import build_estate
from .model.estate import Estate
from .model.load import load, load_template
from .model.live import load_live
from .model.snapshot import read_snapshot
from .analysis import exports as _exports  # registers estate.exports, .imports, .export_problems
from .analysis.exports import export_problems
from .analysis.graph import deletion_order, deployment_order, resource_graph, stack_graph
from .analysis.blast_radius import blast_radius
from .analysis.changes import plan_changes
from .analysis.replacement import replacement_prone  # also registers estate.replacement_prone

__all__ = [
    "Estate", "IacvizError", "LiveError", "TemplateError", "build_estate", "data", "load", "load_template",
    "schema",
]
__all__ += ["blast_radius", "deletion_order", "deployment_order", "export_problems", "plan_changes",
            "replacement_prone", "resource_graph", "stack_graph"]
__all__ += ["load_live", "read_snapshot"]
__version__ = "0.1.0"
