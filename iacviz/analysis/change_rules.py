"""The rules behind :func:`iacviz.plan_changes`, one small function each.

CloudFormation decides a change set from the *processed* template: parameters substituted,
mappings looked up, ``Fn::If`` branches picked, ``AWS::NoValue`` dropped, while references to
resources stay symbolic until the update runs. :func:`normalise` produces that form offline
(a reference to a resource becomes a ``${Res}`` / ``${Res.Attr}`` placeholder), so comparing two
sides is a plain ``==`` and a placeholder tells where a resource's new identity would land.

Vocabulary (CloudFormation API reference, ``ResourceChangeDetail`` / ``ResourceTargetDefinition``):
``requires_recreation`` Never | Conditionally | Always; ``evaluation`` Static | Dynamic;
``change_source`` ResourceReference | ParameterReference | ResourceAttribute |
DirectModification | Automatic.

>>> from iacviz.cfn.intrinsics import Context
>>> normalise({"A": {"Ref": "Env"}, "B": {"Ref": "AWS::NoValue"}, "C": {"Fn::GetAtt": ["Db", "Arn"]}},
...           Context("s", parameters={"Env": "prod"}))
{'A': 'prod', 'C': '${Db.Arn}'}
"""

from __future__ import annotations

import json
from typing import Any, Iterable

from iacviz.cfn import policies as _policies
from iacviz.cfn import update_behavior as _behavior
from iacviz.cfn.intrinsics import Context, find_references, is_intrinsic, resolve_value
from iacviz.cfn.pointer import join

MISSING: Any = type("Missing", (), {"__repr__": lambda self: "MISSING"})()
NOVALUE: Any = type("NoValue", (), {"__repr__": lambda self: "NOVALUE"})()

# update_behavior's answer -> RequiresRecreation. A type no schema describes is not guessed
# as safe: CloudFormation may or may not replace it, which is what "Conditionally" says.
RECREATION = {"replace": "Always", "conditional": "Conditionally", "in-place": "Never", "unknown": "Conditionally"}
_RANK = {"Never": 0, "Conditionally": 1, "Always": 2}
SAM_TRANSFORM = "AWS::Serverless-2016-10-31"


def normalise(expr: Any, ctx: Context) -> Any:
    """The processed form of a template value: what CloudFormation compares.

    Parameters, mappings, pseudo parameters and ``Fn::If`` on known conditions are resolved;
    ``AWS::NoValue`` removes its key or list item; references to resources become
    ``${Res}`` / ``${Res.Attr}`` placeholders; functions that cannot be evaluated offline
    (``Fn::GetAZs``, ``Fn::Cidr``, an ``Fn::If`` on an unknown condition) stay as written,
    with their arguments normalised, so they still compare structurally.

    >>> normalise({"Fn::If": ["Prod", 3, {"Ref": "AWS::NoValue"}]}, Context("s", condition={"Prod": False}.get))
    NOVALUE
    """
    kind = type(expr)
    if kind is list:
        return [v for v in (normalise(x, ctx) for x in expr) if v is not NOVALUE]
    if kind is not dict:
        return expr
    if not is_intrinsic(expr):
        out = {}
        for key, value in expr.items():
            value = normalise(value, ctx)
            if value is not NOVALUE:
                out[key] = value
        return out
    key, arg = next(iter(expr.items()))
    if key == "Ref" and arg == "AWS::NoValue":
        return NOVALUE
    if key == "Fn::If" and type(arg) is list and len(arg) == 3 and type(arg[0]) is str:
        value = ctx.condition(arg[0]) if ctx.condition else None
        if value is not None:
            return normalise(arg[1] if value else arg[2], ctx)
        return {key: [arg[0], normalise(arg[1], ctx), normalise(arg[2], ctx)]}
    if key == "Condition":
        return expr
    value = resolve_value(expr, ctx)
    if value is not None:
        return value
    return {key: normalise(arg, ctx)}


def leaf_pointers(value: Any, path: str) -> list[str]:
    """JSON pointers of every leaf below `path` (the path itself for a scalar or an empty value).

    >>> leaf_pointers({"A": [1, {"B": 2}]}, "/properties/X")
    ['/properties/X/A/0', '/properties/X/A/1/B']
    """
    if value is MISSING:
        return []
    if type(value) is dict and value and not is_intrinsic(value):
        return [p for k, v in value.items() for p in leaf_pointers(v, join(path, k))] or [path]
    if type(value) is list and value:
        return [p for i, v in enumerate(value) for p in leaf_pointers(v, f"{path}/{i}")] or [path]
    return [path]


