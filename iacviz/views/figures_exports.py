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
from typing import Any

import pandas as pd
import plotly.graph_objects as go

from ..analysis.graph import ORDERING_LINKS, deployment_ranks
from . import _palette as pal
from ._drawing import EdgeGroup, bends, clip, place_labels
from ._text import escaped
from ._vocabulary import document
from .grouping import account_regions, stack_labels
from .selection import collapse_by_service as _collapse

__all__ = ["export_map", "import_matrix"]

LAYERS = {"persistent": 0, "mixed": 1, "unknown": 1, "neutral": 1, "ephemeral": 2}
LAYER_LABELS = {0: "persistent", 1: "mixed", 2: "ephemeral"}
SURE = ORDERING_LINKS


def _text(value: Any) -> str | None:
    return value if isinstance(value, str) else None


def stack_imports(imports: pd.DataFrame) -> pd.DataFrame:
    """The imports of stacks: rows of scripts (``via`` script, no stack) left out, as a figure
    of stacks has no node for them.

    >>> stack_imports(pd.DataFrame({"stack": ["app", None]}))["stack"].tolist()
    ['app']
    """
    return imports[imports["stack"].notna()] if "stack" in imports and imports["stack"].isna().any() else imports


def _sure(imports: pd.DataFrame) -> pd.DataFrame:
    return imports[imports.link.isin(SURE) & imports.export_stack.notna()]


def _node_size(n: Any) -> float:
    return 16 + 4 * math.sqrt(n) if isinstance(n, (int, float)) and not pd.isna(n) else 14


MAX_NODES = 40  # default: past this many stacks the export map and the import matrix group them
PLOT_WIDTH = 870  # px of plot area labels are placed for (a 1,000 px wide figure; wider only spreads them)


def _group(
    stacks: pd.DataFrame,
    imports: pd.DataFrame,
    exports: pd.DataFrame | None,
    focus: str | None,
    max_nodes: int | None,
    collapse_by_service: Any,
) -> tuple[Any, str | None]:
    """The collapse_by_service argument to use and how stacks were grouped (None: not grouped)."""
    from .grouping import auto_groups, focus_groups

    if focus is not None:
        known = set(stacks["stack"]) | set(imports["stack"]) | set(imports.export_stack.dropna())
        if focus not in known:
            raise ValueError(f"focus: no stack {focus!r} in the frames drawn")
        mapping, how = focus_groups(stacks, imports, focus, max_nodes or MAX_NODES)
        return mapping, how
    if collapse_by_service:
        return collapse_by_service, "service"
    extra = [s for s in [*imports["stack"], *imports.export_stack.dropna()] if isinstance(s, str)]
    n = len(set(stacks["stack"]) | set(extra))
    if max_nodes is None or n <= max_nodes:
        return None, None
    mapping, how = auto_groups(stacks, extra, max_nodes)
    return mapping, how


