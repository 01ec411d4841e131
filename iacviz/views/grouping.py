"""Group a large estate's stacks so a figure stays readable: by account and region, prefix, folder or modality.

Figures that draw one mark per stack (the export map, the import matrix, the modality bars)
call :func:`auto_groups` past their size threshold, and :func:`focus_groups` to keep one stack
and its neighbours apart while the others are grouped. Both return a plain ``stack -> group``
dict, the shape the ``collapse_by_service`` keyword takes.

>>> import pandas as pd
>>> stacks = pd.DataFrame({"stack": ["orders-api", "orders-db", "pay-api", "pay-db", "net"]})
>>> groups, rule = auto_groups(stacks, limit=3)
>>> rule, sorted(set(groups.values()))
('name prefix', ['net', 'orders', 'pay'])
"""

from __future__ import annotations

import re
from pathlib import PurePosixPath
from typing import Any, Callable, Iterable

import pandas as pd

__all__ = ["auto_groups", "focus_groups", "neighbours"]

_CUT = re.compile(r"[-_.:@/ ]")
_CAMEL = re.compile(r"^[A-Z]?[a-z0-9]+|^[A-Z]+(?=[A-Z][a-z]|$)")


def _prefix(name: str) -> str:
    head = _CUT.split(name, maxsplit=1)[0] or name
    if head == name:  # no separator: CDK style StorefrontNetworkStack -> Storefront
        m = _CAMEL.match(name)
        if m and m.group(0) != name:
            return m.group(0)
    return head


def _folder(source: Any) -> str:
    if not isinstance(source, str) or not source:
        return "?"
    parent = PurePosixPath(source.replace("\\", "/")).parent
    return str(parent) if str(parent) not in ("", ".") else "(top folder)"


def _where(stacks: pd.DataFrame) -> dict[str, str] | None:
    """stack -> 'account:region' when the estate spans more than one, else None."""
    if "account" not in stacks and "region" not in stacks:
        return None
    acct = stacks["account"] if "account" in stacks else pd.Series([None] * len(stacks), index=stacks.index)
    reg = stacks["region"] if "region" in stacks else pd.Series([None] * len(stacks), index=stacks.index)
    keys = [f"{a if isinstance(a, str) else '?'}:{r if isinstance(r, str) else '?'}" for a, r in zip(acct, reg)]
    if len(set(keys)) < 2:
        return None
    return dict(zip(stacks["stack"], keys))


def auto_groups(stacks: pd.DataFrame, extra: Iterable[str] = (), limit: int = 40) -> tuple[dict[str, str], str]:
    """Stack -> group, and the rule used, for an estate too large to draw stack by stack.

    Rules are tried in order and the first that gives between 2 and `limit` groups wins: name
    prefix (``orders-api`` -> ``orders``; ``StorefrontNetworkStack`` -> ``Storefront``; nested
    stacks join their root parent), folder of the template, modality. When the stacks span
    several accounts or regions, each group is also split by ``account:region``. When no rule
    fits, the one with the fewest groups above the limit is used (the figure then folds the
    smallest groups itself).

    Parameters
    ----------
    stacks : DataFrame
        ``estate.stacks`` (uses ``stack`` and, when present, ``parent_stack``, ``source``,
        ``modality``, ``account``, ``region``).
    extra : list of str
        More stack names to group (e.g. stacks the imports mention that are not in `stacks`).
    limit : int
        Most groups wanted.

    Returns
    -------
    (dict, str)
        The mapping (every stack and extra name) and the rule's name.

    Examples
    --------
    >>> s = pd.DataFrame({"stack": ["a1", "a2", "b1"], "modality": ["persistent", "persistent", "ephemeral"]})
    >>> auto_groups(s, limit=2)
    ({'a1': 'persistent', 'a2': 'persistent', 'b1': 'ephemeral'}, 'modality')
    """
    names = list(dict.fromkeys([*stacks["stack"].tolist(), *extra]))
    parent = (
        {k: v for k, v in zip(stacks["stack"], stacks["parent_stack"]) if isinstance(v, str)}
        if "parent_stack" in stacks
        else {}
    )

    def root(s: str) -> str:
        seen = set()
        while s in parent and s not in seen:
            seen.add(s)
            s = parent[s]
        return s

    source = dict(zip(stacks["stack"], stacks["source"])) if "source" in stacks else {}
    modality = dict(zip(stacks["stack"], stacks["modality"])) if "modality" in stacks else {}
    rules: list[tuple[str, Callable[[str], str]]] = [
        ("name prefix", lambda s: _prefix(root(s))),
        ("folder", lambda s: _folder(source.get(root(s)))),
        ("modality", lambda s: modality.get(s) if isinstance(modality.get(s), str) else "unknown"),
    ]
    where = _where(stacks)
    tried = []
    for label, rule in rules:
        mapping = {n: rule(n) for n in names}
        if where:
            mapping = {n: f"{g} @ {where[n]}" if n in where else g for n, g in mapping.items()}
            label = f"{label} and account:region"
        n_groups = len(set(mapping.values()))
        if 2 <= n_groups <= limit:
            return mapping, label
        tried.append((n_groups <= limit, abs(n_groups - limit), label, mapping))
    over = [t for t in tried if not t[0] and t[1] >= 0]
    best = min(over, key=lambda t: t[1]) if over else tried[-1]
    return best[3], best[2]


