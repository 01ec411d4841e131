"""Offline change sets: what CloudFormation would do to every stack, and what iacviz can say better.

:func:`plan_changes` compares two versions of an estate (or of one template) and returns one
row per changed resource and output, with the fields of a CloudFormation change set (action,
replacement, details) and iacviz's own verdicts: whether the physical resource will certainly
be new, whether data is lost, and why CloudFormation would refuse the update.

The rules are CloudFormation's documented ones (user guide, "Example change sets"; API
reference, ``ResourceChange`` / ``ResourceChangeDetail``); they live in
:mod:`iacviz.analysis.change_rules` and :mod:`iacviz.analysis.change_stack`.
"""

from __future__ import annotations

import functools
import json
import os
from typing import Any, Mapping

import pandas as pd

from iacviz import schema
from iacviz.analysis.change_stack import ExportUsers, StackPlan, StackView, export_name, removal, views
from iacviz.analysis.exports import read_by_scripts, script_note, script_outputs
from iacviz.analysis.targets import construct_resources, did_you_mean
from iacviz.cfn.blue_green import green_deployment
from iacviz.errors import IacvizError
from iacviz.gc_pause import paused_gc
from iacviz.model.build import build_estate
from iacviz.model.estate import Estate
from iacviz.model.load import load_template
from iacviz.model.open import Source, open_estate
from iacviz.sources.parameter_values import ParameterValues
from iacviz.sources.raw import ErrorRow

__all__ = ["plan_changes"]


def plan_changes(
    before: Source | Mapping[str, Any],
    after: Source | Mapping[str, Any],
    *,
    before_parameters: Mapping | None = None,
    after_parameters: Mapping | None = None,
    stack: str | None = None,
) -> pd.DataFrame:
    """Predict the change sets CloudFormation would compute to go from `before` to `after`.

    Parameters
    ----------
    before, after : Estate, str, os.PathLike or mapping
        An estate, any source :func:`iacviz.open_estate` opens (a folder or file of
        templates, a ``cdk.out``, a snapshot folder, ``"live:PROFILE/REGION"``), or one
        template as a mapping in long form (named by `stack`, else after the single stack on the other side, else
        ``"stack"``).
    before_parameters, after_parameters : mapping, optional
        Parameter values in the shapes :func:`iacviz.load` takes: ``{Key: value}`` for every
        stack that declares the key, ``{stack: {Key: value}}`` for one stack.
    stack : str, optional
        Name of a template given as a mapping; with estates or paths, keep only this stack's rows,
        or, when it names no stack, the rows of the resource ``stack/LogicalId`` or of the CDK
        construct path (``StorefrontNetworkStack/StorefrontVPC``: its resource and everything
        below it). A name that matches nothing raises IacvizError with "did you mean".

    Returns
    -------
    pandas.DataFrame
        Frame ``plan`` (``iacviz.schema.describe("plan")``): stack, logical_id,
        resource_type, kind (resource/output), action (Add/Modify/Remove/Dynamic),
        replacement (True/False/Conditional for a Modify), details (list of dicts: attribute,
        name, requires_recreation, evaluation, change_source, causing_entity), will_replace,
        data_loss, blocked, blocked_status (certain, or conditional: only if a condition of
        unknown value holds), unknowable, policy_action, scope, note.

    Examples
    --------
    >>> vpc = {"Parameters": {"Cidr": {"Type": "String"}},
    ...        "Resources": {"Vpc": {"Type": "AWS::EC2::VPC", "Properties": {"CidrBlock": {"Ref": "Cidr"}}},
    ...                      "Subnet": {"Type": "AWS::EC2::Subnet", "Properties": {"VpcId": {"Ref": "Vpc"},
    ...                                                                         "CidrBlock": "10.0.0.0/24"}}}}
    >>> plan = plan_changes(vpc, vpc, before_parameters={"Cidr": "10.0.0.0/16"},
    ...                     after_parameters={"Cidr": "10.1.0.0/16"}, stack="net")
    >>> plan[["logical_id", "action", "replacement", "will_replace"]].values.tolist()
    [['Vpc', 'Modify', 'True', True], ['Subnet', 'Modify', 'True', True]]
    >>> [(d["evaluation"], d["change_source"], d["causing_entity"]) for d in plan.details[1]]
    [('Static', 'ResourceReference', 'Vpc')]
    """
    b_estate, b_user, b_default = _as_estate(before, before_parameters, stack)
    a_estate, a_user, a_default = _as_estate(after, after_parameters, stack)
    # One template against a one-stack estate: the template is that stack.
    if b_default and not a_default and len(a_estate.raw_stacks) == 1:
        b_estate, b_user, _ = _as_estate(before, before_parameters, a_estate.raw_stacks[0].name)
    elif a_default and not b_default and len(b_estate.raw_stacks) == 1:
        a_estate, a_user, _ = _as_estate(after, after_parameters, b_estate.raw_stacks[0].name)
    # Paused as graph building is (gc_pause.paused_gc): the views and rows are ~10^5 acyclic
    # dicts and lists, whose growth sets off collections that rescan both estates.
    with paused_gc():
        b_views, a_views = views(b_estate, b_user), views(a_estate, a_user)
        importers = _importers(a_estate, b_estate)
        keep = _construct(stack, a_estate, b_estate, set(a_views) | set(b_views))
        only = {k.split("/", 1)[0] for k in keep} if keep is not None else {stack}
        rows: list[dict] = []
        for name in list(a_views) + [n for n in b_views if n not in a_views]:
            if stack is not None and name not in only:
                continue
            if name in a_views and name in b_views:
                rows += StackPlan(b_views[name], a_views[name], importers).rows()
            elif name in a_views:
                rows += _whole_stack(a_views[name], "Add", importers)
            else:
                rows += _whole_stack(b_views[name], "Remove", importers)
        rows += _nested_stacks(a_estate, rows)
        _scripts_reading(rows, a_estate, b_estate)
        _blue_green(rows, a_estate, b_estate)
        if keep is not None:
            rows = [r for r in rows if f"{r['stack']}/{r['logical_id']}" in keep]
        for r in rows:  # a type change or custom name is refused whatever the conditions
            if r.get("blocked") and not r.get("blocked_status"):
                r["blocked_status"] = "certain"
        return schema.frame("plan", rows)


