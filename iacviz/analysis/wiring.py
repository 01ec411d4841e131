"""Wiring: which stack does each ``Parent*Stack`` parameter name? Suggestions from the estate itself.

Catalogs of stand-alone templates import each other through names built from a parameter
(``!ImportValue !Sub '${ParentVPCStack}-VPC'``): until the user says which stack
``ParentVPCStack`` names, such an import matches every stack exporting ``*-VPC``.
:func:`wire_suggestions` ranks, for each parameter whose imports do not link exactly, the
stacks whose name would make them link, by three pieces of evidence, in this order:

1. **exports**: how many of the distinct names that the parameter's imports need (across
   every stack declaring it; the value is estate-wide) the stack exports; one that exports
   all of them beats one that exports some;
2. **description**: the parameter's Description names a template, e.g. "based on
   vpc/vpc-*azs.yaml": a stack read from a file matching that pattern is preferred;
3. **naming**: the parameter's name without ``Parent`` and ``Stack`` (``VPC``) appears in
   the stack's name.

A candidate is a stack whose *name* fills the placeholder (the ``${AWS::StackName}-X``
export convention). Candidates equal on all three are a tie: listed, never picked.
:func:`wire_snippet` writes the suggestions as the estate file's ``parameters:`` block.

>>> import iacviz
>>> net = {"Resources": {"V": {"Type": "AWS::EC2::VPC"}}, "Outputs": {"V": {"Value": {"Ref": "V"},
...        "Export": {"Name": {"Fn::Sub": "${AWS::StackName}-VPC"}}}}}
>>> app = {"Parameters": {"ParentVPCStack": {"Type": "String"}}, "Resources": {"S": {
...        "Type": "AWS::EC2::SecurityGroup", "Properties": {"VpcId": {"Fn::ImportValue":
...        {"Fn::Sub": "${ParentVPCStack}-VPC"}}}}}}
>>> estate = iacviz.build_estate([iacviz.sources.raw.RawStack("net", "net.yaml", "yaml", net),
...                               iacviz.sources.raw.RawStack("app", "app.yaml", "yaml", app)], [])
>>> wire_suggestions(estate)[["parameter", "value", "suggested"]].values.tolist()
[['ParentVPCStack', 'net', True]]
"""

from __future__ import annotations

import fnmatch
import json
import re
from typing import Any

import pandas as pd

from .. import schema
from ..model.estate import Estate
from .exports import _without_defaults, match_pattern

__all__ = ["wire_suggestions", "wire_snippet"]

# A path-like word ending in a template suffix, e.g. vpc/vpc-*azs.yaml, in a Description.
_TEMPLATE_WORD = re.compile(r"[\w*?./-]+\.(?:ya?ml|json|template)\b")


def _open_names(estate: Estate) -> pd.DataFrame:
    """Active (or maybe active) imports that do not link exactly, with their name as a pattern:
    parameters without a value, or with only a default, left as ``${Name}``."""
    imp = estate.imports
    rows = imp[~imp.active.eq(False).fillna(False).astype(bool) & (imp.link != "exact") & (imp.link != "unresolved")]
    if rows.empty:
        return rows.assign(pattern=[])
    retry = _without_defaults(estate, rows)
    return rows.assign(pattern=[retry.get(i, n) for i, n in zip(rows.index, rows.export_name)])


def _stem(parameter: str) -> str:
    stem = parameter[6:] if parameter.startswith("Parent") else parameter
    return (stem[:-5] if stem.endswith("Stack") else stem).lower()


