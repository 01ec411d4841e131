"""The architecture report: one self-contained HTML file of an estate, its figures and its findings.

The file needs nothing but a browser: plotly.js is inlined once, the figures and the data
tables are JSON data islands, the CSS is inline and uses system fonts. It opens from disk,
offline, and can be mailed or attached to a CI run. What is not on the first screen waits
until it is wanted: plotly.js is loaded once the page is shown, a figure is drawn when it
nears the screen, a table's rows are laid out when its block is opened (the first 1,000, all on request; the CSV
and JSON downloads always hold every row). A 2,000-stack report thus opens about as fast as
plotly's own one-figure page (``benchmarks/report_open.py``).

Everything that comes from templates (descriptions, names, tag values, messages) is escaped
with :func:`html.escape` where the page's HTML holds it; the figures' and tables' JSON has
``<``, ``>`` and ``&`` written as ``\\u003c`` escapes, so no value can close the script element
it sits in, and the table script escapes each cell as it builds the rows. A ``<script>`` in a
template Description shows as text.

>>> import iacviz
>>> e = iacviz.load_template({"Description": "<b>shop</b>", "Resources": {}}, stack="web")
>>> page = render_report(e, title="<b>shop</b>", figures=False)
>>> "<title>&lt;b&gt;shop&lt;/b&gt;</title>" in page, "<b>shop</b>" in page
(True, False)
"""

from __future__ import annotations

import html
import json
import os
import re
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable

import pandas as pd

from ..rules import review
from .grouping import PLACE_COLUMN, with_places
from .._version import __version__

if TYPE_CHECKING:
    from ..model.estate import Estate

__all__ = ["render_report", "write_report"]

SEVERITIES = ("error", "warning", "info")
_MODALITIES = ("persistent", "mixed", "ephemeral", "unknown")


def _text(value: Any) -> str:
    """A cell as escaped text: NA is empty, lists are comma-joined, dicts are JSON."""
    if value is None or (not isinstance(value, (list, tuple, dict, set)) and bool(pd.isna(value))):
        return ""
    if isinstance(value, (list, tuple, set)):
        return html.escape(", ".join(str(v) for v in value))
    if isinstance(value, dict):
        return html.escape(json.dumps(value, default=str, sort_keys=True))
    if isinstance(value, bool):
        return "yes" if value else "no"
    return html.escape(str(value))


def _plain(value: Any) -> str:
    """A cell as plain text (what :func:`_text` shows, unescaped): the data tables' JSON values."""
    if type(value) is str:  # most cells: skip the NA checks
        return value
    if value is None or (not isinstance(value, (list, tuple, dict, set)) and bool(pd.isna(value))):
        return ""
    if isinstance(value, (list, tuple, set)):
        return ", ".join(str(v) for v in value)
    if isinstance(value, dict):
        return json.dumps(value, default=str, sort_keys=True)
    if isinstance(value, bool):
        return "yes" if value else "no"
    return str(value)


def _column_data(values: list[Any], lines: bool) -> Any:
    """One column of a data table as JSON: the texts, or distinct texts and an index per row
    where values repeat (stack names, types, yes/no): the 2,000-stack inventory is a third the size."""
    if lines:
        return [[str(x) for x in v] if isinstance(v, (list, tuple)) else [_plain(v)] for v in values]
    texts = [_plain(v) for v in values]
    distinct = dict.fromkeys(texts)
    if len(distinct) * 2 > len(texts):
        return texts
    code = {t: i for i, t in enumerate(distinct)}
    return {"d": list(distinct), "i": [code[t] for t in texts]}


def _table(
    df: pd.DataFrame,
    columns: dict[str, str],
    *,
    cls: str = "",
    cell: Callable[[str, Any], str] | None = None,
    empty: str = "None.",
    name: str | None = None,
    lines: tuple[str, ...] = (),
) -> str:
    """An HTML table of some columns (name -> heading); `cell` may render a column specially.

    A table with a `name` is a data table: its rows travel as compact JSON beside an empty
    table, and the page's script builds them when the table is first shown (its block
    opened), then makes it sortable (click a heading) and filterable and offers its rows as
    CSV and JSON downloads named after it. Columns in `lines` hold lists shown one per line.
    A page of 2,000 stacks thus opens without laying out 40,000 hidden rows.
    """
    if df.empty:
        return f'<p class="empty">{html.escape(empty)}</p>'
    if PLACE_COLUMN in df and "stack" in columns and PLACE_COLUMN not in columns:  # several account-regions
        placed: dict[str, str] = {}
        for c, h in columns.items():
            placed[c] = h
            if c == "stack":
                placed[PLACE_COLUMN] = "account:region"
        columns = placed
    head = "".join(f"<th>{html.escape(h)}</th>" for h in columns.values())
    if name:
        data = {
            "n": len(df),
            "columns": list(columns),
            "lines": [i for i, c in enumerate(columns) if c in lines],
            "data": [_column_data(df[c].tolist(), c in lines) for c in columns],
        }
        classes = " ".join(x for x in (cls, "data") if x)
        return (
            f'<div class="scroll"><table class="{classes}" data-name="{html.escape(name)}" data-rows="{len(df)}">'
            f"<thead><tr>{head}</tr></thead><tbody></tbody></table>"
            f'<script type="application/json" class="rows">{_json_for_script(data)}</script></div>'
        )
    rows = []
    for record in df[list(columns)].to_dict("records"):
        cells = "".join(
            f'<td class="c-{html.escape(c)}">{cell(c, v) if cell else _text(v)}</td>' for c, v in record.items()
        )
        rows.append(f"<tr>{cells}</tr>")
    return (
        f'<div class="scroll"><table class="{cls}"><thead><tr>{head}</tr></thead>'
        f"<tbody>{''.join(rows)}</tbody></table></div>"
    )