def _construct(stack: str | None, a_estate: Estate, b_estate: Estate, names: set[str]) -> set[str] | None:
    """For a `stack` that names no stack: the ``stack/LogicalId`` it names (a resource, or a CDK
    construct path and every resource below it), or IacvizError with "did you mean"."""
    if stack is None or stack in names:
        return None
    found: set[str] = set()
    for estate in (a_estate, b_estate):
        found.update(construct_resources(estate, stack, subtree=True))
        res = estate.resources
        if ((res["stack"].astype(object) + "/" + res.logical_id.astype(object)) == stack).any():
            found.add(stack)
    if not found:
        raise IacvizError(
            f"plan_changes: {stack!r} names no stack, resource or CDK construct.{did_you_mean(a_estate, stack)}"
        )
    return found


def _as_estate(value: Any, parameters: Mapping | None, stack: str | None) -> tuple[Estate, dict, bool]:
    """The estate of one side, the parameter values passed per stack, and whether it is a
    mapping that was given no name."""
    given = ParameterValues.of(parameters)
    if isinstance(value, Mapping):
        name = stack or "stack"
        flat = given.for_stack(name)
        return load_template(dict(value), stack=name, parameters=flat), {name: flat}, stack is None
    if isinstance(value, Estate):
        if given:
            errors = [ErrorRow(r.source, r.line, r.severity, r.message, r.stack) for r in value.errors.itertuples()]
            value = build_estate(value.raw_stacks, errors, parameters=given, region=value.region)
    elif isinstance(value, (str, os.PathLike)):  # a folder, file, cdk.out, snapshot or live source
        value = open_estate(value, parameters=given)
    else:
        raise IacvizError(f"plan_changes: expected a path, an Estate or a template mapping, not {type(value).__name__}")
    return value, _per_stack(given, value, stack), False


def _per_stack(given: ParameterValues, estate: Estate, stack: str | None) -> dict[str, dict]:
    """The values the user passed to each stack (what a NoEcho parameter really gets)."""
    out = {}
    for raw in estate.raw_stacks:
        declared = raw.template.get("Parameters") if isinstance(raw.template.get("Parameters"), dict) else {}
        mine = given.for_stack(raw.name, declared)
        if mine and (stack is None or raw.name == stack):
            out[raw.name] = mine
    return out


