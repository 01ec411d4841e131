"""Cut a large estate down before drawing it: select stacks, types or modalities; group stacks into services.

Both functions are pure: frames in, a dict of new frames out (the estate is not touched),
so any figure can be drawn on the result.

>>> import iacviz
>>> e = iacviz.load_template({"Resources": {"Q": {"Type": "AWS::SQS::Queue"},
...                                         "F": {"Type": "AWS::Lambda::Function"}}}, stack="jobs")
>>> filter_estate_frames(e, modality="ephemeral")["resources"].logical_id.tolist()
['F']
"""

from __future__ import annotations

import re
from fnmatch import fnmatchcase
from typing import Any, Callable, Iterable

import pandas as pd

from ..cfn.modality import stack_modality

__all__ = ["filter_estate_frames", "collapse_by_service", "service_groups"]

FRAMES = ("stacks", "resources", "properties", "parameters", "outputs", "references", "exports", "imports")
_CUT = re.compile(r"[-_.]")


def _matches(values: pd.Series, patterns: str | Iterable[str] | None) -> pd.Series:
    if patterns is None:
        return pd.Series(True, index=values.index)
    pats = [patterns] if isinstance(patterns, str) else list(patterns)
    return values.map(lambda v: isinstance(v, str) and any(fnmatchcase(v, p) for p in pats)).astype(bool)


def filter_estate_frames(
    estate: Any,
    stacks: str | Iterable[str] | None = None,
    types: str | Iterable[str] | None = None,
    modality: str | Iterable[str] | None = None,
) -> dict[str, pd.DataFrame]:
    """The estate's frames reduced to some stacks, resource types and/or modalities.

    Parameters
    ----------
    estate : Estate
        The estate to cut (not modified).
    stacks : str or list of str, optional
        Stack names or glob patterns (``"shop-*"``) to keep.
    types : str or list of str, optional
        Resource types or glob patterns (``"AWS::EC2::*"``) to keep.
    modality : str or list of str, optional
        Resource modalities to keep (``persistent``, ``ephemeral``, ``neutral``, ``unknown``).

    Returns
    -------
    dict of DataFrame
        ``stacks``, ``resources``, ``properties``, ``parameters``, ``outputs``, ``references``,
        ``exports`` and ``imports``, with their usual columns. Resources (and their properties)
        are those passing every filter; stacks are the selected stacks that keep a resource
        (all selected stacks when neither `types` nor `modality` is given); an export is kept
        when its stack is, an import when its importing stack is kept, so the export map of
        the result still shows which stacks outside the selection are linked to it.

    Examples
    --------
    >>> import iacviz
    >>> e = iacviz.load_template({"Resources": {"Vpc": {"Type": "AWS::EC2::VPC"}}}, stack="net")
    >>> sorted(filter_estate_frames(e, types="AWS::S3::*"))[:3]
    ['exports', 'imports', 'outputs']
    """
    res = estate.resources
    keep_stack = _matches(estate.stacks["stack"], stacks)
    chosen = set(estate.stacks["stack"][keep_stack])
    keep_res = res["stack"].isin(chosen) & _matches(res.type, types) & _matches(res.modality, modality)
    resources = res[keep_res].reset_index(drop=True)
    if types is not None or modality is not None:
        chosen &= set(resources["stack"])
    keys = set(zip(resources["stack"], resources.logical_id))
    out = {"stacks": estate.stacks[estate.stacks["stack"].isin(chosen)].reset_index(drop=True), "resources": resources}
    props = estate.properties
    out["properties"] = props[
        pd.Series([k in keys for k in zip(props["stack"], props.logical_id)], index=props.index, dtype=bool)
    ].reset_index(drop=True)
    for name in ("parameters", "outputs"):
        df = getattr(estate, name)
        out[name] = df[df["stack"].isin(chosen)].reset_index(drop=True)
    refs = estate.references
    out["references"] = refs[refs.source_stack.isin(chosen)].reset_index(drop=True)
    ex, imp = estate.exports, estate.imports
    out["exports"] = ex[ex["stack"].isin(chosen)].reset_index(drop=True)
    kept_import = imp["stack"].isin(chosen)
    if types is not None or modality is not None:  # the importing resource must be kept too
        kept_import &= pd.Series(
            [s.startswith("Outputs.") or (st, s) in keys for st, s in zip(imp["stack"], imp.source)],
            index=imp.index,
            dtype=bool,
        )
    out["imports"] = imp[kept_import].reset_index(drop=True)
    return out


def _default_group(stack: str, parent: dict[str, Any]) -> str:
    seen = set()
    while isinstance(parent.get(stack), str) and stack not in seen:  # nested: the root parent
        seen.add(stack)
        stack = parent[stack]
    return _CUT.split(stack, maxsplit=1)[0] or stack


