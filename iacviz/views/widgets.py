"""Interactive explorers for notebooks: pick a resource or a stack, the figure follows.

Each explorer is an ``ipywidgets.VBox`` of controls and a ``plotly.graph_objects.FigureWidget``
(which needs the ``anywidget`` package; without it the figure is shown in an ``Output``
widget and redrawn on each change). Building one draws its first figure, so it also works
headless (nbval, nbclient): nothing waits for a browser. The figures are the same pure
functions as everywhere else; the explorers only wire controls to them.

>>> import iacviz
>>> e = iacviz.load_template({"Resources": {"Vpc": {"Type": "AWS::EC2::VPC"},
...     "Sg": {"Type": "AWS::EC2::SecurityGroup", "Properties": {"GroupDescription": "x", "VpcId": {"Ref": "Vpc"}}}}},
...     stack="net")
>>> box = blast_explorer(e, target="net/Vpc")
>>> box.figure.layout.title.text.split("<br>")[0], box.figure.layout.meta["summary"]
('Blast radius of net/Vpc: 2 affected in 1 stacks', '2 replaced')
>>> box.change.value = "delete"
>>> box.figure.layout.meta["summary"]
'1 deleted, 1 broken'
"""

from __future__ import annotations

import html
from typing import TYPE_CHECKING, Any

import pandas as pd
import plotly.graph_objects as go

from ..errors import require
from .figures_blast import blast_sunburst
from .figures_exports import export_map, stack_imports

if TYPE_CHECKING:
    import ipywidgets as widgets

    from ..model.estate import Estate
else:  # the `lab` extra brings ipywidgets; without it, say so on import
    widgets = require("ipywidgets", "the notebook explorers (iacviz.views.widgets)")

__all__ = ["blast_explorer", "export_explorer"]

CHANGES = ("replace", "update", "delete")


class _Canvas:
    """A figure that can be redrawn in place: a FigureWidget, or an Output widget without anywidget."""

    def __init__(self, fig: go.Figure):
        try:
            self.widget: Any = go.FigureWidget(fig)
            self.live = True
        except ImportError:  # plotly's FigureWidget needs anywidget
            self.widget = widgets.Output()
            self.live = False
        self.figure: go.Figure = self.widget if self.live else fig
        if not self.live:
            self._show(fig)

    def _show(self, fig: go.Figure) -> None:
        from IPython.display import display

        with self.widget:
            self.widget.clear_output(wait=True)
            display(fig)

    def draw(self, fig: go.Figure) -> None:
        if not self.live:
            self.figure = fig
            self._show(fig)
            return
        fw = self.widget
        with fw.batch_update():
            fw.data = ()
            fw.layout.annotations = ()
            fw.layout.shapes = ()
        fw.add_traces(list(fig.data))
        fw.update_layout(fig.layout.to_plotly_json(), overwrite=True)


def _targets(estate: Any) -> list[str]:
    res = estate.resources
    names = sorted(f"{s}/{lid}" for s, lid in zip(res["stack"], res.logical_id))
    exports = sorted(f"export:{n}" for n in estate.exports.export_name.dropna())
    return names + exports


def blast_explorer(estate: Estate, target: str | None = None, change: str = "replace") -> widgets.VBox:
    """Pick a resource (``stack/LogicalId``) or an export (``export:Name``) and a change; see its blast radius.

    Parameters
    ----------
    estate : Estate
        The estate to explore.
    target : str, optional
        The first target shown (default: the first stateful resource, else the first resource).
    change : {"replace", "update", "delete"}
        The first change shown.

    Returns
    -------
    ipywidgets.VBox
        Controls, a one-line summary and the sunburst (:func:`iacviz.views.blast_sunburst`).
        The box has attributes ``target`` (Dropdown), ``change`` (RadioButtons), ``summary``
        (HTML), ``figure`` (the figure shown) and ``blast`` (the current blast-radius frame).
    """
    from ..analysis.blast_radius import blast_radius

    options = _targets(estate)
    if target is None:
        res = estate.resources
        stateful = res[res.stateful.fillna(False).astype(bool)]
        first = stateful if len(stateful) else res
        target = f"{first['stack'].iloc[0]}/{first.logical_id.iloc[0]}" if len(first) else (options or [""])[0]
    pick = widgets.Dropdown(
        options=options,
        value=target if target in options else None,
        description="target",
        layout=widgets.Layout(width="480px"),
    )
    how = widgets.RadioButtons(
        options=list(CHANGES), value=change, description="change", layout=widgets.Layout(width="320px")
    )
    summary = widgets.HTML()

    def compute() -> go.Figure:
        if not pick.value:
            blast = pd.DataFrame(
                columns=["stack", "logical_id", "type", "depth", "impact", "path", "stateful", "protected", "blocked"]
            )
        else:
            blast = blast_radius(estate, pick.value, how.value)
        box.blast = blast
        n_block = int(sum(isinstance(b, str) and bool(b) for b in blast.blocked))
        summary.value = f"<b>{len(blast)}</b> affected in <b>{blast['stack'].nunique()}</b> stacks" + (
            f", <b style='color:#8b0000'>{n_block} blocked</b>" if n_block else ""
        )
        return blast_sunburst(blast)

    box = widgets.VBox([widgets.HBox([pick, how]), summary])
    canvas = _Canvas(compute())
    box.children = (*box.children, canvas.widget)

    def redraw(_: Any = None) -> None:
        canvas.draw(compute())
        box.figure = canvas.figure

    pick.observe(redraw, names="value")
    how.observe(redraw, names="value")
    box.target, box.change, box.summary, box.figure = pick, how, summary, canvas.figure
    return box


