"""Figures of modality: how long the resources of each stack live, and which stacks mix lifetimes.

>>> import pandas as pd
>>> res = pd.DataFrame({"stack": ["app", "app", "net"], "logical_id": ["Fn", "Logs", "Vpc"],
...                     "type": ["AWS::Lambda::Function", "AWS::Logs::LogGroup", "AWS::EC2::VPC"],
...                     "modality": ["ephemeral", "persistent", "persistent"]})
>>> fig = modality_bars(res)
>>> fig.layout.meta["mixed"]
['app']
"""

from __future__ import annotations

from typing import Any

import pandas as pd
import plotly.graph_objects as go

from . import _palette as pal
from ._drawing import clip
from ._text import escaped
from ._vocabulary import document
from ..cfn.modality import stack_modality
from .grouping import account_regions, stack_labels
from .selection import collapse_by_service as _collapse

__all__ = ["modality_bars"]

RESOURCE_MODALITIES = ("persistent", "ephemeral", "neutral", "unknown")
_ORDER = {"persistent": 0, "mixed": 1, "unknown": 2, "ephemeral": 3}


def _types(group: pd.DataFrame) -> list[str]:
    counts = group.type.map(lambda t: t[5:] if isinstance(t, str) and t.startswith("AWS::") else t).value_counts()
    return [f"{t} ×{n}" if n > 1 else str(t) for t, n in counts.sort_index().items()]


