"""The HTML report: every section, self-contained, everything from templates escaped."""

from __future__ import annotations

import html
import json
import re
import textwrap
import time
from typing import Any

import plotly.offline
import pytest

import iacviz
from iacviz.views.report import _json_for_script, render_report, write_report

PLANTED = "<script>alert(1)</script>"
SECTIONS = ("top-risks", "summary", "export-map", "modality", "update-behavior", "replacement", "findings", "inventory")


@pytest.fixture(scope="module")
def sample():
    return iacviz.load(iacviz.data.sample_estate())


@pytest.fixture(scope="module")
def sample_page(sample):
    start = time.perf_counter()
    page = render_report(sample, title="shop")
    print(f"\nsample report: {len(page.encode()) / 1e6:.2f} MB in {time.perf_counter() - start:.2f} s")
    return page


def _tables(page: str, heads: bool = False) -> dict[str, Any]:
    """The data tables of a page, decoded from their JSON as the page's script does: name -> rows
    (or name -> (headings, rows) with `heads`)."""
    out: dict[str, Any] = {}
    for name, n, thead, data in re.findall(
        r'<table class="[^"]*data[^"]*" data-name="([^"]+)" data-rows="(\d+)"><thead>(.*?)</thead>.*?</table>'
        r'<script type="application/json" class="rows">(.*?)</script>',
        page,
        re.S,
    ):
        spec = json.loads(data)
        cols = [c if isinstance(c, list) else [c["d"][k] for k in c["i"]] for c in spec["data"]]
        rows = [list(r) for r in zip(*cols)]
        assert len(rows) == spec["n"] == int(n) and len(spec["columns"]) == len(cols)
        titles = [html.unescape(h) for h in re.findall(r"<th>(.*?)</th>", thead)]
        assert len(titles) == len(cols)
        out[html.unescape(name)] = (titles, rows) if heads else rows
    return out


def test_every_section_is_there(sample_page, sample):
    for section in SECTIONS:
        assert f'<section id="{section}">' in sample_page, section
        assert f'href="#{section}"' in sample_page, f"{section} missing from the navigation"
    for fig in ("export-map", "modality", "update-behavior"):
        assert f'<div class="figure" id="fig-{fig}" data-figure="{fig}"></div>' in sample_page
        data = re.search(rf'<script type="application/json" id="fig-{fig}-data">(.*?)</script>', sample_page, re.S)
        spec = json.loads(data.group(1))
        assert spec["data"], f"figure {fig} has no traces"
    # the summary counts and a few things every reader looks for
    assert f'<span class="n">{len(sample.stacks)}</span><span>stacks</span>' in sample_page
    assert "Findings by severity" in sample_page and "Stacks by modality" in sample_page
    assert "OrdersTable" in sample_page and "W3001" in sample_page
    assert "shop-network-PrivateSubnetIds" in sample_page  # the exports inventory
    assert "shop / data - long-lived state of the shop" in sample_page  # stack descriptions


def test_self_contained_with_plotly_inlined_once(sample_page):
    plotly_js = plotly.offline.get_plotlyjs()
    assert sample_page.count(plotly_js[:200]) == 1
    assert not re.search(r"<script[^>]+src=", sample_page), "no external scripts"
    assert not re.search(r"<link[^>]+stylesheet", sample_page), "no external stylesheets"
    assert "@import" not in sample_page.split("<style>")[1].split("</style>")[0]
    ours = sample_page.replace(plotly_js, "")
    assert set(re.findall(r'(?:src|href)="(https?:[^"]*)"', ours)) <= {
        u for u in re.findall(r'href="(https://docs\.aws\.amazon\.com/[^"]*)"', ours)
    }, "only links to AWS docs"
    assert "fonts.googleapis" not in ours and "cdn.plot.ly" not in ours


def test_findings_grouped_by_severity(sample_page):
    heads = re.findall(r'<h3 id="findings-(\w+)">', sample_page)
    assert heads == ["error", "warning", "info"]
    info = sample_page.split('id="findings-info"')[1].split("</section>")[0]
    assert "I2003" in info and "shop-data-DbEndpointAddress" in info
    assert "<code>DeletionPolicy</code>" in sample_page  # fixes render their `code`


