"""Replacement-prone properties: create-only values that something outside the literal template drives.

A create-only property written as a literal only replaces its resource when someone edits it.
One that follows a parameter, an import or another resource can replace it (and, through
CloudFormation's references, its dependents) on a deployment where nobody touched the
resource: a new parameter value, a replaced VPC. :func:`replacement_prone` lists those.
"""
from __future__ import annotations

import pandas as pd

from iacviz import schema
from iacviz.analysis.change_rules import protected
from iacviz.model.estate import Estate, derived_frame

__all__ = ["replacement_prone"]

schema.declare("replacement_prone", {
    "stack": ("str", "stack name"),
    "logical_id": ("str", "resource logical id"),
    "type": ("str", "resource type"),
    "path": ("str", "JSON pointer of the property leaf, e.g. /properties/VpcId"),
    "update_behavior": ("str", "replace (create-only) or conditional (conditionally create-only)"),
    "driven_by": ("object", "what the value depends on, as in properties.driven_by (ref:X, getatt:X.A, import, "
                            "condition:C, mapping:M)"),
    "drivers": ("str", "the same in words: parameter Env, resource Vpc, attribute Db.Arn, import shop-VpcId..."),
    "stateful": ("bool", "the resource holds data a replacement loses"),
    "protected": ("bool", "UpdateReplacePolicy Retain or (where supported) Snapshot keeps the old resource"),
    "message": ("str", "what a change of a driver does, in one sentence"),
})

# Drivers that change between deployments of the same stack. A pseudo parameter (the stack's
# own name or region) or a mapping looked up with literal keys cannot.
_MOVING = ("ref:", "getatt:", "import", "condition:")


def replacement_prone(estate: Estate) -> pd.DataFrame:
    """Create-only (and conditionally create-only) properties whose value a parameter, an
    import, a condition or another resource drives.

    Parameters
    ----------
    estate : Estate
        A loaded estate (``estate.properties`` must carry update_behavior and driven_by).

    Returns
    -------
    pandas.DataFrame
        Frame ``replacement_prone``: stack, logical_id, type, path, update_behavior
        (replace or conditional), driven_by, drivers (readable), stateful, protected
        (UpdateReplacePolicy keeps the old resource), message. Also ``estate.replacement_prone``.

    Examples
    --------
    >>> import iacviz
    >>> e = iacviz.load_template({"Parameters": {"Cidr": {"Type": "String"}}, "Resources": {
    ...     "Vpc": {"Type": "AWS::EC2::VPC", "Properties": {"CidrBlock": {"Ref": "Cidr"}}},
    ...     "Sub": {"Type": "AWS::EC2::Subnet", "Properties": {"VpcId": {"Ref": "Vpc"}, "CidrBlock": "10.0.0.0/24"}}}},
    ...     stack="net")
    >>> replacement_prone(e)[["logical_id", "path", "drivers"]].values.tolist()
    [['Vpc', '/properties/CidrBlock', 'parameter Cidr'], ['Sub', '/properties/VpcId', 'resource Vpc']]
    """
    props = estate.properties
    mask = props["update_behavior"].isin(["replace", "conditional"]) & props["driven_by"].map(
        lambda d: isinstance(d, list) and any(x.startswith(_MOVING) for x in d))
    prone = props[mask.fillna(False).astype(bool)]
    if prone.empty:
        return schema.frame("replacement_prone", [])
    res = estate.resources.set_index(["stack", "logical_id"])
    params = set(zip(estate.parameters["stack"], estate.parameters["name"]))
    refs = estate.references
    imports = refs[refs["kind"] == "ImportValue"]
    import_names: dict[tuple[str, str], list[tuple[str, str]]] = {}
    for s, src, path, target in zip(imports["source_stack"], imports["source"], imports["source_path"],
                                    imports["target"]):
        import_names.setdefault((s, src), []).append((path, target))
    rows = []
    for stack, lid, path, behavior, driven in zip(prone["stack"], prone["logical_id"], prone["path"],
                                                  prone["update_behavior"], prone["driven_by"]):
        r = res.loc[(stack, lid)] if (stack, lid) in res.index else None
        rtype = r["type"] if r is not None else None
        stateful = bool(r["stateful"]) if r is not None and pd.notna(r["stateful"]) else False
        policy = r["update_replace_policy"] if r is not None and pd.notna(r["update_replace_policy"]) else None
        names = [t for p, t in import_names.get((stack, lid), []) if p == path or p.startswith(path + "/")]
        words = _drivers(driven, stack, params, names)
        rows.append({
            "stack": stack, "logical_id": lid, "type": rtype, "path": path, "update_behavior": behavior,
            "driven_by": driven, "drivers": ", ".join(words), "stateful": stateful,
            "protected": protected(policy, rtype or ""),
            "message": _message(lid, path, behavior, words, stateful, protected(policy, rtype or "")),
        })
    return schema.frame("replacement_prone", rows)


def _drivers(driven: list[str], stack: str, params: set, import_names: list[str]) -> list[str]:
    out = []
    for d in driven:
        kind, _, name = d.partition(":")
        if kind == "ref":
            out.append(f"parameter {name}" if (stack, name) in params else f"resource {name}")
        elif kind == "getatt":
            out.append(f"attribute {name}")
        elif kind == "condition":
            out.append(f"condition {name}")
        elif kind == "import":
            out += [f"import {n}" for n in import_names] or ["an import"]
    return list(dict.fromkeys(out))


def _message(lid: str, path: str, behavior: str, words: list[str], stateful: bool, is_protected: bool) -> str:
    prop = path.split("/", 2)[-1]
    verb = "replaces" if behavior == "replace" else "may replace"
    what = f"{lid}"
    if stateful:
        what += " (stateful, " + ("old copy kept by UpdateReplacePolicy)" if is_protected
                                  else "data lost: no UpdateReplacePolicy Retain/Snapshot)")
    return f"{prop} is create-only{' (conditionally)' if behavior == 'conditional' else ''}: " \
           f"a new value of {' or '.join(words)} {verb} {what}"


@derived_frame("replacement_prone")
def _frame(estate: Estate) -> pd.DataFrame:
    return replacement_prone(estate)
