"""IaC coverage of a live account: per service, what stacks own, what services made, what was clicked.

>>> import pandas as pd
>>> cov = pd.DataFrame({"service": ["EC2", "SQS"], "managed": [12, 3], "unmanaged": [1, 0],
...                     "service_managed": [4, 0], "aws_default": [9, 0], "coverage_pct": [92.3, 100.0]})
>>> fig = coverage_bars(cov)
>>> [t.name for t in fig.data]
['in a stack', 'made by a service', 'click-ops', 'AWS default']
>>> fig.layout.meta["clickops"]
['EC2']
"""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

from . import _palette as pal
from ._text import escaped
from ._vocabulary import document

__all__ = ["coverage_bars"]

# trace name -> how its count is computed from a coverage row
_PARTS = ("in a stack", "made by a service", "click-ops", "AWS default")


@escaped
@document
def coverage_bars(coverage: pd.DataFrame, *, title: str | None = None, height: int | None = None) -> go.Figure:
    """Resources per service, split by who manages them: stacks, a service, nobody (click-ops), AWS.

    One horizontal bar per service, stacked: resources a stack owns, resources an AWS service
    made (the instances of an Auto Scaling group, Lambda's log group of a function: covered),
    click-ops (made by hand or a script, outside every stack: not covered) and AWS-owned
    defaults (the default VPC: neither). Services with click-ops are on top, the worst
    coverage first; the tick label gives the coverage in per cent.

    {parameters}

    Returns
    -------
    plotly.graph_objects.Figure
        One ``go.Bar`` per part (``name`` as in the legend, ``y`` services, ``x`` counts);
        ``layout.meta`` has ``clickops`` (the services with click-ops resources).
    """
    cov = coverage.copy()
    for col in ("managed", "unmanaged", "service_managed", "aws_default"):
        cov[col] = pd.to_numeric(cov[col], errors="coerce").fillna(0).astype(int) if col in cov else 0
    cov["in_stack"] = cov.managed - cov.service_managed
    cov["pct"] = pd.to_numeric(cov["coverage_pct"], errors="coerce") if "coverage_pct" in cov else float("nan")
    # bottom to top in plotly: services without click-ops first, the worst coverage last (on top)
    cov = cov.sort_values(["unmanaged", "pct", "service"], ascending=[True, False, False], kind="stable")
    labels = [f"{s} ({p:.0f} %)" if pd.notna(p) else str(s) for s, p in zip(cov.service, cov.pct)]
    values = {
        "in a stack": cov.in_stack,
        "made by a service": cov.service_managed,
        "click-ops": cov.unmanaged,
        "AWS default": cov.aws_default,
    }
    fig = go.Figure()
    for name in _PARTS:
        xs = [int(x) for x in values[name]]
        fig.add_trace(
            go.Bar(
                y=labels,
                x=xs,
                name=name,
                orientation="h",
                marker_color=pal.COVERAGE_COLORS[name],
                customdata=list(cov.service),
                hovertemplate=f"<b>%{{customdata}}</b>: %{{x}} {name}<extra></extra>",
            )
        )
    clickops = [s for s, n in zip(cov.service, cov.unmanaged) if n > 0]
    n_click = int(cov.unmanaged.sum())
    fig.update_layout(
        barmode="stack",
        title=title
        or f"IaC coverage: {n_click} click-ops resource{'s' if n_click != 1 else ''} in {len(clickops)} "
        f"service{'s' if len(clickops) != 1 else ''}; {int(cov.service_managed.sum())} made by a service",
        xaxis_title="resources",
        yaxis_title=None,
        legend_title_text="managed by",
        height=height or max(260, 90 + 28 * len(cov)),
        meta={"clickops": list(reversed(clickops))},
    )
    return fig
