"""How long the review report of a large estate takes to open in Chromium, against a bare plotly page.

``python -m benchmarks.report_open [--stacks 2000] [--resources 20] [--rounds 3] [--page NAME=PATH ...]``

Writes the report of a generated estate (``generate.py``, seed 0) and, as the peer, plotly's
own standalone page of one small figure (``plotly.io.write_html``, plotly.js inlined: the
fixed cost any offline plotly page pays). Both are opened from disk in Debian's Chromium
(headless, through Playwright; never a downloaded browser), alternating, and the best round of
each is kept. ``--page`` adds another HTML file to the same rounds (say, the same estate's report
written by an older iacviz), so a before/after comparison shares one machine state.

Measured, from the start of navigation:

* ``load``: the ``load`` event; the page is shown and can be read (the first screen is the
  top-risks list). The target: the 2,000-stack report opens in under 5 s.
* ``settled``: the first idle moment after that (the report runs plotly.js in it, so this is
  when a figure scrolled to is drawn without waiting for plotly).
* ``figures``: after that, each figure scrolled into view in turn until all are drawn (the
  report draws a figure when it comes near the screen; the peer's one figure is drawn at load).
* ``table``: after that, the largest inventory table (resources) opened with one click until its
  rows are in the page (reports only).

On a shared machine absolute times move with the load; the ratio to the peer, measured in the
same rounds, does not as much. Prints the target met or not and one JSON line: sizes, times in
seconds, ratios and the load average.
"""

from __future__ import annotations

import argparse
import json
import os
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
TARGET_S = 5.0
FIGURES = "() => [...document.querySelectorAll('div.figure')].map(d => d.id)"
DRAWN = "id => !!document.getElementById(id).querySelector('.main-svg')"
TABLE = "table[data-name=resources]"


def _pages(folder: Path, n_stacks: int, resources: int) -> tuple[Path, Path, float]:
    import plotly.graph_objects as go

    import iacviz
    from benchmarks.generate import generate_estate

    estate = iacviz.build_estate(generate_estate(n_stacks, resources, seed=0), [])
    start = time.process_time()
    report = iacviz.write_report(estate, folder / "report.html", title=f"{n_stacks} stacks")
    written = time.process_time() - start
    peer = folder / "peer.html"
    go.Figure(go.Bar(x=["a", "b"], y=[1, 2])).write_html(peer, include_plotlyjs=True, full_html=True)
    return report, peer, written


def _open(browser: object, path: Path) -> dict[str, float]:
    page = browser.new_page(viewport={"width": 1400, "height": 900})  # type: ignore[attr-defined]
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto("about:blank")
    start = time.perf_counter()
    page.goto(path.as_uri(), wait_until="load", timeout=300_000)
    out = {"load": time.perf_counter() - start}
    # The first moment the page is idle after load: callbacks queued before (the report readies
    # plotly.js in one) have run; a scroll or click from here is answered at once.
    page.evaluate("() => new Promise(r => (window.requestIdleCallback || setTimeout)(() => r(1)))")
    out["settled"] = time.perf_counter() - start
    t = time.perf_counter()
    for fig in page.evaluate(FIGURES):
        page.locator(f"#{fig}").scroll_into_view_if_needed()
        page.wait_for_function(DRAWN, arg=fig, timeout=300_000)
    if not page.evaluate(FIGURES):  # the peer: plotly's own page has no div.figure
        page.wait_for_selector(".main-svg", timeout=300_000)
    out["figures"] = time.perf_counter() - t
    if page.locator(TABLE).count():
        page.evaluate("window.scrollTo(0, 0)")
        t = time.perf_counter()
        page.locator(f"details:has({TABLE}) > summary").click(timeout=300_000)
        page.wait_for_selector(f"{TABLE} tbody tr", state="attached", timeout=300_000)
        out["table"] = time.perf_counter() - t
    page.close()
    if errors:
        raise RuntimeError(f"{path.name}: page errors {errors[:3]}")
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--stacks", type=int, default=2000)
    parser.add_argument("--resources", type=int, default=20)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--page", action="append", default=[], metavar="NAME=PATH", help="another page to time")
    args = parser.parse_args(argv)
    if not Path(CHROMIUM).exists():
        print(f"{CHROMIUM} is missing: apt-get install -y chromium", file=sys.stderr)
        return 2
    from playwright.sync_api import sync_playwright

    load_start = list(os.getloadavg())
    with tempfile.TemporaryDirectory() as tmp:
        report, peer, written = _pages(Path(tmp), args.stacks, args.resources)
        pages = {"report": report, "peer": peer}
        pages.update({k: Path(v) for k, v in (p.split("=", 1) for p in args.page)})
        best: dict[str, dict[str, float]] = {name: {} for name in pages}
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
            for i in range(args.rounds):
                order = list(pages.items())
                for name, path in order if i % 2 == 0 else order[::-1]:
                    for k, v in _open(browser, path).items():
                        best[name][k] = min(best[name].get(k, float("inf")), v)
            browser.close()
        sizes = {name: round(path.stat().st_size / 1e6, 2) for name, path in pages.items()}
    result: dict[str, object] = {
        "stacks": args.stacks,
        "resources_per_stack": args.resources,
        "rounds": args.rounds,
        "load_average_start": [round(x, 1) for x in load_start],
        "load_average_end": [round(x, 1) for x in os.getloadavg()],
        "report_written_cpu_s": round(written, 1),
        "mb": sizes,
        "best_s": {name: {k: round(v, 2) for k, v in times.items()} for name, times in best.items()},
        "load_ratio_to_peer": {
            name: round(times["load"] / best["peer"]["load"], 2) for name, times in best.items() if name != "peer"
        },
    }
    met = best["report"]["load"] < TARGET_S
    print(
        f"target: the {args.stacks}-stack report opens in under {TARGET_S:g} s: "
        f"{'met' if met else 'NOT met'} ({best['report']['load']:.2f} s, best of {args.rounds}; "
        f"{result['load_ratio_to_peer']['report']}x plotly's own one-figure page)"  # type: ignore[index]
    )
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