def wire_suggestions(estate: Estate) -> pd.DataFrame:
    """For each parameter that names another stack, the stacks it may name, best first.

    Parameters
    ----------
    estate : Estate
        Any estate read from templates.

    Returns
    -------
    DataFrame
        Frame ``wire_suggestions`` (``iacviz.schema.describe("wire_suggestions")``): one row
        per parameter and candidate value, ranked by the evidence in this module's docstring;
        ``suggested`` marks the single best value, ``tie`` candidates that fit equally well.

    Examples
    --------
    >>> import iacviz
    >>> wire_suggestions(iacviz.load_template({"Resources": {}})).empty
    True
    """
    rows = _open_names(estate)
    params = estate.parameters
    declared = {
        (s, n): d if isinstance(d, str) else ""
        for s, n, d in zip(params["stack"], params.name, params.description.astype(object))
    }
    ex = estate.exports
    concrete = ex[~ex.pattern.astype(bool)]
    by_name: dict[str, set[str]] = {}
    for n, s in zip(concrete.export_name, concrete["stack"]):
        by_name.setdefault(n, set()).add(s)
    text = "\n".join(by_name)
    st = estate.stacks
    names_of = {k: {k, n} for k, n in zip(st["stack"], st["stack_name"] if "stack_name" in st else st["stack"])}
    source_of = dict(zip(st["stack"], st.source))

    needs: dict[str, set[str]] = {}  # parameter -> distinct import names that hold it
    sites: dict[str, int] = {}
    stacks: dict[str, set[str]] = {}
    covers: dict[str, dict[str, set[str]]] = {}  # parameter -> value -> names it links
    exporter: dict[tuple[str, str], str] = {}  # (parameter, value) -> exporting stack
    matched: dict[str, list] = {}
    for stack, pattern in zip(rows["stack"], rows.pattern):
        if "${" not in pattern:
            continue
        rx, holes = match_pattern(pattern)
        mine = [h for h in holes if (stack, h) in declared]
        if not mine:
            continue
        if pattern not in matched:
            matched[pattern] = [(m.groups(), m.group(0)) for m in rx.finditer(text)] if text else []
        for h in mine:
            needs.setdefault(h, set()).add(pattern)
            sites[h] = sites.get(h, 0) + 1
            stacks.setdefault(h, set()).add(stack)
        for groups, name in matched[pattern]:
            for h in mine:
                value = groups[holes.index(h)]
                for s in by_name[name]:
                    if value in names_of.get(s, {s}):  # the exporter's own name fills the hole
                        covers.setdefault(h, {}).setdefault(value, set()).add(pattern)
                        exporter[(h, value)] = s
    out = []
    for h in sorted(needs):
        need = needs[h]
        hints = sorted({w for s in stacks[h] for w in _TEMPLATE_WORD.findall(declared[(s, h)])})
        cands = []
        for value, got in covers.get(h, {}).items():
            src = str(source_of.get(exporter[(h, value)], ""))
            desc = any(fnmatch.fnmatch(src, w) or fnmatch.fnmatch(src, f"*/{w}") for w in hints)
            naming = _stem(h).replace("-", "") in value.lower().replace("-", "")
            cands.append((len(got) == len(need), len(got), desc, naming, value, got, src))
        cands.sort(key=lambda c: (-c[0], -c[1], -c[2], -c[3], c[4]))  # by evidence, then by name
        best = cands[0][:4] if cands else None
        tied = [c for c in cands if c[:4] == best]
        levels = sorted({c[:4] for c in cands}, reverse=True)
        for full, n, desc, naming, value, got, src in cands:
            top = (full, n, desc, naming) == best
            rank = levels.index((full, n, desc, naming)) + 1  # candidates that fit equally share a rank
            out.append(
                {
                    "parameter": h,
                    "value": value,
                    "exporter": exporter[(h, value)],
                    "source": src,
                    "rank": rank,
                    "suggested": top and len(tied) == 1,
                    "tie": top and len(tied) > 1,
                    "stacks": sorted(stacks[h]),
                    "n_import_sites": sites[h],
                    "names_needed": len(need),
                    "names_exported": n,
                    "missing": sorted(need - got),
                    "description_match": desc,
                    "naming_match": naming,
                    "reason": _reason(
                        h, value, src, n, len(need), desc, naming, hints, top, tied, [c for c in cands if c[:4] != best]
                    ),
                }
            )
    return schema.frame("wire_suggestions", out)


def _reason(
    h: str,
    value: str,
    src: str,
    n: int,
    need: int,
    desc: bool,
    naming: bool,
    hints: list[str],
    top: bool,
    tied: list,
    others: list,
) -> str:
    names = "the one name" if need == 1 else f"all {need} names"
    parts = [
        f"{value} exports {names} the imports of {h} need"
        if n == need
        else f"{value} exports {n} of the {need} names the imports of {h} need"
    ]
    if desc:
        parts.append(f"its template {src} matches the description ({', '.join(hints)})")
    elif hints:
        parts.append(f"its template {src} does not match the description ({', '.join(hints)})")
    if naming:
        parts.append(f"its name holds '{_stem(h)}'")
    if top and len(tied) > 1:
        parts.append("fits as well as " + ", ".join(c[4] for c in tied if c[4] != value) + ": pick one")
    elif top and others:
        parts.append(
            "less likely: "
            + ", ".join(
                f"{c[4]} ({c[1]} of {need} names{', not the described template' if desc and not c[2] else ''})"
                for c in others[:5]
            )
        )
    return "; ".join(parts)


def wire_snippet(suggestions: pd.DataFrame | Estate) -> str:
    """The estate file's ``parameters:`` block for the suggestions (an estate is ranked first).

    Suggested values are written as values, each with its reason; a tie is written commented
    out, one line per candidate, for the user to choose.

    Parameters
    ----------
    suggestions : DataFrame or Estate
        A ``wire_suggestions`` frame, or an estate to rank first.

    Returns
    -------
    str
        YAML text to put in ``iacviz-estate.yaml`` (what ``iacviz wire PATH`` prints).

    Examples
    --------
    >>> import iacviz
    >>> print(wire_snippet(iacviz.load_template({"Resources": {}})), end="")
    # iacviz wire: every import links exactly or has no candidate; nothing to suggest.
    """
    df = wire_suggestions(suggestions) if isinstance(suggestions, Estate) else suggestions
    if df.empty:
        return "# iacviz wire: every import links exactly or has no candidate; nothing to suggest.\n"
    lines = [
        "# Estate-wide parameter values suggested by `iacviz wire` from the imports and exports of",
        "# the estate. Review them, then put this block in iacviz-estate.yaml: every stack that",
        "# declares a key gets its value; a stack's own parameters: still win.",
        "parameters:",
    ]
    for h, group in df.groupby("parameter", sort=True):
        first = group.iloc[0]
        n_stacks, n_sites = len(first.stacks), int(first.n_import_sites)
        where = f"{n_stacks} stack{'' if n_stacks == 1 else 's'}, {n_sites} import site{'' if n_sites == 1 else 's'}"
        chosen = group[group.suggested.astype(bool)]
        if len(chosen):
            r = chosen.iloc[0]
            lines += [f"  # {h} ({where}): {r.reason}", f"  {h}: {_yaml(r.value)}"]
            continue
        tied = group[group.tie.astype(bool)]
        lines.append(f"  # {h} ({where}): {len(tied)} stacks fit equally well, choose one and uncomment it:")
        for r in tied.itertuples():
            lines.append(f"  # {h}: {_yaml(r.value)}   # {r.reason.split('; fits as well')[0]}")
    return "\n".join(lines) + "\n"


def _yaml(value: Any) -> str:
    text = str(value)
    return (
        text
        if re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9._-]*", text)
        and text.lower() not in ("yes", "no", "true", "false", "on", "off", "null")
        else json.dumps(text)
    )
