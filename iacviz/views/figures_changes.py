"""Figures about changing an estate: how each property updates, what is replacement-prone, a predicted change set.

>>> import pandas as pd
>>> props = pd.DataFrame({"stack": "net", "logical_id": "Vpc", "path": ["/properties/CidrBlock", "/properties/Tags/0/Key"],
...                       "update_behavior": ["replace", "in-place"]})
>>> res = pd.DataFrame({"stack": ["net"], "logical_id": ["Vpc"], "type": ["AWS::EC2::VPC"]})
>>> fig = update_behavior_heatmap(props, res)
>>> list(fig.data[0].x), [list(row) for row in fig.data[0].z]
(['CidrBlock', 'Tags'], [[3.0, 1.0]])
"""

from __future__ import annotations

import json
from typing import Any

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from . import _palette as pal
from ._text import escaped
from ._vocabulary import document
from .grouping import account_regions, stack_labels

__all__ = ["update_behavior_heatmap", "replacement_table", "change_set_table", "BEHAVIOR_CODES"]

# z code of each behaviour in the heatmap (categorical colours through a stepped colour scale)
BEHAVIOR_CODES = {"unknown": 0, "in-place": 1, "conditional": 2, "replace": 3}
_NAMES = {v: k for k, v in BEHAVIOR_CODES.items()}
_WORDS = {
    "replace": "replaces the resource (create-only)",
    "conditional": "may replace the resource (conditionally create-only)",
    "in-place": "updates in place",
    "unknown": "unknown (no schema for the type)",
}


def _stepped_scale() -> list[list[Any]]:
    n = len(BEHAVIOR_CODES)
    scale = []
    for code in range(n):
        color = pal.BEHAVIOR_COLORS[_NAMES[code]]
        scale += [[code / n, color], [(code + 1) / n, color]]
    return scale


MAX_COLUMNS = 40  # property columns drawn one by one; the rest fold into one "+N other properties" column