def changed_pointers(before: Any, after: Any, path: str) -> list[str]:
    """Pointers of the leaves that differ between two normalised values (both sides' leaves
    where a whole subtree appears, disappears or changes shape).

    >>> changed_pointers({"A": 1, "B": [1, 2]}, {"A": 1, "B": [1, 3], "C": {"D": 0}}, "/properties")
    ['/properties/B/1', '/properties/C/D']
    """
    if before == after:
        return []
    if type(before) is dict and type(after) is dict and not is_intrinsic(before) and not is_intrinsic(after):
        keys = list(before) + [k for k in after if k not in before]
        return [p for k in keys for p in changed_pointers(before.get(k, MISSING), after.get(k, MISSING), join(path, k))]
    if type(before) is list and type(after) is list and len(before) == len(after):
        return [p for i, (b, a) in enumerate(zip(before, after)) for p in changed_pointers(b, a, f"{path}/{i}")]
    found = leaf_pointers(before, path) + [
        p for p in leaf_pointers(after, path) if p not in set(leaf_pointers(before, path))
    ]
    return found or [path]


def placeholder_pointers(value: Any, path: str, target: str) -> list[str]:
    """Pointers of the leaves of a normalised value that use resource `target`.

    >>> placeholder_pointers({"A": "${Vpc}", "B": ["x-${Vpc.CidrBlock}", "${VpcX}"]}, "/properties", "Vpc")
    ['/properties/A', '/properties/B/0']
    """
    marks = ("${" + target + "}", "${" + target + ".")
    out = []
    for pointer, leaf in _leaves(value, path):
        text = leaf if type(leaf) is str else json.dumps(leaf, default=str)
        if any(m in text for m in marks):
            out.append(pointer)
    return out


def _leaves(value: Any, path: str) -> Iterable[tuple[str, Any]]:
    if type(value) is dict and value and not is_intrinsic(value):
        for k, v in value.items():
            yield from _leaves(v, join(path, k))
    elif type(value) is list and value:
        for i, v in enumerate(value):
            yield from _leaves(v, f"{path}/{i}")
    elif value is not MISSING:
        yield path, value


def recreation(resource_type: str, pointers: Iterable[str]) -> str:
    """RequiresRecreation of a change touching these leaves: the most intrusive one wins.

    >>> recreation("AWS::EC2::Instance", ["/properties/Tags/0/Value", "/properties/InstanceType"])
    'Conditionally'
    """
    best = "Never"
    for pointer in pointers:
        value = RECREATION[_behavior.behavior(resource_type, pointer)]
        if _RANK[value] > _RANK[best]:
            best = value
            if best == "Always":
                break
    return best


def replacement(details: Iterable[dict]) -> str:
    """The change set's Replacement from its details, as the API reference defines it.

    "If the RequiresRecreation field is Always and the Evaluation field is Static, Replacement
    is True. If ... Always and ... Dynamic, Replacement is Conditionally" and the most
    intrusive change wins (Always, then Conditionally, then Never).

    >>> replacement([{"requires_recreation": "Always", "evaluation": "Dynamic"},
    ...              {"requires_recreation": "Never", "evaluation": "Static"}])
    'Conditional'
    """
    best = "False"
    for d in details:
        if d["requires_recreation"] == "Always" and d["evaluation"] == "Static":
            return "True"
        if d["requires_recreation"] in ("Always", "Conditionally"):
            best = "Conditional"
    return best


def replaced_if(rec: str, changes: bool | None) -> bool | None:
    """iacviz's verdict for one detail: does it replace the resource? True, False or None (maybe).

    `changes` says whether the value certainly changes (True), maybe (None) or not (False).

    >>> replaced_if("Always", True), replaced_if("Always", None), replaced_if("Conditionally", True)
    (True, None, None)
    """
    if changes is False or rec == "Never":
        return False
    return True if (rec == "Always" and changes is True) else None


def combine(verdicts: Iterable[bool | None]) -> bool | None:
    """True if any change certainly replaces, None if any may, else False.

    >>> combine([False, None]), combine([None, True]), combine([])
    (None, True, False)
    """
    out: bool | None = False
    for v in verdicts:
        if v is True:
            return True
        if v is None:
            out = None
    return out


def parameters_behind(expr: Any, changed: set[str], conditions: dict, seen: set[str] | None = None) -> list[str]:
    """Changed parameters an expression depends on, directly or through conditions it uses.

    >>> parameters_behind({"Fn::If": ["Prod", {"Ref": "Size"}, 1]}, {"Env"},
    ...                   {"Prod": {"Fn::Equals": [{"Ref": "Env"}, "prod"]}})
    ['Env']
    """
    seen = set() if seen is None else seen
    found: list[str] = []
    for ref in find_references(expr):
        if ref.kind == "Condition":
            if ref.target not in seen and ref.target in conditions:
                seen.add(ref.target)
                found += parameters_behind(conditions[ref.target], changed, conditions, seen)
        elif ref.kind in ("Ref", "Sub") and ref.attribute is None and ref.target in changed:
            found.append(ref.target)
    return sorted(set(found))


