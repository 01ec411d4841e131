"""Compare one stack's two versions the way CloudFormation builds a change set.

:class:`StackView` is one side of one stack, resolved offline: parameter values, conditions,
the resources and outputs that exist under those conditions. :class:`StackPlan` walks the
resources of the new side in dependency order, so a resource sees what happens to everything
it references before its own change is decided (a replaced VPC replaces the subnets that
``Ref`` it, which replace what ``Ref`` them...).

>>> from iacviz.model.load import load_template
>>> b = load_template({"Resources": {"Q": {"Type": "AWS::SQS::Queue", "Properties": {"DelaySeconds": 0}}}}, "jobs")
>>> a = load_template({"Resources": {"Q": {"Type": "AWS::SQS::Queue", "Properties": {"DelaySeconds": 5}}}}, "jobs")
>>> [(r["logical_id"], r["action"], r["replacement"]) for r in
...  StackPlan(views(b)["jobs"], views(a)["jobs"], lambda name, stack: []).rows()]
[('Q', 'Modify', 'False')]
"""

from __future__ import annotations

import graphlib
import json
import marshal
from dataclasses import dataclass, field
from typing import Any, Callable, Sequence

import pandas as pd

from iacviz.analysis import change_rules as R
from iacviz.cfn import modality as _modality
from iacviz.cfn.blue_green import TRANSFORM as BLUE_GREEN_TRANSFORM
from iacviz.cfn import policies as _policies
from iacviz.cfn.parameters import is_ssm_type
from iacviz.cfn import update_behavior as _behavior
from iacviz.cfn.refusals import TYPE_CHANGE, custom_name_replacement, export_in_use, refusal_status
from iacviz.cfn.stability import stable_attribute
from iacviz.cfn.conditions import canonical, evaluate_conditions
from iacviz.cfn.intrinsics import Context, find_references, is_intrinsic
from iacviz.model.estate import Estate

_SECTIONS = (
    ("Metadata", "/metadata"),
    ("CreationPolicy", "/creation_policy"),
    ("UpdatePolicy", "/update_policy"),
    ("DeletionPolicy", "/deletion_policy"),
    ("UpdateReplacePolicy", "/update_replace_policy"),
)
_RESOURCE_REFS = ("Ref", "GetAtt", "Sub")


@dataclass
class StackView:
    """One side of one stack: what exists and how values resolve, with that side's parameters."""

    name: str
    resources: dict[str, dict]  # logical id -> resource, only those whose Condition is not false
    outputs: dict[str, dict]
    ctx: Context
    values: dict[str, Any]  # every parameter's value, SSM parameter types included (their key)
    ssm: set[str]
    conditions: dict
    mappings: dict
    declared: dict[str, dict]  # every resource, whatever its condition (to explain an Add/Remove)
    unknown_condition: dict[str, str] = field(default_factory=dict)
    macros: list[str] = field(default_factory=list)
    _deploy_time: bool | None = field(default=None, repr=False, compare=False)

    @property
    def deploy_time(self) -> bool:
        """Whether anything is read at deploy time at all (skips the per-resource scan).

        Worked out on first use: a plan asks it of the new side only, so the scan of every
        old side's resources is never paid.
        """
        if self._deploy_time is None:
            self._deploy_time = bool(
                self.ssm or self.macros or self.unknown_condition or _read_at_deploy(self.resources)
            )
        return self._deploy_time


