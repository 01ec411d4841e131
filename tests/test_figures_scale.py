"""Every figure at 10, 65, 500 and 2,000 stacks: what it draws, how many traces, how big, labels clear.

The estates are generated (``benchmarks/generate.py``: networks, data stacks and apps linked by
imports, some ambiguous, some dangling); each figure's docstring states its size behaviour,
and these tests hold it to that: bounded sectors, nodes and bytes, every affected resource
counted, no label printed over another label, a node or the legend.
"""
from __future__ import annotations

import sys

import pytest

import iacviz
from iacviz import views
from iacviz.views._drawing import CHAR_WIDTH, label_box

sys.path.insert(0, str(__import__("pathlib").Path(__file__).resolve().parents[1]))
from benchmarks.generate import generate_estate

SIZES = (10, 65, 500, 2000)
_ESTATES: dict[int, iacviz.Estate] = {}


def estate_of(n: int) -> iacviz.Estate:
    if n not in _ESTATES:
        _ESTATES[n] = iacviz.build_estate(generate_estate(n, 10 if n > 100 else 20, seed=1), [])
    return _ESTATES[n]


def size_of(fig) -> int:
    return len(fig.to_json().encode())


def overlaps(a, b) -> bool:
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]


def text_boxes(fig, width: float, height: float) -> tuple[list, list]:
    """Pixel boxes of the written labels and of the markers of every scatter trace with text.

    Measured independently of the figure code: plot area from the layout's margins and size,
    data -> pixels from the axis ranges, characters 0.62 font sizes wide, lines 1.4 high.
    """
    xr, yr = fig.layout.xaxis.range, fig.layout.yaxis.range

    def px(x, y):
        return (x - xr[0]) / (xr[1] - xr[0]) * width, (y - yr[0]) / (yr[1] - yr[0]) * height

    labels, markers = [], []
    for t in fig.data:
        if t.type != "scatter" or t.mode is None or "markers" not in t.mode:
            continue
        sizes = t.marker.size if isinstance(t.marker.size, (list, tuple)) else [t.marker.size or 6] * len(t.x)
        texts = list(t.text) if t.text is not None and "text" in t.mode else [""] * len(t.x)
        positions = t.textposition if isinstance(t.textposition, (list, tuple)) else [t.textposition] * len(t.x)
        font = t.textfont.size or 12
        for x, y, s, text, pos in zip(t.x, t.y, sizes, texts, positions):
            if x is None or not s:  # an arrow's invisible anchor point
                continue
            cx, cy = px(x, y)
            markers.append((cx - s / 2, cy - s / 2, cx + s / 2, cy + s / 2))
            if text:
                labels.append(label_box(cx, cy, s, str(text), pos or "middle center", font))
    return labels, markers


def assert_labels_clear(fig, width: float, height: float) -> int:
    labels, markers = text_boxes(fig, width, height)
    for i, a in enumerate(labels):
        for b in labels[i + 1:]:
            assert not overlaps(a, b), f"labels overlap: {a} {b}"
        # a label's own marker is outside its box by construction; no marker may be inside it
        for m in markers:
            assert not overlaps(a, m), f"label {a} covers marker {m}"
    return len(labels)


@pytest.fixture(scope="module", params=SIZES, ids=[f"{n}-stacks" for n in SIZES])
def scaled(request):
    return request.param, estate_of(request.param)


# -- blast radius -----------------------------------------------------------------------------

def test_blast_sunburst_counts_everything_and_draws_a_bounded_number(scaled):
    n, estate = scaled
    blast = iacviz.blast_radius(estate, "net-000/Vpc")
    fig = views.blast_sunburst(blast)
    (sb,) = fig.data
    assert len(fig.data) == 1
    roots = [v for v, p in zip(sb.values, sb.parents) if p == ""]
    assert sum(roots) == len(blast)  # every affected resource is counted somewhere
    assert len(sb.ids) <= 80 + 25 * 15 + 1  # sectors bounded whatever the size (see the docstring)
    assert size_of(fig) < 400_000
    assert fig.layout.meta["total"] == len(blast)
    notes = [a.text for a in fig.layout.annotations if "drawn one by one" in (a.text or "")]
    if len(blast) > 80:
        assert fig.layout.meta["shown"] == 80 and notes and f"of {len(blast)}" in notes[0]
        # the changed resource and the worst are drawn one by one
        assert any(i.endswith("/Vpc") for i in sb.ids)
    else:
        assert fig.layout.meta["shown"] == len(blast) and not notes


def test_blast_sunburst_text_reads_on_every_sector(scaled):
    _, estate = scaled
    blast = iacviz.blast_radius(estate, "net-000/Vpc", "delete")
    (sb,) = views.blast_sunburst(blast).data

    def lum(c):
        ch = [int(c[i:i + 2], 16) / 255 for i in (1, 3, 5)]
        ch = [v / 12.92 if v <= 0.03928 else ((v + 0.055) / 1.055) ** 2.4 for v in ch]
        return 0.2126 * ch[0] + 0.7152 * ch[1] + 0.0722 * ch[2]

    for fill, text in zip(sb.marker.colors, sb.insidetextfont.color):
        a, b = sorted([lum(fill), lum(text)])
        assert (b + 0.05) / (a + 0.05) >= 4.5, (fill, text)  # WCAG AA for normal text


def test_blast_graph_needs_no_scipy_and_stays_bounded(scaled):
    n, estate = scaled
    blast = iacviz.blast_radius(estate, "net-000/Vpc")
    fig = views.blast_graph(estate, blast)
    drawn = {c for t in fig.data if (t.meta or {}).get("role") == "resources" for c in t.customdata}
    affected = {f"{s}/{lid}" for s, lid in zip(blast["stack"], blast.logical_id)}
    assert len(drawn) <= 300
    assert fig.layout.meta["shown"] == min(150, fig.layout.meta["total"])
    assert "net-000/Vpc" in drawn and len(drawn & affected) == fig.layout.meta["shown"]
    assert size_of(fig) < 1_500_000
    assert "scipy" not in sys.modules
    # trace count: edges (+ arrows), stack names, one trace per impact present and the unaffected
    roles = [(t.meta or {}).get("role") for t in fig.data]
    assert roles.count("stack labels") == 1 and roles.count("resources") <= 6
    if len(blast) > 150:
        assert any("of " in (a.text or "") and "drawn" in a.text for a in fig.layout.annotations)
    written = assert_labels_clear(fig, 900, 530)
    assert written > 0


def test_label_boxes_measure_what_they_say():
    # the check above relies on this estimate: 10 characters of 10 px font are 62 px wide
    box = label_box(0, 0, 10, "x" * 10, "top center", 10)
    assert round(box[2] - box[0], 6) == 10 * CHAR_WIDTH * 10 and box[1] > 5
