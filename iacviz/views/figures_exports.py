"""Figures of cross-stack exports: the export map (who depends on whom) and the import matrix.

>>> import pandas as pd
>>> stacks = pd.DataFrame({"stack": ["net", "app"], "modality": ["persistent", "ephemeral"]})
>>> imports = pd.DataFrame({"stack": ["app"], "source": ["Fn"], "path": ["/properties/VpcId"],
...     "export_name": ["net-VpcId"], "export_stack": ["net"], "export_output": ["VpcId"], "link": ["exact"]})
>>> fig = export_map(stacks, imports)
>>> fig.layout.meta["edges"]
[{'from': 'net', 'to': 'app', 'export': 'net-VpcId', 'n_imports': 1, 'link': 'exact'}]
"""
from __future__ import annotations

import math
from typing import Any, Iterable

import networkx as nx
import pandas as pd
import plotly.graph_objects as go

from . import _palette as pal
from ._drawing import EdgeGroup, bends, clip
from ._vocabulary import document
from .selection import collapse_by_service as _collapse

__all__ = ["export_map", "import_matrix", "deployment_ranks"]

LAYERS = {"persistent": 0, "mixed": 1, "unknown": 1, "neutral": 1, "ephemeral": 2}
LAYER_LABELS = {0: "persistent", 1: "mixed", 2: "ephemeral"}
SURE = ("exact", "inferred")


def _text(value: Any) -> str | None:
    return value if isinstance(value, str) else None


def _sure(imports: pd.DataFrame) -> pd.DataFrame:
    return imports[imports.link.isin(SURE) & imports.export_stack.notna()]


def deployment_ranks(names: Iterable[str], imports: pd.DataFrame, parents: dict[str, str] | None = None,
                     order: list[str] | None = None) -> dict[str, int]:
    """Stack -> how many deployment waves come before it (0: depends on nothing in the estate).

    An import makes the importer wait for the exporter, nesting makes the child wait for its
    parent; stacks in a cycle share one rank. With `order`, the rank is the position in it.

    >>> imp = pd.DataFrame({"stack": ["app", "app", "db"], "export_stack": ["net", "db", "net"],
    ...                     "link": ["exact"] * 3})
    >>> deployment_ranks(["app", "db", "net"], imp)
    {'app': 2, 'db': 1, 'net': 0}
    """
    names = list(dict.fromkeys(names))
    if order:
        pos = {s: i for i, s in enumerate(dict.fromkeys(order))}
        return {n: pos.get(n, len(pos)) for n in names}
    g = nx.DiGraph()
    g.add_nodes_from(names)
    sure = _sure(imports)
    g.add_edges_from((a, b) for a, b in zip(sure.export_stack, sure["stack"]) if a != b)
    g.add_edges_from((p, c) for c, p in (parents or {}).items() if p in g and c in g)
    cond = nx.condensation(g)
    level: dict[int, int] = {}
    for c in nx.topological_sort(cond):
        level[c] = max((level[p] + 1 for p in cond.predecessors(c)), default=0)
    return {n: level[cond.graph["mapping"][n]] for n in names}


def _node_size(n: Any) -> float:
    return 16 + 4 * math.sqrt(n) if isinstance(n, (int, float)) and not pd.isna(n) else 14


