"""Cross-stack exports and imports: who exports what, who imports it, and what is wrong with it.

Stacks share values through ``Outputs.X.Export.Name`` and ``Fn::ImportValue``. This module
links every import (a row of ``references`` with kind ``ImportValue``) to the output that
exports it, and registers two derived estate frames (columns in :mod:`iacviz.schema`):
``estate.exports`` and ``estate.imports``; what is wrong with them is
:func:`iacviz.analysis.problems.export_problems` (``estate.export_problems``).

**Linking.** Names on both sides were resolved by the model with the stacks' parameter values;
what is unknown offline stays a ``${Name}`` placeholder (``${NetworkStack}-VpcId``).

1. ``exact``: names without placeholders are joined on equality (a pandas merge, no loop).
2. Names with placeholders are matched as patterns: each placeholder becomes a non-greedy
   group of the characters a stack name or parameter value uses in an export name,
   ``[A-Za-z0-9._-]`` (stack names allow ``[A-Za-z0-9-]``, and names made from files keep to
   it: :mod:`iacviz.cfn.stack_names`; ``.`` and ``_`` because names given in an estate file and
   parameter values may hold them). Never ``:``, the usual separator. An import
   pattern is matched against concrete export names, a concrete import against export patterns
   and, when both hold placeholders, each side with its placeholders replaced by a sample
   word is tried against the other's pattern (a heuristic: it may miss exotic overlaps).
3. When nothing matched, an import name that used parameter *defaults* is resolved again with
   those parameters as placeholders: a default (``StackName: production``) is often only an
   example, and the stack it names need not be in the estate.

Exactly one match of a pattern gives link ``inferred`` with the assumption in
``inferred_from`` (``NetworkStack=network`` for an importer's parameter,
``network.Project=shop`` for the exporter's); more than one gives ``ambiguous`` with every
match in ``candidates`` (never silently picked); none gives ``dangling``. An import name that
cannot be rendered as text at all (e.g. ``Fn::If`` on an unknown condition) is ``unresolved``.
Two exports of one concrete name also make their importers ``ambiguous``.

**Conditions.** ``active`` says whether CloudFormation evaluates an import at all (the
resource's or output's ``Condition`` and every ``Fn::If`` branch around it, three-valued). An
import that is not active and matches nothing is ``inactive``, never ``dangling``; inactive
imports report no problem and make no link for the graphs (:func:`import_links`).

>>> import iacviz
>>> net = {"Resources": {"Vpc": {"Type": "AWS::EC2::VPC"}},
...        "Outputs": {"VpcId": {"Value": {"Ref": "Vpc"},
...                              "Export": {"Name": {"Fn::Sub": "${AWS::StackName}-VpcId"}}}}}
>>> e = iacviz.load_template(net, stack="net")
>>> e.exports[["export_name", "stack", "output", "resources", "n_importers"]].values.tolist()
[['net-VpcId', 'net', 'VpcId', ['Vpc'], 0]]
>>> e.export_problems.kind.tolist()
['unused export']
"""

from __future__ import annotations

import re
from typing import Any

import numpy as np
import pandas as pd

from .. import schema
from ..cfn.intrinsics import Context, resolve_string
from ..cfn.pointer import unescape
from ..model.estate import Estate, derived_frame
from ..model.identity import scope_of
from ..gc_pause import paused_gc

__all__ = [
    "ambiguous_candidates",
    "export_scopes",
    "import_links",
    "match_pattern",
    "read_by_scripts",
    "script_note",
    "script_outputs",
]


# Characters a placeholder may stand for inside an export name (see the module docstring).
_VALUE = r"[A-Za-z0-9._-]+?"
_PLACEHOLDER = re.compile(r"\$\{([^}]*)\}")
_CACHE_KEY = "exports:link"  # Estate._cache entry shared by the exports and imports frames
_SECTIONS = {
    "properties": "Properties",
    "metadata": "Metadata",
    "creation_policy": "CreationPolicy",
    "update_policy": "UpdatePolicy",
    "deletion_policy": "DeletionPolicy",
    "update_replace_policy": "UpdateReplacePolicy",
}