@escaped
@document
def update_behavior_heatmap(
    properties: pd.DataFrame,
    resources: pd.DataFrame,
    *,
    title: str | None = None,
    max_rows: int | None = 30,
    height: int | None = None,
) -> go.Figure:
    """Resource types x top-level properties, coloured by what changing the property does.

    Red: create-only, a change replaces the resource; orange: conditionally create-only;
    green: updated in place; grey: unknown (e.g. SAM types, which CloudFormation never updates
    itself). A cell shows the worst behaviour over the property's leaves and over every
    resource of that type that sets it; only properties the estate sets are drawn. Types with
    the most create-only properties come first; columns are sorted the same way.

    Size behaviour: at most `max_rows` types (default 30) and 40 property columns are drawn;
    the other types fold into one ``+N more types`` row and the other properties into one
    ``+N other properties`` column, each cell showing the worst behaviour it folds (hover
    lists what). So the figure is at most about 1,100 x 1,000 px, whatever the estate; the
    title says what was folded.

    {parameters}

    Returns
    -------
    plotly.graph_objects.Figure
        One ``go.Heatmap``: ``y`` types, ``x`` property names, ``z`` codes
        (:data:`BEHAVIOR_CODES`: 0 unknown, 1 in-place, 2 conditional, 3 replace; NaN: not set),
        ``text`` the hover naming the behaviour and the resources.
    """
    types = resources[["stack", "logical_id", "type"]]
    p = properties[properties.path.str.startswith("/properties/").fillna(False).astype(bool)]
    p = p.merge(types, on=["stack", "logical_id"], how="inner")
    p = p.assign(
        prop=p.path.str.split("/").str[2],
        code=p.update_behavior.map(lambda b: BEHAVIOR_CODES.get(b, 0) if isinstance(b, str) else 0),
    )
    if p.empty:
        fig = go.Figure()
        fig.update_layout(title=title or "Update behaviour: no properties")
        return fig
    cells = (
        p.groupby(["type", "prop"])
        .agg(
            code=("code", "max"),
            where=("logical_id", lambda s: sorted(set(s))),
            stacks=("stack", lambda s: sorted(set(s))),
        )
        .reset_index()
    )
    weight = cells.assign(rep=(cells.code == 3).astype(int), cond=(cells.code == 2).astype(int))
    rows = (
        weight.groupby("type")[["rep", "cond"]]
        .sum()
        .reset_index()
        .sort_values(["rep", "cond", "type"], ascending=[False, False, True])
    )
    n_types = len(rows)
    more_types = "+{} more types"
    if max_rows is not None and n_types > max_rows:
        folded_types = set(rows.type.iloc[max(max_rows - 1, 1) :])
        more_types = more_types.format(len(folded_types))
        rows = rows.head(max(max_rows - 1, 1))
        cells = cells.assign(type=cells.type.where(~cells.type.isin(folded_types), more_types))
    else:
        folded_types = set()
    cols = (
        cells.groupby("prop")
        .agg(top=("code", "max"), n=("code", "size"))
        .reset_index()
        .sort_values(["top", "n", "prop"], ascending=[False, False, True])
        .prop.tolist()
    )
    n_cols = len(cols)
    if n_cols > MAX_COLUMNS:
        other = f"+{n_cols - MAX_COLUMNS + 1} other properties"
        kept = set(cols[: MAX_COLUMNS - 1])
        cells = cells.assign(prop=cells.prop.where(cells.prop.isin(kept), other))
        cols = cols[: MAX_COLUMNS - 1] + [other]
    if folded_types or n_cols > MAX_COLUMNS:  # fold: the worst behaviour and every resource of the cell
        cells = (
            cells.groupby(["type", "prop"])
            .agg(
                code=("code", "max"),
                where=("where", lambda s: sorted({x for v in s for x in v})),
                stacks=("stacks", lambda s: sorted({x for v in s for x in v})),
            )
            .reset_index()
        )
    ys = rows.type.tolist() + ([more_types] if folded_types else [])
    lookup = {(t, c): r for t, c, r in zip(cells.type, cells.prop, cells.itertuples())}
    z, text = [], []
    for t in ys:
        zr: list[float | None] = []
        tr: list[str] = []
        for c in cols:
            r = lookup.get((t, c))
            if r is None:
                zr.append(None)
                tr.append("")
                continue
            zr.append(float(r.code))
            users = [f"{s}" for s in r.stacks]
            tr.append(
                f"<b>{t}</b> · {c}<br>changing it {_WORDS[_NAMES[int(r.code)]]}<br>set by "
                f"{len(r.where)} resource{'s' if len(r.where) != 1 else ''} in {len(users)} stack"
                f"{'s' if len(users) != 1 else ''} ({', '.join(users[:6])}{' …' if len(users) > 6 else ''}): "
                + ", ".join(r.where[:6])
                + (" …" if len(r.where) > 6 else "")
            )
        z.append(zr)
        text.append(tr)
    n = len(BEHAVIOR_CODES)
    fig = go.Figure(
        go.Heatmap(
            x=cols,
            y=ys,
            z=z,
            text=text,
            hoverinfo="text",
            zmin=-0.5,
            zmax=n - 0.5,
            colorscale=_stepped_scale(),
            xgap=1,
            ygap=1,
            hoverongaps=False,
            colorbar=dict(title="on change", tickvals=list(range(n)), ticktext=[_NAMES[i] for i in range(n)]),
        )
    )
    notes = ([f"{len(folded_types)} types folded into one row"] if folded_types else []) + (
        [f"{n_cols - MAX_COLUMNS + 1} of {n_cols} properties into one column"] if n_cols > MAX_COLUMNS else []
    )
    note = f" ({'; '.join(notes)})" if notes else ""
    fig.update_layout(
        title=title or f"What changing a property does, by type{note}",
        height=height or max(360, 22 * len(ys) + 260),
        width=max(700, 16 * len(cols) + 420),
        plot_bgcolor="#f4f4f4",
        xaxis=dict(tickangle=-60, showgrid=False, tickfont=dict(size=10), tickmode="array", tickvals=cols),
        yaxis=dict(autorange="reversed", showgrid=False, tickfont=dict(size=10), tickmode="array", tickvals=ys),
        margin=dict(l=10, t=60),
    )
    return fig


def _cell(value: Any) -> str:
    if value is None or value is pd.NA or (isinstance(value, float) and value != value):
        return ""
    if isinstance(value, (bool, np.bool_)):
        return "yes" if value else "no"
    if isinstance(value, (list, tuple)):
        return ", ".join(map(str, value))
    return str(value)


def _truth(value: Any) -> bool:
    return _cell(value) == "yes"


