"""Names from templates are never read as markup (issue 14): an export, output, logical id or
stack named ``<a href="https://evil.example/">x</a>`` shows as that text in every figure (trace
text, hover, table cells, axis labels, annotations) and in the report, never as a live link."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

import iacviz
from estate_files import write
from iacviz import views

EVIL = '<a href="https://evil.example/">x</a>'
STACK = "<img src=x onerror=alert(1)>"  # a stack name cannot hold "/" (targets are stack/LogicalId)


def _estate(root: Path, suffix: str = ""):
    write(root, "iacviz-estate.yaml", f"stacks:\n  '{STACK}': {{template: net.yaml}}\n  app: {{template: app.yaml}}\n")
    write(
        root,
        "net.yaml",
        f"""\
        Parameters:
          Name: {{Type: String, Default: 'db{suffix}'}}
        Resources:
          '{EVIL}':
            Type: AWS::RDS::DBInstance
            Properties: {{Engine: postgres, DBName: !Ref Name, DBInstanceIdentifier: !Ref Name}}
        Outputs:
          '{EVIL}Out':
            Value: !Ref '{EVIL}'
            Export: {{Name: '{EVIL}'}}
          Unused:
            Value: x
            Export: {{Name: 'unused-{EVIL}'}}
        """,
    )
    write(
        root,
        "app.yaml",
        f"""\
        Resources:
          Fn:
            Type: AWS::SQS::Queue
            Properties: {{QueueName: !ImportValue '{EVIL}'}}
          Dangling:
            Type: AWS::SQS::Queue
            Properties: {{QueueName: !ImportValue 'missing-{EVIL}'}}
        """,
    )
    return iacviz.load(root)


@pytest.fixture(scope="module")
def estates(tmp_path_factory):
    root = tmp_path_factory.mktemp("evil")
    return _estate(root / "before"), _estate(root / "after", "-renamed")


def _rendered_strings(fig) -> list[str]:
    """Every string plotly draws as text: trace text/hovertext/labels/cells/header, category
    coordinates (axis labels), annotations, titles and tick labels."""
    spec = fig.to_plotly_json()
    found: list[str] = []

    def strings(value):
        if isinstance(value, str):
            found.append(value)
        elif isinstance(value, (list, tuple)):
            for v in value:
                strings(v)
        elif isinstance(value, dict):
            for v in value.values():
                strings(v)
        elif hasattr(value, "tolist"):
            strings(value.tolist())

    drawn = (
        "text",
        "hovertext",
        "labels",
        "parents",
        "ids",
        "x",
        "y",
        "name",
        "header",
        "cells",
        "title",
        "ticktext",
        "hovertemplate",
        "texttemplate",
    )
    for trace in spec["data"]:
        for key in drawn:
            strings(trace.get(key))
    layout = spec["layout"]
    for annotation in layout.get("annotations", []):
        strings(annotation.get("text"))
    strings(layout.get("title"))
    for key, axis in layout.items():
        if key.startswith(("xaxis", "yaxis")) and isinstance(axis, dict):
            strings(axis.get("ticktext"))
            strings(axis.get("title"))
    return found


def _figures(before, after):
    graph = iacviz.resource_graph(before)
    blast = iacviz.blast_radius(before, f"{STACK}/{EVIL}")
    plan = iacviz.plan_changes(before, after)
    return {
        "export_map": lambda: views.export_map(before.stacks, before.imports, before.exports),
        "import_matrix": lambda: views.import_matrix(before.imports),
        "modality_bars": lambda: views.modality_bars(before.resources, before.stacks),
        "blast_sunburst": lambda: views.blast_sunburst(blast),
        "blast_graph": lambda: views.blast_graph(graph, blast, title=f"blast of {EVIL}"),
        "update_behavior_heatmap": lambda: views.update_behavior_heatmap(before.properties, before.resources),
        "replacement_table": lambda: views.replacement_table(iacviz.replacement_prone(before)),
        "change_set_table": lambda: views.change_set_table(plan),
        # a live estate's coverage: the service names come from the account's types and ARNs
        "coverage_bars": lambda: views.coverage_bars(
            pd.DataFrame({"service": [EVIL], "managed": [1], "unmanaged": [1], "coverage_pct": [50.0]})
        ),
    }


def test_the_hostile_names_reach_the_analyses(estates):
    before, after = estates
    assert EVIL in before.exports.export_name.tolist()
    assert len(iacviz.blast_radius(before, f"{STACK}/{EVIL}")) > 1
    assert (iacviz.plan_changes(before, after).logical_id == EVIL).any()


@pytest.mark.parametrize("name", views.FIGURES)
def test_no_figure_draws_a_name_as_markup(estates, name):
    fig = _figures(*estates)[name]()
    drawn = _rendered_strings(fig)
    assert not [s for s in drawn if "<a " in s or "<img" in s], name
    # the names are there, escaped: plotly shows them as written
    assert any("&lt;a href" in s or "&lt;img" in s for s in drawn), name


def test_every_public_figure_is_checked(estates):
    assert set(_figures(*estates)) == set(views.FIGURES)


def test_the_report_shows_names_as_text(estates, tmp_path):
    before, _ = estates
    html = iacviz.render_report(before)
    assert 'href="https://evil.example/' not in html
    assert "<img src=x" not in html
    assert "&lt;a href=&quot;https://evil.example/" in html or "&lt;a href=" in html