def _importers(estate: Estate, before: Estate):
    """``importers(export_name, exporting_stack)``: the stacks keeping it in use during the
    release, as (certain, conditional): the second import it only under a condition of unknown
    value.

    Two kinds of stack keep an export in use. One still imports it after its own update,
    whatever the order of deployments. The other imported it before and, after the release,
    still imports something else from the exporting stack: it must be updated after that
    stack, so while the exporter changes it still holds the old import, and CloudFormation
    refuses (why moving an import to a new export takes two releases).
    """
    refs = estate.references
    # An import under a false condition is never evaluated: it keeps no export in use. One
    # under a condition of unknown value may: its stack is "conditional" (see cfn.refusals).
    refs = refs[(refs["kind"] == "ImportValue") & ~refs.active.eq(False).fillna(False).astype(bool)]
    by_name: dict[str, dict[str, bool]] = {}
    # Plain lists: iterating Arrow-backed columns value by value is several times slower.
    for target, source_stack, active in zip(
        refs["target"].tolist(), refs["source_stack"].tolist(), refs.active.tolist()
    ):
        users = by_name.setdefault(target, {})
        users[source_stack] = users.get(source_stack, False) or (active is not pd.NA and bool(active))

    @functools.cache
    def held_earlier() -> dict[tuple[str, str], dict[str, bool]]:
        # Linking both sides' imports costs; only a changed or removed export asks for it.
        after_deps = set(_linked_imports(estate))
        earlier: dict[tuple[str, str], dict[str, bool]] = {}
        for (importer, exporter), names in _linked_imports(before).items():
            if (importer, exporter) in after_deps:
                for name, sure in names.items():
                    earlier.setdefault((name, exporter), {})[importer] = sure
        return earlier

    def importers(name: str, stack: str) -> ExportUsers:
        users = dict(by_name.get(name, {}))
        for s, sure in held_earlier().get((name, stack), {}).items():
            users[s] = users.get(s, False) or sure
        found = sorted((s, sure) for s, sure in users.items() if s != stack)
        return ExportUsers([s for s, sure in found if sure], [s for s, sure in found if not sure])

    return importers


def _linked_imports(estate: Estate) -> dict[tuple[str, str], dict[str, bool]]:
    """``(importing stack, exporting stack) -> {export name: certain}`` of the imports that can
    be evaluated (not under a false condition) and link to an exporting stack; scripts left out."""
    imp = estate.imports
    imp = imp[imp["stack"].notna() & imp.export_stack.notna() & ~imp.active.eq(False).fillna(False).astype(bool)]
    out: dict[tuple[str, str], dict[str, bool]] = {}
    for importer, exporter, name, active in zip(
        imp["stack"].tolist(), imp.export_stack.tolist(), imp.export_name.tolist(), imp.active.tolist()
    ):
        if importer == exporter:
            continue
        names = out.setdefault((importer, exporter), {})
        names[name] = names.get(name, False) or (active is not pd.NA and bool(active))
    return out


def _whole_stack(view: StackView, action: str, importers) -> list[dict]:
    """Rows of a stack present on one side only: every resource and output added or removed."""
    note = f"stack {view.name} {'added' if action == 'Add' else 'removed'}"
    rows = []
    for lid, res in view.resources.items():
        row = {
            "stack": view.name,
            "logical_id": lid,
            "resource_type": res["Type"],
            "kind": "resource",
            "action": action,
            "details": [],
            "scope": [],
            "note": note,
            "data_loss": False,
        }
        if action == "Remove":
            row.update(removal(res, view.ctx))
        rows.append(row)
    for name, out in view.outputs.items():
        export = export_name(out, view.ctx)
        users = importers(export, view.name) if export and action == "Remove" else ExportUsers([], [])
        rows.append(
            {
                "stack": view.name,
                "logical_id": name,
                "kind": "output",
                "action": action,
                "details": [],
                "scope": [],
                "note": note,
                "data_loss": False,
                **users.refusal(export, "deleted"),
            }
        )
    return rows


