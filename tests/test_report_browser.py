"""The report in a real browser: Debian's Chromium, headless, driven by Playwright, offline from disk.

Never downloads a browser: it uses /usr/bin/chromium (``apt-get install chromium``; .ci/run
installs it) and skips, saying so, only when that file is absent.
"""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

import iacviz

CHROMIUM = Path("/usr/bin/chromium")
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
PLANTED = "<script>window.__pwned=1</script>"

pytestmark = pytest.mark.skipif(
    not CHROMIUM.exists(),
    reason="/usr/bin/chromium is not installed (apt-get install -y chromium); no browser is downloaded",
)


@pytest.fixture(scope="module")
def report(tmp_path_factory) -> Path:
    evil = tmp_path_factory.mktemp("evil")
    (evil / "evil.yaml").write_text(
        textwrap.dedent(f"""\
        Description: "{PLANTED}<img src=x onerror='window.__pwned=2'>"
        Resources:
          Queue:
            Type: AWS::SQS::Queue
            Properties:
              QueueName: "</script><script>window.__pwned=3</script>"
              Tags: [{{Key: owner, Value: "{PLANTED}"}}]
        Outputs:
          QueueArn:
            Value: !GetAtt Queue.Arn
            Export: {{Name: "evil-QueueArn"}}
        """)
    )
    estate = iacviz.load(iacviz.data.sample_estate(), evil)
    assert "evil" in set(estate.stacks["stack"])
    return iacviz.write_report(estate, evil / "report.html", title="browser test")


def _draw_every_figure(page, timeout: int = 120_000) -> None:
    """Scroll each figure into view (the report draws a figure when it nears the screen) and wait for it."""
    ids = page.eval_on_selector_all("div.figure", "ds => ds.map(d => d.id)")
    assert ids
    for fig in ids:
        page.locator(f"#{fig}").scroll_into_view_if_needed()
        page.wait_for_function(
            "id => !!document.getElementById(id).querySelector('.main-svg')", arg=fig, timeout=timeout
        )
    page.evaluate("window.scrollTo(0, 0)")


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        yield b
        b.close()


def test_report_renders_offline_without_errors_and_without_running_planted_scripts(browser, report):
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    errors, requests = [], []
    page.on("console", lambda m: errors.append(f"console.{m.type}: {m.text}") if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(f"page error: {e}"))
    page.on("request", lambda r: requests.append(r.url))
    page.goto(report.as_uri())
    _draw_every_figure(page)
    figures = page.eval_on_selector_all("div.figure", "ds => ds.map(d => [d.id, !!d.querySelector('.main-svg')])")
    assert [f for f, _ in figures] == ["fig-export-map", "fig-modality", "fig-update-behavior"]
    assert all(drawn for _, drawn in figures)
    page.wait_for_timeout(300)  # give a stray handler (img onerror) time to fire
    assert page.evaluate("typeof window.__pwned") == "undefined"
    assert errors == []
    assert all(u.startswith(("file:", "data:", "blob:", "about:")) for u in requests), requests
    # The planted markup is visible as text where the stack description is shown (the stacks
    # table is one click away).
    page.locator("#inventory details").first.locator("summary").click()
    page.locator("table[data-name=stacks] tbody tr").first.wait_for()  # built on the toggle event
    assert PLANTED in page.inner_text("#inventory")
    assert page.locator("#inventory td.c-description", has_text="window.__pwned=1").count() == 1
    page.close()


def test_navigation_and_sections_are_visible(browser, report):
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    page.goto(report.as_uri())
    for section in ("summary", "export-map", "modality", "update-behavior", "replacement", "findings", "inventory"):
        assert page.locator(f"nav a[href='#{section}']").count() == 1
        assert page.locator(f"section#{section}").is_visible()
    assert page.locator("#findings details.rule").count() >= 5
    page.close()


# -- a 65-stack generated estate: the report a review meeting opens --------------------------------

MB = 1_000_000


@pytest.fixture(scope="module")
def report_65(tmp_path_factory) -> Path:
    import sys

    root = Path(__file__).resolve().parents[1]
    sys.path.insert(0, str(root))
    from benchmarks.generate import write_estate

    folder = write_estate(tmp_path_factory.mktemp("estate65"), 65, 20, seed=1)
    # one template nobody can read: it must be counted apart from the findings and lead the risks
    (folder / "broken.yaml").write_text("Resources:\n  Queue: {Type: AWS::SQS::Queue\n")
    estate = iacviz.load(folder)
    assert len(estate.stacks) == 65 and (estate.errors.severity == "error").sum() == 1
    return iacviz.write_report(estate, folder / "report.html", title="65 stacks")