@document
def export_map(stacks: pd.DataFrame, imports: pd.DataFrame, exports: pd.DataFrame | None = None, *,
               title: str | None = None, collapse_by_service: Any = None, edges: str = "export",
               order: list[str] | None = None, labels: bool | None = None, height: int | None = None) -> go.Figure:
    """Stacks as nodes, cross-stack imports as edges: who depends on whom, and what is wrong with it.

    Stacks are laid out in shaded bands by modality, persistent at the bottom, mixed in the
    middle, ephemeral on top; inside a band, one row per deployment wave (dependencies lower),
    each row ordered to limit crossings, then by name. An edge goes from the exporting stack to
    the importing one (arrow at its middle); its hover names the export, the exporting output and
    the importing resources with the property that imports. Dashed edges are inferred links, dotted orange ones ambiguous
    imports (one per candidate). A dangling import (no stack exports the name) starts at a red
    ``dangling: <name>`` node in the bottom row; a stack with exports nobody imports gets a red
    ring, whose hover lists them. Stacks outside `stacks` that the imports mention are drawn
    hollow; nested stacks hang off their parent by a grey dotted line.

    {parameters}

    Returns
    -------
    plotly.graph_objects.Figure
        Traces by ``meta.role``: ``edges`` (one per style and width), ``stacks`` (one per
        modality), ``unused exports`` and ``dangling``. ``layout.meta`` lists the ``nodes``
        (stack, x, y, modality, inside), ``edges`` (from, to, export, n_imports, link),
        ``dangling`` names and ``unused`` exports by stack.

    See Also
    --------
    import_matrix : the same links as a stack x stack matrix, for large estates.
    """
    if edges not in ("export", "stack"):
        raise ValueError(f"edges must be 'export' or 'stack', not {edges!r}")
    if collapse_by_service:
        frames = _collapse(stacks, imports, exports, groups=collapse_by_service)
        stacks, imports, exports = frames["stacks"], frames["imports"], frames.get("exports")
        if order:
            members = dict(zip(frames["stacks"]["stack"], frames["stacks"].members))
            owner = {m: g for g, ms in members.items() for m in ms}
            order = [owner.get(s, s) for s in order]
    nodes = _nodes(stacks, imports, exports)
    parents = {s: p for s, p in zip(nodes["stack"], nodes.parent) if p in set(nodes["stack"])}
    nodes["rank"] = nodes["stack"].map(deployment_ranks(nodes["stack"], imports, parents, order))
    links = _links(imports, edges)
    for s, p in parents.items():
        links.append({"from": p, "to": s, "export": None, "n_imports": 0, "link": "nests",
                      "hover": f"<b>{p}</b> nests <b>{s}</b>"})
    nodes, bands = _place(nodes, [(lk["from"], lk["to"]) for lk in links])
    pos = {s: (x, y) for s, x, y in zip(nodes["stack"], nodes.x, nodes.y)}
    dangling = _dangling(links, pos, nodes.y.min() - 1.3 if len(nodes) else 0.0)
    if dangling:
        bands.append(("dangling", dangling[0]["y"], dangling[0]["y"]))
    pos.update({d["node"]: (d["x"], d["y"]) for d in dangling})
    pairs = [(lk["from"], lk["to"]) for lk in links]
    level = {(a, b) for a, b in pairs if pos[a][1] == pos[b][1]}
    groups: dict[tuple, EdgeGroup] = {}
    shown: set[str] = set()
    for lk, bend in zip(links, bends(pairs, level)):
        width = 1.2 if lk["link"] == "nests" else min(1.5 + 1.5 * (lk["n_imports"] - 1), 9.0)
        key = (lk["link"], width)
        if key not in groups:
            color, dash = pal.LINK_STYLES[lk["link"]]
            name = "nested stack" if lk["link"] == "nests" else f"import ({lk['link']})"
            groups[key] = EdgeGroup(name, color, width, dash, legendgroup=lk["link"],
                                    showlegend=lk["link"] not in shown, arrow=lk["link"] != "nests")
            shown.add(lk["link"])
        groups[key].add(pos[lk["from"]], pos[lk["to"]], lk["hover"], [lk["from"], lk["to"], lk["export"]], bend)

    fig = go.Figure([tr for g in groups.values() for tr in g.traces()])
    show_labels = labels if labels is not None else len(nodes) + len(dangling) <= 60
    _add_nodes(fig, nodes, imports, exports, show_labels)
    unused = _add_unused(fig, nodes, exports)
    if dangling:
        fig.add_trace(go.Scatter(
            x=[d["x"] for d in dangling], y=[d["y"] for d in dangling],
            mode="markers+text" if show_labels else "markers",
            name="dangling import", text=[d["node"] for d in dangling], textposition="bottom center",
            marker=dict(symbol="x", size=16, color=pal.DANGLING, line=dict(width=1, color="white")),
            hovertext=[d["hover"] for d in dangling], hoverinfo="text", meta={"role": "dangling"},
            customdata=[d["name"] for d in dangling], textfont=dict(color=pal.DANGLING)))

    n_linked = len({lk["export"] for lk in links if lk["link"] in SURE and lk["export"]}) if edges == "export" \
        else _sure(imports).export_name.nunique()
    n_rows = len(set(pos[s][1] for s in pos)) or 1
    fig.update_layout(
        title=title or (f"Cross-stack exports: {int(nodes.inside.sum())} stacks, {n_linked} exports imported, "
                        f"{len(dangling)} dangling, {sum(len(v) for v in unused.values())} unused"),
        height=height or 95 * n_rows + 230, plot_bgcolor="white", hovermode="closest",
        legend=dict(orientation="h", yanchor="bottom", y=1.0, xanchor="left", x=0),
        meta={"nodes": nodes[["stack", "x", "y", "modality", "inside"]].to_dict("records"),
              "edges": [{k: lk[k] for k in ("from", "to", "export", "n_imports", "link")} for lk in links],
              "dangling": [d["name"] for d in dangling], "unused": unused},
        margin=dict(l=100, r=30, t=90, b=30))
    _shade(fig, bands, fig.data)
    return fig