def _fold(summary: str, body: str, *, open_: bool = False, cls: str = "") -> str:
    """A collapsed block: `summary` (HTML) always visible, `body` one click away."""
    return f'<details class="{cls}"{" open" if open_ else ""}><summary>{summary}</summary>{body}</details>'


def _code(value: Any) -> str:
    """Escaped text with `backticks` shown as code (rule texts are written that way)."""
    return re.sub(r"`([^`<]+)`", r"<code>\1</code>", _text(value))


def _badge(severity: Any) -> str:
    sev = _text(severity)
    return f'<span class="badge {sev}">{sev}</span>'


def _json_for_script(obj: Any) -> str:
    """JSON that is safe inside a <script> element: no '<', '>' or '&' left to end it early."""
    from plotly.utils import PlotlyJSONEncoder

    text = json.dumps(obj, cls=PlotlyJSONEncoder, separators=(",", ":"))
    return (
        text.replace("<", "\\u003c")
        .replace(">", "\\u003e")
        .replace("&", "\\u0026")
        .replace("\u2028", "\\u2028")
        .replace("\u2029", "\\u2029")
    )


# -- figures ------------------------------------------------------------------------------------


def _figure_specs(estate: Any) -> list[tuple[str, str, str, Callable[[], Any]]]:
    """(id, heading, caption, draw) of every figure the report shows, from iacviz.views.figures."""
    from . import figures as fig  # plotly and layout code: only loaded when figures are drawn

    live: list[tuple[str, str, str, Callable[[], Any]]] = []
    if getattr(estate, "unmanaged", None) is not None:  # a live estate whose account was listed
        from ..analysis.coverage import iac_coverage

        live.append(
            (
                "coverage",
                "IaC coverage",
                "Resources of the account per service: owned by a stack, made by an AWS service for one (an Auto "
                "Scaling group's instances, a function's log group: covered), click-ops (made by hand, outside every "
                "stack) and AWS-owned defaults (neither).",
                lambda: fig.coverage_bars(iac_coverage(estate)),
            )
        )
    return live + [
        (
            "export-map",
            "Export map",
            "Stacks in rows by modality (persistent at the bottom); an arrow goes from the exporting stack to "
            "the importing one. Hover for exports and importing resources.",
            lambda: fig.export_map(estate.stacks, estate.imports, estate.exports),
        ),
        (
            "modality",
            "Stacks by modality",
            "Resources per stack by lifecycle: persistent resources keep data or identity, ephemeral ones are "
            "redeployed with every release; a mixed stack is marked.",
            lambda: fig.modality_bars(estate.resources, estate.stacks),
        ),
        (
            "update-behavior",
            "Update behaviour",
            "Resource types by the properties the estate sets: red cells are create-only, a change replaces the "
            "resource; orange ones may replace it.",
            lambda: fig.update_behavior_heatmap(estate.properties, estate.resources, max_rows=25),
        ),
    ]


def _figure_html(fig_id: str, heading: str, caption: str, figure: Any) -> str:
    spec = figure.to_plotly_json() if hasattr(figure, "to_plotly_json") else figure
    layout = dict(spec.get("layout", {}))
    layout.pop("template", None)  # the page holds the template once (fig-template), every figure uses it
    data = _json_for_script({"data": spec.get("data", []), "layout": layout})
    return (
        f'<section id="{fig_id}"><h2>{html.escape(heading)}</h2><p class="caption">{html.escape(caption)}</p>'
        f'<div class="figure" id="fig-{fig_id}" data-figure="{fig_id}"></div>'
        f'<script type="application/json" id="fig-{fig_id}-data">{data}</script></section>'
    )