def _table(
    header: list[str],
    columns: list[list[str]],
    fills: list[list[str]],
    fonts: list[list[str]],
    widths: list[int],
    title: str,
    n_rows: int,
    height: int | None,
    note: str = "",
) -> go.Figure:
    fig = go.Figure(
        go.Table(
            columnwidth=widths,
            header=dict(
                values=[f"<b>{h}</b>" for h in header],
                fill_color=pal.CHANGE_FILLS["header"],
                font=dict(color="white", size=12),
                align="left",
            ),
            cells=dict(values=columns, fill_color=fills, font=dict(color=fonts, size=11), align="left", height=24),
        )
    )
    fig.update_layout(
        title=title + note, height=height or min(150 + 52 * max(n_rows, 1), 2400), margin=dict(l=10, r=10, t=60, b=10)
    )
    return fig


def _placed(df: pd.DataFrame, stacks: pd.DataFrame | None) -> pd.DataFrame:
    """`df` whose stack cells name their account and region when `stacks` span several."""
    if stacks is None or "stack" not in df or account_regions(stacks) is None:
        return df
    labels = stack_labels(stacks, df["stack"].dropna())
    return df.assign(stack=[labels.get(s, s) if isinstance(s, str) else s for s in df["stack"]])


def _limit(df: pd.DataFrame, max_rows: int | None) -> tuple[pd.DataFrame, str]:
    if max_rows is not None and len(df) > max_rows:
        return df.head(max_rows), f" (first {max_rows} of {len(df)} rows)"
    return df, ""


@escaped
@document
def replacement_table(
    replacement: pd.DataFrame,
    *,
    stacks: pd.DataFrame | None = None,
    title: str | None = None,
    max_rows: int | None = None,
    height: int | None = None,
) -> go.Figure:
    """Create-only properties whose value comes from elsewhere, as a table: what could replace what.

    One row per property of :func:`iacviz.replacement_prone`: stack, resource, type, property,
    behaviour (replace red, conditional orange), what drives the value and what a new value
    does. A stateful resource that no UpdateReplacePolicy protects is marked in red (its
    data would be lost).

    {parameters}

    Returns
    -------
    plotly.graph_objects.Figure
        One ``go.Table``; ``cells.values`` are the columns, ``cells.fill.color`` the colours.
    """
    df, note = _limit(_placed(replacement, stacks), max_rows)
    prop = [p.split("/", 2)[-1] if isinstance(p, str) else "" for p in df.path]
    header = [
        "stack",
        "resource",
        "type",
        "property",
        "behaviour",
        "driven by",
        "stateful",
        "protected",
        "what a new value does",
    ]
    columns = [
        list(map(_cell, df["stack"])),
        list(map(_cell, df.logical_id)),
        list(map(_cell, df.type)),
        prop,
        list(map(_cell, df.update_behavior)),
        list(map(_cell, df.drivers)),
        list(map(_cell, df.stateful)),
        list(map(_cell, df.protected)),
        list(map(_cell, df.message)),
    ]
    at_risk = [_truth(s) and not _truth(p) for s, p in zip(df.stateful, df.protected)]
    behaviour_fill = [
        pal.CHANGE_FILLS["replacement_true"]
        if b == "replace"
        else pal.CHANGE_FILLS["replacement_conditional"]
        if b == "conditional"
        else pal.CHANGE_FILLS["plain"]
        for b in df.update_behavior
    ]
    risk_fill = [pal.CHANGE_FILLS["data_loss"] if r else pal.CHANGE_FILLS["plain"] for r in at_risk]
    plain = [pal.CHANGE_FILLS["plain"]] * len(df)
    fills = [plain, plain, plain, plain, behaviour_fill, plain, risk_fill, risk_fill, plain]
    dark = ["#222222"] * len(df)
    risk_font = ["white" if r else "#222222" for r in at_risk]
    fonts = [dark, dark, dark, dark, dark, dark, risk_font, risk_font, dark]
    n_risk = sum(at_risk)
    return _table(
        header,
        columns,
        fills,
        fonts,
        [70, 120, 150, 110, 70, 150, 55, 60, 300],
        title
        or f"Replacement-prone properties: {len(replacement)} "
        f"({n_risk} on stateful resources without UpdateReplacePolicy)",
        len(df),
        height,
        note,
    )