def neighbours(stack: str, imports: pd.DataFrame, stacks: pd.DataFrame | None = None) -> set[str]:
    """`stack` and the stacks it imports from, that import from it (also ambiguously), its parent and children.

    >>> imp = pd.DataFrame({"stack": ["app", "app"], "export_stack": ["net", None], "link": ["exact", "ambiguous"],
    ...                     "candidate_stacks": [None, ["db1", "db2"]]})
    >>> sorted(neighbours("app", imp))
    ['app', 'db1', 'db2', 'net']
    """
    out = {stack}
    mine = imports[imports["stack"] == stack]
    out |= {s for s in mine.export_stack if isinstance(s, str)}
    out |= set(imports["stack"][(imports.export_stack == stack).fillna(False).astype(bool)])
    if "candidate_stacks" in imports:
        for importer, cands in zip(imports["stack"], imports.candidate_stacks):
            if isinstance(cands, list) and (importer == stack or stack in cands):
                out |= {importer, *cands} if importer == stack else {importer}
    if stacks is not None and "parent_stack" in stacks:
        for s, p in zip(stacks["stack"], stacks.parent_stack):
            if s == stack and isinstance(p, str):
                out.add(p)
            if isinstance(p, str) and p == stack:
                out.add(s)
    return out


def focus_groups(
    stacks: pd.DataFrame, imports: pd.DataFrame, focus: str, limit: int = 40
) -> tuple[dict[str, str], str]:
    """Stack -> group that keeps `focus` and its :func:`neighbours` one by one and groups the rest.

    >>> s = pd.DataFrame({"stack": ["app", "net", "db-1", "db-2", "web-1", "web-2"]})
    >>> imp = pd.DataFrame({"stack": ["app", "web-1"], "export_stack": ["net", "net"], "link": ["exact"] * 2})
    >>> mapping, rule = focus_groups(s, imp, "app", limit=5)
    >>> rule, mapping["app"], mapping["net"], mapping["db-2"]
    ('focus on app', 'app', 'net', 'db')
    """
    keep = neighbours(focus, imports, stacks)
    extra = [s for s in [*imports["stack"], *imports.export_stack.dropna()] if isinstance(s, str)]
    rest = stacks[~stacks["stack"].isin(keep)]
    others, _ = (
        auto_groups(rest, [s for s in extra if s not in keep], max(limit - len(keep), 2)) if len(rest) else ({}, "")
    )
    mapping = {**others, **{s: s for s in keep}}
    # a group must not take the name of a stack drawn on its own
    mapping = {s: (f"{g} (group)" if g in keep and s not in keep else g) for s, g in mapping.items()}
    return mapping, f"focus on {focus}"