# A figure is drawn when it comes near the screen (or the page is printed), not at load: the
# first screen (top risks, summary) never waits for plotly, and a figure scrolled past is drawn
# once. Its JSON is parsed only then. plotly.js sits in the page once, as inert text, and is
# loaded after the page as a blob: script, which Chromium compiles off the main thread.
_DRAW = """
(function () {
  var template = null, loading = null;
  var figures = Array.prototype.slice.call(document.querySelectorAll("div.figure[data-figure]"));
  function source() { return document.getElementById("plotly-js").textContent; }
  function plotly() {
    if (loading === null) {
      loading = new Promise(function (resolve, reject) {
        if (window.Plotly) { resolve(); return; }
        var s = document.createElement("script");
        s.src = URL.createObjectURL(new Blob([source()], {type: "text/javascript"}));
        s.onload = function () { URL.revokeObjectURL(s.src); resolve(); };
        s.onerror = reject;
        document.head.appendChild(s);
      });
    }
    return loading;
  }
  function newPlot(div) {
    if (template === null) { template = JSON.parse(document.getElementById("fig-template").textContent); }
    var spec = JSON.parse(document.getElementById(div.id + "-data").textContent);
    spec.layout.template = template;
    Plotly.newPlot(div, spec.data, spec.layout, {responsive: true, displaylogo: false});
  }
  function draw(div) {
    if (div.getAttribute("data-drawn")) { return; }
    div.setAttribute("data-drawn", "1");
    plotly().then(function () { newPlot(div); });
  }
  window.addEventListener("beforeprint", function () {
    // printing does not wait for a promise: run plotly.js here and now if it is not loaded yet
    if (!window.Plotly) { var s = document.createElement("script"); s.text = source(); document.head.appendChild(s); }
    figures.forEach(function (div) { if (!div.querySelector(".main-svg")) { div.setAttribute("data-drawn", "1"); newPlot(div); } });
  });
  if (!figures.length) { return; }
  if (!("IntersectionObserver" in window)) { figures.forEach(draw); return; }
  var seen = new IntersectionObserver(function (entries) {
    entries.forEach(function (e) { if (e.isIntersecting) { seen.unobserve(e.target); draw(e.target); } });
  }, {rootMargin: "300px 0px"});
  figures.forEach(function (div) { seen.observe(div); });
  // Loaded once the page is shown, so a scroll to a figure finds plotly ready.
  if (document.readyState === "complete") { plotly(); } else { window.addEventListener("load", plotly); }
})();
"""

# Data tables: rows built from their JSON when first shown, then sortable, filterable and
# downloadable as CSV and JSON. Small, dependency-free, offline.
_TABLES = r"""
(function () {
  var ESC = {"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;"};
  function esc(s) { return s.replace(/[&<>"]/g, function (c) { return ESC[c]; }); }
  var collator = new Intl.Collator(undefined, {numeric: true});
  // Rows laid out at once: Chromium lays out ~1,000 table rows in a blink, 40,000 in many seconds.
  var PAGE = 1000;
  function compare(x, y) {
    var a = Number(x), b = Number(y);
    if (x !== "" && y !== "" && !isNaN(a) && !isNaN(b)) { return a - b; }
    return collator.compare(x, y);
  }
  function csvCell(s) { return /[",\n]/.test(s) ? '"' + s.replace(/"/g, '""') + '"' : s; }
  function save(name, body, type) {
    var a = document.createElement("a");
    a.href = URL.createObjectURL(new Blob([body], {type: type}));
    a.download = name;
    document.body.appendChild(a); a.click();
    setTimeout(function () { URL.revokeObjectURL(a.href); a.remove(); }, 0);
  }
  function decode(spec) {
    var cols = spec.data.map(function (c) {
      return Array.isArray(c) ? c : c.i.map(function (k) { return c.d[k]; });
    });
    var rows = new Array(spec.n);
    for (var r = 0; r < spec.n; r++) {
      var row = new Array(cols.length);
      for (var c = 0; c < cols.length; c++) { row[c] = cols[c][r]; }
      rows[r] = row;
    }
    return rows;
  }
  function build(t) {
    if (t.getAttribute("data-built")) { return; }
    t.setAttribute("data-built", "1");
    var spec = JSON.parse(t.parentNode.querySelector("script.rows").textContent);
    var rows = decode(spec), n = rows.length, keys = spec.columns, order = rows, lower = null;
    var heads = Array.prototype.map.call(t.tHead.rows[0].cells, function (th) { return th.textContent.trim(); });
    var name = t.getAttribute("data-name") || "table", body = t.tBodies[0];
    function text(v) { return Array.isArray(v) ? v.join("\n") : v; }
    function html(v) { return Array.isArray(v) ? v.map(esc).join("<br>") : esc(v); }
    var limit = PAGE, more = document.createElement("p"), all = document.createElement("button");
    more.className = "more"; all.type = "button";
    function render() {
      var k = Math.min(order.length, limit), out = new Array(k);
      for (var r = 0; r < k; r++) {
        var row = order[r], cells = "";
        for (var c = 0; c < keys.length; c++) { cells += '<td class="c-' + keys[c] + '">' + html(row[c]) + "</td>"; }
        out[r] = "<tr>" + cells + "</tr>";
      }
      body.innerHTML = out.join("");
      more.hidden = k === order.length;
      if (!more.hidden) {
        more.textContent = "The first " + k + " of " + order.length + " rows: sort or filter to choose them; " +
          "CSV and JSON hold all " + order.length + ". ";
        all.textContent = "Show all " + order.length;
        more.appendChild(all);
      }
    }
    all.addEventListener("click", function () { limit = Infinity; render(); });
    var bar = document.createElement("div"); bar.className = "tools";
    var filter = document.createElement("input");
    filter.type = "search"; filter.placeholder = "filter " + n + " row" + (n === 1 ? "" : "s");
    filter.setAttribute("aria-label", "filter " + name);
    var count = document.createElement("span"); count.className = "shown";
    var csv = document.createElement("button"); csv.type = "button"; csv.textContent = "CSV";
    var json = document.createElement("button"); json.type = "button"; json.textContent = "JSON";
    csv.title = json.title = "download the rows shown";
    bar.appendChild(filter); bar.appendChild(count); bar.appendChild(csv); bar.appendChild(json);
    t.parentNode.parentNode.insertBefore(bar, t.parentNode);
    t.parentNode.parentNode.insertBefore(more, t.parentNode.nextSibling);
    var sortCol = -1, sortDir = 1;
    function apply() {
      var q = filter.value.toLowerCase(), picked = rows;
      if (q) {
        if (lower === null) { lower = rows.map(function (r) { return r.map(text).join(" ").toLowerCase(); }); }
        picked = rows.filter(function (r, i) { return lower[i].indexOf(q) >= 0; });
      }
      if (sortCol >= 0) {
        picked = picked.map(function (r, i) { return [text(r[sortCol]), i, r]; });
        picked.sort(function (a, b) { return sortDir * compare(a[0], b[0]) || a[1] - b[1]; });
        picked = picked.map(function (x) { return x[2]; });
      }
      order = picked;
      count.textContent = q ? order.length + " of " + n : "";
      render();
    }
    filter.addEventListener("input", apply);
    Array.prototype.forEach.call(t.tHead.rows[0].cells, function (th, i) {
      th.tabIndex = 0; th.title = "sort";
      function sort() {
        var dir = th.getAttribute("aria-sort") === "ascending" ? "descending" : "ascending";
        Array.prototype.forEach.call(th.parentNode.cells, function (c) { c.removeAttribute("aria-sort"); });
        th.setAttribute("aria-sort", dir);
        sortCol = i; sortDir = dir === "ascending" ? 1 : -1;
        apply();
      }
      th.addEventListener("click", sort);
      th.addEventListener("keydown", function (e) { if (e.key === "Enter") { sort(); } });
    });
    function shown() { return order.map(function (r) { return r.map(text); }); }
    csv.addEventListener("click", function () {
      var out = [heads.map(csvCell).join(",")].concat(shown().map(function (r) { return r.map(csvCell).join(","); }));
      save(name + ".csv", out.join("\n") + "\n", "text/csv");
    });
    json.addEventListener("click", function () {
      save(name + ".json", JSON.stringify(shown().map(function (r) {
        var o = {}; heads.forEach(function (k, j) { o[k] = r[j]; }); return o; }), null, 1), "application/json");
    });
    render();
  }
  // A table is built when the block that holds it is first opened; one in view at load is built now.
  document.querySelectorAll("table.data").forEach(function (t) {
    var block = t.parentNode.closest("details");
    if (!block || block.open) { build(t); return; }
    block.addEventListener("toggle", function once() {
      if (block.open) { block.removeEventListener("toggle", once); build(t); }
    });
  });
})();
"""


