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

__all__ = ["account_regions", "auto_groups", "focus_groups", "neighbours", "place_order", "stack_labels", "with_places"]

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


def account_regions(stacks: pd.DataFrame) -> dict[str, str] | None:
    """Stack key -> ``account:region`` when the stacks span more than one account-region, else None.

    The one test every view makes before it facets, colours or labels by place: a figure of
    one account-region reads as before; one of several never mixes them silently.

    Parameters
    ----------
    stacks : DataFrame
        ``estate.stacks`` (uses ``stack``, ``account`` and ``region``; ``?`` where unknown).

    Returns
    -------
    dict or None

    Examples
    --------
    >>> s = pd.DataFrame({"stack": ["net@1:eu-west-1", "net@2:eu-west-1"], "account": ["1", "2"],
    ...                   "region": ["eu-west-1", "eu-west-1"]})
    >>> account_regions(s)
    {'net@1:eu-west-1': '1:eu-west-1', 'net@2:eu-west-1': '2:eu-west-1'}
    >>> account_regions(s.iloc[:1]) is None
    True
    """
    if stacks is None or ("account" not in stacks and "region" not in stacks):
        return None
    acct = stacks["account"] if "account" in stacks else pd.Series([None] * len(stacks), index=stacks.index)
    reg = stacks["region"] if "region" in stacks else pd.Series([None] * len(stacks), index=stacks.index)
    keys = [f"{a if isinstance(a, str) else '?'}:{r if isinstance(r, str) else '?'}" for a, r in zip(acct, reg)]
    if len(set(keys)) < 2:
        return None
    return dict(zip(stacks["stack"], keys))


_where = account_regions


def stack_labels(stacks: pd.DataFrame | None, names: Iterable[str] = ()) -> dict[str, str]:
    """Stack key -> the text a figure or table writes for it: the key, naming its account and
    region when the stacks span several (``app @ 111111111111:eu-west-1``).

    A key already qualified by account and region (``net@111111111111:eu-west-1``) is written
    as it is; others (a plain name, or one qualified by environment) get `` @ account:region``.
    Names not in `stacks` (groups, stacks outside a selection) are written as they are.

    Examples
    --------
    >>> s = pd.DataFrame({"stack": ["app", "net@prod:eu-west-1", "net@2:us-east-1"],
    ...                   "account": ["1", "1", "2"], "region": ["eu-west-1", "eu-west-1", "us-east-1"]})
    >>> labels = stack_labels(s, ["other"])
    >>> [labels[n] for n in ["app", "net@prod:eu-west-1", "net@2:us-east-1", "other"]]
    ['app @ 1:eu-west-1', 'net@prod:eu-west-1 @ 1:eu-west-1', 'net@2:us-east-1', 'other']
    """
    where = account_regions(stacks) if stacks is not None else None
    out = {n: n for n in names}
    if not where:
        out.update({s: s for s in (stacks["stack"] if stacks is not None else [])})
        return out
    for key, place in where.items():
        out[key] = key if key.endswith("@" + place) else f"{key} @ {place}"
    return out


PLACE_COLUMN = "account_region"  # the column tables add when an estate spans several account-regions


def with_places(df: pd.DataFrame, stacks: pd.DataFrame | None, column: str = "stack") -> pd.DataFrame:
    """`df` with an ``account_region`` column right after `column` when `stacks` span several
    account-regions (unchanged otherwise): the column every table of stacks shows then.

    >>> s = pd.DataFrame({"stack": ["a", "b"], "account": ["1", "2"], "region": ["r", "r"]})
    >>> with_places(pd.DataFrame({"stack": ["b"], "n": [3]}), s).columns.tolist()
    ['stack', 'account_region', 'n']
    """
    where = account_regions(stacks) if stacks is not None else None
    if not where or column not in df or PLACE_COLUMN in df:
        return df
    out = df.copy()
    out.insert(list(df.columns).index(column) + 1, PLACE_COLUMN, df[column].map(where).astype(object))
    return out


def place_order(stacks: pd.DataFrame | None, names: Iterable[str]) -> dict[str, str]:
    """Name -> its ``account:region`` ('' when one account-region or not a stack), to sort by
    so that each account-region's stacks sit together.

    >>> s = pd.DataFrame({"stack": ["a", "b"], "account": ["2", "1"], "region": ["r", "r"]})
    >>> sorted(["a", "b"], key=place_order(s, ["a", "b"]).get)
    ['b', 'a']
    """
    where = account_regions(stacks) if stacks is not None else None
    return {n: (where or {}).get(n, "") for n in names}


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