def _blue_green(rows: list[dict], a_estate: Estate, b_estate: Estate) -> None:
    """Rows of a stack whose CodeDeploy blue/green hook covers the task definitions and task
    sets that change: action BlueGreen (traffic shifts to green copies; the service stays),
    and CloudFormation's refusal when other resources change in the same update."""
    hooked: dict[str, set[str]] = {}
    for estate in (b_estate, a_estate):
        bg = estate.blue_green
        for stack, lid in zip(bg["stack"], bg.logical_id):
            hooked.setdefault(stack, set()).add(lid)
    if not hooked:
        return
    by_stack: dict[str, list[dict]] = {}
    for row in rows:
        if row["kind"] == "resource" and row["stack"] in hooked:
            by_stack.setdefault(row["stack"], []).append(row)
    for stack, mine in by_stack.items():
        # A row changed only through what the green deployment replaces (the primary task set's
        # GetAtt of the task set, a service's Ref of the task definition) is part of it. Rows
        # come in dependency order, so one pass follows such chains.
        direct: dict[str, str] = {}
        following: set[str] = set()
        for row in mine:
            causes = {(d.get("causing_entity") or "").split(".")[0] for d in row["details"]}
            through = bool(row["details"]) and all(
                (d.get("change_source") or "").startswith("Resource") for d in row["details"]
            )
            if row["action"] == "Modify" and through and causes <= (set(direct) | following):
                following.add(row["logical_id"])
            else:
                direct[row["logical_id"]] = row["resource_type"] or ""
        green, refusal = green_deployment(direct, hooked[stack])
        if not green:
            continue
        part = set(green) | following
        for row in mine:
            if row["logical_id"] in part:
                row.update(
                    action="BlueGreen",
                    replacement="False",
                    will_replace=False,
                    data_loss=False,
                    policy_action=None,
                    note=(
                        "blue/green deployment: CodeDeploy starts a green copy of "
                        + ", ".join(green)
                        + ", shifts the traffic to it, then deletes the blue one; the ECS service stays"
                    ),
                )
            if refusal and not row.get("blocked"):
                row["blocked"] = refusal


def _scripts_reading(rows: list[dict], *estates: Estate) -> None:
    """Output rows name the scripts of the estate folder that read the output or its export:
    in the refusal when stacks import it too, else in the note (CloudFormation goes ahead)."""
    readers: dict[tuple[str, str], set[str]] = {}
    for estate in estates:
        found = script_outputs(estate)
        for s, o, file, line in zip(found["stack"], found.output, found.file, found.line):
            readers.setdefault((s, o), set()).add(f"{file}:{line}")
    if not readers:
        return
    for row in rows:
        scripts = sorted(readers.get((row["stack"], row["logical_id"]), ())) if row["kind"] == "output" else []
        if not scripts or row["action"] not in ("Modify", "Remove"):
            continue
        verb = (
            "deleted" if row["action"] == "Remove" or "cannot be deleted" in (row.get("blocked") or "") else "updated"
        )
        if row.get("blocked"):
            row["blocked"] = read_by_scripts(row["blocked"], None, scripts, verb)
        else:
            note = script_note(None, scripts, verb)
            row["note"] = f"{row['note']}; {note}" if row.get("note") else note


def _nested_stacks(estate: Estate, rows: list[dict]) -> list[dict]:
    """A nested stack whose template changed: its AWS::CloudFormation::Stack resource is updated.

    CloudFormation marks it ``ChangeSource: Automatic`` ("because the nested stack's template
    might have changed"); iacviz reads the child, so it lists the parent resource only when
    the child really changes.
    """
    changed = {r["stack"] for r in rows}
    listed = {(r["stack"], r["logical_id"]) for r in rows if r["kind"] == "resource"}
    extra = []
    stacks = estate.stacks
    for child, parent, resource in zip(stacks["stack"], stacks["parent_stack"], stacks["parent_resource"]):
        if (
            child in changed
            and isinstance(parent, str)
            and isinstance(resource, str)
            and (parent, resource) not in listed
        ):
            extra.append(
                {
                    "stack": parent,
                    "logical_id": resource,
                    "resource_type": "AWS::CloudFormation::Stack",
                    "kind": "resource",
                    "action": "Modify",
                    "replacement": "False",
                    "will_replace": False,
                    "data_loss": False,
                    "scope": ["Properties"],
                    "note": f"nested stack {child} changes",
                    "details": [
                        {
                            "attribute": "Properties",
                            "name": None,
                            "requires_recreation": "Never",
                            "evaluation": "Static",
                            "change_source": "Automatic",
                            "causing_entity": None,
                        }
                    ],
                }
            )
    return extra


def to_records(plan: pd.DataFrame) -> list[dict]:
    """The plan as JSON-ready records (NA becomes None).

    >>> to_records(plan_changes({"Resources": {}}, {"Resources": {"Q": {"Type": "AWS::SQS::Queue"}}}))[0]["action"]
    'Add'
    """
    out = []
    for rec in plan.astype(object).to_dict("records"):
        out.append({k: (None if not isinstance(v, (list, dict)) and pd.isna(v) else v) for k, v in rec.items()})
    return json.loads(json.dumps(out, default=str))
