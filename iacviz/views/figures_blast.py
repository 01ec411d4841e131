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
from ._drawing import EdgeGroup, clip, place_labels
from ._text import escaped
from ._vocabulary import document

__all__ = ["blast_sunburst", "blast_graph", "impact_legend", "rank_rows"]


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
    lines = [
        f"<b>{r.stack}/{r.logical_id}</b>",
        _type_of(r),
        f"impact: <b>{r.impact}</b>" + (" (the changed resource)" if r.depth == 0 else f", {r.depth} steps away"),
    ]
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
    items = [
        f"<span style='color:{pal.impact_color(i)}'>■</span> {i}"
        for i in (pal.IMPACT_ORDER if impacts is None else impacts)
    ]
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


def rank_rows(blast: pd.DataFrame) -> pd.DataFrame:
    """The rows of a blast radius worst first: the changed resource, then by impact (deleted,
    replaced, broken, conditional, updated), blocked before not, stateful before not, nearest first.

    >>> b = pd.DataFrame({"stack": "s", "logical_id": ["A", "B", "C"], "depth": [0, 2, 1],
    ...                   "impact": ["replaced", "updated", "deleted"], "stateful": [False, False, True],
    ...                   "blocked": ""})
    >>> rank_rows(b).logical_id.tolist()
    ['A', 'C', 'B']
    """
    order = {i: n for n, i in enumerate(pal.IMPACT_ORDER)}
    key = pd.DataFrame(
        {
            "seed": [0 if d == 0 else 1 for d in blast.depth],
            "impact": [order.get(i, len(order)) for i in blast.impact],
            "blocked": [0 if _blocked(b) else 1 for b in blast.blocked],
            "stateful": [
                0 if _flag(s) else 1 for s in (blast.stateful if "stateful" in blast else [None] * len(blast))
            ],
            "depth": list(blast.depth),
            "stack": list(blast["stack"]),
            "lid": list(blast.logical_id),
        },
        index=blast.index,
    )
    return blast.loc[key.sort_values(list(key.columns), kind="stable").index]


def titled(title: str, summary: str) -> dict:
    """A title with a summary line under it, as one text (plotly's own subtitle is placed from the
    title's measured height, which is 0 in a widget not yet on screen: it then sits above the title).

    >>> titled("Blast", "2 replaced")["text"]
    "Blast<br><span style='font-size:13px;color:#555555'>2 replaced</span>"
    """
    text = f"{title}<br><span style='font-size:13px;color:#555555'>{summary}</span>" if summary else title
    return dict(text=text, x=0.01, xanchor="left", y=0.98, yanchor="top", yref="container")


def _empty(title: str) -> go.Figure:
    fig = go.Figure()
    fig.add_annotation(text="nothing is affected", showarrow=False, x=0.5, y=0.5, xref="paper", yref="paper")
    fig.update_layout(title=title, xaxis_visible=False, yaxis_visible=False, plot_bgcolor="white")
    return fig


MAX_STACKS = 25  # stacks drawn one by one in a sunburst; the rest share one "+N stacks" sector
MAX_TYPES = 6  # types drawn one by one in a stack; the rest share one "+N types" sector


