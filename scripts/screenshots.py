"""Regenerate the documentation's pictures: ``python scripts/screenshots.py [--only NAME ...]``.

Every picture is one function ``<name>_screenshot(out_png)`` registered in :data:`SHOTS`, so
more can be added (notebook figures...) without touching the rest. Pages are rendered by the
Debian Chromium (``/usr/bin/chromium``) driven by Playwright; no browser is ever downloaded.

Writes:

* ``docs/sample-report.html``: the review report of the sample estate (``iacviz review
  data/sample-estate -o docs/sample-report.html`` gives the same file);
* ``docs/img/report.png``: the top of that report, summary and export map;
* ``docs/img/<figure>.png``: the key figures of the workshop notebooks (``NOTEBOOK_SHOTS``).
"""

from __future__ import annotations

import argparse
import sys
from contextlib import contextmanager
from pathlib import Path
from typing import Callable, Iterator

ROOT = Path(__file__).resolve().parents[1]
CHROMIUM = "/usr/bin/chromium"
# Headless, and nothing that phones home: the pages are local files.
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
SAMPLE_REPORT = ROOT / "docs" / "sample-report.html"
if str(ROOT) not in sys.path:  # run from a checkout, installed or not
    sys.path.insert(0, str(ROOT))


@contextmanager
def chromium_page(width: int = 1280, height: int = 900) -> Iterator["object"]:
    """A Playwright page in the system Chromium, closed on exit."""
    from playwright.sync_api import sync_playwright

    if not Path(CHROMIUM).exists():
        raise SystemExit(f"{CHROMIUM} is missing: apt-get install -y chromium")
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport={"width": width, "height": height}, device_scale_factor=1)
            yield page
        finally:
            browser.close()


def sample_report(path: Path = SAMPLE_REPORT) -> Path:
    """Write the report of the sample estate to `path` (default ``docs/sample-report.html``)."""
    import iacviz

    path.parent.mkdir(parents=True, exist_ok=True)
    estate = iacviz.load(iacviz.data.sample_estate())
    return iacviz.write_report(estate, path)  # what `make report` (iacviz review ... -o) writes


def report_screenshot(
    out_png: str | Path, report_html: str | Path | None = None, *, width: int = 1280, height: int = 1400
) -> Path:
    """Screenshot the top of the review report (summary, export map) to `out_png`.

    `report_html` defaults to a freshly written ``docs/sample-report.html``.
    """
    html_path = Path(report_html) if report_html else sample_report()
    out = Path(out_png)
    out.parent.mkdir(parents=True, exist_ok=True)
    with chromium_page(width, height) as page:
        page.goto(html_path.resolve().as_uri())
        # Every figure drawn (plotly adds .main-svg), then fonts and layout settle.
        page.wait_for_function(
            """() => [...document.querySelectorAll('div.figure')]
                                         .every(d => d.querySelector('.main-svg'))""",
            timeout=60_000,
        )
        page.wait_for_timeout(300)
        page.screenshot(path=str(out), full_page=False)
    return out


SHOTS: dict[str, Callable[[], Path]] = {
    "report": lambda: report_screenshot(ROOT / "docs" / "img" / "report.png"),
}


# -- notebook figures ---------------------------------------------------------------------------
# The figures of the workshop notebooks, taken from the notebooks themselves: each notebook is
# executed with nbclient (as nbval does) and a figure is picked from its outputs by the start of
# its title, so the pictures always show what the notebook shows.

NOTEBOOKS = ROOT / "notebooks"
# image name -> (notebook, start of the figure's title, width, height)
NOTEBOOK_SHOTS: dict[str, tuple[str, str, int, int]] = {
    "export-map": ("03-cross-stack-exports.ipynb", "Cross-stack exports: 10 stacks", 1100, 760),
    "import-matrix": ("03-cross-stack-exports.ipynb", "Imports between", 760, 520),
    "modality-bars": ("02-persistent-and-ephemeral.ipynb", "Resources by modality in 10", 1000, 500),
    "blast-sunburst": ("04-blast-radius.ipynb", "Blast radius of network/AppSecurityGroup:", 900, 680),
    "blast-graph": ("04-blast-radius.ipynb", "Blast radius of network/AppSecurityGroup on", 1100, 680),
    "update-behavior": ("05-replacement-and-change-preview.ipynb", "What changing a property does", 2000, 820),
    "change-set": ("05-replacement-and-change-preview.ipynb", "Predicted change set", 1250, 620),
}


def _executed_notebook(name: str, _cache: dict = {}) -> "object":  # noqa: B006 - a per-run cache
    """The notebook `name` executed top to bottom in its own folder (cached for this run)."""
    if name not in _cache:
        import os

        import nbformat
        from nbclient import NotebookClient

        os.environ["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")]))
        nb = nbformat.read(NOTEBOOKS / name, as_version=4)
        NotebookClient(
            nb, timeout=300, kernel_name="python3", resources={"metadata": {"path": str(NOTEBOOKS)}}
        ).execute()
        _cache[name] = nb
    return _cache[name]


def notebook_figure(notebook: str, title_start: str) -> dict:
    """The first plotly figure output of `notebook` whose title starts with `title_start`."""
    nb = _executed_notebook(notebook)
    for cell in nb.cells:
        for output in cell.get("outputs", []):
            spec = output.get("data", {}).get("application/vnd.plotly.v1+json")
            title = ((spec or {}).get("layout", {}).get("title") or {}).get("text", "")
            if spec and title.startswith(title_start):
                return spec
    raise SystemExit(f"{notebook}: no figure titled {title_start!r}...")


def figure_png(figure: dict, out_png: str | Path, width: int, height: int) -> Path:
    """Render a plotly figure (dict) to PNG: standalone HTML with plotly.js inlined, Chromium, screenshot."""
    import tempfile

    import plotly.io as pio

    out = Path(out_png)
    out.parent.mkdir(parents=True, exist_ok=True)
    layout = dict(figure.get("layout", {}), width=width, height=height)
    html = pio.to_html(
        {"data": figure.get("data", []), "layout": layout},
        include_plotlyjs=True,
        full_html=True,
        config={"displayModeBar": False},
    )
    with tempfile.TemporaryDirectory() as tmp:
        page_file = Path(tmp) / "figure.html"
        page_file.write_text(html.replace("<body>", '<body style="margin:0">', 1), encoding="utf-8")
        with chromium_page(width, height) as page:
            page.goto(page_file.as_uri())
            page.wait_for_selector(".main-svg", timeout=60_000)
            page.wait_for_timeout(300)
            page.screenshot(path=str(out), clip={"x": 0, "y": 0, "width": width, "height": height})
    return out


def notebook_screenshot(name: str) -> Path:
    """``docs/img/<name>.png`` from the notebook figure registered as `name` in NOTEBOOK_SHOTS."""
    notebook, title, width, height = NOTEBOOK_SHOTS[name]
    return figure_png(notebook_figure(notebook, title), ROOT / "docs" / "img" / f"{name}.png", width, height)


SHOTS.update({name: (lambda name=name: notebook_screenshot(name)) for name in NOTEBOOK_SHOTS})


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", nargs="+", choices=sorted(SHOTS), help="only these pictures")
    args = parser.parse_args(argv)
    for name in args.only or sorted(SHOTS):
        print(f"{name}: {SHOTS[name]().relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