def views(estate: Estate, user: dict[str, dict] | None = None) -> dict[str, StackView]:
    """One :class:`StackView` per stack of an estate; `user` holds the parameter values passed
    (NoEcho values are hidden in ``estate.parameters``, yet a change of them is a change)."""
    out = {}
    params = estate.parameters
    # One pass over the parameters, grouped by stack (a filter per stack was quadratic).
    by_stack: dict[str, list[tuple]] = {}
    for stack, *row in zip(
        params["stack"], params["name"], params["type"], params["value"], params["no_echo"], params["value_source"]
    ):
        by_stack.setdefault(stack, []).append(tuple(row))
    nested = _nested_stack_conditions(estate)
    for raw in estate.raw_stacks:
        t = raw.template if isinstance(raw.template, dict) else {}
        values, ssm = {}, set()
        for name, ptype, value, no_echo, source in by_stack.get(raw.name, ()):
            if no_echo is not pd.NA and bool(no_echo) and source not in ("default", "missing"):
                value = (user or {}).get(raw.name, {}).get(name, raw.parameter_values.get(name))
            values[name] = value
            if is_ssm_type(ptype):
                ssm.add(name)
        conditions = t.get("Conditions") if isinstance(t.get("Conditions"), dict) else {}
        mappings = t.get("Mappings") if isinstance(t.get("Mappings"), dict) else {}
        # An SSM parameter's value is the parameter *name*; what a Ref yields is only known at
        # deploy time, so it stays a ${Name} placeholder.
        ctx = Context(
            raw.stack_name or raw.name,
            raw.region or estate.region,
            raw.account,
            {k: v for k, v in values.items() if k not in ssm},
            mappings,
        )
        cond_values = evaluate_conditions(conditions, ctx)
        ctx.condition = cond_values.get
        view = StackView(raw.name, {}, {}, ctx, values, ssm, conditions, mappings, {})
        for section, target in (("Resources", view.resources), ("Outputs", view.outputs)):
            body = t.get(section) if isinstance(t.get(section), dict) else {}
            for lid, item in body.items():
                if not isinstance(item, dict) or (section == "Resources" and not isinstance(item.get("Type"), str)):
                    continue
                if section == "Resources":
                    view.declared[lid] = item
                cond = item.get("Condition") if isinstance(item.get("Condition"), str) else None
                value = cond_values.get(cond) if cond else True
                parent_value, parent_cond = nested.get(raw.name, (True, None))
                if parent_value is not True and value is not False:
                    # a nested stack exists only if its parent's Stack resource does
                    value, cond = (False if parent_value is False else None), parent_cond
                if value is False:
                    continue
                if value is None and section == "Resources":
                    view.unknown_condition[lid] = cond
                target[lid] = item
        transform = (raw.raw_template or t).get("Transform")
        names = transform if isinstance(transform, list) else [transform]
        view.macros = [
            n if isinstance(n, str) else str((n or {}).get("Name"))
            for n in names
            # CodeDeployBlueGreen changes no resource of the template: it runs the update as a
            # blue/green deployment (iacviz.cfn.blue_green), not a macro with unknown output.
            if n is not None and n not in (R.SAM_TRANSFORM, BLUE_GREEN_TRANSFORM)
        ]
        out[raw.name] = view
    return out


def _read_at_deploy(resources: dict) -> bool:
    """Whether any text holds a dynamic reference (``{{resolve:``) or any key or text is
    ``Fn::Transform``: what the JSON text of `resources` would show, without writing it
    (a text ending in ``"Fn::Transform`` shows it too, its quote escaped)."""
    # All the text at once first: marshal writes every key and string whole as its UTF-8
    # bytes, so with neither word in them the JSON text holds neither (nearly every stack);
    # else the walk below tells exactly.
    try:
        blob = marshal.dumps(resources)
    except (ValueError, RecursionError):  # a value marshal cannot write: the walk decides
        blob = b"{{resolve:"
    if b"{{resolve:" not in blob and b"Fn::Transform" not in blob:
        return False
    todo: list[Any] = [resources]
    while todo:
        item = todo.pop()
        if isinstance(item, str):
            if _shows_deploy_time(item):
                return True
        elif isinstance(item, dict):
            for key in item:
                if not isinstance(key, str):  # JSON would write it its own way: ask JSON
                    return _read_at_deploy_json(resources)
                if _shows_deploy_time(key):
                    return True
            todo.extend(item.values())
        elif isinstance(item, list):
            todo.extend(item)
        elif item is not None and not isinstance(item, (bool, int, float)):
            return _read_at_deploy_json(resources)  # tuples, dates...: as JSON writes them
    return False


def _shows_deploy_time(text: str) -> bool:
    # what the JSON text of a key or string would hold: a dynamic reference, or the whole
    # quoted word "Fn::Transform" (a text ending in "Fn::Transform shows it, quote escaped)
    return "{{resolve:" in text or text == "Fn::Transform" or text.endswith('"Fn::Transform')


def _read_at_deploy_json(resources: dict) -> bool:
    text = json.dumps(resources, default=str)
    return "{{resolve:" in text or '"Fn::Transform"' in text


