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
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run"]
PLANTED = "<script>window.__pwned=1</script>"

pytestmark = pytest.mark.skipif(not CHROMIUM.exists(), reason="/usr/bin/chromium is not installed "
                                                                "(apt-get install -y chromium); no browser is downloaded")


@pytest.fixture(scope="module")
def report(tmp_path_factory) -> Path:
    evil = tmp_path_factory.mktemp("evil")
    (evil / "evil.yaml").write_text(textwrap.dedent(f"""\
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
        """))
    estate = iacviz.load(iacviz.data.sample_estate(), evil)
    assert "evil" in set(estate.stacks["stack"])
    return iacviz.write_report(estate, evil / "report.html", title="browser test")


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
    page.wait_for_function("""() => { const f = [...document.querySelectorAll('div.figure')];
                                      return f.length > 0 && f.every(d => d.querySelector('.main-svg')); }""",
                           timeout=60_000)
    figures = page.eval_on_selector_all("div.figure", "ds => ds.map(d => [d.id, !!d.querySelector('.main-svg')])")
    assert [f for f, _ in figures] == ["fig-export-map", "fig-modality", "fig-update-behavior"]
    assert all(drawn for _, drawn in figures)
    page.wait_for_timeout(300)  # give a stray handler (img onerror) time to fire
    assert page.evaluate("typeof window.__pwned") == "undefined"
    assert errors == []
    assert all(u.startswith(("file:", "data:", "blob:", "about:")) for u in requests), requests
    # The planted markup is visible as text where the stack description is shown.
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