@escaped
@document
def export_map(
    stacks: pd.DataFrame,
    imports: pd.DataFrame,
    exports: pd.DataFrame | None = None,
    *,
    title: str | None = None,
    collapse_by_service: Any = None,
    edges: str | None = None,
    order: list[str] | None = None,
    labels: bool | None = None,
    focus: str | None = None,
    max_nodes: int | None = MAX_NODES,
    height: int | None = None,
) -> go.Figure:
    """Stacks as nodes, cross-stack imports as edges: who depends on whom, and what is wrong with it.

    Stacks are laid out in shaded bands by modality, persistent at the bottom, mixed in the
    middle, ephemeral on top; inside a band, one row per deployment wave (dependencies lower),
    each row ordered to limit crossings, then by name. An edge goes from the exporting stack to
    the importing one (arrow at its middle); its hover names the export, the exporting output and
    the importing resources with the property that imports. Dashed edges are inferred links.
    An ambiguous import (its name matches exports of several stacks) is one bundled orange
    dotted edge from a small orange diamond, "one of N stacks", to the importer; thin dotted
    lines join the diamond to each candidate, so 40 candidates are 40 short lines, not 40 edges
    per importer. A dangling import (no stack exports the name) starts at a red
    ``dangling: <name>`` node in the bottom row; a stack with exports nobody imports (not even
    ambiguously) gets a red ring, whose hover lists them. Stacks outside `stacks` that the
    imports mention are drawn hollow; nested stacks hang off their parent by a grey dotted line.

    Size behaviour: up to `max_nodes` stacks (default 40) are drawn one by one; past that
    they are grouped (see ``max_nodes``), edges become one per pair of groups, and the title
    says how they were grouped; `focus` keeps one stack and its neighbours apart. Labels are
    written only where they cover no other label, node or arrow head (placed for a figure
    1,000 px wide; the names are always in the hover), and the legend sits under the plot,
    clear of the title. The height grows 95 px per row of nodes.

    {parameters}

    Returns
    -------
    plotly.graph_objects.Figure
        Traces by ``meta.role``: ``edges`` (one per style and width), ``stacks`` (one per
        modality), ``ambiguous`` (the diamonds), ``unused exports`` and ``dangling``.
        ``layout.meta`` lists the ``nodes`` (stack, x, y, modality, inside), ``edges`` (from,
        to, export, n_imports, link: exact, inferred, ambiguous, candidate, dangling,
        unresolved or nests), ``dangling`` names, ``unused`` exports by stack and ``grouped``
        (how stacks were grouped, or None).

    See Also
    --------
    import_matrix : the same links as a stack x stack matrix.
    """
    if edges not in (None, "export", "stack"):
        raise ValueError(f"edges must be 'export' or 'stack', not {edges!r}")
    imports = stack_imports(imports)
    n_stacks = len(stacks)
    # several account-regions: every stack's text names its own (grouped nodes' names already do)
    where = account_regions(stacks)
    texts = stack_labels(stacks)
    groups, grouped = _group(stacks, imports, exports, focus, max_nodes, collapse_by_service)
    if groups:
        frames = _collapse(stacks, imports, exports, groups=groups)
        stacks, imports, exports = frames["stacks"], frames["imports"], frames.get("exports")
        if order:
            members = dict(zip(frames["stacks"]["stack"], frames["stacks"].members))
            owner = {m: g for g, ms in members.items() for m in ms}
            order = [owner.get(s, s) for s in order]
    edges = edges or ("stack" if grouped and grouped != "service" else "export")
    nodes = _nodes(stacks, imports, exports)
    parents = {s: p for s, p in zip(nodes["stack"], nodes.parent) if p in set(nodes["stack"])}
    nodes["rank"] = nodes["stack"].map(deployment_ranks(nodes["stack"], imports, parents, order))
    links = _links(imports, edges)
    for s, p in parents.items():
        links.append(
            {
                "from": p,
                "to": s,
                "export": None,
                "n_imports": 0,
                "link": "nests",
                "hover": f"<b>{p}</b> nests <b>{s}</b>",
            }
        )
    node_names = set(nodes["stack"])
    nodes, bands = _place(
        nodes, [(lk["from"], lk["to"]) for lk in links if lk["from"] in node_names and lk["to"] in node_names]
    )
    pos = {s: (x, y) for s, x, y in zip(nodes["stack"], nodes.x, nodes.y)}
    dangling = _dangling(links, pos, nodes.y.min() - 1.3 if len(nodes) else 0.0)
    if dangling:
        bands.append(("dangling", dangling[0]["y"], dangling[0]["y"]))
    pos.update({d["node"]: (d["x"], d["y"]) for d in dangling})
    hubs = _hubs(links, pos)
    pos.update({h["node"]: (h["x"], h["y"]) for h in hubs})
    pairs = [(lk["from"], lk["to"]) for lk in links]
    level = {(a, b) for a, b in pairs if pos[a][1] == pos[b][1]}
    groups_: dict[tuple, EdgeGroup] = {}
    shown: set[str] = set()
    for lk, bend in zip(links, bends(pairs, level)):
        kind = lk["link"]
        width = 1.2 if kind in ("nests", "candidate") else min(1.5 + 1.5 * (lk["n_imports"] - 1), 9.0)
        key = (kind, width)
        if key not in groups_:
            color, dash = pal.LINK_STYLES[kind]
            name = {"nests": "nested stack", "candidate": "candidate exporter"}.get(kind, f"import ({kind})")
            groups_[key] = EdgeGroup(
                name,
                color,
                width,
                dash,
                legendgroup=kind,
                showlegend=kind not in shown,
                arrow=kind not in ("nests", "candidate"),
            )
            shown.add(kind)
        groups_[key].add(
            pos[lk["from"]],
            pos[lk["to"]],
            lk["hover"],
            [lk["from"], lk["to"], lk["export"]],
            0.0 if kind == "candidate" else bend,
        )

    fig = go.Figure([tr for g in groups_.values() for tr in g.traces()])
    n_rows = len(set(pos[s][1] for s in pos)) or 1
    fig_height = height or 95 * n_rows + 250
    plot_height = fig_height - 90 - 110  # margins below
    x_range, y_range = _ranges(list(pos.values()), bands)
    avoid = [h for g in groups_.values() for h in g.heads()]
    avoid += [(h["x"], h["y"], 12) for h in hubs] + [(d["x"], d["y"], 16) for d in dangling]
    show_labels = labels if labels is not None else True
    ringed = set(_unused(exports)["stack"])
    placed = _label_places(nodes, dangling, x_range, y_range, plot_height, avoid, ringed, texts) if show_labels else {}
    # the name of a stack with a ring is written by the ring's trace, so it is offset from the ring
    _add_nodes(fig, nodes, imports, exports, {k: v for k, v in placed.items() if k not in ringed}, texts, where)
    unused = _add_unused(fig, nodes, exports, placed, texts)
    if hubs:
        fig.add_trace(
            go.Scatter(
                x=[h["x"] for h in hubs],
                y=[h["y"] for h in hubs],
                mode="markers",
                name="one of several exporters",
                marker=dict(
                    symbol="diamond", size=12, color=pal.LINK_STYLES["ambiguous"][0], line=dict(width=1, color="white")
                ),
                hovertext=[h["hover"] for h in hubs],
                hoverinfo="text",
                customdata=[h["candidates"] for h in hubs],
                meta={"role": "ambiguous"},
            )
        )
    if dangling:
        fig.add_trace(
            go.Scatter(
                x=[d["x"] for d in dangling],
                y=[d["y"] for d in dangling],
                mode="markers+text" if any(placed.get(d["node"]) for d in dangling) else "markers",
                name="dangling import",
                text=[d["node"] if placed.get(d["node"]) else "" for d in dangling],
                textposition=[placed.get(d["node"]) or "bottom center" for d in dangling],
                marker=dict(symbol="x", size=16, color=pal.DANGLING, line=dict(width=1, color="white")),
                hovertext=[d["hover"] for d in dangling],
                hoverinfo="text",
                meta={"role": "dangling"},
                customdata=[d["name"] for d in dangling],
                textfont=dict(color=pal.DANGLING, size=11),
            )
        )

    n_linked = (
        len({lk["export"] for lk in links if lk["link"] in SURE and lk["export"]})
        if edges == "export"
        else _sure(imports).export_name.nunique()
    )
    n_amb = int((imports.link == "ambiguous").sum())
    how = ""
    if grouped and grouped != "service":
        how = (
            f"<br><span style='font-size:12px;color:#555555'>{n_stacks} stacks grouped by {grouped} "
            f"into {int(nodes.inside.sum())} nodes; hover a node for its stacks</span>"
            if not grouped.startswith("focus")
            else f"<br><span style='font-size:12px;color:#555555'>{grouped} and its neighbours; the other stacks "
            f"are grouped</span>"
        )
    fig.update_layout(
        title=dict(
            text=title
            or (
                f"Cross-stack exports: {n_stacks if grouped else int(nodes.inside.sum())} stacks, "
                f"{n_linked} exports imported, {n_amb} ambiguous imports, {len(dangling)} dangling, "
                f"{sum(len(v) for v in unused.values())} unused"
            )
            + how,
            x=0.01,
            xanchor="left",
            y=0.99,
            yanchor="top",
            yref="container",
        ),
        height=fig_height,
        plot_bgcolor="white",
        hovermode="closest",
        legend=dict(orientation="h", yanchor="top", y=-0.01, xanchor="left", x=0, font=dict(size=11)),
        meta={
            "nodes": nodes[["stack", "x", "y", "modality", "inside"]].to_dict("records"),
            "edges": [{k: lk[k] for k in ("from", "to", "export", "n_imports", "link")} for lk in links],
            "dangling": [d["name"] for d in dangling],
            "unused": unused,
            "grouped": grouped,
            "places": where,
        },
        margin=dict(l=100, r=30, t=90, b=110),
    )
    _shade(fig, bands, x_range, y_range)
    return fig