def service_groups(
    stacks: pd.DataFrame, how: bool | dict | Callable[[str], str] | None = True, extra: Iterable[str] = ()
) -> dict[str, str]:
    """Stack name -> service group, for the stacks of `stacks` and the names in `extra`.

    `how` as for the ``collapse_by_service`` keyword of the figures: True for the default rule,
    a dict (unlisted stacks keep their name) or a callable; None/False maps each stack to itself.

    >>> s = pd.DataFrame({"stack": ["orders-api", "orders-db", "edge", "edge-Waf"],
    ...                   "parent_stack": [None, None, None, "edge"]})
    >>> service_groups(s)
    {'orders-api': 'orders', 'orders-db': 'orders', 'edge': 'edge', 'edge-Waf': 'edge'}
    """
    names = list(dict.fromkeys([*stacks["stack"].tolist(), *extra]))
    if how is None or how is False:
        return {n: n for n in names}
    if isinstance(how, dict):
        return {n: how.get(n, n) for n in names}
    if callable(how):
        return {n: str(how(n)) for n in names}
    parent = dict(zip(stacks["stack"], stacks.parent_stack)) if "parent_stack" in stacks else {}
    parent = {k: v for k, v in parent.items() if isinstance(v, str)}
    return {n: _default_group(n, parent) for n in names}


def collapse_by_service(
    stacks: pd.DataFrame,
    imports: pd.DataFrame | None = None,
    exports: pd.DataFrame | None = None,
    resources: pd.DataFrame | None = None,
    *,
    groups: bool | dict | Callable[[str], str] | None = True,
) -> dict[str, pd.DataFrame]:
    """The frames with each stack replaced by its service group, links inside a group dropped.

    Parameters
    ----------
    stacks : DataFrame
        ``estate.stacks``.
    imports, exports, resources : DataFrame, optional
        ``estate.imports``, ``estate.exports``, ``estate.resources``, collapsed too when given.
    groups : bool, dict or callable
        How stacks are grouped (see :func:`service_groups`).

    Returns
    -------
    dict of DataFrame
        ``stacks`` (columns stack, modality, n_resources, members: the stacks of the group,
        parent_stack always NA), and ``imports``, ``exports``, ``resources`` when given: the
        same rows with stack names replaced by their group; an import whose two ends fall in
        one group is dropped (it is now inside a node); the ``importers`` of an export become
        the other groups importing it, while ``n_importers`` keeps counting stacks (so an
        export used only inside its own group is not mistaken for an unused one).

    Examples
    --------
    >>> s = pd.DataFrame({"stack": ["orders-api", "orders-db"], "modality": ["ephemeral", "persistent"],
    ...                   "n_resources": [3, 2]})
    >>> collapse_by_service(s)["stacks"].values.tolist()
    [['orders', 'mixed', 5, ['orders-api', 'orders-db'], <NA>]]
    """
    extra: list[str] = []
    if imports is not None:
        extra += [s for s in imports["stack"].tolist() + imports.export_stack.dropna().tolist() if isinstance(s, str)]
    mapping = service_groups(stacks, groups, extra)
    rows = []
    members: dict[str, list[str]] = {}
    for name in mapping:
        members.setdefault(mapping[name], []).append(name)
    info = stacks.set_index("stack")
    for group, names in members.items():
        known = [n for n in names if n in info.index]
        mods = info.modality.reindex(known).tolist() if "modality" in info else []
        n_res = info.n_resources.reindex(known).fillna(0).astype(int).sum() if "n_resources" in info else 0
        rows.append(
            {
                "stack": group,
                "modality": stack_modality(mods) if known else pd.NA,
                "n_resources": int(n_res) if known else pd.NA,
                "members": sorted(names),
                "parent_stack": pd.NA,
                "_known": bool(known),
            }
        )
    collapsed = pd.DataFrame(rows, columns=["stack", "modality", "n_resources", "members", "parent_stack", "_known"])
    out = {"stacks": collapsed[collapsed._known].drop(columns="_known").reset_index(drop=True)}

    def rename(col: pd.Series) -> pd.Series:
        return col.map(lambda s: mapping.get(s, s) if isinstance(s, str) else s)

    if imports is not None:
        imp = imports.assign(stack=rename(imports["stack"]), export_stack=rename(imports.export_stack))
        if "candidate_stacks" in imp:
            imp["candidate_stacks"] = imp.candidate_stacks.map(
                lambda c: sorted({mapping.get(s, s) for s in c}) if isinstance(c, list) else c
            )
        out["imports"] = imp[imp["stack"] != imp.export_stack.fillna("\0")].reset_index(drop=True)
    if exports is not None:
        ex = exports.assign(stack=rename(exports["stack"]))
        if "importers" in ex:
            ex["importers"] = [
                sorted({mapping.get(i, i) for i in (imps if isinstance(imps, list) else [])} - {s})
                for imps, s in zip(ex.importers, ex["stack"])
            ]
        out["exports"] = ex.reset_index(drop=True)
    if resources is not None:
        out["resources"] = resources.assign(stack=rename(resources["stack"]))
    return out