@escaped
@document
def blast_sunburst(
    blast: pd.DataFrame, *, title: str | None = None, max_rows: int | None = 80, height: int | None = None
) -> go.Figure:
    """The resources a change reaches as a sunburst: stack, then type, then resource, coloured by impact.

    A stack or type ring takes the colour of its worst resource (deleted > replaced > broken >
    conditional > updated); a ring holding a blocked resource is outlined too. Hover shows
    impact, distance from the change, statefulness, protection, the refusal and the path.

    Size behaviour: every affected resource is counted, but at most `max_rows` are drawn as
    their own sector, the worst first (:func:`rank_rows`); the others of a type share one
    ``+N more`` sector, types past the 6 worst of a stack one ``+N types`` sector, and stacks
    past the 25 worst one ``+N stacks`` sector, each hover listing what it holds. A note
    under the chart says how many were left out. So the figure has at most
    ``max_rows + 25 x 15 + 1`` sectors whatever the blast radius (under 400 kB of JSON, tested
    up to 2,000 stacks); its height is fixed (620 px).

    {parameters}

    Returns
    -------
    plotly.graph_objects.Figure
        One ``go.Sunburst``; ``ids`` are ``stack``, ``stack/type`` and ``stack/type/logical_id``
        (``stack/type/+more``, ``stack/+types`` and ``+stacks`` for the folded rest); ``marker.colors`` the impact
        colours; ``marker.line`` the blocked outlines. ``layout.meta``: ``shown`` and ``total``
        resources and the ``summary`` line.
    """
    if blast.empty:
        return _empty(title or "Blast radius: nothing affected")
    ranked = rank_rows(blast)
    limit = len(ranked) if max_rows is None else max(int(max_rows), 1)
    rows = list(ranked.itertuples(index=False))
    stack_rank = list(dict.fromkeys(r.stack for r in rows))  # worst first
    kept_stacks = set(stack_rank[:MAX_STACKS])
    shown_keys = {(r.stack, r.logical_id) for r in [r for r in rows if r.stack in kept_stacks][:limit]}
    ids, labels, parents, colors, lines, widths, hover, values = [], [], [], [], [], [], [], []

    def add(id_: str, label: str, parent: str, impact: str | None, blocked: bool, text: str, value: int) -> None:
        ids.append(id_)
        labels.append(label)
        parents.append(parent)
        colors.append(pal.impact_color(impact))
        lines.append(pal.BLOCKED_OUTLINE if blocked else "white")
        widths.append(pal.BLOCKED_WIDTH if blocked else 0.5)
        hover.append(text)
        values.append(value)

    def counts(members: list[Any]) -> str:
        c = pd.Series([r.impact for r in members]).value_counts()
        return ", ".join(f"{n} {i}" for i, n in c.items())

    by_stack: dict[str, list[Any]] = {}
    for r in rows:
        by_stack.setdefault(r.stack, []).append(r)
    n_shown = 0  # counted as drawn: a script's logical id (its file path) may hold "/"
    for stack in sorted(kept_stacks):
        members = by_stack[stack]
        blocked = any(_blocked(r.blocked) for r in members)
        add(
            stack,
            stack,
            "",
            pal.worst_impact(r.impact for r in members),
            blocked,
            f"<b>{stack}</b><br>{len(members)} affected: {counts(members)}",
            len(members),
        )
        by_type: dict[str, list[Any]] = {}
        for r in members:
            by_type.setdefault(_type_of(r), []).append(r)
        ranked_types = list(dict.fromkeys(_type_of(r) for r in members))  # worst first
        kept_types = set(ranked_types[:MAX_TYPES])
        for rtype in sorted(kept_types):
            group = by_type[rtype]
            add(
                f"{stack}/{rtype}",
                _short(rtype),
                stack,
                pal.worst_impact(r.impact for r in group),
                any(_blocked(r.blocked) for r in group),
                f"<b>{rtype}</b> in {stack}<br>{len(group)} affected: {counts(group)}",
                len(group),
            )
            shown = [r for r in group if (r.stack, r.logical_id) in shown_keys]
            rest = [r for r in group if (r.stack, r.logical_id) not in shown_keys]
            for r in sorted(shown, key=lambda r: (r.depth, r.logical_id)):
                n_shown += 1
                add(
                    f"{stack}/{rtype}/{r.logical_id}",
                    ("▶ " if r.depth == 0 else "") + r.logical_id,
                    f"{stack}/{rtype}",
                    r.impact,
                    _blocked(r.blocked),
                    _hover(r),
                    1,
                )
            if rest:
                add(
                    f"{stack}/{rtype}/+more",
                    f"+{len(rest)} more",
                    f"{stack}/{rtype}",
                    pal.worst_impact(r.impact for r in rest),
                    any(_blocked(r.blocked) for r in rest),
                    f"<b>{len(rest)} more {_short(rtype)}</b> in {stack}: {counts(rest)}<br>"
                    + "<br>".join(clip(sorted(r.logical_id for r in rest), 8)),
                    len(rest),
                )
        folded = [r for t in ranked_types[MAX_TYPES:] for r in by_type[t]]
        if folded:
            add(
                f"{stack}/+types",
                f"+{len(ranked_types) - MAX_TYPES} types",
                stack,
                pal.worst_impact(r.impact for r in folded),
                any(_blocked(r.blocked) for r in folded),
                f"<b>{len(ranked_types) - MAX_TYPES} more types</b> in {stack}, {len(folded)} affected: "
                f"{counts(folded)}<br>" + "<br>".join(clip([_short(t) for t in ranked_types[MAX_TYPES:]], 8)),
                len(folded),
            )
    others = [s for s in stack_rank if s not in kept_stacks]
    if others:
        members = [r for s in others for r in by_stack[s]]
        add(
            "+stacks",
            f"+{len(others)} stacks",
            "",
            pal.worst_impact(r.impact for r in members),
            any(_blocked(r.blocked) for r in members),
            f"<b>{len(others)} more stacks</b>, {len(members)} affected: {counts(members)}<br>"
            + "<br>".join(clip(sorted(others), 8)),
            len(members),
        )
    fig = go.Figure(
        go.Sunburst(
            ids=ids,
            labels=labels,
            parents=parents,
            values=values,
            branchvalues="total",
            marker=dict(colors=colors, line=dict(color=lines, width=widths)),
            insidetextfont=dict(color=[pal.text_on(c) for c in colors]),
            hovertext=hover,
            hoverinfo="text",
            insidetextorientation="radial",
            leaf_opacity=1,
            sort=False,
        )
    )
    present = [i for i in pal.IMPACT_ORDER if i in set(blast.impact)]
    fig.add_annotation(
        text=impact_legend(present, any(_blocked(b) for b in blast.blocked)),
        showarrow=False,
        x=0.5,
        y=-0.06,
        xref="paper",
        yref="paper",
        font=dict(size=12),
    )
    if n_shown < len(blast):
        fig.add_annotation(
            text=f"{n_shown} of {len(blast)} affected resources drawn one by one, the worst first; "
            f"'+N more' and '+N stacks' sectors count the other {len(blast) - n_shown}.",
            showarrow=False,
            x=0.5,
            y=-0.11,
            xref="paper",
            yref="paper",
            font=dict(size=12, color="#555555"),
        )
    summary = _summary(blast)
    fig.update_layout(
        title=titled(
            title or f"Blast radius of {_target(blast)}: {len(blast)} affected in {blast['stack'].nunique()} stacks",
            summary,
        ),
        height=height or 620,
        margin=dict(t=80, l=10, r=10, b=70),
        meta={"shown": n_shown, "total": len(blast), "summary": summary},
    )
    return fig