def match_pattern(name: str) -> tuple[re.Pattern[str], list[str]]:
    """A regex matching the names a placeholder name stands for, and its placeholder names.

    A placeholder used twice must take the same value twice (a back reference).

    >>> rx, names = match_pattern("${Project}-${Env}-VpcId")
    >>> rx.match("shop-prod-VpcId").groups(), names
    (('shop', 'prod'), ['Project', 'Env'])
    """
    parts: list[str] = []
    names: list[str] = []
    pos = 0
    for m in _PLACEHOLDER.finditer(name):
        parts.append(re.escape(name[pos : m.start()]))
        ph = m.group(1)
        parts.append(rf"(?:\{names.index(ph) + 1})" if ph in names else f"({_VALUE})")
        if ph not in names:
            names.append(ph)
        pos = m.end()
    parts.append(re.escape(name[pos:]))
    return re.compile("^" + "".join(parts) + "$", re.M), names


def _scan(rx: re.Pattern[str], text: str) -> list[re.Match[str]]:
    # One C-level scan of newline-joined names instead of a Python loop over them.
    return list(rx.finditer(text)) if text else []


def _assumption(names: list[str], values: tuple[str, ...], owner: str | None = None) -> str:
    prefix = f"{owner}." if owner else ""
    return ", ".join(f"{prefix}{n}={v}" for n, v in zip(names, values))


def _pattern_matches(imp_names: list[str], ex: pd.DataFrame) -> dict[str, list[tuple[int, str]]]:
    """Import name -> [(export row, assumption)] for names not matched exactly."""
    concrete = ex[~ex.pattern]
    by_name: dict[str, list[int]] = {}
    for e, n in zip(concrete.index, concrete.export_name):
        by_name.setdefault(n, []).append(e)
    concrete_text = "\n".join(by_name)
    patterns = ex[ex.pattern]
    pattern_rx = {
        e: (match_pattern(n), n, s) for e, n, s in zip(patterns.index, patterns.export_name, patterns["stack"])
    }
    out: dict[str, list[tuple[int, str]]] = {n: [] for n in imp_names}
    plain = [n for n in imp_names if "${" not in n]
    plain_text = "\n".join(plain)
    for name in imp_names:
        if "${" not in name:
            continue
        rx, names = match_pattern(name)
        for m in _scan(rx, concrete_text):
            out[name].extend((e, _assumption(names, m.groups())) for e in by_name[m.group(0)])
        sample = _PLACEHOLDER.sub("X", name)  # both sides patterns: try a sample of each on the other
        for e, ((erx, _), ename, _) in pattern_rx.items():
            if rx.match(_PLACEHOLDER.sub("X", ename)) or erx.match(sample):
                out[name].append((e, f"pattern {name} matches {ename}"))
    for e, ((erx, enames), _, estack) in pattern_rx.items():
        for m in _scan(erx, plain_text):
            out[m.group(0)].append((e, _assumption(enames, m.groups(), estack)))
    return out


def _expression(template: dict, source: str, path: str) -> Any:
    """The Fn::ImportValue argument at `path` of `source` in a long-form template, or None."""
    outputs = source.startswith("Outputs.")
    node: Any = (template.get("Outputs" if outputs else "Resources") or {}).get(source[8:] if outputs else source)
    for n, seg in enumerate(path.split("/")[1:]):
        seg = _SECTIONS.get(seg, seg) if n == 0 and not outputs else unescape(seg)
        if isinstance(node, list) and seg.isdigit() and int(seg) < len(node):
            node = node[int(seg)]
        elif isinstance(node, dict) and seg in node:
            node = node[seg]
        else:
            return None
    return node.get("Fn::ImportValue") if isinstance(node, dict) else None