def _place(nodes: pd.DataFrame, pairs: list[tuple[str, str]]) -> tuple[pd.DataFrame, list[tuple[str, float, float]]]:
    """x, y of every stack: a band per modality (persistent lowest), a row per deployment rank in
    it, each row ordered by the mean x of its already placed neighbours (fewer crossings), then name."""
    nodes = nodes.copy()
    nodes["layer"] = nodes.modality.map(lambda m: LAYERS.get(m, 1))
    keys = sorted(set(zip(nodes.layer, nodes["rank"])))
    row_y, y, prev = {}, 0.0, None
    for layer, rank in keys:
        if prev is not None:
            y += 1.0 if layer == prev else 1.5
        row_y[(layer, rank)] = y
        prev = layer
    near: dict[str, set[str]] = {}
    for a, b in pairs:
        near.setdefault(a, set()).add(b)
        near.setdefault(b, set()).add(a)
    x: dict[str, float] = {}
    for key in keys:
        names = sorted(nodes["stack"][(nodes.layer == key[0]) & (nodes["rank"] == key[1])])
        def bary(s: str) -> float:
            xs = [x[n] for n in near.get(s, ()) if n in x]
            return sum(xs) / len(xs) if xs else 0.0
        names.sort(key=lambda s: (round(bary(s), 6), s))
        for i, s in enumerate(names):
            x[s] = i - (len(names) - 1) / 2
    nodes["x"] = nodes["stack"].map(x).astype(float)
    nodes["y"] = [row_y[k] for k in zip(nodes.layer, nodes["rank"])]
    nodes = nodes.sort_values(["y", "x"], kind="stable").reset_index(drop=True)
    bands = [(LAYER_LABELS[layer], min(v for k, v in row_y.items() if k[0] == layer),
              max(v for k, v in row_y.items() if k[0] == layer)) for layer in sorted({k[0] for k in keys})]
    return nodes, bands


_BAND_FILL = {"persistent": "rgba(31,119,180,0.07)", "mixed": "rgba(227,119,194,0.08)",
              "ephemeral": "rgba(44,160,44,0.07)", "dangling": "rgba(214,39,40,0.07)"}


def _shade(fig: go.Figure, bands: list[tuple[str, float, float]], traces) -> None:
    """A light band behind each modality's rows, named on the left; axes sized to what is drawn."""
    xs = [float(v) for t in traces if t.x is not None for v in t.x if v is not None]
    ys = [float(v) for t in traces if t.y is not None for v in t.y if v is not None]
    if not xs:
        return
    x0, x1 = min(xs) - 0.7, max(xs) + 0.7
    for name, lo, hi in bands:
        fig.add_shape(type="rect", x0=x0, x1=x1, y0=lo - 0.45, y1=hi + 0.45, line_width=0,
                      fillcolor=_BAND_FILL.get(name, "rgba(0,0,0,0.04)"), layer="below")
        fig.add_annotation(x=0, xref="paper", xanchor="right", y=(lo + hi) / 2, text=f"<i>{name}</i>",
                           showarrow=False, font=dict(color="#555555"))
    fig.update_xaxes(visible=False, range=[x0, x1])
    fig.update_yaxes(visible=False, range=[min(ys + [b[1] for b in bands]) - 0.6, max(ys + [b[2] for b in bands]) + 0.6])