def _nested_stack_conditions(estate: Estate) -> dict[str, tuple[bool | None, str | None]]:
    """Nested stack -> (whether it exists, the condition deciding it), for those whose parent's
    ``AWS::CloudFormation::Stack`` resource is under a false or unknown condition. The model
    folds that into the parent resource's ``condition_value`` (see ``model.build``)."""
    st, res = estate.stacks, estate.resources
    parents = {
        (p, r): s
        for s, p, r in zip(st["stack"], st.parent_stack.astype(object), st.parent_resource.astype(object))
        if isinstance(p, str) and isinstance(r, str)
    }
    if not parents:
        return {}
    out: dict[str, tuple[bool | None, str | None]] = {}
    # Plain lists: iterating Arrow-backed columns value by value is several times slower.
    for s, lid, cond, value in zip(
        res["stack"].tolist(), res.logical_id.tolist(), res.condition.tolist(), res.condition_value.tolist()
    ):
        child = parents.get((s, lid))
        if child is not None and value is not True:
            known = None if value is pd.NA else bool(value)
            out[child] = (known, f"{cond if isinstance(cond, str) else '(of its parent)'} on {s}/{lid}")
    return out


@dataclass
class _State:
    action: str
    replacement: str | None
    will: bool | None
    rtype: str


@dataclass(frozen=True)
class ExportUsers:
    """The stacks importing an export: `certain` ones, and `conditional` ones that import it only
    under a condition of unknown value."""

    certain: list[str]
    conditional: list[str]

    def __bool__(self) -> bool:
        return bool(self.certain or self.conditional)

    def refusal(self, export: str, verb: str) -> dict[str, Any]:
        """Plan columns ``blocked`` and ``blocked_status`` for a change of `export` (`verb`:
        updated or deleted); both None when nobody imports it."""
        return {
            "blocked": export_in_use(export, self.certain, verb, conditional=self.conditional),
            "blocked_status": refusal_status(self.certain, self.conditional),
        }