def test_report_of_65_stacks_fits_and_opens_on_its_top_risks(browser, report_65):
    size = report_65.stat().st_size
    assert size <= 7 * MB, f"{size / MB:.1f} MB"
    page = browser.new_page(viewport={"width": 1400, "height": 900})
    errors = []
    page.on("console", lambda m: errors.append(f"console.{m.type}: {m.text}") if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(f"page error: {e}"))
    page.goto(report_65.as_uri())
    height = page.evaluate("document.documentElement.scrollHeight")  # before any figure is drawn
    _draw_every_figure(page)
    height = max(height, page.evaluate("document.documentElement.scrollHeight"))
    assert height <= 30_000, height
    assert errors == []
    # the first screen (1400 x 900) shows the ranked top risks, each with why and fix
    box = page.locator("#top-risks").bounding_box()
    assert box["y"] < 300
    first = page.locator("ol.risks > li").first
    fb = first.bounding_box()
    assert fb["y"] + fb["height"] <= 900
    assert first.locator(".why").inner_text() and first.locator(".fix").inner_text().startswith("Fix:")
    items = page.locator("ol.risks > li")
    assert 3 <= items.count() <= 10
    assert "unreadable template" in items.first.inner_text()  # nothing is worse than what was not read
    # the summary counts read errors apart from findings
    cards = page.locator("#summary .card").all_inner_texts()
    assert any("template not read" in c and c.strip().startswith("1") for c in cards), cards
    page.close()


def test_report_tables_sort_filter_and_download(browser, report_65, tmp_path):
    page = browser.new_page(viewport={"width": 1400, "height": 900}, accept_downloads=True)
    errors = []
    page.on("pageerror", lambda e: errors.append(f"page error: {e}"))
    page.goto(report_65.as_uri())
    table = page.locator("table[data-name=resources]")
    rows = table.locator("tbody tr")
    assert rows.count() == 0  # built when its block is first opened, not at load
    block = page.locator("details:has(table[data-name=resources])")
    block.locator("summary").click()
    rows.nth(999).wait_for(state="attached")  # built on the toggle event, which follows the click
    # the first 1,000 rows are laid out; all 1,300 are one more click away, and in the downloads
    assert rows.count() == 1000
    more = block.locator("p.more")
    assert "1000 of 1300 rows" in more.inner_text()
    more.locator("button", has_text="Show all 1300").click()
    assert rows.count() == 1300 and more.is_hidden()
    tools = block.locator(".tools")
    tools.locator("input").fill("AWS::SQS::Queue")
    shown = page.evaluate(
        "[...document.querySelectorAll('table[data-name=resources] tbody tr')]"
        ".filter(r => !r.hidden).map(r => r.cells[2].textContent)"
    )
    assert shown and set(shown) == {"AWS::SQS::Queue"}
    with page.expect_download() as dl:
        tools.locator("button", has_text="CSV").click()
    csv = Path(dl.value.path()).read_text(encoding="utf-8").splitlines()
    assert csv[0].startswith("stack,resource,type") and len(csv) == len(shown) + 1
    with page.expect_download() as dl:
        tools.locator("button", has_text="JSON").click()
    import json

    records = json.loads(Path(dl.value.path()).read_text(encoding="utf-8"))
    assert len(records) == len(shown) and {r["type"] for r in records} == {"AWS::SQS::Queue"}
    # sorting by the stack column, descending on the second click
    tools.locator("input").fill("")
    head = table.locator("thead th").first
    head.click()
    head.click()
    stacks = page.evaluate(
        "[...document.querySelectorAll('table[data-name=resources] tbody tr')].map(r => r.cells[0].textContent)"
    )
    assert stacks == sorted(stacks, key=str, reverse=True) and len(stacks) == 1300
    assert errors == []
    page.close()


def test_report_downloads_every_row_even_when_fewer_are_laid_out(browser, report_65):
    page = browser.new_page(viewport={"width": 1400, "height": 900}, accept_downloads=True)
    page.goto(report_65.as_uri())
    block = page.locator("details:has(table[data-name=resources])")
    block.locator("summary").click()
    block.locator("tbody tr").nth(999).wait_for(state="attached")
    assert block.locator("tbody tr").count() == 1000
    with page.expect_download() as dl:
        block.locator(".tools button", has_text="CSV").click()
    csv = Path(dl.value.path()).read_text(encoding="utf-8").splitlines()
    assert len(csv) == 1300 + 1
    # sorting picks from every row: the last stack name in order is laid out first
    block.locator("thead th").first.click()
    block.locator("thead th").first.click()
    first = block.locator("tbody tr").first.locator("td").first.inner_text()
    assert first == max(line.split(",", 1)[0] for line in csv[1:])
    page.close()


def test_figures_are_drawn_when_scrolled_to(browser, report_65):
    page = browser.new_page(viewport={"width": 1400, "height": 900})
    errors = []
    page.on("console", lambda m: errors.append(f"console.{m.type}: {m.text}") if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(f"page error: {e}"))
    page.goto(report_65.as_uri())
    last = page.locator("div.figure").last
    assert last.locator(".main-svg").count() == 0  # far below the first screen: not drawn at load
    page.locator("nav a[href='#update-behavior']").click()
    last.locator(".main-svg").first.wait_for(timeout=120_000)
    assert page.evaluate("typeof window.Plotly") == "object"
    assert errors == []
    page.close()