# -- sections -----------------------------------------------------------------------------------

TOP = 10  # risks on the first screen; the others are one click away


def _top_risks(risks: pd.DataFrame) -> str:
    if risks.empty:
        return (
            '<section id="top-risks"><h2>Top risks</h2><p class="empty">No risks found: no unreadable '
            "template, dangling import, replacement-prone resource or export in use.</p></section>"
        )
    # The first screen shows variety: at most 3 risks of one kind and resource type (or of one kind
    # of export problem); the full ranked list is one click away.
    seen: dict[tuple[str, str], int] = {}
    first = []
    for r in risks.itertuples():
        key = (r.kind, r.why.split(" ", 1)[0])
        if seen.get(key, 0) < 3:
            seen[key] = seen.get(key, 0) + 1
            first.append(r)
        if len(first) == TOP:
            break
    items = []
    for r in first:
        items.append(
            f'<li><span class="kind k-{html.escape(r.kind.replace(" ", "-"))}">{_text(r.kind)}</span> '
            f'<b class="subject">{_text(r.subject)}</b> <span class="score" title="risk score">'
            f'{int(r.score)}</span><div class="why">{_code(r.why)}</div>'
            f'<div class="fix"><b>Fix:</b> {_code(r.fix)}</div></li>'
        )
    counts = risks.kind.value_counts()
    rest = ", ".join(f"{n} {k}" for k, n in counts.items())
    table = _table(
        risks,
        {"rank": "rank", "score": "score", "kind": "kind", "subject": "subject", "why": "why", "fix": "fix"},
        name="top-risks",
    )
    return (
        '<section id="top-risks"><h2>Top risks</h2><p class="caption">Ranked for a review: a stateful, '
        "unprotected resource that a parameter or an import can replace comes first, with templates "
        "that could not be read, dangling imports, and exports in use that block change. Each says why "
        "and what to do; at most three of one kind and type are listed here, all of them below.</p>"
        f'<ol class="risks">{"".join(items)}</ol>'
        + _fold(f"All {len(risks)} risks ({html.escape(rest)})", table, cls="all-risks")
        + "</section>"
    )