@escaped
@document
def modality_bars(
    resources: pd.DataFrame,
    stacks: pd.DataFrame | None = None,
    *,
    title: str | None = None,
    collapse_by_service: Any = None,
    max_rows: int | None = 60,
    height: int | None = None,
) -> go.Figure:
    """Resources per stack, split into persistent, ephemeral and neutral: which stacks mix lifetimes.

    A *mixed* stack holds long-lived resources (data, networks, identities) next to resources
    redeployed with every release (functions, services): its tick label gets a ⚠ and a pink
    diamond at the end of its bar, whose hover lists the resources of the minority modality,
    the candidates to move to another stack. Stacks are ordered as on the export map:
    persistent at the bottom, mixed, then ephemeral on top. When `stacks` span several
    account-regions, the bars are in one block per account-region and each label names it.

    Size behaviour: at most `max_rows` bars (34 px each, so at most about 2,200 px tall): past
    that, the mixed stacks are kept first, then the stacks with the most resources, and the
    others share one ``+N more stacks`` bar (its hover names them); the title says so.

    {parameters}

    Returns
    -------
    plotly.graph_objects.Figure
        One ``go.Bar`` per resource modality (``name``, ``y`` stacks, ``x`` counts) and a
        ``mixed stacks`` marker trace; ``layout.meta`` has ``mixed`` (the stack names).
    """
    if collapse_by_service:
        base = stacks if stacks is not None else pd.DataFrame({"stack": sorted(set(resources["stack"]))})
        frames = _collapse(base, resources=resources, groups=collapse_by_service)
        resources, stacks = frames["resources"], frames["stacks"]
    res = resources.assign(modality=resources.modality.map(lambda m: m if m in RESOURCE_MODALITIES else "unknown"))
    counts = res.groupby(["stack", "modality"]).size().unstack(fill_value=0)
    for m in RESOURCE_MODALITIES:
        if m not in counts:
            counts[m] = 0
    names = sorted(set(counts.index) | (set(stacks["stack"]) if stacks is not None else set()))
    counts = counts.reindex(names, fill_value=0)
    if stacks is not None and "modality" in stacks:
        given = dict(zip(stacks["stack"], stacks.modality))
    else:
        given = {}
    kind = {
        s: given.get(s)
        if isinstance(given.get(s), str)
        else stack_modality([m for m in ("persistent", "ephemeral") if counts.at[s, m] > 0])
        for s in names
    }
    where = account_regions(stacks) if stacks is not None and not collapse_by_service else None
    block = {s: (where or {}).get(s, "") for s in names}
    names_of = stack_labels(stacks, names) if where else {s: s for s in names}
    # blocks read top down in plotly's bottom-up category order: the first account-region on top
    order = sorted(names, key=lambda s: (_desc(block[s]), _ORDER.get(kind[s], 2), s))
    folded: list[str] = []
    if max_rows is not None and len(order) > max_rows:
        totals = counts.sum(axis=1)
        keep = sorted(order, key=lambda s: (kind[s] != "mixed", -int(totals[s]), s))[: max(max_rows - 1, 1)]
        folded = [s for s in order if s not in set(keep)]
        order = [s for s in order if s in set(keep)]
    mixed = [s for s in order if kind[s] == "mixed"]
    label = {s: f"⚠ {names_of[s]}" if s in mixed else names_of[s] for s in order}
    by_stack = {key: g for key, g in res.groupby(["stack", "modality"], sort=False)}
    empty = res.iloc[0:0]
    fig = go.Figure()
    for m in RESOURCE_MODALITIES:
        xs = [int(counts.at[s, m]) for s in order]
        if not any(xs) and m in ("neutral", "unknown") and not (folded and int(counts.loc[folded, m].sum())):
            continue
        hover = []
        for s in order:
            group = by_stack.get((s, m), empty)
            hover.append(f"<b>{names_of[s]}</b>: {len(group)} {m}<br>" + "<br>".join(clip(_types(group), 12)))
        ys, custom = [label[s] for s in order], list(order)
        if folded:
            n_m = int(counts.loc[folded, m].sum())
            xs.insert(0, n_m)
            ys.insert(0, f"+{len(folded)} more stacks")
            custom.insert(0, None)
            hover.insert(
                0, f"<b>{len(folded)} more stacks</b>: {n_m} {m} resources<br>" + "<br>".join(clip(folded, 12))
            )
        fig.add_trace(
            go.Bar(
                y=ys,
                x=xs,
                name=m,
                orientation="h",
                marker_color=pal.MODALITY_COLORS[m],
                hovertext=hover,
                hoverinfo="text",
                customdata=custom,
                meta={"role": "modality", "modality": m},
            )
        )
    if mixed:
        totals = counts.sum(axis=1)
        hover = []
        for s in mixed:
            n_p, n_e = int(counts.at[s, "persistent"]), int(counts.at[s, "ephemeral"])
            minority = "ephemeral" if n_e <= n_p else "persistent"
            group = by_stack.get((s, minority), empty)
            hover.append(
                f"<b>{s} is mixed</b>: {n_p} persistent and {n_e} ephemeral resources<br>"
                f"the {minority} ones:<br>  "
                + "<br>  ".join(clip([f"{lid} ({t})" for lid, t in zip(group.logical_id, group.type)], 10))
            )
        fig.add_trace(
            go.Scatter(
                y=[label[s] for s in mixed],
                x=[float(totals[s]) + 0.6 for s in mixed],
                mode="markers+text",
                name="mixed stack",
                text=["mixed"] * len(mixed),
                textposition="middle right",
                marker=dict(
                    symbol="diamond", size=13, color=pal.MODALITY_COLORS["mixed"], line=dict(color="#444444", width=1)
                ),
                textfont=dict(color="#b0367f"),
                hovertext=hover,
                hoverinfo="text",
                customdata=mixed,
                meta={"role": "mixed stacks"},
            )
        )
    fig.update_layout(
        barmode="stack",
        title=title
        or (
            f"Resources by modality in {len(order) + len(folded)} stacks"
            f" ({len(mixed)} mixed" + (f"; {len(folded)} smaller stacks folded into one bar" if folded else "") + ")"
        ),
        height=height or max(300, 34 * (len(order) + bool(folded)) + 160),
        plot_bgcolor="white",
        xaxis=dict(title="resources", gridcolor="#eeeeee"),
        yaxis=dict(
            categoryorder="array",
            categoryarray=([f"+{len(folded)} more stacks"] if folded else []) + [label[s] for s in order],
        ),
        legend=dict(orientation="h", yanchor="bottom", y=1.0, xanchor="left", x=0, traceorder="normal"),
        meta={
            "mixed": mixed,
            "order": order,
            "folded": folded,
            "places": {s: block[s] for s in order} if where else None,
        },
        margin=dict(t=90),
    )
    return fig


def _desc(text: str) -> tuple[int, ...]:
    """A key sorting `text` in reverse order."""
    return tuple(-ord(c) for c in text) + (0,)
