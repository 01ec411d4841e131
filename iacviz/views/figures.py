"""The catalogue of iacviz's figures: pure functions, frames in, ``plotly.graph_objects.Figure`` out.

Every figure takes the frames it draws first (``estate.stacks``, ``estate.imports``, the
result of an analysis...) and then keywords from one shared vocabulary
(:mod:`iacviz.views._vocabulary`): ``title``, ``height``, ``collapse_by_service``, ``order``,
``labels``, ``seed``, ``context``, ``max_rows``. Colours have one meaning everywhere
(:mod:`iacviz.views._palette`). The figures live in one module per topic; this module only
gathers them.

=========================  ====================================================================
figure                     draws
=========================  ====================================================================
:func:`export_map`         stacks and their cross-stack imports; dangling and unused exports marked
:func:`import_matrix`      importing x exporting stack heatmap of import counts (large estates)
:func:`modality_bars`      resources per stack by modality; mixed stacks called out
:func:`blast_sunburst`     a blast radius as stack -> type -> resource, coloured by impact
:func:`blast_graph`        the same on the resource graph (seeded spring layout)
:func:`update_behavior_heatmap`  resource types x properties: replace / conditional / in-place
:func:`replacement_table`  create-only properties driven by parameters, imports, resources
:func:`change_set_table`   a predicted change set, replacement/data loss/blocked in colour
:func:`coverage_bars`      resources of an account per service: in a stack, by a service, click-ops, AWS
=========================  ====================================================================

>>> import iacviz
>>> e = iacviz.load_template({"Resources": {"Q": {"Type": "AWS::SQS::Queue"}}}, stack="jobs")
>>> type(modality_bars(e.resources, e.stacks)).__name__
'Figure'
"""

from __future__ import annotations

from .figures_blast import blast_graph, blast_sunburst
from .figures_changes import change_set_table, replacement_table, update_behavior_heatmap
from .figures_coverage import coverage_bars
from .figures_exports import export_map, import_matrix
from .figures_modality import modality_bars

__all__ = [
    "export_map",
    "import_matrix",
    "modality_bars",
    "blast_sunburst",
    "blast_graph",
    "update_behavior_heatmap",
    "replacement_table",
    "change_set_table",
    "coverage_bars",
]
