"""The top risks of an estate, ranked for a review meeting: what to look at first, why, and the fix.

One row per risk, worst first. The score is a ranking, not a probability; it adds up what
makes a change dangerous:

=====================================  =====  ================================================
risk                                   score  why it ranks there
=====================================  =====  ================================================
unreadable template                    100    nothing in it is reviewed at all
dangling import, duplicate export,     85     the next deployment of the stack fails
stack cycle
replacement-prone resource             <= 90  30 stateful + 25 no UpdateReplacePolicy keeps the
                                              old copy + 20 a parameter or an import drives the
                                              create-only property + 15 always replaces (5 may)
export in use                          <= 60  20 + 4 per importing stack (at most 40): its value
                                              cannot change and it cannot be removed while
                                              imported, so it blocks changes to what it exports
ambiguous import                       30     which stack it reads depends on a parameter
=====================================  =====  ================================================

The facts come from the analyses (:func:`iacviz.replacement_prone`,
:func:`iacviz.export_problems`, ``estate.exports``, ``estate.errors``); this module only ranks
and words them.

>>> import iacviz
>>> e = iacviz.load_template({"Parameters": {"Name": {"Type": "String"}}, "Resources": {
...     "Table": {"Type": "AWS::DynamoDB::Table", "Properties": {"TableName": {"Ref": "Name"},
...         "KeySchema": [{"AttributeName": "id", "KeyType": "HASH"}],
...         "AttributeDefinitions": [{"AttributeName": "id", "AttributeType": "S"}]}}}}, stack="data")
>>> top_risks(e)[["score", "kind", "subject"]].values.tolist()
[[90, 'replacement-prone', 'data/Table']]
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from .. import schema
from ..analysis import problems as _problems  # noqa: F401 - registers estate.export_problems

__all__ = ["top_risks"]

_PROBLEM_FIX = {
    "dangling import": "export the name from the stack that owns the value, or correct the imported name "
    "(or the parameter that builds it)",
    "duplicate export": "rename one of the exports: a name can be exported once per account and region",
    "stack cycle": "break the cycle: move the shared value to a stack both can import from",
}


def _flag(value: Any) -> bool:
    return (
        bool(value)
        if value is not None and value is not pd.NA and not (isinstance(value, float) and value != value)
        else False
    )


def _replacement_rows(estate: Any, prone: pd.DataFrame | None) -> list[dict[str, Any]]:
    if prone is None:
        from ..analysis.replacement import replacement_prone

        prone = replacement_prone(estate)
    # One pass over plain lists: a pandas group per resource cost ~1 ms each (48 s at 2,000 stacks).
    groups: dict[tuple[str, str], list[tuple[Any, ...]]] = {}
    for row in zip(
        prone["stack"].tolist(),
        prone["logical_id"].tolist(),
        prone["type"].tolist(),
        prone["path"].tolist(),
        prone["update_behavior"].tolist(),
        prone["drivers"].tolist(),
        prone["stateful"].tolist(),
        prone["protected"].tolist(),
    ):
        groups.setdefault((row[0], row[1]), []).append(row[2:])
    rows = []
    for (stack, lid), g in groups.items():
        stateful = any(_flag(r[4]) for r in g)
        unprotected = stateful and not any(_flag(r[5]) for r in g)
        drivers = [r[3] for r in g if isinstance(r[3], str)]
        moved_by_input = any(w.startswith(("parameter", "import")) for d in drivers for w in d.split(", "))
        always = any(r[2] == "replace" for r in g)
        score = 30 * stateful + 25 * unprotected + 20 * moved_by_input + (15 if always else 5)
        props = [f"{r[1].split('/', 2)[-1]} ← {r[3]}" for r in g]
        rtype = g[0][0]
        why = (
            f"{rtype} is replaced when {', '.join(props[:3])}{' …' if len(props) > 3 else ''} changes"
            + ("; it holds data" if stateful else "")
            + ("; no UpdateReplacePolicy keeps the old copy" if unprotected else "")
        )
        fix = ("set UpdateReplacePolicy and DeletionPolicy to Retain or Snapshot, " if unprotected else "") + (
            "pin the value (no parameter or import for a create-only property) or accept the replacement"
            if moved_by_input
            else "keep the create-only property fixed, or plan the replacement"
        )
        rows.append(
            {
                "score": score,
                "kind": "replacement-prone",
                "stack": stack,
                "subject": f"{stack}/{lid}",
                "why": why,
                "fix": fix,
            }
        )
    return rows


def top_risks(
    estate: Any, findings: pd.DataFrame | None = None, *, replacement: pd.DataFrame | None = None
) -> pd.DataFrame:
    """The estate's risks ranked worst first, each with why and fix (frame ``top_risks``).

    Parameters
    ----------
    estate : Estate
        The estate to rank.
    findings : DataFrame, optional
        Not used for the score yet; accepted so callers can pass what they show next to it.
    replacement : DataFrame, optional
        :func:`iacviz.replacement_prone` of the estate, when the caller has it already.

    Returns
    -------
    DataFrame
        Frame ``top_risks``: rank, score, kind, stack, subject, why, fix; ties by kind and subject.

    Examples
    --------
    >>> import iacviz
    >>> top_risks(iacviz.load_template({"Resources": {}})).empty
    True
    """

    rows: list[dict[str, Any]] = []
    errors = estate.errors
    for r in errors[errors.severity == "error"].itertuples():
        where = f"{r.source}:{r.line}" if isinstance(r.line, int) and r.line else str(r.source)
        rows.append(
            {
                "score": 100,
                "kind": "unreadable template",
                "stack": r.stack if isinstance(r.stack, str) else None,
                "subject": str(r.source),
                "why": f"{where}: {r.message}; nothing in it is reviewed",
                "fix": "correct the file at that line, or exclude it from the estate",
            }
        )
    problems = estate.export_problems  # the derived frame: computed once, shared with review()
    for r in problems[problems.kind.isin(list(_PROBLEM_FIX))].itertuples():
        rows.append(
            {
                "score": 85,
                "kind": r.kind,
                "stack": r.stack,
                "subject": str(r.name),
                "why": r.message,
                "fix": _PROBLEM_FIX[r.kind],
            }
        )
    ambiguous = problems[problems.kind == "ambiguous import"]
    for stack, g in ambiguous.groupby("stack", sort=True):
        names = sorted(set(g.name))
        rows.append(
            {
                "score": 30,
                "kind": "ambiguous import",
                "stack": stack,
                "subject": f"{stack}: {names[0]}" + (f" and {len(names) - 1} more" if len(names) > 1 else ""),
                "why": f"{len(g)} import{'s' if len(g) != 1 else ''} of {stack} match several exports: "
                + "; ".join(g.message.head(2)),
                "fix": "give the parameter that names the exporting stack a value (estate file `parameters:`, "
                "or `iacviz wire` to propose one)",
            }
        )
    rows += _replacement_rows(estate, replacement)
    ex = estate.exports
    used = ex[ex.n_importers.fillna(0).astype(int) > 0]
    for r in used.itertuples():
        importers = r.importers if isinstance(r.importers, list) else []
        n = int(r.n_importers)
        rows.append(
            {
                "score": 20 + min(40, 4 * n),
                "kind": "export in use",
                "stack": r.stack,
                "subject": str(r.export_name),
                "why": f"imported by {n} stack{'s' if n != 1 else ''} ({', '.join(importers[:4])}"
                f"{' …' if len(importers) > 4 else ''}): CloudFormation refuses to change its value or "
                f"remove it (Outputs.{r.output} of {r.stack}) while it is imported",
                "fix": "to change it, first move every importer to a new export (or a parameter), "
                "then retire the old one",
            }
        )
    order = {
        "unreadable template": 0,
        "dangling import": 1,
        "duplicate export": 2,
        "stack cycle": 3,
        "replacement-prone": 4,
        "export in use": 5,
        "ambiguous import": 6,
    }
    df = pd.DataFrame(rows, columns=["score", "kind", "stack", "subject", "why", "fix"])
    if df.empty:
        return schema.frame("top_risks", [])
    df = (
        df.assign(_k=df.kind.map(order))
        .sort_values(["score", "_k", "subject"], ascending=[False, True, True], kind="stable")
        .drop(columns="_k")
    )
    df.insert(0, "rank", range(1, len(df) + 1))
    return schema.frame("top_risks", df)