class StackPlan:
    """The change rows of one stack present on both sides (see :func:`iacviz.plan_changes`).

    `importers(export_name, stack)` gives the stacks that import an export of `stack`
    (:class:`ExportUsers`).
    """

    def __init__(self, before: StackView, after: StackView, importers: Callable[[str, str], ExportUsers]):
        self.b, self.a, self.importers = before, after, importers
        names = set(before.values) | set(after.values)
        self.changed = {
            n for n in names if canonical(before.values.get(n, R.MISSING)) != canonical(after.values.get(n, R.MISSING))
        }
        self.inputs_changed = (
            bool(self.changed) or before.mappings != after.mappings or before.conditions != after.conditions
        )
        self.state: dict[str, _State] = {}
        self.out: dict[tuple[str, str], dict] = {}

    # -- resources ------------------------------------------------------------------------
    def rows(self) -> list[dict]:
        a, b = self.a, self.b
        if not self.inputs_changed and a.resources == b.resources and not a.deploy_time:
            # Nothing a resource reads changed and nothing is re-read at deploy time: every
            # resource would be checked and found unchanged (no rows, no state), so the
            # dependency order is not needed. Most stacks of a release are like this.
            self._outputs()
            return list(self.out.values())
        deps = {
            lid: {
                r.target
                for r in find_references(res, pointers=False)  # targets only: no pointer strings
                if r.kind in _RESOURCE_REFS and r.target in a.resources and r.target != lid
            }
            for lid, res in a.resources.items()
        }
        try:
            order = list(graphlib.TopologicalSorter(deps).static_order())
        except graphlib.CycleError:  # an invalid template; CloudFormation would refuse it anyway
            order = list(a.resources)
        for lid in order:
            if lid not in b.resources:
                self._add(lid)
            else:
                self._modify(lid, deps[lid])
        removed = [lid for lid in b.resources if lid not in a.resources]
        for lid in removed:
            self._remove(lid)
        self._renames(removed)
        self._outputs()
        return list(self.out.values())

    def _renames(self, removed: list[str]) -> None:
        # CloudFormation has no notion of a rename: a new logical id is a new resource. Say so
        # where an added resource is defined exactly like a removed one.
        gone = {json.dumps(self.b.resources[lid], sort_keys=True, default=str): lid for lid in removed}
        for (kind, lid), row in self.out.items():
            if kind == "resource" and row["action"] == "Add" and not row.get("note"):
                old = gone.get(json.dumps(self.a.resources[lid], sort_keys=True, default=str))
                if old:
                    row["note"] = f"same definition as removed {old}: a renamed logical id is Remove + Add"
                    self.out[("resource", old)]["note"] = f"same definition as added {lid} (renamed?)"

    def _row(self, kind: str, lid: str, rtype: str | None, action: str, **extra: Any) -> dict:
        row = {
            "stack": self.a.name,
            "logical_id": lid,
            "resource_type": rtype,
            "kind": kind,
            "action": action,
            "details": [],
            "scope": [],
            "data_loss": False,
            **extra,
        }
        self.out[(kind, lid)] = row
        return row

    def _unknowable(self, lid: str, resource: dict, view: StackView, extra: Sequence[str] = ()) -> str | None:
        if not view.deploy_time:
            return "; ".join(extra) or None
        reasons = R.unknowable_inputs(resource, view.ssm, view.conditions) + list(extra)
        if lid in view.unknown_condition:
            reasons.append(f"condition {view.unknown_condition[lid]} cannot be evaluated offline")
        reasons += [f"macro {m} transforms the template at deploy time" for m in view.macros]
        return "; ".join(dict.fromkeys(reasons)) or None

    def _add(self, lid: str) -> None:
        res = self.a.resources[lid]
        cond = self.b.declared[lid].get("Condition") if lid in self.b.declared else None
        note = f"condition {cond} became true" if cond else None
        self.state[lid] = _State("Add", None, None, res["Type"])
        self._row("resource", lid, res["Type"], "Add", unknowable=self._unknowable(lid, res, self.a), note=note)

    def _remove(self, lid: str) -> None:
        res = self.b.resources[lid]
        note = (
            f"condition {self.a.declared[lid].get('Condition')} is false after the change"
            if lid in self.a.declared
            else None
        )
        self._row("resource", lid, res["Type"], "Remove", note=note, **removal(res, self.b.ctx))

    def _modify(self, lid: str, deps: set[str]) -> None:
        rb, ra = self.b.resources[lid], self.a.resources[lid]
        rtype = ra["Type"]
        unknown_type = not _behavior.type_rules(rtype).known or rtype.startswith("AWS::Serverless::")
        if rb["Type"] != rtype:
            self.state[lid] = _State("Modify", "True", True, rtype)
            self._row(
                "resource",
                lid,
                rtype,
                "Modify",
                replacement="True",
                will_replace=True,
                blocked=TYPE_CHANGE,
                note=f"type changed from {rb['Type']}",
                **replaced(rb, self.b.ctx, True),
            )
            return
        fast = rb == ra and not self.inputs_changed
        refs = bool(deps & {k for k, s in self.state.items() if s.action == "Modify"})
        details: list[dict[str, Any]] = []
        verdicts: list[tuple[str, bool | None]] = []
        if not fast or refs:
            for attribute, name, prefix, vb, va in _targets(rb, ra):
                self._target(rtype, lid, attribute, name, prefix, vb, va, fast, refs, details, verdicts)
        reasons = self._unknowable(
            lid,
            ra,
            self.a,
            ["update behaviour of the type is not in the resource schemas"] if unknown_type and details else [],
        )
        if not details:
            if reasons and self._deploy_time(lid, ra):
                self._row("resource", lid, rtype, "Dynamic", unknowable=reasons)
            return
        repl, will = R.replacement(details), R.combine(R.replaced_if(rec, changes) for rec, changes in verdicts)
        self.state[lid] = _State("Modify", repl, will, rtype)
        row = self._row(
            "resource",
            lid,
            rtype,
            "Modify",
            replacement=repl,
            will_replace=will,
            details=details,
            scope=sorted({d["attribute"] for d in details}),
            unknowable=reasons,
            **replaced(ra, self.a.ctx, will, repl),
        )
        if will is True:  # CloudFormation finds out while updating, and fails then
            row["blocked"] = self._custom_name(lid, rtype, rb, ra)
        if not any(changes is not False for _, changes in verdicts):
            row["note"] = "no effective change: every referenced value stays the same"

    def _deploy_time(self, lid: str, resource: dict) -> bool:
        # Resources whose inputs CloudFormation re-reads at every update (SSM parameters,
        # dynamic references, macros) may change with no template change: action Dynamic.
        return bool(R.unknowable_inputs(resource, self.a.ssm, self.a.conditions) or self.a.macros)

    def _custom_name(self, lid: str, rtype: str, rb: dict, ra: dict) -> str | None:
        prop = _behavior.custom_name_property(rtype)
        pb, pa = rb.get("Properties") or {}, ra.get("Properties") or {}
        if not prop or not isinstance(pa, dict) or prop not in pa:
            return None
        nb, na = _norm(pb.get(prop, R.MISSING), self.b.ctx), _norm(pa[prop], self.a.ctx)
        if nb != na:
            return None  # a new name: CloudFormation creates the new resource beside the old one
        return custom_name_replacement(lid, prop, na)

    def _target(self, rtype, owner, attribute, name, prefix, vb, va, fast, refs, details, verdicts) -> None:
        """Details of one target (a top-level property, a policy, an output's Value).

        `verdicts` receives, per detail, whether the target's *value* changes: True
        certainly, None maybe, False not (iacviz's own reading, behind will_replace).
        """
        props = rtype is not None and prefix.startswith("/properties")
        na = None

        def add(d: dict, changes: bool | None | str = "skip") -> None:
            if d not in details:
                details.append(d)
            if changes != "skip":
                verdicts.append((d["requires_recreation"], changes))

        if not fast:
            nb, na = _norm(vb, self.b.ctx), _norm(va, self.a.ctx)
            if nb != na:
                rec = R.recreation(rtype, R.changed_pointers(nb, na, prefix)) if props else "Never"
                params = (
                    []
                    if vb != va
                    else R.parameters_behind(
                        va if va is not R.MISSING else vb, self.changed, {**self.b.conditions, **self.a.conditions}
                    )
                )
                if params:  # "two changes for each resource that uses the updated parameter value"
                    add(R.detail(attribute, name, rec, "Dynamic", "DirectModification"))
                    for p in params:
                        add(R.detail(attribute, name, rec, "Static", "ParameterReference", p), True)
                else:
                    add(R.detail(attribute, name, rec, "Static", "DirectModification"), True)
        if not refs or va is R.MISSING:
            return
        for ref in find_references(va):
            st = self.state.get(ref.target)
            if ref.kind not in _RESOURCE_REFS or ref.target == owner or st is None or st.action != "Modify":
                continue
            attr = ref.attribute
            if st.replacement == "False" and not attr:
                continue  # a Ref to a resource updated in place: its physical id stays
            na = _norm(va, self.a.ctx) if na is None else na
            pointers = R.placeholder_pointers(na, prefix, ref.target)
            if not pointers:
                continue  # the reference sits in an Fn::If branch not taken
            # A reference to a resource that is certainly replaced changes statically (its
            # physical id will be new); to a conditionally replaced one, or a GetAtt of one
            # updated in place, dynamically (API reference, ResourceChangeDetail.Evaluation).
            rec = R.recreation(rtype, pointers) if props else "Never"
            evaluation = "Static" if st.replacement == "True" else "Dynamic"
            add(
                R.detail(
                    attribute,
                    name,
                    rec,
                    evaluation,
                    "ResourceAttribute" if attr else "ResourceReference",
                    f"{ref.target}.{attr}" if attr else ref.target,
                ),
                self._value_changes(st, ref.target, attr),
            )

    def _value_changes(self, st: _State, target: str, attr: str | None) -> bool | None:
        """Whether ``Ref``/``GetAtt`` of a modified resource yields a new value (None: maybe)."""
        if st.will is True:
            if not attr:
                return True  # a new physical resource, a new physical id
            # An attribute echoing a property written in the template (a Port, a set Name) may
            # survive the replacement; identifiers and generated endpoints do not.
            props = self.a.resources[target].get("Properties") or {}
            return None if isinstance(props, dict) and attr.split(".")[-1] in props else True
        if st.will is None:
            return None
        return None if attr and not stable_attribute(st.rtype, attr) else False

    def _users(self, old_export: str | None) -> ExportUsers:
        """The stacks keeping the before side's export in use (asked only of outputs that change)."""
        return self.importers(old_export, self.b.name) if old_export else ExportUsers([], [])

    # -- outputs --------------------------------------------------------------------------
    def _outputs(self) -> None:
        a, b = self.a, self.b
        for name in list(a.outputs) + [n for n in b.outputs if n not in a.outputs]:
            ob, oa = b.outputs.get(name), a.outputs.get(name)
            if ob is None:
                self._row("output", name, None, "Add")
                continue
            old_export = export_name(ob, b.ctx)
            if oa is None:
                self._row("output", name, None, "Remove", **self._users(old_export).refusal(old_export, "deleted"))
                continue
            details: list[dict[str, Any]] = []
            verdicts: list[tuple[str, bool | None]] = []
            refs = bool(self.state)
            for attribute, vb, va in (
                ("Value", ob.get("Value", R.MISSING), oa.get("Value", R.MISSING)),
                (
                    "Export",
                    (ob.get("Export") or {}).get("Name", R.MISSING),
                    (oa.get("Export") or {}).get("Name", R.MISSING),
                ),
            ):
                self._target(
                    None, None, attribute, None, f"/{attribute.lower()}", vb, va, False, refs, details, verdicts
                )
            if not details:
                continue
            row = self._row(
                "output", name, None, "Modify", details=details, scope=sorted({d["attribute"] for d in details})
            )
            users = self._users(old_export)
            if not users:
                continue
            if old_export != export_name(oa, a.ctx):
                row.update(users.refusal(old_export, "deleted"))
            elif any(changes is True for _, changes in verdicts):
                row.update(users.refusal(old_export, "updated"))
                for d in details:  # the resource whose replacement changes the export fails the update too
                    key = ("resource", (d["causing_entity"] or "").split(".")[0])
                    if (
                        d["change_source"].startswith("Resource")
                        and key in self.out
                        and not self.out[key].get("blocked")
                    ):
                        self.out[key].update(blocked=row["blocked"], blocked_status=row["blocked_status"])
            else:
                row["unknowable"] = f"{users.refusal(old_export, 'updated')['blocked']} if its value changes"