def _summary(estate: Any, findings: pd.DataFrame) -> str:
    st, res = estate.stacks, estate.resources
    errors = estate.errors
    n_unreadable = int((errors.severity == "error").sum())
    # Reading first (what could not be reviewed at all), then the estate, then the findings on it.
    read = {"templates not read" if n_unreadable != 1 else "template not read": n_unreadable}
    counts = {"stacks": len(st), "resources": len(res), "exports": len(estate.exports), "imports": len(estate.imports)}
    found = {
        f"{s} findings" if (findings.severity == s).sum() != 1 else f"{s} finding": int((findings.severity == s).sum())
        for s in SEVERITIES
    }

    def card(label: str, value: int, kind: str) -> str:
        return (
            f'<div class="card {kind if value else "zero"}"><span class="n">{value}</span>'
            f"<span>{html.escape(label if value != 1 or not label.endswith('s') else label.rstrip('s'))}</span></div>"
        )

    cards = (
        card(*next(iter(read.items())), "unread")
        + "".join(card(k, v, "") for k, v in counts.items())
        + '<span class="sep" aria-hidden="true"></span>'
        + "".join(card(k, v, k.split()[0]) for k, v in found.items())
    )
    by_mod = st.assign(modality=st.modality.fillna("unknown")).groupby("modality", sort=False)
    mod_rows = pd.DataFrame(
        [
            {
                "modality": m,
                "stacks": len(g),
                "resources": int(g.n_resources.fillna(0).sum()),
                "names": list(g["stack"]),
            }
            for m, g in by_mod
        ]
    )
    if not mod_rows.empty:
        mod_rows = mod_rows.sort_values(
            "modality", key=lambda s: s.map({m: i for i, m in enumerate(_MODALITIES)}).fillna(len(_MODALITIES))
        )
        mod_rows["names"] = [n if len(n) <= 12 else n[:12] + [f"… and {len(n) - 12} more"] for n in mod_rows.names]
    sev_rows = pd.DataFrame(
        [
            {
                "severity": s,
                "findings": int((findings.severity == s).sum()),
                "rules": sorted(set(findings.rule_id[findings.severity == s])),
            }
            for s in SEVERITIES
        ]
    )
    unread = ""
    if n_unreadable:
        unread = (
            f'<p class="unread-note"><b>{n_unreadable} template{"s" if n_unreadable != 1 else ""} could not '
            f"be read</b> and {'are' if n_unreadable != 1 else 'is'} not in any figure or finding: see "
            '<a href="#inventory-errors">read errors</a>.</p>'
        )
    return (
        '<section id="summary"><h2>Summary</h2>'
        f'<div class="cards">{cards}</div>{unread}<div class="two">'
        "<div><h3>Stacks by modality</h3>"
        + _table(
            mod_rows,
            {"modality": "modality", "stacks": "stacks", "resources": "resources", "names": "names"},
            empty="No stacks.",
        )
        + "</div><div><h3>Findings by severity</h3>"
        + _table(
            sev_rows,
            {"severity": "severity", "findings": "findings", "rules": "rules"},
            cell=lambda c, v: _badge(v) if c == "severity" else _text(v),
        )
        + "</div></div></section>"
    )


def _replacement(prone: pd.DataFrame, risks: pd.DataFrame) -> str:
    score = {
        s: int(v)
        for s, v in zip(
            risks.subject[risks.kind == "replacement-prone"], risks.score[risks.kind == "replacement-prone"]
        )
    }
    # One row per resource: its create-only properties, each with what drives it. Grouped over
    # plain lists: a pandas group per resource cost ~1 ms each (40 s at 2,000 stacks).
    rows: dict[tuple[str, str], dict[str, Any]] = {}
    places = prone[PLACE_COLUMN].tolist() if PLACE_COLUMN in prone else None
    for stack, lid, rtype, path, drivers, behavior, stateful, protected, place in zip(
        prone["stack"].tolist(),
        prone["logical_id"].tolist(),
        prone["type"].tolist(),
        prone["path"].tolist(),
        prone["drivers"].tolist(),
        prone["update_behavior"].tolist(),
        prone["stateful"].tolist(),
        prone["protected"].tolist(),
        places if places is not None else [None] * len(prone),
    ):
        row = rows.get((stack, lid))
        if row is None:
            row = rows[(stack, lid)] = {
                "risk": score.get(f"{stack}/{lid}", 0),
                "stack": stack,
                **({PLACE_COLUMN: place} if places is not None else {}),
                "logical_id": lid,
                "type": rtype,
                "properties": [],
                "stateful": stateful,
                "protected": protected if stateful else None,
            }
        row["properties"].append(
            f"{path.split('/', 2)[-1]} \u2190 {drivers}" + (" (conditional)" if behavior == "conditional" else "")
        )
    table = pd.DataFrame(
        list(rows.values()),
        columns=["risk", "stack", *([PLACE_COLUMN] if PLACE_COLUMN in prone else []), "logical_id", "type"]
        + ["properties", "stateful", "protected"],
    )
    table = table.sort_values(["risk", "stack", "logical_id"], ascending=[False, True, True], kind="stable")
    n_risky = (
        int((table.stateful.fillna(False).astype(bool) & ~table.protected.fillna(False).astype(bool)).sum())
        if len(table)
        else 0
    )
    body = _table(
        table,
        {
            "risk": "risk",
            "stack": "stack",
            "logical_id": "resource",
            "type": "type",
            "properties": "create-only properties",
            "stateful": "stateful",
            "protected": "protected",
        },
        empty="No replacement-prone properties.",
        name="replacement-prone",
        lines=("properties",),
    )
    return (
        '<section id="replacement"><h2>Replacement-prone resources</h2><p class="caption">Create-only '
        "properties whose value a parameter, an import, a condition or another resource drives "
        "(property \u2190 driver): a new value replaces the resource. <i>protected</i>: UpdateReplacePolicy "
        "keeps the old copy of a stateful resource. Worst first (the risk score of the top risks).</p>"
        + (_fold(f"{len(table)} resources, {n_risky} stateful and unprotected", body) if len(table) else body)
        + "</section>"
    )


