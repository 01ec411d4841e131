"""The architecture report: one self-contained HTML file of an estate, its figures and its findings.

The file needs nothing but a browser: plotly.js is inlined once, the figures are JSON data
islands drawn by one small script, the CSS is inline and uses system fonts. It opens from
disk, offline, and can be mailed or attached to a CI run.

Everything that comes from templates (descriptions, names, tag values, messages) is escaped
with :func:`html.escape`; the figures' JSON has ``<``, ``>`` and ``&`` written as ``\\u003c``
escapes, so no value can close the script element it sits in. A ``<script>`` in a template
Description shows as text.

>>> import iacviz
>>> e = iacviz.load_template({"Description": "<b>shop</b>", "Resources": {}}, stack="web")
>>> "&lt;b&gt;shop&lt;/b&gt;" in render_report(e, figures=False)
True
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


def _table(df: pd.DataFrame, columns: dict[str, str], *, cls: str = "",
           cell: Callable[[str, Any], str] | None = None, empty: str = "None.") -> str:
    """An HTML table of some columns (name -> heading); `cell` may render a column specially."""
    if df.empty:
        return f'<p class="empty">{html.escape(empty)}</p>'
    head = "".join(f"<th>{html.escape(h)}</th>" for h in columns.values())
    rows = []
    for record in df[list(columns)].to_dict("records"):
        cells = "".join(f'<td class="c-{html.escape(c)}">{cell(c, v) if cell else _text(v)}</td>'
                        for c, v in record.items())
        rows.append(f"<tr>{cells}</tr>")
    return (f'<div class="scroll"><table class="{cls}"><thead><tr>{head}</tr></thead>'
            f'<tbody>{"".join(rows)}</tbody></table></div>')


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
    return (text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
            .replace("\u2028", "\\u2028").replace("\u2029", "\\u2029"))


# -- figures ------------------------------------------------------------------------------------

def _figure_specs(estate: Any) -> list[tuple[str, str, str, Callable[[], Any]]]:
    """(id, heading, caption, draw) of every figure the report shows, from iacviz.views.figures."""
    from . import figures as fig  # plotly and layout code: only loaded when figures are drawn

    return [
        ("export-map", "Export map",
         "Stacks in rows by modality (persistent at the bottom); an arrow goes from the exporting stack to "
         "the importing one. Hover for exports and importing resources.",
         lambda: fig.export_map(estate.stacks, estate.imports, estate.exports)),
        ("modality", "Stacks by modality",
         "Resources per stack by lifecycle: persistent resources keep data or identity, ephemeral ones are "
         "redeployed with every release; a mixed stack is marked.",
         lambda: fig.modality_bars(estate.resources, estate.stacks)),
        ("update-behavior", "Update behaviour",
         "Resource types by the properties the estate sets: red cells are create-only, a change replaces the "
         "resource; orange ones may replace it.",
         lambda: fig.update_behavior_heatmap(estate.properties, estate.resources, max_rows=25)),
    ]


def _figure_html(fig_id: str, heading: str, caption: str, figure: Any) -> str:
    spec = figure.to_plotly_json() if hasattr(figure, "to_plotly_json") else figure
    data = _json_for_script({"data": spec.get("data", []), "layout": spec.get("layout", {})})
    return (f'<section id="{fig_id}"><h2>{html.escape(heading)}</h2><p class="caption">{html.escape(caption)}</p>'
            f'<div class="figure" id="fig-{fig_id}" data-figure="{fig_id}"></div>'
            f'<script type="application/json" id="fig-{fig_id}-data">{data}</script></section>')


_DRAW = """
document.querySelectorAll("div.figure[data-figure]").forEach(function (div) {
  var spec = JSON.parse(document.getElementById(div.id + "-data").textContent);
  Plotly.newPlot(div, spec.data, spec.layout, {responsive: true, displaylogo: false});
});
"""


# -- sections -----------------------------------------------------------------------------------

def _summary(estate: Any, findings: pd.DataFrame) -> str:
    st, res = estate.stacks, estate.resources
    counts = {"stacks": len(st), "resources": len(res), "exports": len(estate.exports),
              "imports": len(estate.imports)}
    counts.update({f"{s}s" if s != "info" else s: int((findings.severity == s).sum()) for s in SEVERITIES})
    cards = "".join(f'<div class="card {k.rstrip("s") if v else "zero"}"><span class="n">{v}</span>'
                    f'<span>{html.escape(k if v != 1 else k.rstrip("s"))}</span></div>' for k, v in counts.items())
    by_mod = st.assign(modality=st.modality.fillna("unknown")).groupby("modality", sort=False)
    mod_rows = pd.DataFrame([{"modality": m, "stacks": len(g), "resources": int(g.n_resources.fillna(0).sum()),
                              "names": list(g["stack"])} for m, g in by_mod])
    if not mod_rows.empty:
        mod_rows = mod_rows.sort_values("modality", key=lambda s: s.map(
            {m: i for i, m in enumerate(_MODALITIES)}).fillna(len(_MODALITIES)))
    sev_rows = pd.DataFrame([{"severity": s, "findings": int((findings.severity == s).sum()),
                              "rules": sorted(set(findings.rule_id[findings.severity == s]))} for s in SEVERITIES])
    return ('<section id="summary"><h2>Summary</h2>'
            f'<div class="cards">{cards}</div><div class="two">'
            '<div><h3>Stacks by modality</h3>'
            + _table(mod_rows, {"modality": "modality", "stacks": "stacks", "resources": "resources",
                                "names": "names"}, empty="No stacks.")
            + '</div><div><h3>Findings by severity</h3>'
            + _table(sev_rows, {"severity": "severity", "findings": "findings", "rules": "rules"},
                     cell=lambda c, v: _badge(v) if c == "severity" else _text(v))
            + "</div></div></section>")


def _replacement(estate: Any) -> str:
    from ..analysis.replacement import replacement_prone

    prone = replacement_prone(estate)
    rows = []
    # One row per resource: its create-only properties, each with what drives it.
    for (stack, lid), group in prone.groupby(["stack", "logical_id"], sort=False):
        first = group.iloc[0]
        props = [f"{p.split('/', 2)[-1]} \u2190 {d}" + (" (conditional)" if b == "conditional" else "")
                 for p, d, b in zip(group.path, group.drivers, group.update_behavior)]
        rows.append({"stack": stack, "logical_id": lid, "type": first["type"], "properties": props,
                     "stateful": first["stateful"], "protected": first["protected"] if first["stateful"] else None})
    table = pd.DataFrame(rows, columns=["stack", "logical_id", "type", "properties", "stateful", "protected"])
    return ('<section id="replacement"><h2>Replacement-prone resources</h2><p class="caption">Create-only '
            "properties whose value a parameter, an import, a condition or another resource drives "
            "(property \u2190 driver): a new value replaces the resource. <i>protected</i>: UpdateReplacePolicy "
            "keeps the old copy of a stateful resource.</p>"
            + _table(table, {"stack": "stack", "logical_id": "resource", "type": "type",
                             "properties": "create-only properties", "stateful": "stateful",
                             "protected": "protected"},
                     cell=lambda c, v: "<br>".join(html.escape(x) for x in v) if c == "properties" else _text(v),
                     empty="No replacement-prone properties.")
            + "</section>")


def _findings(findings: pd.DataFrame) -> str:
    from ..rules import catalogue

    rules = catalogue()
    urls = dict(zip(rules.id, rules.source_url))
    parts = ['<section id="findings"><h2>Findings</h2>']
    for sev in SEVERITIES:
        mine = findings[findings.severity == sev]
        parts.append(f'<h3 id="findings-{sev}">{_badge(sev)} {len(mine)} finding{"s" if len(mine) != 1 else ""}</h3>')
        for rule_id, group in mine.groupby("rule_id", sort=False):
            url = urls.get(rule_id)
            link = f' <a href="{html.escape(url)}" rel="noopener">AWS docs</a>' if url else ""
            parts.append(f'<details open class="rule"><summary><code>{_text(rule_id)}</code> '
                         f'{_text(group.title.iloc[0])} <span class="count">{len(group)}</span></summary>'
                         f'<p class="fix"><b>Fix:</b> {_code(group.fix.iloc[0])}{link}</p>'
                         + _table(group, {"stack": "stack", "logical_id": "resource", "message": "finding"})
                         + "</details>")
    return "".join(parts) + "</section>"


def _inventory(estate: Any) -> str:
    st, res, ex = estate.stacks, estate.resources, estate.exports
    parts = ['<section id="inventory"><h2>Inventory</h2><h3 id="inventory-stacks">Stacks</h3>',
             _table(st, {"stack": "stack", "modality": "modality", "n_resources": "resources", "format": "format",
                         "source": "source", "parent_stack": "nested in", "description": "description"},
                    empty="No stacks."),
             '<h3 id="inventory-resources">Resources</h3>']
    for stack in st["stack"]:
        mine = res[res["stack"] == stack]
        parts.append(f'<details class="stack"><summary>{_text(stack)} <span class="count">{len(mine)}</span>'
                     "</summary>"
                     + _table(mine, {"logical_id": "resource", "type": "type", "modality": "modality",
                                     "stateful": "stateful", "deletion_policy": "DeletionPolicy",
                                     "update_replace_policy": "UpdateReplacePolicy", "condition": "condition"},
                              empty="No resources.")
                     + "</details>")
    parts += ['<h3 id="inventory-exports">Exports</h3>',
              _table(ex, {"export_name": "export", "stack": "stack", "output": "output",
                          "n_importers": "importers", "importers": "imported by"}, empty="No exports.")]
    if not estate.errors.empty:
        parts += ['<h3 id="inventory-errors">Read errors</h3>',
                  _table(estate.errors, {"source": "source", "line": "line", "severity": "severity",
                                         "message": "message"})]
    return "".join(parts) + "</section>"


def render_report(estate: Estate, *, findings: pd.DataFrame | None = None,
                  title: str = "Architecture review", figures: bool = True) -> str:
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
        The HTML document: summary, figures, replacement-prone properties, findings by
        severity, inventory (stacks, resources, exports, read errors).

    Examples
    --------
    >>> import iacviz
    >>> page = render_report(iacviz.load_template({"Resources": {}}, stack="s"), figures=False)
    >>> page.startswith("<!DOCTYPE html>"), 'id="findings"' in page
    (True, True)
    """
    found = review(estate) if findings is None else findings
    figure_html, plotly_js = "", ""
    nav = [("summary", "Summary")]
    if figures:
        import plotly.offline

        for fig_id, heading, caption, draw in _figure_specs(estate):
            figure_html += _figure_html(fig_id, heading, caption, draw())
            nav.append((fig_id, heading))
        # Once for the page; a script element cannot be closed early by plotly.js itself.
        plotly_js = f"<script>{plotly.offline.get_plotlyjs()}</script><script>{_DRAW}</script>"
    nav += [("replacement", "Replacement-prone"), ("findings", "Findings"), ("inventory", "Inventory")]
    links = "".join(f'<a href="#{i}">{html.escape(t)}</a>' for i, t in nav)
    body = (_summary(estate, found) + figure_html + _replacement(estate) + _findings(found) + _inventory(estate))
    return (f'<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
            f'<meta name="viewport" content="width=device-width, initial-scale=1">'
            f'<meta name="generator" content="iacviz {html.escape(__version__)}">'
            f"<title>{html.escape(title)}</title><style>{_CSS}</style></head><body>"
            f'<header><h1>{html.escape(title)}</h1><p>{len(estate.stacks)} stacks, {len(estate.resources)} '
            f"resources &middot; generated by iacviz {html.escape(__version__)}</p><nav>{links}</nav></header>"
            f"<main>{body}</main>{plotly_js}</body></html>\n")


def write_report(estate: Estate, path: str | os.PathLike, *, findings: pd.DataFrame | None = None,
                 title: str = "Architecture review", figures: bool = True) -> Path:
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
@media print{nav{display:none}details{border:none}}
"""
