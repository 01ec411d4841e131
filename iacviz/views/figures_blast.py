"""Figures of a blast radius: what one change reaches, as a sunburst and on the resource graph.

Colours are fixed (:mod:`iacviz.views._palette`): replaced red, conditional orange, updated
gold, broken purple, deleted black; a *blocked* row (CloudFormation would refuse the
change, e.g. an export in use) keeps its colour and gets a thick dark-red outline.

>>> import pandas as pd
>>> blast = pd.DataFrame({"stack": ["net", "app"], "logical_id": ["Sg", "Fn"], "kind": "resource",
...     "type": ["AWS::EC2::SecurityGroup", "AWS::Lambda::Function"], "depth": [0, 2],
...     "impact": ["replaced", "updated"], "path": ["net/Sg", "net/Sg -Ref-> ... -ImportValue-> app/Fn"],
...     "stateful": False, "protected": None, "blocked": ["", "Export net-SgId cannot be updated"]})
>>> fig = blast_sunburst(blast)
>>> dict(zip(fig.data[0].ids, fig.data[0].marker.colors))["app/AWS::Lambda::Function/Fn"]
'#f2c500'
"""
from __future__ import annotations

from typing import Any

import networkx as nx
import pandas as pd
import plotly.graph_objects as go

from . import _palette as pal
from ._drawing import EdgeGroup, clip
from ._vocabulary import document

__all__ = ["blast_sunburst", "blast_graph", "impact_legend"]


def _flag(value: Any) -> bool | None:
    """True, False or None (NA) from a nullable boolean cell."""
    if value is None or value is pd.NA or (isinstance(value, float) and value != value):
        return None
    return bool(value)


def _blocked(value: Any) -> bool:
    return isinstance(value, str) and bool(value) or (isinstance(value, bool) and value)


def _type_of(row: Any) -> str:
    if isinstance(row.type, str):
        return row.type
    kind = getattr(row, "kind", None)
    return {"output": "Outputs", "parameter": "Parameters", "condition": "Conditions"}.get(kind, "other")


def _short(rtype: str) -> str:
    return rtype[5:] if rtype.startswith("AWS::") else rtype


def _hover(r: Any) -> str:
    lines = [f"<b>{r.stack}/{r.logical_id}</b>", _type_of(r),
             f"impact: <b>{r.impact}</b>" + (" (the changed resource)" if r.depth == 0 else f", {r.depth} steps away")]
    facts = []
    if _flag(r.stateful):
        facts.append("stateful")
    if _flag(r.protected):
        facts.append("protected by its policy")
    elif _flag(r.protected) is False and r.impact in ("replaced", "conditional", "deleted"):
        facts.append("NOT protected by a policy")
    if facts:
        lines.append(", ".join(facts))
    if _blocked(r.blocked):
        lines.append(f"<b>blocked</b>: {r.blocked}")
    if isinstance(r.path, str) and r.depth:
        steps = r.path.split(" -")
        lines.append("path: " + "<br>  -".join(clip(steps, 8)))
    return "<br>".join(lines)


def impact_legend(impacts: list[str] | None = None, blocked: bool = True) -> str:
    """The colour key as one line of HTML for an annotation.

    >>> impact_legend(["replaced"], blocked=False)
    "<span style='color:#d62728'>■</span> replaced"
    """
    items = [f"<span style='color:{pal.impact_color(i)}'>■</span> {i}"
             for i in (pal.IMPACT_ORDER if impacts is None else impacts)]
    if blocked:
        items.append(f"<span style='color:{pal.BLOCKED_OUTLINE}'>□</span> blocked (outline)")
    return "   ".join(items)


def _target(blast: pd.DataFrame) -> str:
    seeds = blast[blast.depth == 0]
    names = [f"{s}/{lid}" for s, lid in zip(seeds["stack"], seeds.logical_id)]
    return names[0] if len(names) == 1 else f"{len(names)} resources"


def _summary(blast: pd.DataFrame) -> str:
    counts = blast.impact.value_counts()
    parts = [f"{counts[i]} {i}" for i in pal.IMPACT_ORDER if i in counts]
    n_blocked = int(sum(_blocked(b) for b in blast.blocked))
    if n_blocked:
        parts.append(f"{n_blocked} blocked")
    return ", ".join(parts)


def _empty(title: str) -> go.Figure:
    fig = go.Figure()
    fig.add_annotation(text="nothing is affected", showarrow=False, x=0.5, y=0.5, xref="paper", yref="paper")
    fig.update_layout(title=title, xaxis_visible=False, yaxis_visible=False, plot_bgcolor="white")
    return fig