def _nodes(stacks: pd.DataFrame, imports: pd.DataFrame, exports: pd.DataFrame | None) -> pd.DataFrame:
    col = lambda name: stacks[name] if name in stacks else pd.Series([pd.NA] * len(stacks), index=stacks.index)  # noqa: E731
    nodes = pd.DataFrame({"stack": stacks["stack"].astype(object), "modality": col("modality").astype(object),
                          "n_resources": col("n_resources").astype(object), "parent": col("parent_stack").astype(object),
                          "members": col("members").astype(object), "inside": True})
    nodes["modality"] = nodes.modality.map(lambda m: m if isinstance(m, str) else "unknown")
    mentioned = list(imports["stack"]) + list(_sure(imports).export_stack)
    if "candidate_stacks" in imports:
        mentioned += [s for c in imports.candidate_stacks[imports.link == "ambiguous"] if isinstance(c, list) for s in c]
    if exports is not None:
        mentioned += list(exports["stack"])
    known = set(nodes["stack"])
    ghosts = [s for s in dict.fromkeys(mentioned) if isinstance(s, str) and s not in known]
    if ghosts:
        nodes = pd.concat([nodes, pd.DataFrame({"stack": ghosts, "modality": "unknown", "n_resources": None,
                                                "parent": None, "members": None, "inside": False})],
                          ignore_index=True)
    return nodes


def _links(imports: pd.DataFrame, edges: str) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    sure = _sure(imports)
    keys = ["export_stack", "stack", "export_name"] if edges == "export" else ["export_stack", "stack"]
    for key, g in sure.groupby(keys, sort=True):
        src, dst = key[0], key[1]
        where = [f"{s} ({p})" if isinstance(p, str) and p not in ("", "/") else str(s) for s, p in zip(g.source, g.path)]
        link = "inferred" if (g.link == "inferred").any() else "exact"
        if edges == "export":
            name = key[2]
            hover = (f"<b>{name}</b><br>{src} (Outputs.{_text(g.export_output.iloc[0]) or '?'}) → {dst}"
                     f"<br>imported by {len(g)} resource{'s' if len(g) != 1 else ''} of {dst}:<br>  "
                     + "<br>  ".join(clip(where)) + f"<br>link: {link}")
            out.append({"from": src, "to": dst, "export": name, "n_imports": len(g), "link": link, "hover": hover})
        else:
            lines = [f"{n}: {', '.join(sorted(set(gg.source)))}" for n, gg in g.groupby("export_name", sort=True)]
            n_ex = g.export_name.nunique()
            hover = (f"<b>{src} → {dst}</b><br>{n_ex} export{'s' if n_ex != 1 else ''}, {len(g)} import"
                     f"{'s' if len(g) != 1 else ''}<br>" + "<br>".join(clip(lines)))
            out.append({"from": src, "to": dst, "export": None, "n_imports": n_ex, "link": link, "hover": hover})
    amb = imports[imports.link == "ambiguous"]
    for r in amb.itertuples():
        cands = r.candidate_stacks if "candidate_stacks" in imports and isinstance(r.candidate_stacks, list) else []
        names = r.candidates if "candidates" in imports and isinstance(r.candidates, list) else []
        for c in dict.fromkeys(cands):
            hover = (f"<b>ambiguous: {r.export_name}</b><br>{r.stack} ({r.source}) imports a name matching "
                     f"{len(names) or len(cands)} exports: " + ", ".join(clip(list(names) or list(cands), 6)))
            out.append({"from": c, "to": r.stack, "export": r.export_name, "n_imports": 1, "link": "ambiguous",
                        "hover": hover})
    for r in imports[imports.link.isin(["dangling", "unresolved"])].itertuples():
        label = f"dangling: {r.export_name}" if r.link == "dangling" else "unresolved import"
        hover = (f"<b>{label}</b><br>{r.stack} ({r.source} {r.path}) imports '{r.export_name}'"
                 + ("<br>but no stack in the estate exports it" if r.link == "dangling"
                    else "<br>a name that cannot be resolved offline"))
        out.append({"from": label, "to": r.stack, "export": r.export_name, "n_imports": 1, "link": r.link,
                    "hover": hover})
    return out