def _findings(findings: pd.DataFrame) -> str:
    from ..rules import catalogue

    rules = catalogue()
    urls = dict(zip(rules.id, rules.source_url))
    parts = [
        '<section id="findings"><h2>Findings</h2><p class="caption">What the review rules found '
        "(docs/rules.md), by severity; open a rule for its findings. Templates that could not be read "
        "are not findings: they are counted apart, under read errors.</p>"
    ]
    for sev in SEVERITIES:
        mine = findings[findings.severity == sev]
        parts.append(f'<h3 id="findings-{sev}">{_badge(sev)} {len(mine)} finding{"s" if len(mine) != 1 else ""}</h3>')
        for rule_id, group in mine.groupby("rule_id", sort=False):
            url = urls.get(rule_id)
            link = f' <a href="{html.escape(url)}" rel="noopener">AWS docs</a>' if url else ""
            parts.append(
                f'<details class="rule"><summary><code>{_text(rule_id)}</code> '
                f'{_text(group.title.iloc[0])} <span class="count">{len(group)}</span></summary>'
                f'<p class="fix"><b>Fix:</b> {_code(group.fix.iloc[0])}{link}</p>'
                + _table(
                    group,
                    {"stack": "stack", "logical_id": "resource", "message": "finding"},
                    name=f"findings-{rule_id}",
                )
                + "</details>"
            )
    return "".join(parts) + "</section>"


def _inventory(estate: Any) -> str:
    st = estate.stacks
    res, ex = with_places(estate.resources, st), with_places(estate.exports, st)
    stack_cols = {
        "stack": "stack",
        "modality": "modality",
        "n_resources": "resources",
        "format": "format",
        "source": "source",
        "parent_stack": "nested in",
        "description": "description",
    }
    for col, head in (
        ("account", "account"),
        ("region", "region"),
        ("environment", "environment"),
        ("created_by", "created by (tool or service)"),
    ):
        if col in st and st[col].notna().any():
            stack_cols[col] = head
    ex_cols = {
        "export_name": "export",
        "stack": "stack",
        "output": "output",
        "n_importers": "importers",
        "importers": "imported by",
    }
    if "possible_importers" in ex:
        ex_cols["possible_importers"] = "may be imported by (ambiguous)"
    parts = [
        '<section id="inventory"><h2>Inventory</h2><p class="caption">Everything that was read, one '
        "click away; each table can be sorted, filtered and downloaded as CSV or JSON.</p>",
        '<h3 id="inventory-stacks">Stacks</h3>',
        _fold(f"{len(st)} stacks", _table(st, stack_cols, empty="No stacks.", name="stacks")),
        '<h3 id="inventory-resources">Resources</h3>',
        _fold(
            f"{len(res)} resources in {res['stack'].nunique()} stacks",
            _table(
                res,
                {
                    "stack": "stack",
                    "logical_id": "resource",
                    "type": "type",
                    "modality": "modality",
                    "stateful": "stateful",
                    "deletion_policy": "DeletionPolicy",
                    "update_replace_policy": "UpdateReplacePolicy",
                    "condition": "condition",
                },
                empty="No resources.",
                name="resources",
            ),
        ),
        '<h3 id="inventory-exports">Exports</h3>',
        _fold(f"{len(ex)} exports", _table(ex, ex_cols, empty="No exports.", name="exports")),
    ]
    unmanaged = getattr(estate, "unmanaged", None)
    if unmanaged is not None:
        by = unmanaged.managed_by.astype(object) if "managed_by" in unmanaged else pd.Series(dtype=object)
        counts = ", ".join(
            f"{int(by.eq(key).sum())} {label}"
            for key, label in (("none", "click-ops"), ("service", "made by a service"), ("aws", "AWS defaults"))
        )
        parts += [
            '<h3 id="inventory-unmanaged">Outside every stack</h3>',
            _fold(
                f"{len(unmanaged)} resources: {counts}",
                _table(
                    unmanaged,
                    {
                        "managed_by": "managed by",
                        "type": "type",
                        "id": "id",
                        "account": "account",
                        "region": "region",
                        "owner_service": "made by",
                        "owner_stack": "for stack",
                        "owner_logical_id": "for resource",
                    },
                    empty="Nothing outside the stacks.",
                    name="unmanaged",
                ),
            ),
        ]
    if not estate.errors.empty:
        n = len(estate.errors)
        parts += [
            '<h3 id="inventory-errors">Read errors</h3>',
            _fold(
                f"{n} read error{'s' if n != 1 else ''} and warning{'s' if n != 1 else ''}",
                _table(
                    estate.errors,
                    {"source": "source", "line": "line", "severity": "severity", "message": "message"},
                    name="read-errors",
                ),
                open_=bool((estate.errors.severity == "error").any()),
            ),
        ]
    return "".join(parts) + "</section>"


