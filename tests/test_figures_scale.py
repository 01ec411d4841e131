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
        for b in labels[i + 1 :]:
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
        ch = [int(c[i : i + 2], 16) / 255 for i in (1, 3, 5)]
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
    # nor over the stacks' names in the middle of their clusters
    (names,) = [t for t in fig.data if (t.meta or {}).get("role") == "stack labels"]
    xr, yr = fig.layout.xaxis.range, fig.layout.yaxis.range
    labels, _ = text_boxes(fig, 900, 530)
    for x, y, text in zip(names.x, names.y, names.text):
        cx, cy = (x - xr[0]) / (xr[1] - xr[0]) * 900, (y - yr[0]) / (yr[1] - yr[0]) * 530
        w, h = len(text) * CHAR_WIDTH * 15, 15 * 1.4
        box = (cx - w / 2, cy - h / 2, cx + w / 2, cy + h / 2)
        assert not any(overlaps(box, b) for b in labels), text


def test_label_boxes_measure_what_they_say():
    # the check above relies on this estimate: 10 characters of 10 px font are 62 px wide
    box = label_box(0, 0, 10, "x" * 10, "top center", 10)
    assert round(box[2] - box[0], 6) == 10 * CHAR_WIDTH * 10 and box[1] > 5


# -- export map, import matrix ------------------------------------------------------------------


def test_export_map_groups_past_its_threshold_and_keeps_labels_clear(scaled):
    n, estate = scaled
    fig = views.export_map(estate.stacks, estate.imports, estate.exports)
    meta = fig.layout.meta
    nodes = [x for x in meta["nodes"] if x["inside"]]
    if n <= 40:
        assert meta["grouped"] is None and len(nodes) == n
    else:
        assert meta["grouped"] and 2 <= len(nodes) <= 40
        assert f"{n} stacks grouped by {meta['grouped']}" in fig.layout.title.text
        # every stack is in exactly one group: nothing dropped
        members = [m for t in fig.data if (t.meta or {}).get("role") == "stacks" for h in t.hovertext for m in [h]]
        assert len(members) == len(meta["nodes"])
    assert size_of(fig) < 600_000
    assert len(fig.data) <= 20  # one trace per edge style and width, per modality, and the markers
    # labels: inside the plot area (so never over the legend below it or the title above), never
    # over another label, a node or an arrow head
    plot_h = fig.layout.height - fig.layout.margin.t - fig.layout.margin.b
    written = assert_labels_clear(fig, 870, plot_h)
    labels, _ = text_boxes(fig, 870, plot_h)
    assert all(0 <= b[0] and b[2] <= 870 and 0 <= b[1] and b[3] <= plot_h for b in labels)
    assert written >= min(len(nodes), 3)
    assert fig.layout.legend.y < 0 and fig.layout.legend.yanchor == "top"
    assert fig.layout.title.yref == "container" and fig.layout.margin.t >= 80


def test_export_map_focus_keeps_one_stack_and_its_neighbours(scaled):
    n, estate = scaled
    focus = "app-0001" if n > 10 else "app-0000"
    fig = views.export_map(estate.stacks, estate.imports, estate.exports, focus=focus)
    drawn = {x["stack"] for x in fig.layout.meta["nodes"]}
    imp = estate.imports
    mine = imp[imp["stack"] == focus]
    assert focus in drawn and set(mine.export_stack.dropna()) <= drawn
    assert len(drawn) <= 40 + len(set(mine.export_stack.dropna())) + 2


def test_export_map_bundles_ambiguous_imports_at_scale(scaled):
    n, estate = scaled
    imp = estate.imports
    amb = imp[imp.link == "ambiguous"]
    fig = views.export_map(estate.stacks, imp, estate.exports, max_nodes=None if n <= 65 else 40)
    edges = fig.layout.meta["edges"]
    drawn_amb = [e for e in edges if e["link"] == "ambiguous"]
    # one edge per importer and candidate set, whatever the number of candidates
    assert len(drawn_amb) <= len(amb)
    n_cand = sum(len(c) for c in amb.candidate_stacks if isinstance(c, list))
    assert len([e for e in edges if e["link"] in ("ambiguous", "candidate")]) <= len(amb) + n_cand
    if len(amb) and n <= 65:
        assert drawn_amb


