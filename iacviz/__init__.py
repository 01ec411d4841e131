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
from .analysis.changes import plan_changes
from .analysis.replacement import replacement_prone  # also registers estate.replacement_prone

__all__ = [
    "Estate", "IacvizError", "LiveError", "TemplateError", "build_estate", "data", "load", "load_template",
    "schema",
]
__all__ += ["plan_changes", "replacement_prone"]
__version__ = "0.1.0"