def _ranges(points: list[tuple[float, float]], bands: list[tuple[str, float, float]]) -> tuple[tuple, tuple]:
    xs = [p[0] for p in points] or [0.0]
    ys = [p[1] for p in points] + [b[1] for b in bands] + [b[2] for b in bands] or [0.0]
    return (min(xs) - 0.7, max(xs) + 0.7), (min(ys) - 0.6, max(ys) + 0.6)


def _label_places(
    nodes: pd.DataFrame,
    dangling: list[dict[str, Any]],
    x_range: tuple,
    y_range: tuple,
    plot_height: float,
    avoid: list[tuple[float, float, float]],
    ringed: frozenset[str] | set[str] = frozenset(),
    labels: dict[str, str] | None = None,
) -> dict[str, str | None]:
    """Where each node's name goes (or None: hover only): stacks with the most links first."""
    names = list(nodes["stack"]) + [d["node"] for d in dangling]
    texts = [(labels or {}).get(n, n) for n in names]
    xs = list(nodes.x) + [d["x"] for d in dangling]
    ys = list(nodes.y) + [d["y"] for d in dangling]
    # a stack with unused exports has a red ring 14 px wider than its marker: its label clears the ring
    sizes = [_node_size(n) + (14 if s in ringed else 0) for s, n in zip(nodes["stack"], nodes.n_resources)] + [
        16.0
    ] * len(dangling)
    order = sorted(range(len(names)), key=lambda i: (i >= len(nodes), -sizes[i], names[i]))
    places = place_labels(
        [xs[i] for i in order],
        [ys[i] for i in order],
        [sizes[i] for i in order],
        [texts[i] for i in order],
        x_range=x_range,
        y_range=y_range,
        width=PLOT_WIDTH,
        height=plot_height,
        font=11,
        avoid=avoid,
    )
    return {names[i]: p for i, p in zip(order, places)}


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
    bands = [
        (
            LAYER_LABELS[layer],
            min(v for k, v in row_y.items() if k[0] == layer),
            max(v for k, v in row_y.items() if k[0] == layer),
        )
        for layer in sorted({k[0] for k in keys})
    ]
    return nodes, bands


