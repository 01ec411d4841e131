"""How long the review report of a large estate takes to open in Chromium, against a bare plotly page.

``python -m benchmarks.report_open [--stacks 2000] [--resources 20] [--rounds 3]``

Writes the report of a generated estate (``generate.py``, seed 0) and, as the peer, plotly's
own standalone page of one small figure (``plotly.io.write_html``, plotly.js inlined: the
fixed cost any offline plotly page pays). Both are opened from disk in Debian's Chromium
(headless, through Playwright; never a downloaded browser), alternating, and the best round of
each is kept. Measured: the ``load`` event (the page is shown and can be read: the first
screen is the top-risks list) and the moment every figure is drawn. The target is that the
2,000-stack report loads in under 5 s; on a shared machine, compare the ratio to the peer.

Prints one JSON line: sizes, times in seconds and the ratios.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path

CHROMIUM = "/usr/bin/chromium"
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
DRAWN = "() => [...document.querySelectorAll('div.figure')].every(d => d.querySelector('.main-svg'))"


def _pages(folder: Path, n_stacks: int, resources: int) -> tuple[Path, Path, float]:
    import plotly.graph_objects as go

    import iacviz
    from benchmarks.generate import generate_estate

    estate = iacviz.build_estate(generate_estate(n_stacks, resources, seed=0), [])
    start = time.perf_counter()
    report = iacviz.write_report(estate, folder / "report.html", title=f"{n_stacks} stacks")
    written = time.perf_counter() - start
    peer = folder / "peer.html"
    go.Figure(go.Bar(x=["a", "b"], y=[1, 2])).write_html(peer, include_plotlyjs=True, full_html=True)
    return report, peer, written


def _open(browser, path: Path, wait_drawn: bool) -> tuple[float, float]:
    page = browser.new_page(viewport={"width": 1400, "height": 900})
    page.goto("about:blank")
    start = time.perf_counter()
    page.goto(path.as_uri(), wait_until="load", timeout=300_000)
    loaded = time.perf_counter() - start
    if wait_drawn:
        page.wait_for_function(DRAWN, timeout=300_000)
    else:
        page.wait_for_selector(".main-svg", timeout=300_000)
    drawn = time.perf_counter() - start
    page.close()
    return loaded, drawn


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--stacks", type=int, default=2000)
    parser.add_argument("--resources", type=int, default=20)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args(argv)
    if not Path(CHROMIUM).exists():
        print(f"{CHROMIUM} is missing: apt-get install -y chromium", file=sys.stderr)
        return 2
    from playwright.sync_api import sync_playwright

    with tempfile.TemporaryDirectory() as tmp:
        report, peer, written = _pages(Path(tmp), args.stacks, args.resources)
        best = {"report": [float("inf")] * 2, "peer": [float("inf")] * 2}
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
            for i in range(args.rounds):
                order = [("report", report, True), ("peer", peer, False)]
                for name, path, drawn in order if i % 2 == 0 else order[::-1]:
                    times = _open(browser, path, drawn)
                    best[name] = [min(a, b) for a, b in zip(best[name], times)]
            browser.close()
        result = {
            "stacks": args.stacks,
            "resources_per_stack": args.resources,
            "report_mb": round(report.stat().st_size / 1e6, 2),
            "report_written_s": round(written, 2),
            "report_load_s": round(best["report"][0], 2),
            "report_drawn_s": round(best["report"][1], 2),
            "peer_load_s": round(best["peer"][0], 2),
            "peer_drawn_s": round(best["peer"][1], 2),
            "load_ratio": round(best["report"][0] / best["peer"][0], 2),
            "drawn_ratio": round(best["report"][1] / best["peer"][1], 2),
        }
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