def _without_defaults(estate: Estate, rows: pd.DataFrame) -> dict[int, str]:
    """Import row -> its name resolved again with defaulted parameters left as placeholders."""
    templates = {r.name: r for r in estate.raw_stacks}
    params = estate.parameters
    with_defaults = set(params["stack"][params.value_source == "default"])
    known = params[~params.value_source.isin(["default", "missing"])]
    values: dict[str, dict[str, Any]] = {}
    for s, n, v in zip(known["stack"].tolist(), known.name.tolist(), known.value.tolist()):
        values.setdefault(s, {})[n] = v
    out = {}
    for i, stack, source, path in zip(rows.index, rows["stack"].tolist(), rows.source.tolist(), rows.path.tolist()):
        raw = templates.get(stack)
        expr = _expression(raw.template, source, path) if raw is not None and stack in with_defaults else None
        name = expr and resolve_string(
            expr,
            Context(
                raw.stack_name or stack,
                raw.region or estate.region,
                raw.account,
                values.get(stack, {}),
                raw.template.get("Mappings"),
            ),
        )
        if name and "${" in name:
            out[i] = name
    return out


def _link(estate: Estate) -> dict[str, Any]:
    cache = estate._cache
    if _CACHE_KEY not in cache:
        with paused_gc():
            cache[_CACHE_KEY] = _compute_links(estate)
    return cache[_CACHE_KEY]