def _dangling(links: list[dict[str, Any]], pos: dict[str, tuple[float, float]], y: float) -> list[dict[str, Any]]:
    """One node per dangling name (and per unresolved import target), under its first importer."""
    found: dict[str, dict[str, Any]] = {}
    for lk in links:
        if lk["link"] not in ("dangling", "unresolved"):
            continue
        d = found.setdefault(lk["from"], {"node": lk["from"], "name": lk["export"], "importers": []})
        d["importers"].append(lk["to"])
    out = sorted(found.values(), key=lambda d: (pos[d["importers"][0]][0], d["node"]))
    for d in out:
        d["x"], d["y"] = pos[d["importers"][0]][0], y
        d["hover"] = (f"<b>{d['node']}</b><br>no stack in the estate exports this name<br>imported by: "
                      + ", ".join(sorted(set(d["importers"]))))
    xs = [d["x"] for d in out]
    for i in range(1, len(out)):  # keep a minimal distance between neighbours on the bottom row
        xs[i] = max(xs[i], xs[i - 1] + 1.0)
    for d, x in zip(out, xs):
        d["x"] = x
    return out


def _add_nodes(fig: go.Figure, nodes: pd.DataFrame, imports: pd.DataFrame, exports: pd.DataFrame | None,
               labels: bool) -> None:
    sure = _sure(imports)
    n_out = sure.groupby("export_stack")["stack"].nunique().to_dict()
    n_in = sure.groupby("stack").export_name.nunique().to_dict()
    from_ = sure.groupby("stack").export_stack.nunique().to_dict()
    ex_count = exports.groupby("stack").size().to_dict() if exports is not None else \
        sure.groupby("export_stack").export_name.nunique().to_dict()
    for modality, g in nodes.groupby(nodes.modality.where(nodes.inside, "outside"), sort=False):
        hover = []
        for r in g.itertuples():
            res = f" · {int(r.n_resources)} resources" if isinstance(r.n_resources, (int, float)) \
                and not pd.isna(r.n_resources) else ""
            lines = [f"<b>{r.stack}</b>", f"{r.modality if r.inside else 'outside the selection'}{res}",
                     f"exports {ex_count.get(r.stack, 0)}, imported by {n_out.get(r.stack, 0)} stacks",
                     f"imports {n_in.get(r.stack, 0)} values from {from_.get(r.stack, 0)} stacks"]
            if isinstance(r.members, list) and len(r.members) > 1:
                lines.append("stacks: " + ", ".join(clip(r.members, 8)))
            hover.append("<br>".join(lines))
        inside = modality != "outside"
        color = pal.MODALITY_COLORS.get(modality, pal.MODALITY_COLORS["unknown"]) if inside else pal.OUTSIDE
        fig.add_trace(go.Scatter(
            x=g.x, y=g.y, mode="markers+text" if labels else "markers", name=f"{modality} stack",
            text=g["stack"].tolist(), textposition="bottom center", customdata=g["stack"].tolist(),
            marker=dict(size=[_node_size(n) for n in g.n_resources], color=color,
                        line=dict(width=1.5 if inside else 2, color="white" if inside else "#7f7f7f")),
            hovertext=hover, hoverinfo="text", meta={"role": "stacks"}))


