"""Render a plan (:func:`iacviz.plan_changes`) for people and pipelines, and decide whether it fails a gate.

``iacviz plan BEFORE AFTER --format table|json|csv|markdown --fail-on replacement,data-loss,blocked``
calls :func:`plan_to_text` and :func:`fail_reasons`.

>>> import iacviz
>>> plan = iacviz.plan_changes({"Resources": {"Q": {"Type": "AWS::SQS::Queue"}}}, {"Resources": {}})
>>> print(plan_to_text(plan, "markdown"))
| stack | kind | logical id | type | action | replacement | will replace | data loss | blocked / unknowable |
|---|---|---|---|---|---|---|---|---|
| stack | resource | Q | AWS::SQS::Queue | Remove |  |  | yes |  |
>>> fail_reasons(plan, "data-loss")
['data-loss: stack/Q (AWS::SQS::Queue) Remove loses its data (policy action Delete)']
"""
from __future__ import annotations

import io
import json
from typing import Iterable

import pandas as pd

from iacviz.analysis.changes import to_records
from iacviz.errors import IacvizError

__all__ = ["plan_to_text", "fail_reasons", "FAIL_ON"]

FORMATS = ("table", "json", "csv", "markdown")
FAIL_ON = ("replacement", "data-loss", "blocked", "unknowable")
_HEADERS = ("stack", "kind", "logical id", "type", "action", "replacement", "will replace", "data loss",
            "blocked / unknowable")


def _yes(value) -> str:
    if value is None or value is pd.NA or (isinstance(value, float) and value != value):
        return ""
    return "yes" if bool(value) else "no"


def _cells(row: dict) -> list[str]:
    will = "maybe" if row["kind"] == "resource" and row["action"] == "Modify" and row["will_replace"] is None \
        else _yes(row["will_replace"])
    loss = "maybe" if row["data_loss"] is None and row["action"] == "Modify" else _yes(row["data_loss"])
    notes = "; ".join(x for x in (row["blocked"], row["unknowable"]) if x)
    return [row["stack"] or "", row["kind"] or "", row["logical_id"] or "", row["resource_type"] or "",
            row["action"] or "", row["replacement"] or "", will, loss, notes]


def plan_to_text(plan: pd.DataFrame, fmt: str = "table") -> str:
    """A plan as text: ``table`` (rich), ``json`` (records, details included), ``csv``
    (details as a JSON string) or ``markdown``.

    Parameters
    ----------
    plan : pandas.DataFrame
        The frame :func:`iacviz.plan_changes` returns.
    fmt : str
        One of ``table``, ``json``, ``csv``, ``markdown``.

    Returns
    -------
    str
        The rendered plan (``"No changes."`` for an empty table).

    Examples
    --------
    >>> import iacviz
    >>> empty = iacviz.plan_changes({"Resources": {}}, {"Resources": {}})
    >>> plan_to_text(empty), plan_to_text(empty, "json")
    ('No changes.', '[]')
    """
    if fmt not in FORMATS:
        raise IacvizError(f"unknown plan format {fmt!r}: use one of {', '.join(FORMATS)}")
    records = to_records(plan)
    if fmt == "json":
        return json.dumps(records, indent=2)
    if fmt == "csv":
        flat = plan.copy()
        for col in ("details", "scope"):
            flat[col] = [json.dumps(r[col]) for r in records]
        return flat.to_csv(index=False)
    rows = [_cells(r) for r in records]
    if fmt == "markdown":
        lines = ["| " + " | ".join(_HEADERS) + " |", "|" + "---|" * len(_HEADERS)]
        lines += ["| " + " | ".join(c.replace("|", "\\|") for c in row) + " |" for row in rows]
        return "\n".join(lines)
    if not rows:
        return "No changes."
    from rich.console import Console
    from rich.table import Table

    table = Table(*_HEADERS, title="Planned changes")
    styles = {"Add": "green", "Remove": "red", "Modify": "yellow", "Dynamic": "magenta"}
    for row, rec in zip(rows, records):
        danger = rec["will_replace"] is True or rec["data_loss"] is True or rec["blocked"]
        table.add_row(*row, style="bold red" if danger else styles.get(rec["action"]))
    console = Console(file=io.StringIO(), width=200, record=True, color_system=None)
    console.print(table)
    return console.export_text()


def fail_reasons(plan: pd.DataFrame, fail_on: str | Iterable[str]) -> list[str]:
    """Why a plan fails a gate: one line per row and reason (empty: the plan passes).

    `fail_on` names reasons, comma-separated or as a list: ``replacement`` (a resource is or
    may be replaced), ``data-loss`` (certain or possible), ``blocked`` (CloudFormation would
    refuse), ``unknowable`` (something can only be known at deploy time).

    >>> import iacviz
    >>> fail_reasons(iacviz.plan_changes({"Resources": {}}, {"Resources": {}}), "replacement,blocked")
    []
    """
    wanted = [w.strip() for w in (fail_on.split(",") if isinstance(fail_on, str) else fail_on) if w.strip()]
    bad = sorted(set(wanted) - set(FAIL_ON))
    if bad:
        raise IacvizError(f"unknown --fail-on reason(s) {bad}: use {', '.join(FAIL_ON)}")
    out = []
    for r in to_records(plan):
        what = f"{r['stack']}/{r['logical_id']}" + (f" ({r['resource_type']})" if r["resource_type"] else "")
        if "replacement" in wanted and r["kind"] == "resource" and r["action"] == "Modify":
            if r["will_replace"] is True:
                out.append(f"replacement: {what} will be replaced")
            elif r["will_replace"] is None and r["replacement"] in ("True", "Conditional"):
                out.append(f"replacement: {what} may be replaced (CloudFormation: {r['replacement']})")
        if "data-loss" in wanted and (r["data_loss"] is True or (r["data_loss"] is None and r["action"] == "Modify")):
            certain = "loses its data" if r["data_loss"] is True else "may lose its data"
            out.append(f"data-loss: {what} {r['action']} {certain} (policy action {r['policy_action']})")
        if "blocked" in wanted and r["blocked"]:
            out.append(f"blocked: {what}: {r['blocked']}")
        if "unknowable" in wanted and r["unknowable"]:
            out.append(f"unknowable: {what}: {r['unknowable']}")
    return out