def export_explorer(estate: Estate, stack: str | None = None) -> widgets.VBox:
    """Pick a stack: the export map of it and its direct neighbours, and its exports with their importers.

    Parameters
    ----------
    estate : Estate
        The estate to explore.
    stack : str, optional
        The first stack shown; None: the whole estate ("(all stacks)").

    Returns
    -------
    ipywidgets.VBox
        A stack dropdown, a "group by service" checkbox, the export map
        (:func:`iacviz.views.export_map`) and a table of the stack's exports with who imports
        each, including the stacks that *may* import it through an ambiguous import. Attributes
        ``stack`` (Dropdown), ``collapse`` (Checkbox), ``table`` (HTML) and ``figure``.
    """
    everything = "(all stacks)"
    names = sorted(estate.stacks["stack"])
    pick = widgets.Dropdown(
        options=[everything, *names],
        value=stack if stack in names else everything,
        description="stack",
        layout=widgets.Layout(width="360px"),
    )
    collapse = widgets.Checkbox(value=False, description="group stacks by service")
    table = widgets.HTML()

    def compute() -> go.Figure:
        st, imp, ex = estate.stacks, stack_imports(estate.imports), estate.exports
        if pick.value != everything:
            s = pick.value
            candidate = (
                imp.candidate_stacks.map(lambda c: isinstance(c, list) and s in c)
                if "candidate_stacks" in imp
                else pd.Series(False, index=imp.index)
            )
            imp = imp[(imp["stack"] == s) | (imp.export_stack == s) | candidate.astype(bool)]
            involved = {s, *imp["stack"], *imp.export_stack.dropna()}
            if "candidate_stacks" in imp:
                involved |= {c for cs in imp.candidate_stacks[imp["stack"] == s] if isinstance(cs, list) for c in cs}
            st = st[st["stack"].isin(involved)]
            ex = ex[ex["stack"] == s]
            possible = (
                ex.possible_importers if "possible_importers" in ex else pd.Series([[]] * len(ex), index=ex.index)
            )
            rows = "".join(
                f"<tr><td>{html.escape(str(n))}</td><td>{html.escape(str(o))}</td><td>{_importers_cell(i, m)}</td></tr>"
                for n, o, i, m in zip(ex.export_name, ex.output, ex.importers, possible)
            )
            table.value = (
                (
                    f"<b>{html.escape(s)}</b> exports {len(ex)} values<table><tr><th>export</th>"
                    f"<th>output</th><th>imported by</th></tr>{rows}</table>"
                )
                if len(ex)
                else f"<b>{html.escape(s)}</b> exports nothing"
            )
        else:
            table.value = ""
        return export_map(st, imp, ex, collapse_by_service=collapse.value or None)

    box = widgets.VBox([widgets.HBox([pick, collapse])])
    canvas = _Canvas(compute())
    box.children = (*box.children, canvas.widget, table)

    def redraw(_: Any = None) -> None:
        canvas.draw(compute())
        box.figure = canvas.figure

    pick.observe(redraw, names="value")
    collapse.observe(redraw, names="value")
    box.stack, box.collapse, box.table, box.figure = pick, collapse, table, canvas.figure
    return box


def _importers_cell(importers: Any, maybe: Any) -> str:
    """Who imports an export; stacks whose ambiguous import may mean it are named as such,
    so an export is never shown as imported by nobody while candidates exist."""
    sure = list(importers) if isinstance(importers, (list, tuple)) else []
    possible = [s for s in (maybe if isinstance(maybe, (list, tuple)) else []) if s not in sure]
    parts = [html.escape(", ".join(sure))] if sure else []
    if possible:
        parts.append(f"<i>maybe</i> {html.escape(', '.join(possible))} <i>(ambiguous import)</i>")
    return "; ".join(parts) or "<i>nobody</i>"