def _add_unused(fig: go.Figure, nodes: pd.DataFrame, exports: pd.DataFrame | None) -> dict[str, list[str]]:
    if exports is None or exports.empty:
        return {}
    unused = exports[exports.n_importers.fillna(0).astype(int) == 0]
    if "possible_importers" in unused:  # a candidate of an ambiguous import is not known to be unused
        unused = unused[pd.Series([not (isinstance(p, list) and p) for p in unused.possible_importers],
                                  index=unused.index, dtype=bool)]
    by_stack = {s: sorted(g.export_name) for s, g in unused.groupby("stack", sort=True)}
    where = nodes.set_index("stack")
    stacks = [s for s in by_stack if s in where.index]
    if stacks:
        outputs = dict(zip(zip(unused["stack"], unused.export_name), unused.output))
        fig.add_trace(go.Scatter(
            x=[where.x[s] for s in stacks], y=[where.y[s] for s in stacks], mode="markers", name="unused export",
            marker=dict(symbol="circle-open", size=[_node_size(where.n_resources[s]) + 14 for s in stacks],
                        color=pal.UNUSED_EXPORT, line=dict(width=3)),
            hovertext=[f"<b>{s}</b>: {len(by_stack[s])} export{'s' if len(by_stack[s]) != 1 else ''} nobody "
                       f"imports<br>" + "<br>".join(clip([f"{n} (Outputs.{outputs[(s, n)]})" for n in by_stack[s]]))
                       for s in stacks],
            hoverinfo="text", customdata=[by_stack[s] for s in stacks], meta={"role": "unused exports"}))
    return by_stack


@document
def import_matrix(imports: pd.DataFrame, *, title: str | None = None, collapse_by_service: Any = None,
                  order: list[str] | None = None, height: int | None = None) -> go.Figure:
    """Importing stack x exporting stack heatmap of import counts: the export map for large estates.

    Both axes list the same stacks in deployment order, so an estate without cycles fills one
    triangle only. A cell counts the imports (``Fn::ImportValue`` sites) of the row's stack from
    the column's stack; its hover lists the exports. Only exact and inferred links count.

    {parameters}

    Returns
    -------
    plotly.graph_objects.Figure
        One ``go.Heatmap``: ``x`` exporters, ``y`` importers, ``z`` counts (None where 0),
        ``text`` the hover of each cell.
    """
    if collapse_by_service:
        names = list(dict.fromkeys([*imports["stack"], *imports.export_stack.dropna()]))
        imports = _collapse(pd.DataFrame({"stack": names}), imports, groups=collapse_by_service)["imports"]
    sure = _sure(imports)
    names = sorted(set(sure["stack"]) | set(sure.export_stack))
    rank = deployment_ranks(names, imports, order=order)
    axis = sorted(names, key=lambda s: (rank[s], s))
    counts = sure.groupby(["stack", "export_stack"]).size().to_dict()
    detail = {k: g.groupby("export_name").size().sort_index() for k, g in sure.groupby(["stack", "export_stack"])}
    z, text = [], []
    for imp in axis:
        zr, tr = [], []
        for ex in axis:
            n = counts.get((imp, ex), 0)
            zr.append(n or None)
            if n:
                lines = [f"{name} ({c})" if c > 1 else name for name, c in detail[(imp, ex)].items()]
                tr.append(f"<b>{imp}</b> imports {n} value{'s' if n != 1 else ''} from <b>{ex}</b>:<br>"
                          + "<br>".join(clip(lines)))
            else:
                tr.append(f"{imp} imports nothing from {ex}")
            # a row per importer, a column per exporter
        z.append(zr)
        text.append(tr)
    show = len(axis) <= 40
    fig = go.Figure(go.Heatmap(x=axis, y=axis, z=z, text=text, hoverinfo="text", colorscale="Blues", zmin=0,
                               texttemplate="%{z}" if show else None, colorbar=dict(title="imports"),
                               xgap=1, ygap=1, hoverongaps=False))
    side = max(320, 26 * len(axis) + 220)
    fig.update_layout(title=title or f"Imports between {len(axis)} stacks (row imports from column)",
                      height=height or side, plot_bgcolor="#f4f4f4", margin=dict(t=170),
                      title_y=0.98, title_yanchor="top",
                      xaxis=dict(title="exporting stack", side="top", tickangle=-45, showgrid=False),
                      yaxis=dict(title="importing stack", autorange="reversed", showgrid=False))
    return fig