def detail(
    attribute: str, name: str | None, rec: str, evaluation: str, source: str, entity: str | None = None
) -> dict[str, Any]:
    """One ResourceChangeDetail as a flat dict (the ``details`` column holds lists of these).

    >>> detail("Properties", "CidrBlock", "Always", "Static", "DirectModification")["causing_entity"] is None
    True
    """
    return {
        "attribute": attribute,
        "name": name,
        "requires_recreation": rec,
        "evaluation": evaluation,
        "change_source": source,
        "causing_entity": entity,
    }


def deletion_policy(resource: dict, ctx: Context) -> str:
    """The DeletionPolicy in effect: as written (resolved) or CloudFormation's default.

    >>> deletion_policy({"Type": "AWS::RDS::DBCluster"}, Context("s"))
    'Snapshot'
    """
    written = resource.get("DeletionPolicy")
    if written is not None:
        value = normalise(written, ctx)
        return value if type(value) is str else json.dumps(value, sort_keys=True)
    props = resource.get("Properties") if isinstance(resource.get("Properties"), dict) else {}
    return _policies.default_deletion_policy(resource.get("Type", ""), props)


def replace_policy(resource: dict, ctx: Context) -> str:
    """The UpdateReplacePolicy in effect (default ``Delete``, for every type).

    >>> replace_policy({"Type": "AWS::RDS::DBInstance"}, Context("s"))
    'Delete'
    """
    written = resource.get("UpdateReplacePolicy")
    if written is None:
        return _policies.DEFAULT_REPLACE_POLICY
    value = normalise(written, ctx)
    return value if type(value) is str else json.dumps(value, sort_keys=True)


_SERVICES = {
    "ssm": "SSM Parameter Store",
    "ssm-secure": "SSM Parameter Store (SecureString)",
    "secretsmanager": "Secrets Manager",
}


def _strings(value: Any, inside: str | None = None):
    """(string, the intrinsic it sits in) for every string of a template value."""
    if isinstance(value, str):
        yield value, inside
    elif isinstance(value, dict):
        for k, v in value.items():
            yield from _strings(v, k if k.startswith("Fn::") else inside)
    elif isinstance(value, list):
        for v in value:
            yield from _strings(v, inside)


def _dynamic_references(resource: Any) -> list[str]:
    """Readable sentences, one per ``{{resolve:...}}`` of a resource, whole or built from pieces."""
    out = []
    for text, inside in _strings(resource):
        start = text.find("{{resolve:")
        while start >= 0:
            end = text.find("}}", start)
            service = text[start + 10 :].split(":", 1)[0].split("}", 1)[0]
            where = _SERVICES.get(service, service or "a service")
            if end > 0:
                out.append(f"dynamic reference {text[start : end + 2]} is read from {where} at deploy time")
            else:  # the reference is assembled by Fn::Join or Fn::Sub from several values
                out.append(
                    f"a dynamic reference to {where}, assembled with {inside or 'an intrinsic function'}, "
                    f"is read at deploy time"
                )
            start = text.find("{{resolve:", start + 1)
    return out


def unknowable_inputs(resource: Any, ssm_parameters: set[str], conditions: dict) -> list[str]:
    """Why a value of this resource cannot be known offline (SSM parameter types, dynamic
    references, ``Fn::Transform``), as sentences; empty when everything is in the template.

    >>> unknowable_inputs({"Properties": {"ImageId": {"Ref": "Ami"}, "P": "{{resolve:ssm:/x}}"}}, {"Ami"}, {})
    ['parameter Ami is an SSM parameter, read at deploy time', 'dynamic reference {{resolve:ssm:/x}} is read from SSM Parameter Store at deploy time']
    >>> unknowable_inputs({"Properties": {"P": {"Fn::Join": ["", ["{{resolve:secretsmanager:", {"Fn::ImportValue": "db"},
    ...     ":SecretString:password}}"]]}}}, set(), {})
    ['a dynamic reference to Secrets Manager, assembled with Fn::Join, is read at deploy time']
    """
    reasons = [
        f"parameter {p} is an SSM parameter, read at deploy time"
        for p in parameters_behind(resource, ssm_parameters, conditions)
    ]
    reasons += _dynamic_references(resource)
    if '"Fn::Transform"' in json.dumps(resource, default=str):
        reasons.append("Fn::Transform (AWS::Include or a macro) runs at deploy time")
    return list(dict.fromkeys(reasons))