def test_planted_script_is_shown_as_text(tmp_path):
    (tmp_path / "evil.yaml").write_text(
        textwrap.dedent(f"""\
        Description: "{PLANTED} & <img src=x onerror=alert(2)>"
        Parameters:
          Env: {{Type: String, Default: "{PLANTED}"}}
        Resources:
          Bucket:
            Type: AWS::S3::Bucket
            Properties:
              BucketName: "</script><script>alert(3)</script>"
              Tags: [{{Key: team, Value: "{PLANTED}"}}]
          Policy:
            Type: AWS::SNS::TopicPolicy
            Properties:
              Topics: ["arn:aws:sns:us-east-1:123456789012:x{PLANTED}"]
              PolicyDocument: {{Statement: []}}
        Outputs:
          Name:
            Value: !Ref Bucket
            Export: {{Name: evil-name}}
        """)
    )
    page = render_report(iacviz.load(tmp_path))
    ours = page.replace(plotly.offline.get_plotlyjs(), "")
    # Only iacviz's own script elements: the table script, plotly.js, the drawing script, the
    # figures' JSON and the one shared figure template.
    tags = re.findall(r"<script[^>]*>", ours)
    assert tags.count("<script>") == 2  # the table script and the drawing script
    assert tags.count('<script type="text/plain" id="plotly-js">') == 1  # run by the drawing script
    data = [t for t in tags if t.startswith('<script type="application/json"')]
    assert len(data) == len(tags) - 3
    assert sum(t.startswith('<script type="application/json" id="fig-') for t in data) == 3 + 1
    assert all(t == '<script type="application/json" class="rows">' for t in data if "id=" not in t)
    assert "<img" not in ours and PLANTED not in ours
    for block in re.findall(r'<script type="application/json"[^>]*>(.*?)</script>', page, re.S):
        assert "<" not in block and ">" not in block
    # The data tables carry the text as written: the page's script escapes it into cells (the
    # browser test sees it shown as text).
    stacks = _tables(page)["stacks"]
    assert [PLANTED + " & <img src=x onerror=alert(2)>"] == [c for r in stacks for c in r if PLANTED in c]
    messages = [c for rows in _tables(page).values() for r in rows for c in r]
    assert any("</script><script>alert(3)" in c for c in messages)  # in the custom-name finding


def test_json_for_script_round_trips():
    value = {"text": "</script><!-- & \u2028", "n": [1, None]}
    text = _json_for_script(value)
    assert "</" not in text and "<!--" not in text and "&" not in text
    assert json.loads(text) == value


def test_custom_findings_title_and_tables_only(tmp_path, sample):
    findings = iacviz.review(sample, rules=["I2003"])
    path = write_report(sample, tmp_path / "r.html", findings=findings, title="A <b>title</b>", figures=False)
    page = path.read_text(encoding="utf-8")
    assert "<title>A &lt;b&gt;title&lt;/b&gt;</title>" in page
    assert "W3001" not in page.split('id="findings"')[1].split('id="inventory"')[0]
    assert "Plotly.newPlot" not in page and len(page) < 500_000


def test_empty_estate():
    page = render_report(iacviz.load_template({"Resources": {}}, stack="empty"), figures=False)
    assert "No replacement-prone properties." in page and "No exports." in page
    assert _tables(page).keys() == {"stacks"}


def test_tables_hold_every_row_of_their_frames(sample_page, sample):
    tables = _tables(sample_page)
    # columns by heading: a multi-place estate (the sample's Amplify project has an account and
    # region, the shop none) gets an account:region column after the stack
    heads = {name: cols for name, (cols, _) in _tables(sample_page, heads=True).items()}
    assert len(tables["stacks"]) == len(sample.stacks)
    assert len(tables["resources"]) == len(sample.resources)
    assert len(tables["exports"]) == len(sample.exports)
    findings = iacviz.review(sample)
    for rule_id, n in findings.rule_id.value_counts().items():
        assert len(tables[f"findings-{rule_id}"]) == n, rule_id
    col = {h: i for i, h in enumerate(heads["replacement-prone"])}
    by_resource = {(r[col["stack"]], r[col["resource"]]): r for r in tables["replacement-prone"]}
    prone = iacviz.replacement_prone(sample)
    assert len(by_resource) == len(prone.groupby(["stack", "logical_id"]))
    # a resource's create-only properties as a list of lines, each with what drives it
    sample_row = prone.iloc[0]
    lines = by_resource[(sample_row["stack"], sample_row["logical_id"])][col["create-only properties"]]
    assert isinstance(lines, list) and any(line.startswith(sample_row["path"].split("/", 2)[-1]) for line in lines)
    # the resources table's columns, as text
    first = sample.resources.iloc[0]
    row = dict(zip(heads["resources"], tables["resources"][0]))
    assert [row["stack"], row["resource"], row["type"]] == [first["stack"], first["logical_id"], first["type"]]
    assert row["stateful"] in {"yes", "no"}


def test_the_unread_note_reads(tmp_path):
    (tmp_path / "ok.yaml").write_text("Resources:\n  Q: {Type: AWS::SQS::Queue}\n")
    (tmp_path / "bad.yaml").write_text("Resources:\n  Q: {Type: AWS::SQS::Queue\n")
    page = render_report(iacviz.load(tmp_path), figures=False)
    assert "1 template could not be read</b> and is not in any figure or finding" in page


def test_stacks_a_tool_created_are_marked_in_the_inventory():
    bootstrap = iacviz.load_template({"Resources": {"B": {"Type": "AWS::S3::Bucket"}}}, stack="CDKToolkit")
    titles, rows = _tables(render_report(bootstrap, figures=False), heads=True)["stacks"]
    assert rows[0][titles.index("created by (tool or service)")] == "cdk"
    own = _tables(render_report(iacviz.load_template({"Resources": {}}, stack="app"), figures=False), heads=True)
    assert "created by (tool or service)" not in own["stacks"][0]