def _compute_links(estate: Estate) -> dict[str, Any]:  # one pipeline, commented by step
    outs, refs = estate.outputs, estate.references
    exported = outs[outs.export_name.notna()]
    ex = pd.DataFrame(
        {
            "export_name": exported.export_name.to_numpy(object),
            "stack": exported["stack"].to_numpy(object),
            "output": exported.name.to_numpy(object),
            "value": exported.value.to_numpy(object),
            "resolved_value": exported.resolved_value.to_numpy(object),
        }
    )
    ex["pattern"] = ex.export_name.str.contains("${", regex=False).astype(bool)
    iv = refs[refs.kind == "ImportValue"]
    imp = pd.DataFrame(
        {
            "stack": iv.source_stack.to_numpy(object),
            "source": iv.source.to_numpy(object),
            "path": iv.source_path.to_numpy(object),
            "export_name": iv.target.to_numpy(object),
        }
    )
    active = [None if a is pd.NA else bool(a) for a in iv.active.astype(object)]
    off = {i for i, a in enumerate(active) if a is False}  # never evaluated by CloudFormation
    unresolved = imp.export_name.str.startswith(("{", "[")).astype(bool)
    has_ph = imp.export_name.str.contains("${", regex=False).astype(bool)
    # CloudFormation scopes an export name to one account and region, and Fn::ImportValue reads
    # only there. With several account-regions, each name is prefixed by its scope and the
    # separator no placeholder may stand for: one pass links every scope, never across two.
    scope = export_scopes(estate)
    scoped = len(set(scope.values())) > 1
    if scoped:
        ex["export_name"] = [
            f"{scope.get(s, '/')}{_SCOPE_SEP}{n}" for s, n in zip(ex["stack"].tolist(), ex.export_name.tolist())
        ]
        imp["export_name"] = [
            n if u else f"{scope.get(s, '/')}{_SCOPE_SEP}{n}"
            for s, n, u in zip(imp["stack"].tolist(), imp.export_name.tolist(), unresolved)
        ]
    # An import ends with one match, (i, e, assumption, link) in `one`, or with several: then
    # `amb[i]` names a candidate group, kept once per pattern (key -> ([e...], basis)). Thousands of
    # imports of one unvalued `${NetworkStack}-VpcId` then share one list instead of a cross product.
    one: list[tuple[int, int, str | None, str]] = []
    amb: dict[int, str] = {}
    groups: dict[str, tuple[list[int], str | None]] = {}

    # 1. exact names: one vectorised merge.
    exact = (
        imp[~has_ph & ~unresolved]
        .reset_index(names="i")[["i", "export_name"]]
        .merge(ex[~ex.pattern].reset_index(names="e")[["e", "export_name"]], on="export_name")
    )
    twice = exact.groupby("i").e.transform("size") > 1  # one name exported twice: never pick
    one.extend((i, e, None, "exact") for i, e in zip(exact.i[~twice], exact.e[~twice]))
    for name, es in exact[twice].groupby("export_name").e:
        groups[name] = (sorted(set(es)), None)
    amb.update(zip(exact.i[twice], exact.export_name[twice]))
    # 2. patterns, per distinct name, for what the merge left unmatched.
    left = imp[~imp.index.isin(exact.i) & ~unresolved]
    found = _pattern_matches(sorted(set(left.export_name)), ex)
    unmatched = []
    for i, name in zip(left.index, left.export_name.tolist()):
        matches = found[name]
        if len(matches) == 1:
            one.append((i, matches[0][0], matches[0][1], "inferred"))
        elif matches:
            groups.setdefault(name, ([e for e, _ in matches], f"pattern {name}" if "${" in name else None))
            amb[i] = name
        else:
            unmatched.append(i)
    # 3. parameter defaults taken as placeholders, for what is still unmatched.
    retry = _without_defaults(estate, left.loc[unmatched]) if unmatched else {}
    if scoped:
        retry = {i: f"{scope.get(imp['stack'][i], '/')}{_SCOPE_SEP}{n}" for i, n in retry.items()}
    found = _pattern_matches(sorted(set(retry.values())), ex) if retry else {}
    for i, name in retry.items():
        matches = found[name]
        if len(matches) == 1:
            note = f" (the defaults give '{imp.export_name[i]}', exported by no stack)"
            one.append((i, matches[0][0], matches[0][1] + note, "inferred"))
        elif matches:
            groups.setdefault(
                name, ([e for e, _ in matches], f"pattern {name} (parameter defaults give a name no stack exports)")
            )
            amb[i] = name

    # Per-output facts: resources behind the value, re-exported imports, importers.
    is_value = refs.source.str.startswith("Outputs.").astype(bool) & refs.source_path.str.startswith("/Value").astype(
        bool
    )
    behind = refs[is_value & (refs.target_kind == "resource")].drop_duplicates(["source_stack", "source", "target"])
    # One pass over plain lists, not a Python call per output of a groupby.
    resources: dict[tuple[str, str], list[str]] = {}
    for out_stack, out_source, target in zip(
        behind.source_stack.tolist(), behind.source.tolist(), behind.target.tolist()
    ):
        resources.setdefault((out_stack, out_source), []).append(target)
    for found_behind in resources.values():
        found_behind.sort()
    reexp = refs[is_value & (refs.kind == "ImportValue")].drop_duplicates(["source_stack", "source"])
    reexport = dict(zip(zip(reexp.source_stack.tolist(), reexp.source.tolist()), reexp.target.tolist()))
    keys = list(zip(ex["stack"].tolist(), ("Outputs." + ex.output).tolist()))
    ex["resources"] = [resources.get(k, []) for k in keys]
    ex["reexport_of"] = [reexport.get(k) for k in keys]
    stacks_of = imp["stack"].tolist()
    importers: dict[int, set[str]] = {}
    for i, e, _, _ in one:
        if i not in off:
            importers.setdefault(e, set()).add(stacks_of[i])
    by_group: dict[str, set[str]] = {}
    for i, key in amb.items():
        if i not in off:
            by_group.setdefault(key, set()).add(stacks_of[i])
    possible: dict[int, set[str]] = {}
    for key, stacks in by_group.items():
        for e in groups[key][0]:
            possible.setdefault(e, set()).update(stacks)
    ex["importers"] = [sorted(importers.get(e, ())) for e in ex.index]
    ex["n_importers"] = [len(x) for x in ex.importers]
    ex["possible_importers"] = [sorted(possible.get(e, ())) for e in ex.index]

    # The imports frame: one row per Fn::ImportValue.
    names, ex_stacks, ex_outputs, res_of = (ex[c].tolist() for c in ("export_name", "stack", "output", "resources"))
    cand = {k: ([names[e] for e in es], [ex_stacks[e] for e in es]) for k, (es, _) in groups.items()}
    n = len(imp)
    link = ["dangling"] * n
    for i in np.flatnonzero(unresolved.to_numpy()):
        link[i] = "unresolved"
    cols: dict[str, list[Any]] = {
        c: [None] * n
        for c in (
            "export_stack",
            "export_output",
            "export_resources",
            "inferred_from",
            "candidates",
            "candidate_stacks",
        )
    }
    for i, e, assumption, kind in one:
        link[i] = kind
        cols["export_stack"][i], cols["export_output"][i] = ex_stacks[e], ex_outputs[e]
        cols["export_resources"][i], cols["inferred_from"][i] = res_of[e], assumption
    for i, key in amb.items():
        link[i] = "ambiguous"
        cols["candidates"][i], cols["candidate_stacks"][i] = cand[key]  # shared lists: read-only
        cols["inferred_from"][i] = groups[key][1]
    for i in off:
        if link[i] in ("dangling", "unresolved"):
            link[i] = "inactive"
    out = imp.assign(link=link, active=active, **cols)

    # Links for the graphs: one row per active (or maybe active) import that has a target,
    # and the candidate groups.
    o = pd.DataFrame([x for x in one if x[0] not in off], columns=["i", "e", "assumption", "link"])
    a = pd.DataFrame({"i": [i for i in amb if i not in off], "key": [k for i, k in amb.items() if i not in off]})
    links = pd.DataFrame(
        {
            "stack": [stacks_of[i] for i in o.i] + [stacks_of[i] for i in a.i],
            "source": imp.source.to_numpy(object)[np.r_[o.i, a.i].astype(int)],
            "path": imp.path.to_numpy(object)[np.r_[o.i, a.i].astype(int)],
            "export_stack": [ex_stacks[e] for e in o.e] + [None] * len(a),
            "export_output": [ex_outputs[e] for e in o.e] + [None] * len(a),
            "export_name": [names[e] for e in o.e] + a.key.tolist(),
            "link": o.link.tolist() + ["ambiguous"] * len(a),
            "active": [active[i] for i in o.i] + [active[i] for i in a.i],
        }
    )
    candidates = pd.DataFrame(
        [(k, ex_stacks[e], ex_outputs[e], names[e]) for k, (es, _) in groups.items() for e in es],
        columns=["group", "export_stack", "export_output", "export_name"],
    )
    if scoped:  # the scopes were only for linking: names go back to what CloudFormation sees
        ex["export_name"], out["export_name"] = _unscoped(ex.export_name), _unscoped(out.export_name)
        out["inferred_from"] = _unscoped(out.inferred_from)
        out["candidates"] = [c if c is None else _unscoped(c) for c in out.candidates]
        # An ambiguous group stays one per scope: its key names the place, as a stack key does.
        links["export_name"] = [
            _group(n) if k == "ambiguous" else _unscoped([n])[0] for n, k in zip(links.export_name, links.link)
        ]
        candidates["group"] = [_group(n) for n in candidates.group]
        candidates["export_name"] = _unscoped(candidates.export_name)
    out = _where_written(estate, out)
    scripts = _script_links(estate, ex)
    ex["script_readers"] = [sorted(scripts["readers"].get(e, ())) for e in ex.index]
    if len(scripts["rows"]):
        out = pd.concat([out, scripts["rows"]], ignore_index=True)
        for col in ("export_resources", "candidates", "candidate_stacks"):  # concat's NaN: None
            out[col] = [v if isinstance(v, list) else None for v in out[col]]
    return {
        "exports": schema.frame("exports", ex),
        "imports": schema.frame("imports", out),
        "links": links,
        "candidates": candidates,
        "script_outputs": scripts["outputs"],
    }


