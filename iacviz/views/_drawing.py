"""Node-link drawing shared by the export map and the blast graph: curved edges with arrows and hover.

Plotly draws a line trace with one width and one dash, and only shows hover text on points,
so edges of one style go into one trace, separated by ``None``, each edge drawn as a curve of
a dozen points that all carry the edge's hover text; an arrow marker sits at the middle of
each edge, pointing along it (``angleref="previous"``, so in screen space).

>>> xs, ys = curve((0, 0), (2, 0), 0.5, n=3)
>>> [round(x, 2) for x in xs], [round(y, 2) for y in ys]
([0.0, 1.0, 2.0], [0.0, 1.0, 0.0])
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any, Sequence

import plotly.graph_objects as go

POINTS = 9  # points per curved edge (odd: one sits at the middle, where the arrow is)


def curve(p0: tuple[float, float], p1: tuple[float, float], bend: float, n: int = POINTS) -> tuple[list, list]:
    """Points of a quadratic Bézier from p0 to p1; `bend` moves its middle sideways (in units of its length)."""
    (x0, y0), (x1, y1) = p0, p1
    dx, dy = x1 - x0, y1 - y0
    length = math.hypot(dx, dy) or 1.0
    # control point: twice the wanted offset of the curve's middle, perpendicular to the chord
    cx = (x0 + x1) / 2 - dy / length * bend * length * 2
    cy = (y0 + y1) / 2 + dx / length * bend * length * 2
    ts = [i / (n - 1) for i in range(n)]
    # 4 decimals: a ten-thousandth of the drawing is well under a pixel, and the JSON stays small
    xs = [round((1 - t) ** 2 * x0 + 2 * (1 - t) * t * cx + t**2 * x1, 4) for t in ts]
    ys = [round((1 - t) ** 2 * y0 + 2 * (1 - t) * t * cy + t**2 * y1, 4) for t in ts]
    return xs, ys


@dataclass
class EdgeGroup:
    """Edges drawn alike (one trace): name and style, then the edges' points and hover texts."""

    name: str
    color: str
    width: float = 1.5
    dash: str = "solid"
    legendgroup: str | None = None
    showlegend: bool = True
    arrow: bool = True
    role: str = "edges"
    xs: list = field(default_factory=list)
    ys: list = field(default_factory=list)
    hover: list = field(default_factory=list)
    custom: list = field(default_factory=list)
    heads_x: list = field(default_factory=list)
    heads_y: list = field(default_factory=list)

    def add(self, p0, p1, hover: str, custom: Any = None, bend: float = 0.0) -> None:
        xs, ys = curve(p0, p1, bend)
        mid = len(xs) // 2
        self.xs += xs + [None]
        self.ys += ys + [None]
        self.hover += [hover] * len(xs) + [None]
        self.custom += [custom] * len(xs) + [None]
        # an arrow head: an invisible point, then the head pointing away from it
        self.heads_x += [xs[mid - 1], xs[mid + 1], None]
        self.heads_y += [ys[mid - 1], ys[mid + 1], None]

    def heads(self, size: float = 12) -> list[tuple[float, float, float]]:
        """(x, y, size) of the visible arrow heads, for label placement."""
        return [(x, y, size) for x, y in zip(self.heads_x[1::3], self.heads_y[1::3])] if self.arrow else []

    def traces(self) -> list[go.Scatter]:
        """The edges (lines carrying the hover texts) and, if wanted, their arrow heads.

        Heads are a separate marker trace: markers on the line trace itself make plotly leave
        a gap in the line next to them.
        """
        group = self.legendgroup or self.name
        out = [
            go.Scatter(
                x=self.xs,
                y=self.ys,
                mode="lines",
                name=self.name,
                line=dict(color=self.color, width=self.width, dash=self.dash),
                hovertext=self.hover,
                hoverinfo="text",
                customdata=self.custom,
                legendgroup=group,
                showlegend=self.showlegend,
                meta={"role": self.role},
            )
        ]
        if self.arrow and self.heads_x:
            n = len(self.heads_x) // 3
            out.append(
                go.Scatter(
                    x=self.heads_x,
                    y=self.heads_y,
                    mode="markers",
                    name=self.name,
                    legendgroup=group,
                    showlegend=False,
                    marker=dict(
                        symbol="arrow", angleref="previous", size=[0, 12, 0] * n, color=self.color, line_width=0
                    ),
                    hoverinfo="skip",
                    meta={"role": "arrows"},
                )
            )
        return out