_BAND_FILL = {
    "persistent": "rgba(31,119,180,0.07)",
    "mixed": "rgba(227,119,194,0.08)",
    "ephemeral": "rgba(44,160,44,0.07)",
    "dangling": "rgba(214,39,40,0.07)",
}


def _shade(fig: go.Figure, bands: list[tuple[str, float, float]], x_range: tuple, y_range: tuple) -> None:
    """A light band behind each modality's rows, named on the left; axes sized to what is drawn."""
    x0, x1 = x_range
    for name, lo, hi in bands:
        fig.add_shape(
            type="rect",
            x0=x0,
            x1=x1,
            y0=lo - 0.45,
            y1=hi + 0.45,
            line_width=0,
            fillcolor=_BAND_FILL.get(name, "rgba(0,0,0,0.04)"),
            layer="below",
        )
        fig.add_annotation(
            x=0,
            xref="paper",
            xanchor="right",
            y=(lo + hi) / 2,
            text=f"<i>{name}</i>",
            showarrow=False,
            font=dict(color="#555555"),
        )
    fig.update_xaxes(visible=False, range=list(x_range))
    fig.update_yaxes(visible=False, range=list(y_range))


def _nodes(stacks: pd.DataFrame, imports: pd.DataFrame, exports: pd.DataFrame | None) -> pd.DataFrame:
    col = lambda name: stacks[name] if name in stacks else pd.Series([pd.NA] * len(stacks), index=stacks.index)  # noqa: E731
    nodes = pd.DataFrame(
        {
            "stack": stacks["stack"].astype(object),
            "modality": col("modality").astype(object),
            "n_resources": col("n_resources").astype(object),
            "parent": col("parent_stack").astype(object),
            "members": col("members").astype(object),
            "inside": True,
        }
    )
    nodes["modality"] = nodes.modality.map(lambda m: m if isinstance(m, str) else "unknown")
    mentioned = list(imports["stack"]) + list(_sure(imports).export_stack)
    if "candidate_stacks" in imports:
        mentioned += [
            s for c in imports.candidate_stacks[imports.link == "ambiguous"] if isinstance(c, list) for s in c
        ]
    if exports is not None:
        mentioned += list(exports["stack"])
    known = set(nodes["stack"])
    ghosts = [s for s in dict.fromkeys(mentioned) if isinstance(s, str) and s not in known]
    if ghosts:
        nodes = pd.concat(
            [
                nodes,
                pd.DataFrame(
                    {
                        "stack": ghosts,
                        "modality": "unknown",
                        "n_resources": None,
                        "parent": None,
                        "members": None,
                        "inside": False,
                    }
                ),
            ],
            ignore_index=True,
        )
    return nodes