def test_import_matrix_marks_ambiguous_candidates_and_groups_large_estates(scaled):
    n, estate = scaled
    fig = views.import_matrix(estate.imports)
    hm = fig.data[0]
    assert len(hm.x) <= 60 and size_of(fig) < 300_000
    assert fig.layout.height <= 26 * 60 + 220
    amb = estate.imports[estate.imports.link == "ambiguous"]
    rings = [t for t in fig.data if (t.meta or {}).get("role") == "ambiguous"]
    assert bool(rings) == bool(len(amb))
    if n > 60:
        assert fig.layout.meta["grouped"] and "grouped by" in fig.layout.title.text


def test_import_matrix_never_says_nobody_when_a_stack_may_import():
    import pandas as pd

    imports = pd.DataFrame(
        {
            "stack": ["app", "web"],
            "source": ["Fn", "Sg"],
            "path": ["/p", "/q"],
            "export_name": ["${Net}-Vpc", "net1-Vpc"],
            "export_stack": [None, "net1"],
            "export_output": [None, "Vpc"],
            "link": ["ambiguous", "exact"],
            "candidates": [["net1-Vpc", "net2-Vpc"], None],
            "candidate_stacks": [["net1", "net2"], None],
        }
    )
    fig = views.import_matrix(imports)
    hm, rings = fig.data
    assert {tuple(c) for c in rings.customdata} == {("app", "net1"), ("app", "net2")}
    text = {(r, c): v for r, row in zip(hm.y, hm.text) for c, v in zip(hm.x, row)}
    assert "nothing" not in text[("app", "net1")] and "may import" in rings.hovertext[0]
    assert "net2" in hm.x  # a stack only a candidate of is still a column


# -- modality, update behaviour, tables ---------------------------------------------------------


def test_modality_bars_fold_past_max_rows(scaled):
    n, estate = scaled
    fig = views.modality_bars(estate.resources, estate.stacks)
    bars = [t for t in fig.data if (t.meta or {}).get("role") == "modality"]
    assert all(len(t.y) <= 60 for t in bars)
    assert fig.layout.height <= 34 * 60 + 160
    total = sum(sum(t.x) for t in bars)
    assert total == len(estate.resources)  # every resource counted, folded or not
    if n > 60:
        assert fig.layout.meta["folded"] and "folded into one bar" in fig.layout.title.text


def test_update_behavior_heatmap_folds_types_and_columns(scaled):
    _, estate = scaled
    fig = views.update_behavior_heatmap(estate.properties, estate.resources)
    (hm,) = fig.data
    assert len(hm.y) <= 30 and len(hm.x) <= 40
    assert fig.layout.width <= 16 * 40 + 420 and fig.layout.height <= 22 * 30 + 260
    assert size_of(fig) < 200_000


def test_tables_stay_bounded(scaled):
    _, estate = scaled
    prone = iacviz.replacement_prone(estate)
    fig = views.replacement_table(prone, max_rows=50)
    assert len(fig.data[0].cells.values[0]) == min(50, len(prone))
    assert fig.layout.height <= 2400
    if len(prone) > 50:
        assert f"first 50 of {len(prone)} rows" in fig.layout.title.text


def test_change_set_table_counts_every_change_and_stays_bounded(scaled):
    """A release of ~2% edited resources (benchmarks/versions.py): the title counts every change,
    the figure's height stays at its documented cap, max_rows folds the rest into a note."""
    from benchmarks.versions import edit_estate

    n, estate = scaled
    after = iacviz.build_estate(edit_estate(generate_estate(n, 10 if n > 100 else 20, seed=1), share=0.02, seed=1), [])
    plan = iacviz.plan_changes(estate, after)
    assert len(plan) > 0
    fig = views.change_set_table(plan, max_rows=50)
    (table,) = fig.data
    assert len(table.cells.values[0]) == min(50, len(plan))
    assert fig.layout.height <= 2400
    title = fig.layout.title.text
    assert title.startswith(f"Predicted change set: {len(plan)} changes")
    # counted over the whole plan, not only the rows shown
    replaced = int((plan.replacement == "True").fillna(False).sum())
    conditional = int((plan.replacement == "Conditional").fillna(False).sum())
    lost = int(plan.data_loss.fillna(False).sum())
    blocked = int((plan.blocked.fillna("") != "").sum())
    assert f"({replaced} replaced, {conditional} conditional, {lost} with data loss, {blocked} blocked" in title
    if len(plan) > 50:
        assert f"first 50 of {len(plan)} rows" in title
    full = views.change_set_table(plan)
    assert len(full.data[0].cells.values[0]) == len(plan) and full.layout.height <= 2400
    assert size_of(fig) < 200_000