def bends(
    pairs: list[tuple[str, str]],
    same_level: set[tuple[str, str]] | None = None,
    spread: float = 0.12,
    arc: float = 0.25,
) -> list[float]:
    """One bend per edge so parallel edges between two nodes fan out instead of overlapping.

    `same_level`: node pairs drawn on one row, which get an extra arc so the edge does not run
    through the nodes between them.

    >>> bends([("a", "b"), ("a", "b"), ("b", "c")])
    [-0.06, 0.06, 0.0]
    """
    counts: dict[frozenset, int] = {}
    for a, b in pairs:
        counts[frozenset((a, b))] = counts.get(frozenset((a, b)), 0) + 1
    seen: dict[frozenset, int] = {}
    out = []
    for a, b in pairs:
        key = frozenset((a, b))
        k, m = seen.get(key, 0), counts[key]
        seen[key] = k + 1
        sign = 1 if a <= b else -1  # the same side whichever way the edge points
        bend = (k - (m - 1) / 2) * spread * sign
        if same_level and ((a, b) in same_level or (b, a) in same_level):
            bend += arc * sign
        out.append(round(bend, 6))
    return out


def clip(items: list[str], limit: int = 10) -> list[str]:
    """At most `limit` lines, then one saying how many more.

    >>> clip(list("abcd"), 2)
    ['a', 'b', '… and 2 more']
    """
    return items if len(items) <= limit else items[:limit] + [f"… and {len(items) - limit} more"]


CHAR_WIDTH = 0.62  # width of an average character, in font sizes (plotly's default sans-serif, a bit wide)
POSITIONS = ("top center", "bottom center", "middle right", "middle left")


def label_box(
    x: float, y: float, marker: float, text: str, position: str, font: float
) -> tuple[float, float, float, float]:
    """Pixel box (x0, y0, x1, y1; y up) of a label at `position` of a marker of `marker` px at pixel (x, y).

    >>> label_box(100, 100, 10, "abcd", "top center", 10)
    (87.6, 106.0, 112.4, 120.0)
    """
    w, h = len(text) * CHAR_WIDTH * font, font * 1.4
    gap = marker / 2 + 1
    if position == "top center":
        return (round(x - w / 2, 6), y + gap, round(x + w / 2, 6), y + gap + h)
    if position == "bottom center":
        return (round(x - w / 2, 6), y - gap - h, round(x + w / 2, 6), y - gap)
    if position == "middle right":
        return (x + gap, y - h / 2, x + gap + w, y + h / 2)
    return (x - gap - w, y - h / 2, x - gap, y + h / 2)


def _overlap(a: tuple, b: tuple) -> bool:
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]


def place_labels(
    xs: list[float],
    ys: list[float],
    markers: list[float],
    texts: list[str],
    *,
    x_range: tuple[float, float],
    y_range: tuple[float, float],
    width: float,
    height: float,
    font: float = 10,
    keep_out: Sequence[tuple] = (),
    avoid: Sequence[tuple[float, float, float]] = (),
    avoid_text: Sequence[tuple[float, float, str, float]] = (),
) -> list[str | None]:
    """Where to write each label so that none covers another label or a marker: a position per
    point (top, bottom, right or left of it), or None when all four are taken (the name is then
    in the hover only). Points come in priority order: earlier ones get the better places.

    `x_range`/`y_range` are the axes' ranges, `width`/`height` the plot area in pixels the
    figure is designed for; `keep_out` more pixel boxes to avoid (e.g. the legend), `avoid`
    more markers (x, y, size in px) in data coordinates (e.g. arrow heads), `avoid_text` texts
    centred on a point (x, y, text, font size), e.g. the names of clusters.

    >>> place_labels([0, 0.01], [0, 0], [10, 10], ["alpha", "beta"], x_range=(-1, 1), y_range=(-1, 1),
    ...              width=400, height=400)
    ['top center', 'bottom center']
    """

    def px(x: float, y: float) -> tuple[float, float]:
        return (
            (x - x_range[0]) / ((x_range[1] - x_range[0]) or 1) * width,
            (y - y_range[0]) / ((y_range[1] - y_range[0]) or 1) * height,
        )

    points = [px(x, y) for x, y in zip(xs, ys)]
    taken = [(x - m / 2, y - m / 2, x + m / 2, y + m / 2) for (x, y), m in zip(points, markers)]
    taken += list(keep_out)
    for x, y, m in avoid:
        ax, ay = px(x, y)
        taken.append((ax - m / 2, ay - m / 2, ax + m / 2, ay + m / 2))
    for x, y, text, size in avoid_text:
        ax, ay = px(x, y)
        w, h = len(text) * CHAR_WIDTH * size, size * 1.4
        taken.append((ax - w / 2, ay - h / 2, ax + w / 2, ay + h / 2))
    out: list[str | None] = []
    for (x, y), m, text in zip(points, markers, texts):
        choice = None
        for position in POSITIONS:
            box = label_box(x, y, m, text, position, font)
            inside = box[0] >= 0 and box[2] <= width and box[1] >= 0 and box[3] <= height
            if inside and not any(_overlap(box, t) for t in taken):
                choice = position
                taken.append(box)
                break
        out.append(choice)
    return out