def _links(imports: pd.DataFrame, edges: str) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    sure = _sure(imports)
    keys = ["export_stack", "stack", "export_name"] if edges == "export" else ["export_stack", "stack"]
    for key, g in sure.groupby(keys, sort=True):
        src, dst = key[0], key[1]
        where = [
            f"{s} ({p})" if isinstance(p, str) and p not in ("", "/") else str(s) for s, p in zip(g.source, g.path)
        ]
        link = "inferred" if (g.link == "inferred").any() else "exact"
        if edges == "export":
            name = key[2]
            hover = (
                f"<b>{name}</b><br>{src} (Outputs.{_text(g.export_output.iloc[0]) or '?'}) → {dst}"
                f"<br>imported by {len(g)} resource{'s' if len(g) != 1 else ''} of {dst}:<br>  "
                + "<br>  ".join(clip(where))
                + f"<br>link: {link}"
            )
            out.append({"from": src, "to": dst, "export": name, "n_imports": len(g), "link": link, "hover": hover})
        else:
            lines = [f"{n}: {', '.join(sorted(set(gg.source)))}" for n, gg in g.groupby("export_name", sort=True)]
            n_ex = g.export_name.nunique()
            hover = (
                f"<b>{src} → {dst}</b><br>{n_ex} export{'s' if n_ex != 1 else ''}, {len(g)} import"
                f"{'s' if len(g) != 1 else ''}<br>" + "<br>".join(clip(lines))
            )
            out.append({"from": src, "to": dst, "export": None, "n_imports": n_ex, "link": link, "hover": hover})
    amb = imports[imports.link == "ambiguous"]
    bundles: dict[tuple[str, ...], dict[str, list[Any]]] = {}
    for r in amb.itertuples():
        cands = r.candidate_stacks if "candidate_stacks" in imports and isinstance(r.candidate_stacks, list) else []
        key = tuple(sorted({c for c in cands if isinstance(c, str)}))
        if key:
            bundles.setdefault(key, {}).setdefault(r.stack, []).append(r)
    for k, (bundle, importers) in enumerate(sorted(bundles.items())):
        cands = list(bundle)
        names = sorted(
            {
                n
                for rs in importers.values()
                for r in rs
                if "candidates" in imports and isinstance(r.candidates, list)
                for n in r.candidates
            }
        )
        if len(cands) == 1:  # every candidate in one stack (or group): a plain ambiguous edge
            hub = cands[0]
        else:
            hub = f"(one of {len(cands)} stacks #{k + 1})"
            for c in cands:
                out.append(
                    {
                        "from": c,
                        "to": hub,
                        "export": None,
                        "n_imports": 0,
                        "link": "candidate",
                        "hover": f"<b>{c}</b> exports a name an ambiguous import matches",
                    }
                )
        for importer, rs in sorted(importers.items()):
            wanted = sorted({r.export_name for r in rs if isinstance(r.export_name, str)})
            hover = (
                f"<b>ambiguous: {', '.join(clip(wanted, 3))}</b><br>{importer} imports {len(rs)} value"
                f"{'s' if len(rs) != 1 else ''} from one of {len(cands)} stack{'s' if len(cands) != 1 else ''}: "
                + ", ".join(clip(list(cands), 8))
                + ("<br>matching exports: " + ", ".join(clip(names, 6)) if names else "")
            )
            out.append(
                {
                    "from": hub,
                    "to": importer,
                    "export": wanted[0] if wanted else None,
                    "n_imports": len(rs),
                    "link": "ambiguous",
                    "hover": hover,
                    "candidates": list(cands),
                    "names": names,
                }
            )
    for r in imports[imports.link.isin(["dangling", "unresolved"])].itertuples():
        label = f"dangling: {r.export_name}" if r.link == "dangling" else "unresolved import"
        hover = f"<b>{label}</b><br>{r.stack} ({r.source} {r.path}) imports '{r.export_name}'" + (
            "<br>but no stack in the estate exports it"
            if r.link == "dangling"
            else "<br>a name that cannot be resolved offline"
        )
        out.append(
            {"from": label, "to": r.stack, "export": r.export_name, "n_imports": 1, "link": r.link, "hover": hover}
        )
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
        d["hover"] = f"<b>{d['node']}</b><br>no stack in the estate exports this name<br>imported by: " + ", ".join(
            sorted(set(d["importers"]))
        )
    xs = [d["x"] for d in out]
    for i in range(1, len(out)):  # keep a minimal distance between neighbours on the bottom row
        xs[i] = max(xs[i], xs[i - 1] + 1.0)
    for d, x in zip(out, xs):
        d["x"] = x
    return out