def render_report(
    estate: Estate, *, findings: pd.DataFrame | None = None, title: str = "Architecture review", figures: bool = True
) -> str:
    """The report of an estate as one self-contained HTML document.

    Parameters
    ----------
    estate : Estate
        The estate to report on.
    findings : DataFrame, optional
        Findings to show (frame ``findings``); default ``iacviz.review(estate)``.
    title : str
        Heading and ``<title>`` of the page (escaped).
    figures : bool
        Draw the figures (export map, modality bars, update-behaviour heatmap) and inline plotly.js
        (about 4.7 MB). False gives a small page of tables only.

    Returns
    -------
    str
        The HTML document: the top risks (first screen), summary, figures, replacement-prone
        resources, findings by severity, inventory (stacks, resources, exports, read errors).
        Long sections are collapsed; every data table can be sorted, filtered and downloaded
        as CSV or JSON from the page (a small script of its own, no library). Tables are built
        when opened and figures drawn when scrolled to, so the page opens fast at any size.

    Examples
    --------
    >>> import iacviz
    >>> page = render_report(iacviz.load_template({"Resources": {}}, stack="s"), figures=False)
    >>> page.startswith("<!DOCTYPE html>"), 'id="findings"' in page
    (True, True)
    """
    from ..analysis import replacement  # noqa: F401  (defines estate.replacement_prone)
    from .risks import top_risks

    found = review(estate) if findings is None else findings
    prone = estate.replacement_prone  # the derived frame: computed once, shared with review()
    risks = top_risks(estate, found, replacement=prone)
    # an estate of several account-regions: every table of stacks says where each row is
    found, prone, risks = (with_places(df, estate.stacks) for df in (found, prone, risks))
    figure_html, plotly_js = "", ""
    nav = [("top-risks", "Top risks"), ("summary", "Summary")]
    if figures:
        import plotly.offline

        for fig_id, heading, caption, draw in _figure_specs(estate):
            figure_html += _figure_html(fig_id, heading, caption, draw())
            nav.append((fig_id, heading))
        import plotly.io as pio

        template = pio.templates[pio.templates.default].to_plotly_json() if pio.templates.default else {}
        # Once for the page; a script element cannot be closed early by plotly.js itself.
        plotly_js = (
            f'<script type="application/json" id="fig-template">{_json_for_script(template)}</script>'
            f'<script type="text/plain" id="plotly-js">{plotly.offline.get_plotlyjs()}</script>'
            f"<script>{_DRAW}</script>"
        )
    nav += [("replacement", "Replacement-prone"), ("findings", "Findings"), ("inventory", "Inventory")]
    links = "".join(f'<a href="#{i}">{html.escape(t)}</a>' for i, t in nav)
    body = (
        _top_risks(risks)
        + _summary(estate, found)
        + figure_html
        + _replacement(prone, risks)
        + _findings(found)
        + _inventory(estate)
    )
    return (
        f'<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        f'<meta name="viewport" content="width=device-width, initial-scale=1">'
        f'<meta name="generator" content="iacviz {html.escape(__version__)}">'
        f"<title>{html.escape(title)}</title><style>{_CSS}</style></head><body>"
        f"<header><h1>{html.escape(title)}</h1><p>{len(estate.stacks)} stacks, {len(estate.resources)} "
        f"resources &middot; generated by iacviz {html.escape(__version__)}</p><nav>{links}</nav></header>"
        f"<main>{body}</main><script>{_TABLES}</script>{plotly_js}</body></html>\n"
    )


def write_report(
    estate: Estate,
    path: str | os.PathLike,
    *,
    findings: pd.DataFrame | None = None,
    title: str = "Architecture review",
    figures: bool = True,
) -> Path:
    """Write :func:`render_report` to `path` (UTF-8) and return the path.

    Parameters
    ----------
    estate : Estate
        The estate to report on.
    path : str or os.PathLike
        The HTML file to write (replaced if it exists).
    findings, title, figures
        As for :func:`render_report`.

    Returns
    -------
    pathlib.Path

    Examples
    --------
    >>> import iacviz, tempfile, pathlib
    >>> out = pathlib.Path(tempfile.mkdtemp()) / "report.html"
    >>> write_report(iacviz.load_template({"Resources": {}}), out, figures=False).stat().st_size > 1000
    True
    """
    path = Path(path)
    path.write_text(render_report(estate, findings=findings, title=title, figures=figures), encoding="utf-8")
    return path


