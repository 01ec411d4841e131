"""What is wrong with an estate's cross-stack links: the ``export_problems`` frame.

One function finds every problem of the links that :mod:`iacviz.analysis.exports` makes
(dangling, ambiguous and unresolved imports, unused, duplicate and re-exported exports) and
the stack cycles of :func:`iacviz.analysis.graph.stack_cycles`; the review rules about exports
read its rows rather than restating them.

>>> import iacviz
>>> t = {"Resources": {"V": {"Type": "AWS::EC2::VPC"}}, "Outputs": {"V": {"Value": {"Ref": "V"}, "Export": {"Name": "v"}}}}
>>> iacviz.load_template(t, stack="net").export_problems[["kind", "source"]].values.tolist()
[['unused export', 'Outputs.V']]
"""

from __future__ import annotations

from collections import namedtuple
from typing import Any, Iterator

import pandas as pd

from .. import schema
from ..model.estate import Estate, derived_frame
from ..gc_pause import paused_gc
from .exports import export_scopes
from .graph import stack_cycles

__all__ = ["export_problems"]


def export_problems(estate: Estate) -> pd.DataFrame:
    """What is wrong with the cross-stack links of an estate, one row per problem.

    Parameters
    ----------
    estate : Estate
        Any estate; imports and exports are linked on first use (``estate.imports``).

    Returns
    -------
    DataFrame
        Frame ``export_problems``: kind, severity, stack, source, name, message. Kinds: ``dangling
        import`` (error), ``ambiguous import`` (warning), ``unresolved import`` (info),
        ``unused export`` (info: it may be used outside the estate; an export a script of the
        folder reads is used), ``dangling script read`` and ``ambiguous script read`` (warning: a
        script's AWS CLI or SDK read of an export matches none or several), ``duplicate export``
        (error: one name per account and region), ``stack cycle`` (error: imports and nesting
        that no deployment order satisfies) and ``re-export`` (warning: an export whose value
        is itself an import, which chains the two exporters' updates).

    Examples
    --------
    >>> import iacviz
    >>> app = {"Resources": {"Sg": {"Type": "AWS::EC2::SecurityGroup",
    ...        "Properties": {"GroupDescription": "x", "VpcId": {"Fn::ImportValue": "net-VpcId"}}}}}
    >>> export_problems(iacviz.load_template(app, stack="app")).message.tolist()
    ["app imports 'net-VpcId' (Sg at /properties/VpcId) but no stack in the estate exports that name"]
    """
    ex, imp = estate.exports, estate.imports
    rows: list[dict[str, Any]] = []
    err = estate.errors
    unread = sorted(set(err.source[err.severity == "error"].dropna()))
    note = (
        (
            f" ({len(unread)} file{'s' if len(unread) != 1 else ''} of the estate could not be read and may "
            f"export it, e.g. {unread[0]})"
        )
        if unread
        else ""
    )
    for r in _tuples(imp):
        if r.active is not pd.NA and not r.active:
            continue  # CloudFormation never evaluates it: nothing can go wrong with it
        if r.via == "script":
            rows += _script_problem(r)
            continue
        where = f"{r.source} at {r.path}" if r.path and r.path != "/" else r.source
        if r.active is pd.NA:
            where += ", under a condition whose value is unknown"
        if r.link == "dangling":
            what = "a name matching it" if "${" in r.export_name else "that name"
            kind, severity = "dangling import", "warning" if r.active is pd.NA else "error"
            message = f"{r.stack} imports '{r.export_name}' ({where}) but no stack in the estate exports {what}{note}"
        elif r.link == "ambiguous":
            cands = ", ".join(f"'{n}' of {s}" for n, s in zip(r.candidates[:5], r.candidate_stacks[:5]))
            cands += f" and {len(r.candidates) - 5} more" if len(r.candidates) > 5 else ""
            kind, severity = "ambiguous import", "warning"
            message = (
                f"{r.stack} imports '{r.export_name}' ({where}), which matches "
                f"{len(r.candidates)} exports: {cands}; none is picked"
            )
        elif r.link == "unresolved":
            kind, severity = "unresolved import", "info"
            message = f"{r.stack} imports a name that cannot be resolved offline ({where})"
        else:
            continue
        rows.append(
            dict(
                kind=kind,
                severity=severity,
                stack=r.stack,
                source=r.source,
                name=r.export_name,
                active=r.active,
                message=message,
            )
        )
    # An export a script reads is in use, though CloudFormation does not know the reader.
    unused = (ex.n_importers == 0) & ex.possible_importers.map(len).eq(0) & ex.script_readers.map(len).eq(0)
    for r in _tuples(ex[unused]):
        rows.append(
            _of_export(
                r,
                "unused export",
                "info",
                f"{r.stack} exports '{r.export_name}' (Outputs.{r.output}) but no stack in the estate imports it",
            )
        )
    concrete = ex[~ex.pattern.astype(bool)]
    scope = export_scopes(estate)
    places = concrete.assign(scope=[scope.get(s, "/") for s in concrete["stack"]])
    # Only a name exported twice in one place (account and region) collides; one export of a
    # name per place is fine. Grouping those alone skips a group (and its frame) per export.
    places = places[places.duplicated(["scope", "export_name"], keep=False)]
    for (_, name), group in places.groupby(["scope", "export_name"], sort=True):
        owners = ", ".join(f"{s} (Outputs.{o})" for s, o in zip(group["stack"], group.output))
        rows.append(
            dict(
                kind="duplicate export",
                severity="error",
                stack=group["stack"].iloc[0],
                name=name,
                message=f"export name '{name}' is exported {len(group)} times: {owners}; "
                f"CloudFormation allows one export of a name per account and region",
            )
        )
    for r in _tuples(ex[ex.reexport_of.notna()]):
        rows.append(
            _of_export(
                r,
                "re-export",
                "warning",
                f"{r.stack} re-exports the import '{r.reexport_of}' as '{r.export_name}' "
                f"(Outputs.{r.output}): its importers depend on the original exporter "
                f"through {r.stack}, which must be updated in between",
            )
        )
    for cycle, how in stack_cycles(estate):
        rows.append(
            dict(
                kind="stack cycle",
                severity="error",
                stack=cycle[0],
                name=" -> ".join(cycle + cycle[:1]),
                message=f"stacks {', '.join(cycle)} depend on each other in a cycle ({how}); "
                f"no deployment order satisfies it",
            )
        )
    return schema.frame("export_problems", rows)