def _hubs(links: list[dict[str, Any]], pos: dict[str, tuple[float, float]]) -> list[dict[str, Any]]:
    """One diamond per bundle of ambiguous imports, half a row above its candidates, at their mean x."""
    found: dict[str, dict[str, Any]] = {}
    for lk in links:
        if lk["link"] == "candidate":
            found.setdefault(lk["to"], {"node": lk["to"], "candidates": [], "importers": []})["candidates"].append(
                lk["from"]
            )
        elif lk["link"] == "ambiguous" and lk["from"] in found:
            found[lk["from"]]["importers"].append(lk["to"])
    taken: set[tuple[float, float]] = set()
    out = []
    for hub in sorted(found.values(), key=lambda h: h["node"]):
        cands = hub["candidates"]
        x = round(sum(pos[c][0] for c in cands) / len(cands), 6)
        y = max(pos[c][1] for c in cands) + 0.5
        while (round(x, 3), y) in taken:  # two bundles over the same candidates' middle: side by side
            x += 0.35
        taken.add((round(x, 3), y))
        hub.update(
            x=x,
            y=y,
            hover=f"<b>one of {len(cands)} stacks</b>: "
            + ", ".join(clip(sorted(cands), 12))
            + "<br>imported ambiguously by "
            + ", ".join(clip(sorted(set(hub["importers"])), 8)),
        )
        out.append(hub)
    return out


def _add_nodes(
    fig: go.Figure,
    nodes: pd.DataFrame,
    imports: pd.DataFrame,
    exports: pd.DataFrame | None,
    placed: dict[str, str | None],
    labels: dict[str, str] | None = None,
    where: dict[str, str] | None = None,
) -> None:
    labels, where = labels or {}, where or {}
    sure = _sure(imports)
    n_out = sure.groupby("export_stack")["stack"].nunique().to_dict()
    maybe: dict[str, set[str]] = {}
    if "candidate_stacks" in imports:
        for importer, cands in zip(
            imports["stack"][imports.link == "ambiguous"], imports.candidate_stacks[imports.link == "ambiguous"]
        ):
            for c in cands if isinstance(cands, list) else []:
                maybe.setdefault(c, set()).add(importer)
    n_in = sure.groupby("stack").export_name.nunique().to_dict()
    from_ = sure.groupby("stack").export_stack.nunique().to_dict()
    ex_count = (
        exports.groupby("stack").size().to_dict()
        if exports is not None
        else sure.groupby("export_stack").export_name.nunique().to_dict()
    )
    for modality, g in nodes.groupby(nodes.modality.where(nodes.inside, "outside"), sort=False):
        hover = []
        for r in g.itertuples():
            res = (
                f" · {int(r.n_resources)} resources"
                if isinstance(r.n_resources, (int, float)) and not pd.isna(r.n_resources)
                else ""
            )
            lines = [
                f"<b>{labels.get(r.stack, r.stack)}</b>",
                f"{r.modality if r.inside else 'outside the selection'}{res}",
                f"exports {ex_count.get(r.stack, 0)}, imported by {n_out.get(r.stack, 0)} stacks"
                + (f", maybe by {len(maybe[r.stack])} more (ambiguous)" if maybe.get(r.stack) else ""),
                f"imports {n_in.get(r.stack, 0)} values from {from_.get(r.stack, 0)} stacks",
            ]
            if isinstance(r.members, list) and len(r.members) > 1:
                lines.append("stacks: " + ", ".join(clip(r.members, 8)))
            if r.stack in where:
                lines.append(f"account:region {where[r.stack]}")
            hover.append("<br>".join(lines))
        inside = modality != "outside"
        color = pal.MODALITY_COLORS.get(modality, pal.MODALITY_COLORS["unknown"]) if inside else pal.OUTSIDE
        fig.add_trace(
            go.Scatter(
                x=g.x,
                y=g.y,
                mode="markers+text" if any(placed.get(s) for s in g["stack"]) else "markers",
                name=f"{modality} stack",
                text=[labels.get(s, s) if placed.get(s) else "" for s in g["stack"]],
                textposition=[placed.get(s) or "bottom center" for s in g["stack"]],
                textfont=dict(size=11),
                customdata=g["stack"].tolist(),
                marker=dict(
                    size=[_node_size(n) for n in g.n_resources],
                    color=color,
                    line=dict(width=1.5 if inside else 2, color="white" if inside else "#7f7f7f"),
                ),
                hovertext=hover,
                hoverinfo="text",
                meta={"role": "stacks"},
            )
        )


def _unused(exports: pd.DataFrame | None) -> pd.DataFrame:
    if exports is None or exports.empty:
        return pd.DataFrame(columns=["stack", "export_name", "output"])
    unused = exports[exports.n_importers.fillna(0).astype(int) == 0]
    if "possible_importers" in unused:  # a candidate of an ambiguous import is not known to be unused
        unused = unused[
            pd.Series(
                [not (isinstance(p, list) and p) for p in unused.possible_importers], index=unused.index, dtype=bool
            )
        ]
    return unused


