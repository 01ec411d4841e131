"""Views: pure figure functions (frames in, plotly figures out), frame selection, widgets, the report.

The names below are loaded on first use, so ``import iacviz`` does not import plotly.

>>> from iacviz import views
>>> sorted(views.FIGURES)[:3]
['blast_graph', 'blast_sunburst', 'change_set_table']
"""

from __future__ import annotations

from importlib import import_module
from typing import Any

FIGURES = (
    "export_map",
    "import_matrix",
    "modality_bars",
    "blast_sunburst",
    "blast_graph",
    "update_behavior_heatmap",
    "replacement_table",
    "change_set_table",
    "coverage_bars",
)
_HOME = {
    **{name: "figures" for name in FIGURES},
    "collapse_by_service": "selection",
    "filter_estate_frames": "selection",
}

__all__ = [*FIGURES, "FIGURES", "collapse_by_service", "filter_estate_frames"]


def __getattr__(name: str) -> Any:
    if name in _HOME:
        value = getattr(import_module(f".{_HOME[name]}", __name__), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
