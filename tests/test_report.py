"""The HTML report: every section, self-contained, everything from templates escaped."""

from __future__ import annotations

import json
import re
import textwrap
import time

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
    assert '<span class="n">10</span><span>stacks</span>' in sample_page
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
    assert tags.count("<script>") == 3 and len(tags) == 3 + 3 + 1
    assert all(t.startswith('<script type="application/json" id="fig-') for t in tags if t != "<script>")
    assert "<img" not in ours and PLANTED not in ours
    assert "&lt;script&gt;alert(1)&lt;/script&gt; &amp; &lt;img src=x onerror=alert(2)&gt;" in page
    for block in re.findall(r'<script type="application/json"[^>]*>(.*?)</script>', page, re.S):
        assert "<" not in block and ">" not in block
    assert "&lt;/script&gt;&lt;script&gt;alert(3)" in page  # in the custom-name finding


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
