"""Every benchmark in one run, reported as ratios: ``make bench`` (= ``python -m benchmarks.run``).

    python -m benchmarks.run                      # everything (~15 min on 2 cores); rewrites README.md's results
    python -m benchmarks.run --quick              # small sizes, fewer rounds (~2 min); prints only
    python -m benchmarks.run --only reading,live  # some sections
    python -m benchmarks.run --sizes 100,500,2000 # growth sizes

Sections (each measured in a child process of its own; see each module's docstring):

* ``reading``  -- :mod:`benchmarks.reading`: iacviz's reader vs cfn-lint's decoder and cfn-flip, with
  the parsed contents compared template by template (a mismatch fails the run);
* ``analysis`` -- :mod:`benchmarks.analysis`: frames, exports/imports, resource graph, blast radius of
  every export, plan_changes on the 2,000-stack estate; time and peak memory;
* ``live``     -- :mod:`benchmarks.live`: load_live vs a sequential boto3 loop on a local moto server;
* ``growth``   -- reading + analysis at each size, plotted into ``benchmarks/growth.png``.

The results table of ``benchmarks/README.md`` (between the ``results`` markers) and
``growth.png`` are rewritten only by a full run of every section; other runs print the same
markdown and leave the files alone (``--write`` forces, ``--no-write`` prevents).
Exit status: 1 when the readers' contents differ (a benchmark failure), else 0.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

from benchmarks.common import RESOURCES_PER_STACK, estate_folder, log, machine, run_child  # noqa: E402
from benchmarks.report_open import ARGS, CHROMIUM  # noqa: E402

HERE = REPO / "benchmarks"
SECTIONS = ("reading", "speed", "analysis", "live", "growth")
BEGIN, END = "<!-- results:begin -->", "<!-- results:end -->"
GROWTH_BLAST_SAMPLE = 200  # blast-radius queries per size in the growth runs (seeded sample of exports)

TARGETS = {
    "reader_vs_lint": 5.0,
    "reader_vs_flip": 10.0,
    "analysis_s": 15.0,
    "analysis_gib": 2.0,
    "blast_ms": 50.0,
    "load_vs_lint": 5.0,
    "load_vs_lint_aim": 10.0,
    "small_ms": 5.0,
    "reload_s": 1.0,
    "growth_10k_gib": 8.0,
}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m benchmarks.run", description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="small sizes and fewer rounds (~2 minutes)")
    ap.add_argument("--sizes", default=None, help="growth sizes in stacks, e.g. 100,500,2000,10000")
    ap.add_argument("--only", default=",".join(SECTIONS), help=f"comma-separated sections of {','.join(SECTIONS)}")
    ap.add_argument(
        "--write",
        dest="write",
        action="store_true",
        default=None,
        help="rewrite README.md's results and growth.png even for a partial run",
    )
    ap.add_argument("--no-write", dest="write", action="store_false")
    ap.add_argument("--json", default=None, help="also save the raw results to this file")
    args = ap.parse_args(argv)
    only = [s.strip() for s in args.only.split(",") if s.strip()]
    unknown = set(only) - set(SECTIONS)
    if unknown:
        ap.error(f"unknown section(s): {', '.join(sorted(unknown))}")
    sizes = [int(s) for s in (args.sizes or ("100,500" if args.quick else "100,500,2000,10000")).split(",")]
    write = (
        args.write if args.write is not None else (not args.quick and set(only) == set(SECTIONS) and args.sizes is None)
    )
    started = time.perf_counter()
    results: dict[str, Any] = {"machine": machine(), "quick": args.quick, "sections": only, "command": _command(args)}
    flag = ["--quick"] if args.quick else []
    if "reading" in only:
        log("== reading")
        results["reading"] = run_child("benchmarks.reading", *flag)
    if "speed" in only:
        log("== speed: one small template; re-loading an unchanged estate")
        results["speed"] = run_child("benchmarks.speed", *flag)
    if "analysis" in only:
        n = 500 if args.quick else 2000
        log(f"== analysis: generated estate of {n} stacks x {RESOURCES_PER_STACK} resources")
        results["analysis"] = run_child("benchmarks.analysis", str(n), str(RESOURCES_PER_STACK), "all")
    if "live" in only:
        log("== live")
        results["live"] = run_child("benchmarks.live", *flag)
    if "growth" in only:
        results["growth"] = []
        for n in sizes:
            log(f"== growth: {n} stacks (writing the estate on first use)")
            folder = estate_folder(n)
            row = run_child("benchmarks.analysis", "--folder", str(folder), str(GROWTH_BLAST_SAMPLE))
            results["growth"].append({"n_stacks": n, **row})
    results["seconds"] = time.perf_counter() - started
    markdown = render(results)
    print(markdown)
    if args.json:
        Path(args.json).write_text(json.dumps(results, indent=1, default=str))
    if write:
        if results.get("growth"):
            png = HERE / "growth.png"
            try:
                plot_growth(results["growth"], png)
                log(f"wrote {png.relative_to(REPO)}")
            except Exception as exc:  # a missing browser must not lose the results
                log(f"growth.png not rendered: {type(exc).__name__}: {exc}")
        update_readme(markdown)
        (HERE / "results.json").write_text(json.dumps(results, indent=1, default=str) + "\n")
        log("updated benchmarks/README.md and benchmarks/results.json")
    log(f"done in {results['seconds'] / 60:.1f} min")
    failures = reading_failures(results.get("reading"))
    for f in failures:
        log(f"FAILED: {f}")
    return 1 if failures else 0


def _command(args: argparse.Namespace) -> str:
    parts = ["python -m benchmarks.run"]
    if args.quick:
        parts.append("--quick")
    if args.sizes:
        parts.append(f"--sizes {args.sizes}")
    if set(args.only.split(",")) != set(SECTIONS):
        parts.append(f"--only {args.only}")
    return " ".join(parts)


def reading_failures(reading: dict | None) -> list[str]:
    out = []
    for where in ("corpus", "generated"):
        part = (reading or {}).get(where) or {}
        for peer, stats in (part.get("compare") or {}).items():
            if stats["mismatch"] or stats["refused_by_peer_only"]:
                out.append(
                    f"reading/{where}: iacviz and {peer} differ on {stats['mismatch']} templates; "
                    f"{sum(stats['refused_by_peer_only'].values())} only {peer} refuses: "
                    + "; ".join(stats["examples"][:3])
                )
    return out


# -- markdown -------------------------------------------------------------------------------------


def _x(ratio: float, target: float | None = None) -> str:
    mark = "" if target is None else (" ✅" if ratio >= target else " ❌")
    return f"**{ratio:.1f}x**{mark}"


def _ok(ok: bool) -> str:
    return "✅" if ok else "❌"


def render(r: dict[str, Any]) -> str:
    out: list[str] = []
    m = r["machine"]
    libs = ", ".join(f"{k} {v}" for k, v in m["libraries"].items())
    out += [
        f"Run: `{r['command']}` ({'quick' if r['quick'] else 'full'}; {r['seconds'] / 60:.1f} min). "
        f"Machine: {m['cores']} cores ({m['cpu'] or 'cpu unknown'}), {m['memory_gib']} GiB memory, "
        f"{m['os']}, {m['implementation']} {m['python']}; load average at the start "
        f"{m['load_average']} (cores shared with other work: compare ratios, not absolute times).",
        "",
        f"Libraries: {libs}.",
        "",
    ]
    summary: list[tuple[str, str, str, str]] = []
    if "reading" in r:
        out += _render_reading(r["reading"], summary)
    if "speed" in r:
        out += _render_speed(r["speed"], summary)
    if "analysis" in r:
        out += _render_analysis(r["analysis"], summary)
    if "live" in r:
        out += _render_live(r["live"])
    if "growth" in r:
        out += _render_growth(r["growth"], summary)
    if summary:
        head = ["### Targets", "", "| target | goal | measured | met |", "|---|---|---|---|"]
        head += [f"| {a} | {b} | {c} | {d} |" for a, b, c, d in summary]
        out = out[:4] + head + [""] + out[4:]
    return "\n".join(out).rstrip() + "\n"


def _render_reading(rd: dict[str, Any], summary: list) -> list[str]:
    out = [
        "### Reading",
        "",
        f"CPU ms per template, best of {rd['rounds']} interleaved rounds. *Ratio* = peer time / iacviz time. "
        "“collector paused for all”: the same with Python's cyclic garbage collector off for every reader, "
        "i.e. the parsers alone (iacviz's reader pauses it while it parses; the peers do not).",
        "",
        "| templates | n | mean KiB | iacviz | cfn-lint | cfn-flip | vs cfn-lint | vs cfn-flip "
        "| vs cfn-lint, collector paused for all | vs cfn-flip, collector paused for all |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    rows = []
    corpus, gen = rd.get("corpus"), rd["generated"]
    if corpus:
        for fmt in ("yaml", "json"):
            b = corpus["by_format"][fmt]
            rows.append((f"corpus, {fmt.upper()} only", b["templates"], b["mean_kib"], b["ms"], b["ms_no_gc"], False))
        mean = sum(corpus["by_format"][f]["mean_kib"] * corpus["by_format"][f]["templates"] for f in ("yaml", "json"))
        rows.append(
            (
                "**corpus, all** (`../shared/corpus`)",
                corpus["templates"],
                mean / corpus["templates"],
                corpus["ms"],
                corpus["ms_no_gc"],
                True,
            )
        )
    rows.append(
        (
            f"**generated estate** (YAML, short-form tags; seeded sample of {gen['timed_templates']} "
            f"of {gen['templates']})",
            gen["timed_templates"],
            gen["mean_kib"],
            gen["ms"],
            gen["ms_no_gc"],
            True,
        )
    )
    for label, n, kib, ms, ms0, target in rows:
        lint, flip = ms["cfn-lint"] / ms["iacviz"], ms["cfn-flip"] / ms["iacviz"]
        out.append(
            f"| {label} | {n} | {kib:.1f} | {ms['iacviz']:.3f} | {ms['cfn-lint']:.3f} | {ms['cfn-flip']:.3f} "
            f"| {_x(lint, TARGETS['reader_vs_lint'] if target else None)} "
            f"| {_x(flip, TARGETS['reader_vs_flip'] if target else None)} "
            f"| {ms0['cfn-lint'] / ms0['iacviz']:.1f}x | {ms0['cfn-flip'] / ms0['iacviz']:.1f}x |"
        )
        if target:
            summary.append(
                (
                    f"reader ≥ 5x cfn-lint, {label.split('(')[0].strip(' *')}",
                    "≥ 5x",
                    f"{lint:.1f}x ({ms0['cfn-lint'] / ms0['iacviz']:.1f}x collector paused for all)",
                    _ok(lint >= TARGETS["reader_vs_lint"]),
                )
            )
            summary.append(
                (
                    f"reader ≥ 10x cfn-flip, {label.split('(')[0].strip(' *')}",
                    "≥ 10x",
                    f"{flip:.1f}x",
                    _ok(flip >= TARGETS["reader_vs_flip"]),
                )
            )
    out += [
        "",
        "Whole loads, CPU s (best of rounds): `iacviz.load` reads *and* builds every frame, load cache off "
        "(`cache=False`, then `.frames()`); `read_paths` is its reading part (find, read, parse, nested stacks); "
        "*cache warm*: the same load again in the same process with the load cache on (shown apart, not a target).",
        "",
        "| input | files | iacviz.load | iacviz read_paths | iacviz.load, cache warm | cfn-lint decode | cfn-flip load "
        "| read_paths vs cfn-lint | load vs cfn-lint | load vs cfn-flip | warm load vs cfn-lint |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    loads = []
    if corpus:
        loads.append(("corpus, non-SAM templates", corpus["load_templates"], corpus["load_s"]))
    loads.append((f"generated estate folder, {gen['load_templates']} stacks", gen["load_templates"], gen["load_s"]))
    for label, n, s in loads:
        lint = s["cfn-lint decode"] / s["iacviz.load"]
        aim = TARGETS["load_vs_lint_aim"]
        summary.append(
            (
                f"`iacviz.load` (read + every frame, cache off) vs cfn-lint decode, {label}",
                f"≥ 5x (aim {aim:.0f}x)",
                f"{lint:.1f}x",
                _ok(lint >= TARGETS["load_vs_lint"]),
            )
        )
        warm = s.get("iacviz.load, cache warm")
        warm_ratio = f"{s['cfn-lint decode'] / warm:.0f}x" if warm else "–"
        warm_s = f"{warm:.3f}" if warm is not None else "–"
        out.append(
            f"| {label} | {n} | {s['iacviz.load']:.2f} | {s['iacviz read_paths']:.2f} "
            f"| {warm_s} "
            f"| {s['cfn-lint decode']:.2f} | {s['cfn-flip load']:.2f} "
            f"| {s['cfn-lint decode'] / s['iacviz read_paths']:.1f}x "
            f"| {lint:.1f}x | {s['cfn-flip load'] / s['iacviz.load']:.1f}x "
            f"| {warm_ratio} |"
        )
    out += [
        "",
        "Same content, template by template (peers normalised to plain values; see `benchmarks/reading.py`):",
        "",
        "| templates | peer | compared | identical | **mismatches** | peer's own defect | refused by iacviz only "
        "| refused by the peer only | refused by both |",
        "|---|---|---:|---:|---:|---:|---|---|---:|",
    ]
    for label, part in (("corpus", corpus), ("generated estate", gen)):
        if not part:
            continue
        for peer, st in part["compare"].items():
            refused = ", ".join(f"{v} ({k})" for k, v in st["refused_by_iacviz_only"].items()) or "0"
            peer_only = ", ".join(f"{v} ({k})" for k, v in st["refused_by_peer_only"].items()) or "0"
            out.append(
                f"| {label} | {peer} | {st['templates']} | {st['equal']} | **{st['mismatch']}** "
                f"| {st.get('peer_defect', 0)} | {refused} | {peer_only} | {st['both_refused']} |"
            )
    examples = [e for part in (corpus, gen) if part for st in part["compare"].values() for e in st["examples"]]
    if examples:
        out += [""] + [f"- {e}" for e in examples[:6]]
    parsers = (corpus or {}).get("parsers"), gen.get("parsers")
    out += [
        "",
        "YAML parsers alone, CPU µs per template (collector paused for all; best of rounds):",
        "",
        "| parser | corpus YAML | generated estate | what it gives |",
        "|---|---:|---:|---|",
    ]
    by_name = {}
    for i, rows_ in enumerate(parsers):
        for row in rows_ or []:
            by_name.setdefault(row["parser"], [None, None, row["note"]])[i] = row["us_per_template"]
    for name, (a, b, note) in by_name.items():
        fa = f"{a:.0f}" if a is not None else "–"
        fb = f"{b:.0f}" if b is not None else "–"
        out.append(f"| {name} | {fa} | {fb} | {note} |")
    return out + [""]


def _steps_total(steps: dict, names: list[str], key: str = "wall") -> float:
    return sum(steps[n][key] for n in names if n in steps)


def _render_analysis(a: dict[str, Any], summary: list) -> list[str]:
    steps = a["steps"]
    names = [
        "build",
        "exports+imports",
        "export_problems",
        "resource_graph",
        "blast_radius",
        "build v2",
        "plan_changes",
    ]
    wall, cpu = _steps_total(steps, names), _steps_total(steps, names, "cpu")
    b = a["blast"]
    peak_gib = a["peak_mib"] / 1024
    out = [
        "### Analysis",
        "",
        f"Generated estate of {a['n_stacks']:,} stacks × {a['resources_per_stack']} resources "
        f"({a['resources']:,} resources, {a['references']:,} references, {a['exports']:,} exports, "
        f"{a['imports']:,} imports; graph {a['graph_nodes']:,} nodes / {a['graph_edges']:,} edges), built from "
        "memory (reading is measured above and in *Growth*), one child process.",
        "",
        "| step | wall s | CPU s |",
        "|---|---:|---:|",
    ]
    labels = {
        "build": "`build_estate` (frames are built on first access: their cost lands in the step that "
        "first reads them)",
        "exports+imports": "cross-stack resolution (`estate.exports`, `estate.imports`)",
        "export_problems": "`estate.export_problems`",
        "resource_graph": "`resource_graph` + `stack_graph`",
        "blast_radius": f"blast radius of every export ({b['queries']:,} queries, {b['rows']:,} rows)",
        "build v2": "build the second version (~2% edited)",
        "plan_changes": f"`plan_changes(v1, v2)` ({a.get('plan_rows', 0):,} rows: {a.get('plan_actions')})",
    }
    for n in names:
        if n in steps:
            out.append(f"| {labels[n]} | {steps[n]['wall']:.2f} | {steps[n]['cpu']:.2f} |")
    out += [
        f"| **whole-estate analysis** | **{wall:.1f}** | **{cpu:.1f}** |",
        "",
        f"Blast radius, one query: median **{b['median_ms']:.1f} ms**, p95 **{b['p95_ms']:.1f} ms**, "
        f"max {b['max_ms']:.1f} ms. Peak memory (resident): **{peak_gib:.2f} GiB** "
        f"(after imports {a['baseline_mib'] / 1024:.2f} GiB; with both versions generated in memory "
        f"{a['generated_mib'] / 1024:.2f} GiB).",
        "",
    ]
    if a["n_stacks"] >= 2000:
        summary.append(
            (
                "whole-estate analysis, 2,000 stacks (CPU s: other work on the shared cores stretches wall time)",
                f"< {TARGETS['analysis_s']:.0f} s (was 23 s)",
                f"{cpu:.1f} s CPU, {wall:.1f} s wall",
                _ok(cpu < TARGETS["analysis_s"]),
            )
        )
        summary.append(
            (
                "peak memory of that analysis",
                f"< {TARGETS['analysis_gib']:.0f} GiB",
                f"{peak_gib:.2f} GiB",
                _ok(peak_gib < TARGETS["analysis_gib"]),
            )
        )
        summary.append(
            (
                "one blast-radius query",
                "< 50 ms",
                f"median {b['median_ms']:.1f} ms, p95 {b['p95_ms']:.1f} ms, max {b['max_ms']:.1f} ms",
                _ok(b["p95_ms"] < TARGETS["blast_ms"]),
            )
        )
    return out


def _render_live(lv: dict[str, Any]) -> list[str]:
    out = [
        "### Live scan",
        "",
        f"{lv['stacks']} stacks in a local moto server (deployed in {lv['deploy_s']:.0f} s); best of "
        f"{lv['rounds']} alternating rounds for the two full scans. Latency: a fixed delay added to every request "
        "of both clients to model the round trip to AWS (0: moto's own speed, on the same 2 cores).",
        "",
        "| latency | scenario | stacks | API calls | GetTemplate | ListStackResources | wall s | vs boto3 loop |",
        "|---:|---|---:|---:|---:|---:|---:|---:|",
    ]
    base: dict[float, float] = {}
    for s in lv["scenarios"]:
        if s["scenario"].startswith("boto3"):
            base[s["latency_ms"]] = s["wall_s"]
        ratio = base.get(s["latency_ms"], 0) / s["wall_s"] if s["wall_s"] else 0
        out.append(
            f"| {s['latency_ms']:g} ms | {s['scenario']} | {s['stacks']} | {s['calls']} "
            f"| {s['by_call'].get('GetTemplate', 0)} | {s['by_call'].get('ListStackResources', 0)} "
            f"| {s['wall_s']:.2f} | {_x(ratio)} |"
        )
    return out + [""]


def _render_speed(sp: dict[str, Any], summary: list) -> list[str]:
    sm, rl = sp["small"], sp["reload"]
    med, p90, mx = sm["median_ms"], sm["p90_ms"], sm["max_ms"]
    out = [
        "### One small template; re-loading an unchanged estate",
        "",
        f"{sm['templates']} plain templates of 2.5-3.5 KB (mean {sm['mean_kib']:.1f} KiB), each loaded on its own "
        f"by `iacviz.load(file)`, CPU ms, best of {sm['rounds']} per template (interleaved with the peer), "
        "then median / p90 / max over the templates. Frames are built on first access: *load* returns the "
        "estate, *load + every frame* also builds all ten.",
        "",
        "| per template | median ms | p90 ms | max ms |",
        "|---|---:|---:|---:|",
    ]
    for k in med:
        out.append(f"| {k} | {med[k]:.2f} | {p90[k]:.2f} | {mx[k]:.2f} |")
    ok = med["load + every frame"] <= TARGETS["small_ms"]
    summary.append(
        (
            "one ~3 KB template, `iacviz.load` (median over the templates)",
            f"≤ {TARGETS['small_ms']:.0f} ms",
            f"{med['load']:.2f} ms; {med['load + every frame']:.2f} ms with every frame built "
            f"(p90 {p90['load + every frame']:.2f}); cfn-lint decode {med['cfn-lint decode']:.2f} ms",
            _ok(ok),
        )
    )
    np_ = rl["new_process"]
    out += [
        "",
        f"Re-loading the unchanged {rl['n_stacks']:,}-stack generated estate (`iacviz.load(folder)`), wall s "
        "(CPU s of the process in brackets: other work on the shared cores stretches wall time). Cold: the load "
        "cache off. First with a cache folder: a miss, every frame built and written. Same process: best of 3. "
        "New process: the same folder and cache folder in a fresh interpreter (import time apart), best of 2; "
        "its frames are read back on first access and its raw templates on first use.",
        "",
        "| load | s | + every frame s | + raw templates s |",
        "|---|---:|---:|---:|",
        f"| cold, cache off (the peer) | {rl['cold_load_s']:.2f} ({rl.get('cold_load_cpu_s', 0):.2f}) "
        f"| {rl['cold_frames_s']:.2f} ({rl.get('cold_frames_cpu_s', 0):.2f}) | – |",
        f"| first load with a cache folder (miss, frames written) | – | {rl['first_with_cache_s']:.2f} | – |",
        f"| again, same process | {rl['same_process_s']:.3f} ({rl.get('same_process_cpu_s', 0):.3f}) "
        f"| {rl['same_process_frames_s']:.3f} | – |",
        f"| again, new process with the cache folder (import {np_['import_s']:.2f} s) | {np_['load_s']:.3f} "
        f"({np_.get('load_cpu_s', 0):.3f}) | {np_['frames_s']:.2f} ({np_.get('frames_cpu_s', 0):.2f}) "
        f"| {np_['raw_s']:.2f} ({np_.get('raw_cpu_s', 0):.2f}) |",
        "",
    ]
    cold = rl.get("cold_load_cpu_s", 0) + rl.get("cold_frames_cpu_s", 0)
    same = rl.get("same_process_cpu_s", rl["same_process_s"])
    summary.append(
        (
            f"re-load an unchanged {rl['n_stacks']:,}-stack estate, same process (CPU s)",
            f"< {TARGETS['reload_s']:.0f} s",
            f"{same:.3f} s (wall {rl['same_process_s']:.3f} s; cold load with every frame {cold:.1f} s CPU)",
            _ok(same < TARGETS["reload_s"]),
        )
    )
    new = np_.get("load_cpu_s", np_["load_s"])
    summary.append(
        (
            f"re-load an unchanged {rl['n_stacks']:,}-stack estate, new process, cache folder (CPU s)",
            f"< {TARGETS['reload_s']:.0f} s",
            f"{new:.3f} s to the estate (wall {np_['load_s']:.3f} s); "
            f"+ {np_.get('frames_cpu_s', np_['frames_s']):.2f} s for every frame and "
            f"+ {np_.get('raw_cpu_s', np_['raw_s']):.2f} s for the raw templates, on first use",
            _ok(new < TARGETS["reload_s"]) + " to the estate; ❌ with every frame"
            if new + np_.get("frames_cpu_s", np_["frames_s"]) >= TARGETS["reload_s"]
            else _ok(new < 1),
        )
    )
    rb = sp.get("rebuild")
    if not rb:
        return out
    out += [
        f"Re-loading the {rb['n_stacks']:,}-stack estate after one change, with every frame built, CPU s, best of "
        f"{rb['rounds']} (alternating, same process): the stacks built before re-used (what `iacviz.load` does) "
        "against every stack built again (the peer). Unchanged templates are not parsed again in either.",
        "",
        "| change | stacks built | pieces re-used s | every stack built s | ratio |",
        "|---|---:|---:|---:|---:|",
    ]
    for change in ("template", "parameter"):
        r = rb[change]
        cpu = r["cpu_s"]
        label = "one template edited" if change == "template" else "one stack's parameter value"
        out.append(
            f"| {label} | {r['stacks_built']} | {cpu['pieces']:.2f} | {cpu['every stack']:.2f} "
            f"| {cpu['every stack'] / cpu['pieces']:.1f}x |"
        )
    out.append("")
    nr = sp.get("new_process_rebuild")
    if nr:
        f, m = nr["folder"], nr["memory"]
        out += [
            f"The same after one template edited, loaded by a **new process** with a cache folder, every frame "
            f"built, CPU s of the child, best of {nr['rounds']} (alternating): pieces read back from the folder "
            f"against pieces in memory only (every stack built). The first load wrote {nr['pieces_mb']:.0f} MB of "
            f"pieces in {nr['first']['writing_pieces_cpu_s']:.2f} s CPU of its {nr['first']['cpu_s']:.1f} s.",
            "",
            "| new process | stacks built | CPU s | ratio |",
            "|---|---:|---:|---:|",
            f"| pieces from the cache folder | {f['stacks_built']} | {f['cpu_s']:.2f} | {m['cpu_s'] / f['cpu_s']:.1f}x |",
            f"| pieces in memory only (the peer) | {m['stacks_built']} | {m['cpu_s']:.2f} | 1.0x |",
            "",
        ]
    t = rb["template"]
    summary.append(
        (
            "frames rebuilt only for the stacks whose templates changed",
            "a changed file rebuilds its stack's rows",
            f"{t['stacks_built']} of {rb['n_stacks']:,} stacks built again after one template edited; re-load with "
            f"every frame {t['cpu_s']['pieces']:.2f} s CPU (every stack built: {t['cpu_s']['every stack']:.2f} s)",
            _ok(t["stacks_built"] == 1),
        )
    )
    return out


def _render_growth(rows: list[dict[str, Any]], summary: list | None = None) -> list[str]:
    out = [
        "### Growth",
        "",
        f"`iacviz.load` of the written estate ({RESOURCES_PER_STACK} resources per stack, YAML) and the "
        f"analysis: exports/imports, export problems, resource graph, {GROWTH_BLAST_SAMPLE} blast-radius queries "
        "(seeded sample of exports). One child process per size.",
        "",
        "![growth](growth.png)",
        "",
        "| stacks | resources | load (read + frames) s | analysis s | total s | CPU s | blast p95 ms "
        "| peak memory GiB | per 1,000 stacks s |",
        "|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for r in rows:
        st = r["steps"]
        load = st["load (read+build)"]["wall"]
        total = _steps_total(st, list(st))
        cpu = _steps_total(st, list(st), "cpu")
        out.append(
            f"| {r['n_stacks']:,} | {r['resources']:,} | {load:.1f} | {total - load:.1f} | {total:.1f} "
            f"| {cpu:.1f} | {r['blast']['p95_ms']:.1f} | {r['peak_mib'] / 1024:.2f} "
            f"| {total / r['n_stacks'] * 1000:.1f} |"
        )
    big = [r for r in rows if r["n_stacks"] >= 10000]
    if big and summary is not None:
        r, first = big[-1], rows[0]
        per = lambda x: _steps_total(x["steps"], list(x["steps"])) / x["n_stacks"] * 1000  # noqa: E731
        summary.append(
            (
                f"growth to {r['n_stacks']:,} stacks: linear, peak memory",
                f"< {TARGETS['growth_10k_gib']:.0f} GiB",
                f"{r['peak_mib'] / 1024:.2f} GiB; {per(r):.1f} s per 1,000 stacks "
                f"(at {first['n_stacks']:,}: {per(first):.1f})",
                _ok(r["peak_mib"] / 1024 < TARGETS["growth_10k_gib"]),
            )
        )
    return out + [""]


# -- files ----------------------------------------------------------------------------------------


def update_readme(markdown: str) -> None:
    readme = HERE / "README.md"
    text = readme.read_text() if readme.is_file() else f"# Benchmarks\n\n{BEGIN}\n{END}\n"
    if BEGIN not in text or END not in text:
        text += f"\n{BEGIN}\n{END}\n"
    head, rest = text.split(BEGIN, 1)
    _, tail = rest.split(END, 1)
    readme.write_text(f"{head}{BEGIN}\n{markdown}{END}{tail}")


def plot_growth(rows: list[dict[str, Any]], png: Path) -> None:
    """Time and peak memory against estate size, as a static PNG through headless Chromium
    (Debian's ``/usr/bin/chromium``; plotly.js inlined, so the page fetches nothing)."""
    import plotly.graph_objects as go
    from plotly.subplots import make_subplots
    from playwright.sync_api import sync_playwright

    n = [r["n_stacks"] for r in rows]
    load = [r["steps"]["load (read+build)"]["wall"] for r in rows]
    total = [_steps_total(r["steps"], list(r["steps"])) for r in rows]
    peak = [r["peak_mib"] / 1024 for r in rows]
    fig = make_subplots(
        rows=1,
        cols=2,
        horizontal_spacing=0.1,
        subplot_titles=("Time, wall seconds", "Peak memory, GiB resident (one process per size)"),
    )
    fig.add_trace(go.Scatter(x=n, y=total, mode="lines+markers", name="load + analysis"), 1, 1)
    fig.add_trace(go.Scatter(x=n, y=load, mode="lines+markers", name="load (read + frames)"), 1, 1)
    fig.add_trace(
        go.Scatter(
            x=n,
            y=[total[-1] * x / n[-1] for x in n],
            mode="lines",
            name="proportional to size",
            line={"dash": "dot", "color": "grey"},
        ),
        1,
        1,
    )
    fig.add_trace(go.Scatter(x=n, y=peak, mode="lines+markers", name="peak memory"), 1, 2)
    fig.add_trace(
        go.Scatter(
            x=n,
            y=[peak[-1] * x / n[-1] for x in n],
            mode="lines",
            showlegend=False,
            line={"dash": "dot", "color": "grey"},
        ),
        1,
        2,
    )
    fig.add_trace(
        go.Scatter(
            x=[n[0], n[-1]],
            y=[2, 2],
            mode="lines",
            name="2 GiB (target at 2,000 stacks)",
            line={"dash": "dash", "color": "firebrick"},
        ),
        1,
        2,
    )
    for col in (1, 2):
        fig.update_xaxes(type="log", title_text=f"stacks ({RESOURCES_PER_STACK} resources each)", row=1, col=col)
        fig.update_yaxes(type="log", row=1, col=col)
    fig.update_layout(
        width=1100,
        height=480,
        template="plotly_white",
        margin={"t": 70, "b": 90, "l": 60, "r": 20},
        title="iacviz: reading + analysis of generated estates",
        legend={"orientation": "h", "x": 0.0, "y": -0.22},
    )
    with tempfile.TemporaryDirectory() as tmp:
        page_file = Path(tmp) / "growth.html"
        fig.write_html(page_file, include_plotlyjs=True, full_html=True, config={"staticPlot": True})
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
            try:
                page = browser.new_page(viewport={"width": 1100, "height": 480})
                page.goto(page_file.as_uri())
                page.wait_for_selector(".main-svg")
                page.screenshot(path=str(png), full_page=False)
            finally:
                browser.close()


if __name__ == "__main__":
    sys.exit(main())