def _add_unused(
    fig: go.Figure,
    nodes: pd.DataFrame,
    exports: pd.DataFrame | None,
    placed: dict[str, str | None] | None = None,
    labels: dict[str, str] | None = None,
) -> dict[str, list[str]]:
    labels = labels or {}
    unused = _unused(exports)
    if unused.empty:
        return {}
    by_stack = {s: sorted(g.export_name) for s, g in unused.groupby("stack", sort=True)}
    where = nodes.set_index("stack")
    stacks = [s for s in by_stack if s in where.index]
    if stacks:
        outputs = dict(zip(zip(unused["stack"], unused.export_name), unused.output))
        fig.add_trace(
            go.Scatter(
                x=[where.x[s] for s in stacks],
                y=[where.y[s] for s in stacks],
                mode="markers+text" if any((placed or {}).get(s) for s in stacks) else "markers",
                name="unused export",
                text=[labels.get(s, s) if (placed or {}).get(s) else "" for s in stacks],
                textposition=[(placed or {}).get(s) or "bottom center" for s in stacks],
                textfont=dict(size=11),
                marker=dict(
                    symbol="circle-open",
                    size=[_node_size(where.n_resources[s]) + 14 for s in stacks],
                    color=pal.UNUSED_EXPORT,
                    line=dict(width=3),
                ),
                hovertext=[
                    f"<b>{labels.get(s, s)}</b>: {len(by_stack[s])} export{'s' if len(by_stack[s]) != 1 else ''} nobody "
                    f"imports<br>" + "<br>".join(clip([f"{n} (Outputs.{outputs[(s, n)]})" for n in by_stack[s]]))
                    for s in stacks
                ],
                hoverinfo="text",
                customdata=[by_stack[s] for s in stacks],
                meta={"role": "unused exports"},
            )
        )
    return by_stack


