"""Render a plan (:func:`iacviz.plan_changes`) for people and pipelines, and decide whether it fails a gate.

``iacviz plan BEFORE AFTER --format table|json|csv|markdown --fail-on replacement,data-loss,blocked``
calls :func:`plan_to_text` and :func:`fail_reasons`.

>>> import iacviz
>>> plan = iacviz.plan_changes({"Resources": {"Q": {"Type": "AWS::SQS::Queue"}}}, {"Resources": {}})
>>> print(plan_to_text(plan, "markdown"))
| stack | kind | logical id | type | action | replacement | because | will replace | data loss | blocked / unknowable |
|---|---|---|---|---|---|---|---|---|---|
| stack | resource | Q | AWS::SQS::Queue | Remove |  |  |  | yes |  |
>>> fail_reasons(plan, "data-loss")
['data-loss: stack/Q (AWS::SQS::Queue) Remove loses its data (policy action Delete)']
"""

from __future__ import annotations

import json
from typing import Iterable

import pandas as pd

from iacviz.analysis.changes import to_records
from iacviz.errors import IacvizError

__all__ = ["plan_to_text", "fail_reasons", "summary_line", "because", "FAIL_ON"]

FORMATS = ("table", "json", "csv", "markdown")
FAIL_ON = ("replacement", "data-loss", "blocked", "unknowable")
_HEADERS = (
    "stack",
    "kind",
    "logical id",
    "type",
    "action",
    "replacement",
    "because",
    "will replace",
    "data loss",
    "blocked / unknowable",
)
# what a changed property's RequiresRecreation means for the resource
_RECREATION = {"Always": "create-only: replaces", "Conditionally": "may replace"}


def _yes(value) -> str:
    if value is None or value is pd.NA or (isinstance(value, float) and value != value):
        return ""
    return "yes" if bool(value) else "no"


def because(details: list | None) -> str:
    """The properties that cause a replacement, each with its update behaviour and what changed it.

    >>> because([{"attribute": "Properties", "name": "GroupId", "requires_recreation": "Always",
    ...           "change_source": "ResourceReference", "causing_entity": "AppSg"},
    ...          {"attribute": "Properties", "name": "Tags", "requires_recreation": "Never"}])
    'GroupId (create-only: replaces; changed by AppSg)'
    """
    out = []
    for d in details or []:
        if not isinstance(d, dict) or d.get("requires_recreation") not in _RECREATION:
            continue
        name = d.get("name") or d.get("attribute") or "?"
        cause = d.get("causing_entity")
        source = {
            "DirectModification": "changed in the template",
            "ParameterReference": "parameter",
            "ResourceReference": "changed by",
            "ResourceAttribute": "changed by",
        }.get(d.get("change_source"), "")
        how = (
            f"{source} {cause}".strip() if cause else (source if d.get("change_source") == "DirectModification" else "")
        )
        out.append(f"{name} ({_RECREATION[d['requires_recreation']]}" + (f"; {how})" if how else ")"))
    return ", ".join(dict.fromkeys(out))


def summary_line(plan: pd.DataFrame) -> str:
    """One line: changes by action, then replacements, data loss, blocked and unknowable ones.

    >>> import iacviz
    >>> summary_line(iacviz.plan_changes({"Resources": {"Q": {"Type": "AWS::SQS::Queue"}}}, {"Resources": {}}))
    '1 change (1 Remove): 0 replaced, 0 may be replaced, 1 losing data, 0 blocked, 0 unknowable'
    """
    records = to_records(plan)
    actions = pd.Series([r["action"] for r in records], dtype=object).value_counts()
    modify = [r for r in records if r["kind"] == "resource" and r["action"] == "Modify"]
    sure = sum(r["will_replace"] is True for r in modify)
    maybe = sum(r["will_replace"] is None and r["replacement"] in ("True", "Conditional") for r in modify)
    loss = sum(r["data_loss"] is True for r in records)
    blocked = sum(bool(r["blocked"]) for r in records)
    maybe_blocked = sum(bool(r["blocked"]) and r.get("blocked_status") == "conditional" for r in records)
    unknowable = sum(bool(r["unknowable"]) for r in records)
    by_action = ", ".join(f"{n} {a}" for a, n in actions.items())
    return (
        f"{len(records)} change{'s' if len(records) != 1 else ''}"
        + (f" ({by_action})" if by_action else "")
        + f": {sure} replaced, {maybe} may be replaced, {loss} losing data, {blocked} blocked"
        + (f" ({maybe_blocked} only if a condition holds)" if maybe_blocked else "")
        + f", {unknowable} unknowable"
    )


def _cells(row: dict) -> list[str]:
    will = (
        "maybe"
        if row["kind"] == "resource" and row["action"] == "Modify" and row["will_replace"] is None
        else _yes(row["will_replace"])
    )
    loss = "maybe" if row["data_loss"] is None and row["action"] == "Modify" else _yes(row["data_loss"])
    notes = "; ".join(x for x in (row["blocked"], row["unknowable"]) if x)
    return [
        row["stack"] or "",
        row["kind"] or "",
        row["logical_id"] or "",
        row["resource_type"] or "",
        row["action"] or "",
        row["replacement"] or "",
        because(row["details"]) if row["replacement"] in ("True", "Conditional") else "",
        will,
        loss,
        notes,
    ]


def plan_to_text(plan: pd.DataFrame, fmt: str = "table", *, width: int | None = None, color: bool = False) -> str:
    """A plan as text: ``table`` (rich), ``json`` (records, details included), ``csv``
    (details as a JSON string) or ``markdown``.

    Parameters
    ----------
    plan : pandas.DataFrame
        The frame :func:`iacviz.plan_changes` returns.
    fmt : str
        One of ``table``, ``json``, ``csv``, ``markdown``.
    width : int, optional
        Width of a ``table`` (default: the terminal's, or ``COLUMNS``); long cells fold, never cut.
    color : bool
        Colour the rows of a ``table`` (replacements, data loss and blocked in bold red).

    Returns
    -------
    str
        The rendered plan (``"No changes."`` for an empty table); a table ends with
        :func:`summary_line`.

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
    from .terminal import table_text

    styles = {"Add": "green", "Remove": "red", "Modify": "yellow", "Dynamic": "magenta"}
    row_styles = [
        "bold red"
        if rec["will_replace"] is True
        or rec["data_loss"] is True
        or (rec["blocked"] and rec.get("blocked_status") != "conditional")
        else "red"
        if rec["blocked"]  # refused only if a condition of unknown value holds
        else styles.get(rec["action"])
        for rec in records
    ]
    text = table_text(
        pd.DataFrame(rows, columns=list(_HEADERS)),
        title="Planned changes",
        width=width,
        drop_first=["kind", "will replace", "type"],
        styles=row_styles,
        color=color,
    )
    return text + summary_line(plan) + "\n"


def fail_reasons(plan: pd.DataFrame, fail_on: str | Iterable[str]) -> list[str]:
    """Why a plan fails a gate: one line per row and reason (empty: the plan passes).

    `fail_on` names reasons, comma-separated or as a list: ``replacement`` (a resource is or
    may be replaced), ``data-loss`` (certain or possible), ``blocked`` (CloudFormation would
    refuse, certainly or if a condition of unknown value holds), ``unknowable`` (something can only be known at deploy time).

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
            maybe = " (only if a condition of unknown value holds)" if r.get("blocked_status") == "conditional" else ""
            out.append(f"blocked{maybe}: {what}: {r['blocked']}")
        if "unknowable" in wanted and r["unknowable"]:
            out.append(f"unknowable: {what}: {r['unknowable']}")
    return out