@document
def blast_sunburst(blast: pd.DataFrame, *, title: str | None = None, height: int | None = None) -> go.Figure:
    """The resources a change reaches as a sunburst: stack, then type, then resource, coloured by impact.

    A stack or type ring takes the colour of its worst resource (deleted > replaced > broken >
    conditional > updated); a ring holding a blocked resource is outlined too. Hover shows
    impact, distance from the change, statefulness, protection, the refusal and the path.

    {parameters}

    Returns
    -------
    plotly.graph_objects.Figure
        One ``go.Sunburst``; ``ids`` are ``stack``, ``stack/type`` and ``stack/type/logical_id``;
        ``marker.colors`` the impact colours; ``marker.line`` the blocked outlines.
    """
    if blast.empty:
        return _empty(title or "Blast radius: nothing affected")
    rows = list(blast.itertuples(index=False))
    ids, labels, parents, colors, lines, widths, hover, values = [], [], [], [], [], [], [], []

    def add(id_: str, label: str, parent: str, impact: str | None, blocked: bool, text: str, value: int) -> None:
        ids.append(id_)
        labels.append(label)
        parents.append(parent)
        colors.append(pal.impact_color(impact))
        lines.append(pal.BLOCKED_OUTLINE if blocked else "white")
        widths.append(pal.BLOCKED_WIDTH if blocked else 1)
        hover.append(text)
        values.append(value)

    by_stack: dict[str, list[Any]] = {}
    for r in rows:
        by_stack.setdefault(r.stack, []).append(r)
    for stack in sorted(by_stack):
        members = by_stack[stack]
        blocked = any(_blocked(r.blocked) for r in members)
        counts = pd.Series([r.impact for r in members]).value_counts()
        add(stack, stack, "", pal.worst_impact(r.impact for r in members), blocked,
            f"<b>{stack}</b><br>{len(members)} affected: " + ", ".join(f"{n} {i}" for i, n in counts.items()),
            len(members))
        by_type: dict[str, list[Any]] = {}
        for r in members:
            by_type.setdefault(_type_of(r), []).append(r)
        for rtype in sorted(by_type):
            group = by_type[rtype]
            add(f"{stack}/{rtype}", _short(rtype), stack, pal.worst_impact(r.impact for r in group),
                any(_blocked(r.blocked) for r in group), f"<b>{rtype}</b> in {stack}<br>{len(group)} affected",
                len(group))
            for r in sorted(group, key=lambda r: (r.depth, r.logical_id)):
                add(f"{stack}/{rtype}/{r.logical_id}", ("▶ " if r.depth == 0 else "") + r.logical_id,
                    f"{stack}/{rtype}", r.impact, _blocked(r.blocked), _hover(r), 1)
    fig = go.Figure(go.Sunburst(ids=ids, labels=labels, parents=parents, values=values, branchvalues="total",
                                marker=dict(colors=colors, line=dict(color=lines, width=widths)),
                                hovertext=hover, hoverinfo="text", insidetextorientation="radial", leaf_opacity=1,
                                sort=False))
    present = [i for i in pal.IMPACT_ORDER if i in set(blast.impact)]
    fig.add_annotation(text=impact_legend(present, any(_blocked(b) for b in blast.blocked)), showarrow=False,
                       x=0.5, y=-0.06, xref="paper", yref="paper", font=dict(size=12))
    fig.update_layout(title=dict(text=title or f"Blast radius of {_target(blast)}: {len(blast)} affected in "
                                               f"{blast['stack'].nunique()} stacks",
                                 subtitle=dict(text=_summary(blast))),
                      height=height or 620, margin=dict(t=80, l=10, r=10, b=50))
    return fig


def _layout(g: nx.DiGraph, sub: nx.DiGraph, seed: int) -> tuple[dict, dict]:
    """Spring layout in which each stack's nodes also pull towards a hidden hub of their stack,
    so stacks form clusters; returns node and hub positions (the hub is where the stack's name goes)."""
    lay = nx.Graph()
    lay.add_nodes_from(sub)
    lay.add_edges_from(sorted(sub.to_undirected().edges()), weight=1.0)
    stacks: dict[str, list[str]] = {}
    for n in sub:
        stacks.setdefault(g.nodes[n].get("stack") or "?", []).append(n)
    for stack, members in sorted(stacks.items()):
        lay.add_edges_from(((f"\0{stack}", n) for n in members), weight=0.8)
    raw = nx.spring_layout(lay, seed=seed, k=1.2 / max(len(lay), 1) ** 0.5, iterations=200, weight="weight")
    pos = {n: (round(float(x), 6), round(float(y), 6)) for n, (x, y) in raw.items()}
    hubs = {stack: pos.pop(f"\0{stack}") for stack in sorted(stacks)}
    return pos, hubs


def _graph_of(graph: Any) -> nx.DiGraph:
    if isinstance(graph, nx.Graph):
        return graph
    from ..analysis.graph import resource_graph  # an Estate

    return resource_graph(graph)