def export_name(output: dict, ctx: Context) -> str | None:
    """An output's export name resolved with the side's parameters (None when not exported)."""
    expr = (output.get("Export") or {}).get("Name") if isinstance(output.get("Export"), dict) else None
    value = _norm(expr, ctx) if expr is not None else None
    return value if isinstance(value, str) else None


def removal(resource: dict, ctx: Context) -> dict[str, Any]:
    """data_loss and policy_action of a resource leaving its stack (DeletionPolicy applies)."""
    rtype = resource["Type"]
    policy = R.deletion_policy(resource, ctx)
    stateful = _modality.classify(rtype)[1]
    return {
        "data_loss": stateful and _policies.keeps_old_resource(policy, rtype, "delete") is not True,
        "policy_action": _policies.policy_action("Remove", None, policy),
    }


def replaced(resource: dict, ctx: Context, will: bool | None, repl: str = "True") -> dict[str, Any]:
    """data_loss and policy_action of a Modify (UpdateReplacePolicy of the new template applies)."""
    rtype = resource["Type"]
    policy = R.replace_policy(resource, ctx)
    loses = _modality.classify(rtype)[1] and _policies.keeps_old_resource(policy, rtype, "replace") is not True
    return {"data_loss": will if loses else False, "policy_action": _policies.policy_action("Modify", repl, policy)}


def _targets(rb: dict, ra: dict):
    """(attribute, name, pointer prefix, before, after) for every comparable part of a resource."""
    pb, pa = rb.get("Properties", {}), ra.get("Properties", {})
    if not isinstance(pb, dict) or not isinstance(pa, dict) or is_intrinsic(pb) or is_intrinsic(pa):
        # Properties chosen whole by an Fn::If: compared as one target
        yield "Properties", None, "/properties", pb, pa
        pb, pa = {}, {}
    for key in list(pa) + [k for k in pb if k not in pa]:
        # The user guide's example: a tag change is Target {Attribute: Tags} with no Name.
        attribute, name = ("Tags", None) if key == "Tags" else ("Properties", key)
        yield attribute, name, f"/properties/{key}", pb.get(key, R.MISSING), pa.get(key, R.MISSING)
    for section, prefix in _SECTIONS:
        if section in rb or section in ra:
            yield section, None, prefix, rb.get(section, R.MISSING), ra.get(section, R.MISSING)


def _norm(value: Any, ctx: Context) -> Any:
    if value is R.MISSING:
        return value
    out = R.normalise(value, ctx)
    return R.MISSING if out is R.NOVALUE else out