def _layout(g: nx.DiGraph, sub: nx.DiGraph, seed: int) -> tuple[dict, dict]:
    """Spring layout in which each stack's nodes also pull towards a hidden hub of their stack,
    so stacks form clusters; returns node and hub positions (the hub is where the stack's name goes).

    Hubs are added only while the graph stays under 500 nodes, where networkx uses its dense
    numpy solver (at 500 and more it needs scipy); otherwise a stack's name sits at the mean
    of its nodes."""
    lay = nx.Graph()
    lay.add_nodes_from(sub)
    lay.add_edges_from(sorted(sub.to_undirected().edges()), weight=1.0)
    stacks: dict[str, list[str]] = {}
    for n in sub:
        stacks.setdefault(g.nodes[n].get("stack") or "?", []).append(n)
    hubbed = len(sub) + len(stacks) < 500
    if hubbed:
        for stack, members in sorted(stacks.items()):
            lay.add_edges_from(((f"\0{stack}", n) for n in members), weight=0.8)
    if len(lay) >= 500:
        raise ValueError("blast_graph lays out fewer than 500 nodes")  # the callers cap it
    raw = nx.spring_layout(
        lay, seed=seed, k=1.2 / max(len(lay), 1) ** 0.5, iterations=200, weight="weight", method="force"
    )
    pos = {n: (round(float(x), 6), round(float(y), 6)) for n, (x, y) in raw.items()}
    if hubbed:
        hubs = {stack: pos.pop(f"\0{stack}") for stack in sorted(stacks)}
    else:
        hubs = {
            stack: (round(sum(pos[n][0] for n in ms) / len(ms), 6), round(sum(pos[n][1] for n in ms) / len(ms), 6))
            for stack, ms in sorted(stacks.items())
        }
    return pos, hubs


def _graph_of(graph: Any) -> nx.DiGraph:
    if isinstance(graph, nx.Graph):
        return graph
    from ..analysis.graph import resource_graph  # an Estate

    return resource_graph(graph)


GRAPH_NODES = 300  # most nodes blast_graph lays out (networkx's dense spring layout stays under 500: no scipy)
GRAPH_WIDTH, GRAPH_HEIGHT = 900, 530  # plot area the labels are placed for (px)