@document
def blast_graph(graph: Any, blast: pd.DataFrame, *, title: str | None = None, seed: int = 7, context: int = 1,
                labels: bool | None = None, height: int | None = None) -> go.Figure:
    """The blast radius on the resource graph: affected resources in their impact colour, the rest grey.

    Edges point the way a change travels (from a resource to what references it); those
    between two affected resources are drawn dark. Only the affected nodes and their
    neighbours in the same stack up to `context` steps are drawn, laid out by networkx's
    spring layout with a fixed `seed` (so the picture is the same on every run), each stack's
    nodes pulled together around the stack's name.

    {parameters}

    Returns
    -------
    plotly.graph_objects.Figure
        Traces by ``meta.role``: ``edges``, then ``resources`` (one per impact, plus
        ``unaffected``); node ids (``stack/LogicalId``) in ``customdata``.
    """
    g = _graph_of(graph)
    keys = [f"{s}/{lid}" for s, lid in zip(blast["stack"], blast.logical_id)]
    rows = dict(zip(keys, blast.itertuples(index=False)))
    affected = [k for k in keys if k in g]
    keep = set(affected)
    frontier = set(affected)
    undirected = g.to_undirected(as_view=True)
    for _ in range(max(context, 0)):  # neighbours in the same stack, so the picture stays local
        nxt = {m for n in frontier for m in undirected.neighbors(n)
               if m not in keep and g.nodes[m].get("kind") in ("resource", "output")
               and g.nodes[m].get("stack") == g.nodes[n].get("stack")}
        keep |= nxt
        frontier = nxt
    sub = nx.DiGraph()
    sub.add_nodes_from(sorted(keep))
    sub.add_edges_from(sorted((a, b) for a, b in g.subgraph(keep).edges()))
    if not len(sub):
        return _empty(title or "Blast radius: nothing affected")
    pos, hubs = _layout(g, sub, seed)
    hot = EdgeGroup("change travels", "#444444", 2.0, legendgroup="edges", role="edges")
    cold = EdgeGroup("reference", "#cccccc", 1.0, legendgroup="edges-cold", role="edges", showlegend=False)
    for a, b in sub.edges():  # a references b: the change goes b -> a
        kinds = ", ".join(sorted(g.edges[a, b].get("kinds", ()))) or "reference"
        group = hot if a in rows and b in rows else cold
        group.add(pos[b], pos[a], f"{a} references {b} ({kinds})", [b, a])
    fig = go.Figure([tr for t in (cold, hot) if t.xs for tr in t.traces()])
    fig.add_trace(go.Scatter(x=[p[0] for p in hubs.values()], y=[p[1] for p in hubs.values()], mode="text",
                             text=list(hubs), textfont=dict(size=15, color="rgba(80,80,80,0.45)"),
                             hoverinfo="skip", showlegend=False, meta={"role": "stack labels"}))
    show = labels if labels is not None else len(sub) <= 60
    order = [*pal.IMPACT_ORDER, *sorted({r.impact for r in rows.values()} - set(pal.IMPACT_ORDER))]
    for impact in [None, *order]:
        nodes = [n for n in sub if (rows[n].impact if n in rows else None) == impact]
        if not nodes:
            continue
        fig.add_trace(go.Scatter(
            x=[pos[n][0] for n in nodes], y=[pos[n][1] for n in nodes],
            mode="markers+text" if show else "markers", name=impact or "unaffected",
            text=[n.split("/", 1)[1] for n in nodes], textposition="top center", customdata=nodes,
            textfont=dict(size=10, color="#333333" if impact else "#999999"),
            marker=dict(size=[(22 if n in rows and rows[n].depth == 0 else 13)
                              + (5 if n in rows and _blocked(rows[n].blocked) else 0) for n in nodes],
                        symbol=["diamond" if g.nodes[n].get("kind") == "output" else "circle" for n in nodes],
                        color=pal.impact_color(impact) if impact else pal.UNAFFECTED,
                        line=dict(color=[pal.BLOCKED_OUTLINE if n in rows and _blocked(rows[n].blocked) else "white"
                                         for n in nodes],
                                  width=[pal.BLOCKED_WIDTH if n in rows and _blocked(rows[n].blocked) else 1
                                         for n in nodes])),
            hovertext=[_hover(rows[n]) if n in rows else f"<b>{n}</b><br>{g.nodes[n].get('type') or ''}<br>unaffected"
                       for n in nodes],
            hoverinfo="text", meta={"role": "resources", "impact": impact or "unaffected"}))
    blast_in = blast[pd.Series([k in g for k in keys], index=blast.index, dtype=bool)]
    fig.update_layout(
        title=dict(text=title or f"Blast radius of {_target(blast)} on the resource graph",
                   subtitle=dict(text=_summary(blast_in))),
        height=height or 640, plot_bgcolor="white", hovermode="closest",
        legend=dict(orientation="h", yanchor="bottom", y=1.0, xanchor="left", x=0),
        margin=dict(t=100, l=10, r=10, b=10))
    fig.update_xaxes(visible=False)
    fig.update_yaxes(visible=False)
    if any(_blocked(b) for b in blast.blocked):
        fig.add_annotation(text=impact_legend([], True), showarrow=False, x=1, y=0, xref="paper", yref="paper",
                           xanchor="right", yanchor="bottom")
    return fig