def _details(value: Any) -> str:
    if not isinstance(value, list):
        return _cell(value)
    parts = []
    for d in value:
        if not isinstance(d, dict):
            parts.append(json.dumps(d, default=str))
            continue
        name = "/".join(x for x in (d.get("attribute"), d.get("name")) if x)
        why = ", ".join(x for x in (d.get("requires_recreation"), d.get("evaluation"), d.get("change_source")) if x)
        cause = f" ← {d['causing_entity']}" if d.get("causing_entity") else ""
        parts.append(f"{name} ({why}){cause}")
    return "<br>".join(dict.fromkeys(parts))


@escaped
@document
def change_set_table(
    plan: pd.DataFrame,
    *,
    stacks: pd.DataFrame | None = None,
    title: str | None = None,
    max_rows: int | None = None,
    height: int | None = None,
) -> go.Figure:
    """A predicted change set (:func:`iacviz.plan_changes`) as a coloured table.

    Replacement ``True`` cells are red, ``Conditional`` orange; a data-loss cell is solid red
    with white text, a blocked cell (CloudFormation would refuse the update, e.g. an export
    still imported) dark red with white text and the reason, light red with dark text when
    CloudFormation refuses only if a condition of unknown value holds (``blocked_status``
    ``conditional``). Details list each changed
    attribute with RequiresRecreation, Evaluation, ChangeSource and the causing entity.

    {parameters}

    Returns
    -------
    plotly.graph_objects.Figure
        One ``go.Table``; ``cells.values`` are the columns, ``cells.fill.color`` the colours.
    """
    df, note = _limit(_placed(plan, stacks), max_rows)
    header = ["stack", "logical id", "type", "action", "replacement", "details", "data loss", "blocked"]
    blocked = [_cell(b) for b in df.blocked]
    # refused only if a condition of unknown value holds: a lighter fill, dark text
    maybe_blocked = [
        bool(b) and st == "conditional"
        for b, st in zip(blocked, df["blocked_status"] if "blocked_status" in df else [None] * len(df))
    ]
    loss = [_truth(x) for x in df.data_loss]
    repl = [_cell(r) for r in df.replacement]
    columns = [
        list(map(_cell, df["stack"])),
        list(map(_cell, df.logical_id)),
        list(map(_cell, df.resource_type)),
        list(map(_cell, df.action)),
        repl,
        [_details(d) for d in df.details],
        ["DATA LOST" if x else _cell(v) for x, v in zip(loss, df.data_loss)],
        blocked,
    ]
    plain = pal.CHANGE_FILLS["plain"]
    repl_fill = [
        pal.CHANGE_FILLS["replacement_true"]
        if r == "True"
        else pal.CHANGE_FILLS["replacement_conditional"]
        if r == "Conditional"
        else plain
        for r in repl
    ]
    row_fill = repl_fill
    loss_fill = [pal.CHANGE_FILLS["data_loss"] if x else f for x, f in zip(loss, row_fill)]
    block_fill = [
        pal.CHANGE_FILLS["blocked_conditional"] if m else pal.CHANGE_FILLS["blocked"] if b else f
        for b, m, f in zip(blocked, maybe_blocked, row_fill)
    ]
    fills = [row_fill, row_fill, row_fill, row_fill, repl_fill, row_fill, loss_fill, block_fill]
    dark = ["#222222"] * len(df)
    fonts = [
        dark,
        dark,
        dark,
        dark,
        dark,
        dark,
        ["white" if x else "#222222" for x in loss],
        ["white" if b and not m else "#222222" for b, m in zip(blocked, maybe_blocked)],
    ]
    # The title counts the whole plan, not only the rows shown when max_rows cuts it.
    all_repl = [_cell(r) for r in plan.replacement]
    all_blocked = [_cell(b) for b in plan.blocked]
    all_maybe = [
        bool(b) and st == "conditional"
        for b, st in zip(all_blocked, plan["blocked_status"] if "blocked_status" in plan else [None] * len(plan))
    ]
    counts = [
        f"{sum(r == 'True' for r in all_repl)} replaced",
        f"{sum(r == 'Conditional' for r in all_repl)} conditional",
        f"{sum(_truth(x) for x in plan.data_loss)} with data loss",
        f"{sum(bool(b) for b in all_blocked)} blocked"
        + (f" ({sum(all_maybe)} only if a condition holds)" if any(all_maybe) else ""),
    ]
    return _table(
        header,
        columns,
        fills,
        fonts,
        [70, 150, 160, 55, 80, 320, 60, 230],
        title or f"Predicted change set: {len(plan)} changes (" + ", ".join(counts) + ")",
        len(df),
        height,
        note,
    )