_CSS = """
:root{--fg:#1f2933;--muted:#616e7c;--line:#e4e7eb;--bg:#fff;--band:#f5f7fa;--accent:#2f6fb3;
--error:#c62828;--warning:#b26a00;--info:#3e6e9e}
*{box-sizing:border-box}
body{margin:0;font:15px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,"Helvetica Neue",Arial,sans-serif;
color:var(--fg);background:var(--bg)}
header{padding:24px 32px 0;border-bottom:1px solid var(--line);background:var(--band)}
header h1{margin:0 0 4px;font-size:26px}header p{margin:0 0 12px;color:var(--muted)}
nav{display:flex;flex-wrap:wrap;gap:4px 18px;padding-bottom:10px}
nav a{color:var(--accent);text-decoration:none;font-weight:600}nav a:hover{text-decoration:underline}
main{max-width:1280px;margin:0 auto;padding:8px 32px 48px}
section{margin-top:32px}h2{font-size:21px;border-bottom:2px solid var(--line);padding-bottom:4px}
h3{font-size:17px;margin:22px 0 8px}.caption{color:var(--muted);margin-top:-4px}
.cards{display:flex;flex-wrap:wrap;gap:12px}
.card{border:1px solid var(--line);border-radius:8px;padding:10px 16px;min-width:110px;background:var(--band)}
.card .n{display:block;font-size:26px;font-weight:700}.card span:last-child{color:var(--muted)}
.card.zero .n{color:var(--muted)}.card.error .n{color:var(--error)}.card.warning .n{color:var(--warning)}.card.info .n{color:var(--info)}
.two{display:grid;grid-template-columns:repeat(auto-fit,minmax(380px,1fr));gap:0 32px}
.scroll{overflow-x:auto}
table{border-collapse:collapse;width:100%;font-size:14px;margin:6px 0 12px}
th,td{text-align:left;vertical-align:top;padding:6px 10px;border-bottom:1px solid var(--line)}
th{background:var(--band);font-weight:600;white-space:nowrap}tbody tr:hover{background:#fafbfc}
td{overflow-wrap:anywhere}td.c-message,td.c-description{min-width:320px}
td.c-logical_id{min-width:9em}td.c-source{min-width:12em}
td.c-stack,td.c-type,td.c-severity,td.c-modality{white-space:nowrap}
.badge{display:inline-block;border-radius:10px;padding:0 9px;font-size:12px;font-weight:700;color:#fff;
text-transform:uppercase;letter-spacing:.03em}
.badge.error{background:var(--error)}.badge.warning{background:var(--warning)}.badge.info{background:var(--info)}
details{border:1px solid var(--line);border-radius:6px;margin:8px 0;padding:0 12px}
summary{cursor:pointer;padding:8px 0;font-weight:600}summary code{color:var(--accent)}
.count{display:inline-block;min-width:22px;text-align:center;border-radius:10px;background:var(--line);
font-size:12px;padding:0 6px;margin-left:6px}
.fix{margin:0 0 6px;color:var(--muted)}.fix a{color:var(--accent)}.empty{color:var(--muted);font-style:italic}
.figure{width:100%;min-height:420px;border:1px solid var(--line);border-radius:8px;overflow-x:auto}
code{font:13px ui-monospace,SFMono-Regular,Menlo,Consolas,monospace}
.sep{flex-basis:100%;height:0}.card.unread .n{color:var(--error)}.unread-note{color:var(--error)}
ol.risks{padding-left:28px;margin:8px 0}ol.risks li{margin:0 0 10px}ol.risks .why{color:var(--fg)}
ol.risks .fix{color:var(--muted);margin:0}.subject{overflow-wrap:anywhere}
.kind{display:inline-block;border-radius:4px;padding:0 6px;font-size:12px;font-weight:700;color:#fff;
background:var(--info)}.k-unreadable-template,.k-dangling-import,.k-duplicate-export,.k-stack-cycle{background:var(--error)}
.k-replacement-prone{background:#a23b00}.k-export-in-use{background:var(--warning)}
.score{font-size:12px;color:var(--muted)}
.tools{display:flex;gap:8px;align-items:center;margin:8px 0 0}.tools input{flex:0 1 260px;padding:3px 6px;
font:inherit;font-size:13px;border:1px solid var(--line);border-radius:4px}.tools .shown{color:var(--muted);font-size:13px}
.tools button,.more button{font:inherit;font-size:12px;padding:2px 8px;border:1px solid var(--line);
border-radius:4px;background:var(--band);cursor:pointer}.more{color:var(--muted);font-size:13px;margin:0 0 8px}
th[aria-sort=ascending]::after{content:" \\25B2"}th[aria-sort=descending]::after{content:" \\25BC"}th{cursor:pointer}
@media print{nav{display:none}details{border:none}.tools{display:none}}
"""