def _where_written(estate: Estate, imp: pd.DataFrame) -> pd.DataFrame:
    """The Fn::ImportValue rows with via, and the file and line of the resource or output."""
    st, res, outs = estate.stacks, estate.resources, estate.outputs
    # Plain lists: iterating Arrow-backed columns value by value is several times slower.
    files = dict(zip(st["stack"].tolist(), st.source.tolist()))
    lines = dict(zip(zip(res["stack"].tolist(), res.logical_id.tolist()), res.line.astype(object).tolist()))
    lines.update(
        zip(
            zip(outs["stack"].tolist(), ("Outputs." + outs.name.astype(object)).tolist()),
            outs.line.astype(object).tolist(),
        )
    )
    stacks = imp["stack"].tolist()
    keys = list(zip(stacks, imp.source.tolist()))
    return imp.assign(
        via="ImportValue",
        file=[files.get(s) for s in stacks],
        line=[None if lines.get(k) is pd.NA else lines.get(k) for k in keys],
    )


def _script_links(estate: Estate, ex: pd.DataFrame) -> dict[str, Any]:
    """Script reads (``estate.script_reads``) linked to the exports and outputs they read.

    Returns ``rows`` (imports rows with via ``script``), ``readers`` (export row -> file:line
    of each script reading it) and ``outputs`` (stack, output, file, line: every output a
    script reads, exported or not, for the graphs).
    """
    reads = estate.script_reads
    empty = {
        "rows": pd.DataFrame(),
        "readers": {},
        "outputs": pd.DataFrame(columns=["stack", "output", "file", "line"]),
    }
    if reads.empty:
        return empty
    names = ex.export_name.tolist()
    by_name: dict[str, list[int]] = {}
    for e, n in zip(ex.index, names):
        by_name.setdefault(n, []).append(e)
    wanted = sorted({n for n in reads.export_name.dropna() if n not in by_name})
    found = _pattern_matches(wanted, ex) if wanted else {}
    st = estate.stacks
    stacks_named: dict[str, list[str]] = {}
    for key, name in zip(st["stack"], st.stack_name):
        stacks_named.setdefault(name, []).append(key)
        if key != name:
            stacks_named.setdefault(key, []).append(key)
    outs = estate.outputs
    exported = {
        (s, o): x for s, o, x in zip(outs["stack"], outs.name, outs.export_name.astype(object)) if x is not pd.NA
    }
    have = set(zip(outs["stack"], outs.name))
    rows: list[dict[str, Any]] = []
    readers: dict[int, set[str]] = {}
    outputs: list[tuple[str, str, str, int]] = []
    for r in reads.itertuples():
        where = f"{r.file}:{r.line}"
        row = {
            "stack": None,
            "source": r.call,
            "path": None,
            "via": "script",
            "file": r.file,
            "line": r.line,
            "active": True,
            "link": "dangling",
        }
        if r.call == "list-exports" and isinstance(r.export_name, str):
            row["export_name"] = r.export_name
            exact = by_name.get(r.export_name, [])
            matches = [(e, None) for e in exact] if exact else found.get(r.export_name, [])
            if len(matches) == 1:
                e, assumption = matches[0]
                row.update(
                    link="exact" if exact else "inferred",
                    inferred_from=assumption,
                    export_stack=ex["stack"][e],
                    export_output=ex.output[e],
                    export_resources=ex.resources[e],
                )
                readers.setdefault(e, set()).add(where)
                outputs.append((ex["stack"][e], ex.output[e], r.file, r.line))
            elif matches:
                row.update(
                    link="ambiguous",
                    candidates=[names[e] for e, _ in matches],
                    candidate_stacks=[ex["stack"][e] for e, _ in matches],
                )
        elif r.call == "describe-stacks" and isinstance(r.stack_name, str):
            keys = stacks_named.get(r.stack_name, [])
            key = keys[0] if len(keys) == 1 else None
            output = r.output_key if isinstance(r.output_key, str) else None
            row["export_name"] = exported.get((key, output)) if key and output else None
            if key and (output is None or (key, output) in have):
                row.update(link="exact", export_stack=key, export_output=output)
                for s, o in [(key, output)] if output else [k for k in have if k[0] == key]:
                    outputs.append((s, o, r.file, r.line))
                    for e in by_name.get(exported.get((s, o)) or "", []):
                        if ex["stack"][e] == s:
                            readers.setdefault(e, set()).add(where)
            elif "${" in r.stack_name:
                row["link"] = "unresolved"
        rows.append(row)
    return {
        "rows": pd.DataFrame(rows),
        "readers": readers,
        "outputs": pd.DataFrame(outputs, columns=["stack", "output", "file", "line"]).drop_duplicates(),
    }