@escaped
@document
def import_matrix(
    imports: pd.DataFrame,
    *,
    stacks: pd.DataFrame | None = None,
    title: str | None = None,
    collapse_by_service: Any = None,
    order: list[str] | None = None,
    max_nodes: int | None = 60,
    height: int | None = None,
) -> go.Figure:
    """Importing stack x exporting stack heatmap of import counts: the export map for large estates.

    Both axes list the same stacks in deployment order, so an estate without cycles fills one
    triangle only. A cell counts the imports (``Fn::ImportValue`` sites) of the row's stack from
    the column's stack; its hover lists the exports. Exact and inferred links are counted in
    blue; an ambiguous import marks every candidate column of its row with an orange ring
    (``may import``), so an export that several stacks may import is never shown as imported
    by nobody.

    Size behaviour: up to `max_nodes` stacks (default 60) one by one, 26 px per row; past that,
    stacks are grouped as the export map groups them (by name prefix, folder or modality) and
    the title says how, so the figure stays under about 1,800 px square. With `stacks` of
    several account-regions, each account-region is a block of its own (grey lines between
    blocks) and every tick names its account and region.

    {parameters}

    Returns
    -------
    plotly.graph_objects.Figure
        A ``go.Heatmap`` (``x`` exporters, ``y`` importers, ``z`` counts, None where 0,
        ``text`` the hover of each cell), then, when there are ambiguous imports, a scatter
        trace with ``meta.role`` ``ambiguous`` (one ring per importer and candidate).
        ``layout.meta``: ``grouped`` (how stacks were grouped, or None) and ``places``
        (``account:region`` of each row and column when there are several, else None).
    """
    imports = stack_imports(imports)
    grouped = None
    names_all = list(
        dict.fromkeys(
            [*imports["stack"], *imports.export_stack.dropna()]
            + (
                [c for cs in imports.candidate_stacks if isinstance(cs, list) for c in cs]
                if "candidate_stacks" in imports
                else []
            )
        )
    )
    base = pd.DataFrame({"stack": names_all})
    if stacks is not None:  # grouping then splits by account:region too
        base = pd.concat([stacks[stacks["stack"].isin(names_all)], base[~base["stack"].isin(stacks["stack"])]])
    if not collapse_by_service and max_nodes is not None and len(names_all) > max_nodes:
        from .grouping import auto_groups

        collapse_by_service, grouped = auto_groups(base, limit=max_nodes)
    if collapse_by_service:
        imports = _collapse(base, imports, groups=collapse_by_service)["imports"]
    sure = _sure(imports)
    amb = imports[imports.link == "ambiguous"]
    maybe: dict[tuple[str, str], list[str]] = {}
    if "candidate_stacks" in imports:
        for importer, cands, name in zip(amb["stack"], amb.candidate_stacks, amb.export_name):
            for c in dict.fromkeys(cands if isinstance(cands, list) else []):
                if c != importer:
                    maybe.setdefault((importer, c), []).append(name)
    names = sorted(set(sure["stack"]) | set(sure.export_stack) | {k for pair in maybe for k in pair})
    rank = deployment_ranks(names, imports, order=order)
    where = account_regions(stacks) if stacks is not None and not collapse_by_service else None
    block = {s: (where or {}).get(s, "") for s in names}
    axis = sorted(names, key=lambda s: (block[s], rank[s], s))
    labels = stack_labels(stacks, names) if where else {s: s for s in names}
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
                tr.append(
                    f"<b>{labels[imp]}</b> imports {n} value{'s' if n != 1 else ''} from <b>{labels[ex]}</b>:<br>"
                    + "<br>".join(clip(lines))
                )
            else:
                tr.append(f"{labels[imp]} imports nothing from {labels[ex]}" if (imp, ex) not in maybe else "")
            # a row per importer, a column per exporter
        z.append(zr)
        text.append(tr)
    show = len(axis) <= 40
    fig = go.Figure(
        go.Heatmap(
            x=axis,
            y=axis,
            z=z,
            text=text,
            hoverinfo="text",
            colorscale="Blues",
            zmin=0,
            texttemplate="%{z}" if show else None,
            colorbar=dict(title="imports"),
            xgap=1,
            ygap=1,
            hoverongaps=False,
            name="imports (exact, inferred)",
        )
    )
    if maybe:
        pairs = sorted(maybe, key=lambda p: (axis.index(p[0]), axis.index(p[1])))
        fig.add_trace(
            go.Scatter(
                x=[c for _, c in pairs],
                y=[i for i, _ in pairs],
                mode="markers",
                name="may import (ambiguous)",
                marker=dict(
                    symbol="circle-open",
                    size=11 if len(axis) <= 40 else 7,
                    color=pal.LINK_STYLES["ambiguous"][0],
                    line=dict(width=2),
                ),
                hovertext=[
                    f"<b>{i}</b> may import from <b>{c}</b> (ambiguous): {len(maybe[(i, c)])} import"
                    f"{'s' if len(maybe[(i, c)]) != 1 else ''} match exports of this and other stacks:<br>"
                    + "<br>".join(clip(sorted(set(maybe[(i, c)])), 6))
                    for i, c in pairs
                ],
                hoverinfo="text",
                customdata=[[i, c] for i, c in pairs],
                meta={"role": "ambiguous"},
            )
        )
    side = max(320, 26 * len(axis) + 220)
    cuts = [i for i in range(1, len(axis)) if block[axis[i]] != block[axis[i - 1]]]
    for i in cuts:  # one block per account-region: a line between blocks, on both axes
        edge = dict(color="#7f7f7f", width=2)
        fig.add_shape(type="line", xref="x", yref="paper", x0=i - 0.5, x1=i - 0.5, y0=0, y1=1, line=edge)
        fig.add_shape(type="line", xref="paper", yref="y", x0=0, x1=1, y0=i - 0.5, y1=i - 0.5, line=edge)
    how = (
        f"<br><span style='font-size:12px;color:#555555'>{len(names_all)} stacks grouped by {grouped}</span>"
        if grouped
        else ""
    )
    fig.update_layout(
        title=dict(
            text=(title or f"Imports between {len(axis)} {'groups' if grouped else 'stacks'} (row imports from column)")
            + how,
            y=0.99,
            yanchor="top",
            yref="container",
            x=0.01,
            xanchor="left",
        ),
        height=height or side,
        plot_bgcolor="#f4f4f4",
        margin=dict(t=170),
        legend=dict(orientation="h", yanchor="top", y=-0.02, xanchor="left", x=0),
        xaxis=dict(
            title="exporting stack",
            side="top",
            tickangle=-45,
            showgrid=False,
            categoryorder="array",
            categoryarray=axis,
            tickvals=axis,
            ticktext=[labels[s] for s in axis],
        ),
        yaxis=dict(
            title="importing stack",
            autorange="reversed",
            showgrid=False,
            categoryorder="array",
            categoryarray=axis,
            tickvals=axis,
            ticktext=[labels[s] for s in axis],
        ),
        meta={"grouped": grouped, "places": {s: block[s] for s in axis} if where else None},
    )
    return fig