@escaped
@document
def blast_graph(
    graph: Any,
    blast: pd.DataFrame,
    *,
    title: str | None = None,
    seed: int = 7,
    context: int = 1,
    labels: bool | None = None,
    max_rows: int | None = 150,
    height: int | None = None,
) -> go.Figure:
    """The blast radius on the resource graph: affected resources in their impact colour, the rest grey.

    Edges point the way a change travels (from a resource to what references it); those
    between two affected resources are drawn dark. Only the affected nodes and their
    unaffected neighbours in the same stack up to `context` steps are drawn, laid out by networkx's
    spring layout with a fixed `seed` (so the picture is the same on every run), each stack's
    nodes pulled together around the stack's name.

    Size behaviour: at most `max_rows` affected resources are drawn, the worst first
    (:func:`rank_rows`), and context nodes only while the picture has fewer than 300 nodes, so
    the layout never needs scipy and the figure stays small; a note says how many affected
    resources were left out (the sunburst counts them all). Labels are written only where they
    cover no other label and no node (for a plot area of 900 x 530 px); the others are in the
    hover. The height is fixed (640 px).

    {parameters}

    Returns
    -------
    plotly.graph_objects.Figure
        Traces by ``meta.role``: ``edges``, then ``resources`` (one per impact, plus
        ``unaffected``); node ids (``stack/LogicalId``) in ``customdata``. ``layout.meta``:
        ``shown`` and ``total`` affected resources and the ``summary`` line.
    """
    g = _graph_of(graph)
    ranked = rank_rows(blast)
    keys = [f"{s}/{lid}" for s, lid in zip(ranked["stack"], ranked.logical_id)]
    rows = dict(zip(keys, ranked.itertuples(index=False)))
    in_graph = [k for k in keys if k in g]
    limit = len(in_graph) if max_rows is None else max(int(max_rows), 1)
    affected = in_graph[: min(limit, GRAPH_NODES)]
    keep = set(affected)
    frontier = list(affected)
    undirected = g.to_undirected(as_view=True)
    for _ in range(max(context, 0)):  # neighbours in the same stack, so the picture stays local
        nxt = []
        for n in frontier:
            for m in sorted(undirected.neighbors(n)):
                if len(keep) >= GRAPH_NODES:
                    break
                if (
                    m not in keep
                    and m not in rows
                    and g.nodes[m].get("kind") in ("resource", "output")
                    and g.nodes[m].get("stack") == g.nodes[n].get("stack")
                ):
                    keep.add(m)
                    nxt.append(m)
        frontier = nxt
    sub = nx.DiGraph()
    sub.add_nodes_from(sorted(keep))
    sub.add_edges_from(sorted((a, b) for a, b in g.subgraph(keep).edges()))
    if not len(sub):
        return _empty(title or "Blast radius: nothing affected")
    pos, hubs = _layout(g, sub, seed)
    hot = EdgeGroup("change travels", "#444444", 2.0, legendgroup="edges", role="edges")
    cold = EdgeGroup("reference", "#cccccc", 1.0, legendgroup="edges-cold", role="edges", showlegend=False)
    shown_rows = set(affected)
    for a, b in sub.edges():  # a references b: the change goes b -> a
        kinds = ", ".join(sorted(g.edges[a, b].get("kinds", ()))) or "reference"
        group = hot if a in shown_rows and b in shown_rows else cold
        group.add(pos[b], pos[a], f"{a} references {b} ({kinds})", [b, a])
    fig = go.Figure([tr for t in (cold, hot) if t.xs for tr in t.traces()])
    fig.add_trace(
        go.Scatter(
            x=[p[0] for p in hubs.values()],
            y=[p[1] for p in hubs.values()],
            mode="text",
            text=list(hubs),
            textfont=dict(size=15, color="rgba(80,80,80,0.45)"),
            hoverinfo="skip",
            showlegend=False,
            meta={"role": "stack labels"},
        )
    )
    xs = [p[0] for p in [*pos.values(), *hubs.values()]]
    ys = [p[1] for p in [*pos.values(), *hubs.values()]]
    pad_x, pad_y = (max(xs) - min(xs)) * 0.08 + 0.05, (max(ys) - min(ys)) * 0.08 + 0.05
    x_range, y_range = (min(xs) - pad_x, max(xs) + pad_x), (min(ys) - pad_y, max(ys) + pad_y)

    def size(n: str) -> float:
        return (22 if n in shown_rows and rows[n].depth == 0 else 13) + (
            5 if n in shown_rows and _blocked(rows[n].blocked) else 0
        )

    # labels: affected nodes first (worst first), then the context; none over another or over a node
    order_nodes = [*affected, *sorted(n for n in sub if n not in shown_rows)]
    show = labels if labels is not None else True
    where = (
        dict(
            zip(
                order_nodes,
                place_labels(
                    [pos[n][0] for n in order_nodes],
                    [pos[n][1] for n in order_nodes],
                    [size(n) for n in order_nodes],
                    [n.split("/", 1)[1] for n in order_nodes],
                    x_range=x_range,
                    y_range=y_range,
                    width=GRAPH_WIDTH,
                    height=GRAPH_HEIGHT,
                    font=10,
                    avoid=hot.heads() + cold.heads(),
                    avoid_text=[(x, y, stack, 15) for stack, (x, y) in hubs.items()],
                ),
            )
        )
        if show
        else {}
    )
    order = [*pal.IMPACT_ORDER, *sorted({r.impact for r in rows.values()} - set(pal.IMPACT_ORDER))]
    for impact in [None, *order]:
        nodes = [n for n in sub if (rows[n].impact if n in shown_rows else None) == impact]
        if not nodes:
            continue
        fig.add_trace(
            go.Scatter(
                x=[pos[n][0] for n in nodes],
                y=[pos[n][1] for n in nodes],
                mode="markers+text" if any(where.get(n) for n in nodes) else "markers",
                name=impact or "unaffected",
                text=[n.split("/", 1)[1] if where.get(n) else "" for n in nodes],
                textposition=[where.get(n) or "top center" for n in nodes],
                customdata=nodes,
                textfont=dict(size=10, color="#333333" if impact else "#999999"),
                marker=dict(
                    size=[size(n) for n in nodes],
                    symbol=["diamond" if g.nodes[n].get("kind") == "output" else "circle" for n in nodes],
                    color=pal.impact_color(impact) if impact else pal.UNAFFECTED,
                    line=dict(
                        color=[
                            pal.BLOCKED_OUTLINE if n in shown_rows and _blocked(rows[n].blocked) else "white"
                            for n in nodes
                        ],
                        width=[
                            pal.BLOCKED_WIDTH if n in shown_rows and _blocked(rows[n].blocked) else 1 for n in nodes
                        ],
                    ),
                ),
                hovertext=[
                    _hover(rows[n])
                    if n in shown_rows
                    else f"<b>{n}</b><br>{g.nodes[n].get('type') or ''}<br>unaffected"
                    for n in nodes
                ],
                hoverinfo="text",
                meta={"role": "resources", "impact": impact or "unaffected"},
            )
        )
    blast_in = ranked[pd.Series([k in g for k in keys], index=ranked.index, dtype=bool)]
    summary = _summary(blast_in)
    fig.update_layout(
        title=titled(title or f"Blast radius of {_target(blast)} on the resource graph", summary),
        height=height or 640,
        plot_bgcolor="white",
        hovermode="closest",
        legend=dict(orientation="h", yanchor="bottom", y=1.0, xanchor="left", x=0),
        margin=dict(t=100, l=10, r=10, b=30 if len(affected) < len(in_graph) else 10),
        meta={"shown": len(affected), "total": len(in_graph), "summary": summary},
    )
    fig.update_xaxes(visible=False, range=list(x_range))
    fig.update_yaxes(visible=False, range=list(y_range))
    if len(affected) < len(in_graph):
        fig.add_annotation(
            text=f"{len(affected)} of {len(in_graph)} affected resources drawn, the worst first; "
            f"the sunburst counts them all.",
            showarrow=False,
            x=0,
            y=0,
            xref="paper",
            yref="paper",
            xanchor="left",
            yanchor="top",
            yshift=-4,
            font=dict(color="#555555"),
        )
    if any(_blocked(b) for b in blast.blocked):
        fig.add_annotation(
            text=impact_legend([], True),
            showarrow=False,
            x=1,
            y=0,
            xref="paper",
            yref="paper",
            xanchor="right",
            yanchor="bottom",
        )
    return fig