def read_by_scripts(refusal: str | None, export: str | None, scripts: list[str], verb: str) -> str | None:
    """A refusal (or None) with the scripts that read the export named: CloudFormation refuses
    the change only for its importers, yet each script breaks at its next run.

    >>> read_by_scripts(None, "net-VpcId", ["ci/buildspec.yml:12"], "deleted")
    >>> read_by_scripts("Export net-VpcId cannot be deleted as it is in use by app", "net-VpcId",
    ...                 ["ci/buildspec.yml:12"], "deleted")[-54:]
    'in use by app; also read by script ci/buildspec.yml:12'
    """
    if not refusal or not scripts:
        return refusal
    return f"{refusal}; also read by script {', '.join(sorted(scripts)[:10])}"


def script_note(export: str | None, scripts: list[str], verb: str) -> str | None:
    """What a change does to the scripts reading an export or output (None: no script reads it).

    >>> script_note("net-VpcId", ["deploy.sh:4"], "deleted")[:50]
    'export net-VpcId is read by script deploy.sh:4, wh'
    """
    if not scripts:
        return None
    what = f"export {export}" if export else "this output"
    effect = "the script breaks" if verb == "deleted" else "the script reads the new value at its next run"
    return (
        f"{what} is read by script {', '.join(sorted(scripts)[:10])}, which CloudFormation does not know: "
        f"it will not refuse the change, {effect}"
    )