def _tuples(df: pd.DataFrame) -> Iterator[Any]:
    """The rows of `df` as ``df.itertuples()`` gives them, read from plain lists (``tolist``):
    iterating Arrow-backed columns value by value is several times slower."""
    row = namedtuple("Row", ["Index", *df.columns], rename=True)  # type: ignore[misc]
    return map(row._make, zip(df.index, *(df[c].tolist() for c in df.columns)))


def _of_export(r: Any, kind: str, severity: str, message: str) -> dict[str, Any]:
    """A problem row about one export (a row of estate.exports): where it is declared and its name."""
    return dict(
        kind=kind, severity=severity, stack=r.stack, source=f"Outputs.{r.output}", name=r.export_name, message=message
    )


def _script_problem(r: Any) -> list[dict[str, Any]]:
    """A script's read that finds nothing (or too much) in the estate."""
    where = f"script {r.file} line {r.line}"
    if r.source == "describe-stacks":
        return []  # a stack the estate lacks may well be deployed from elsewhere: not a problem
    if r.link == "dangling":
        return [
            dict(
                kind="dangling script read",
                severity="warning",
                source=r.file,
                name=r.export_name,
                active=True,
                message=f"{where} reads export '{r.export_name}' with the AWS CLI or SDK but no stack in "
                f"the estate exports that name",
            )
        ]
    if r.link == "ambiguous":
        return [
            dict(
                kind="ambiguous script read",
                severity="warning",
                source=r.file,
                name=r.export_name,
                active=True,
                message=f"{where} reads export '{r.export_name}', which matches {len(r.candidates)} exports: "
                f"{', '.join(r.candidates[:5])}; none is picked",
            )
        ]
    return []


@derived_frame("export_problems")
def _problems_frame(estate: Estate) -> pd.DataFrame:
    with paused_gc():
        return export_problems(estate)