def script_outputs(estate: Estate) -> pd.DataFrame:
    """Every output a script of the estate folder reads: stack, output, file, line.

    >>> import iacviz
    >>> script_outputs(iacviz.load_template({"Resources": {}})).empty
    True
    """
    if _CACHE_KEY not in estate._cache and estate.script_reads.empty:
        # No script reads anything: the answer is empty without linking every import
        # (plan_changes asks this of an estate whose links nothing else needs).
        return pd.DataFrame(columns=["stack", "output", "file", "line"])
    return _link(estate)["script_outputs"]


_SCOPE_SEP = "\x1f"  # never in an export name, never matched by a placeholder
_SCOPED = re.compile(r"[^\s'\x1f]*\x1f")


def _group(value: str) -> str:
    where, _, name = value.rpartition(_SCOPE_SEP)
    account, _, region = where.rpartition(_SCOPE_SEP)[2].partition("/")
    return f"{_SCOPED.sub('', name)}@{':'.join(p for p in (account, region) if p)}"


def _unscoped(values) -> list:
    return [v if not isinstance(v, str) else _SCOPED.sub("", v) for v in values]


def export_scopes(estate: Estate) -> dict[str, str]:
    """Stack key -> the account-region its exports live in (``account/region``; ``/`` unknown).

    >>> import iacviz
    >>> export_scopes(iacviz.load_template({"Resources": {}}, stack="net"))
    {'net': '/'}
    """
    st = estate.stacks
    return {k: scope_of(a, r) for k, a, r in zip(st["stack"], st["account"], st["region"])}


def import_links(estate: Estate) -> pd.DataFrame:
    """The target of every import that has one, as the graphs use it.

    Columns: stack, source, path (the import), export_stack, export_output, export_name,
    link and active (True, or None when its condition is unknown; imports that are not active
    are left out). For an ``exact`` or ``inferred`` link, the export; for an ``ambiguous`` one,
    export_stack and export_output are None and export_name names its candidate group in
    :func:`ambiguous_candidates` (the pattern, or the name exported twice).

    >>> import iacviz
    >>> list(import_links(iacviz.load_template({"Resources": {}})).columns)
    ['stack', 'source', 'path', 'export_stack', 'export_output', 'export_name', 'link', 'active']
    """
    return _link(estate)["links"]


def ambiguous_candidates(estate: Estate) -> pd.DataFrame:
    """The exports each ambiguous candidate group may mean: group, export_stack, export_output, export_name.

    >>> import iacviz
    >>> ambiguous_candidates(iacviz.load_template({"Resources": {}})).empty
    True
    """
    return _link(estate)["candidates"]


@derived_frame("exports")
def _exports_frame(estate: Estate) -> pd.DataFrame:
    return _link(estate)["exports"]


@derived_frame("imports")
def _imports_frame(estate: Estate) -> pd.DataFrame:
    return _link(estate)["imports"]
