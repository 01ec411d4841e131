"""Replacement-prone properties: create-only values that something outside the literal template drives.

A create-only property written as a literal only replaces its resource when someone edits it.
One that follows a parameter, an import or another resource can replace it (and, through
CloudFormation's references, its dependents) on a deployment where nobody touched the
resource: a new parameter value, a replaced VPC. :func:`replacement_prone` lists those.
"""

from __future__ import annotations

import pandas as pd

from iacviz import schema
from iacviz.cfn.policies import keeps_old_resource
from iacviz.model.estate import Estate, derived_frame

__all__ = ["replacement_prone", "driver_words", "import_index", "imports_at", "is_input", "parameter_keys"]


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
        lambda d: isinstance(d, list) and any(x.startswith(_MOVING) for x in d)
    )
    prone = props[mask.fillna(False).astype(bool)]
    if prone.empty:
        return schema.frame("replacement_prone", [])
    res = estate.resources.set_index(["stack", "logical_id"])
    params = parameter_keys(estate)
    import_names = import_index(estate)
    rows = []
    for stack, lid, path, behavior, driven in zip(
        prone["stack"], prone["logical_id"], prone["path"], prone["update_behavior"], prone["driven_by"]
    ):
        r = res.loc[(stack, lid)] if (stack, lid) in res.index else None
        rtype = r["type"] if r is not None else None
        stateful = bool(r["stateful"]) if r is not None and pd.notna(r["stateful"]) else False
        policy = r["update_replace_policy"] if r is not None and pd.notna(r["update_replace_policy"]) else None
        words = driver_words(driven, stack, params, imports_at(import_names, stack, lid, path))
        kept = keeps_old_resource(policy, rtype or "", "replace")
        rows.append(
            {
                "stack": stack,
                "logical_id": lid,
                "type": rtype,
                "path": path,
                "update_behavior": behavior,
                "driven_by": driven,
                "drivers": ", ".join(words),
                "stateful": stateful,
                "protected": kept,
                "message": _message(lid, path, behavior, words, stateful, kept),
            }
        )
    return schema.frame("replacement_prone", rows)


def parameter_keys(estate: Estate) -> set[tuple[str, str]]:
    """(stack, parameter name) of every parameter: what a ``ref:X`` of ``driven_by`` may name.

    >>> import iacviz
    >>> parameter_keys(iacviz.load_template({"Parameters": {"Env": {"Type": "String"}}}, stack="s"))
    {('s', 'Env')}
    """
    return set(zip(estate.parameters["stack"], estate.parameters["name"]))


def import_index(estate: Estate) -> dict[tuple[str, str], list[tuple[str, str]]]:
    """(stack, source) -> [(JSON pointer, import name)] of every ``Fn::ImportValue``.

    >>> import iacviz
    >>> t = {"Resources": {"Sg": {"Type": "AWS::EC2::SecurityGroup", "Properties": {"VpcId": {"Fn::ImportValue": "v"}}}}}
    >>> import_index(iacviz.load_template(t, stack="app"))
    {('app', 'Sg'): [('/properties/VpcId', 'v')]}
    """
    refs = estate.references
    imports = refs[refs["kind"] == "ImportValue"]
    index: dict[tuple[str, str], list[tuple[str, str]]] = {}
    for s, src, path, target in zip(
        imports["source_stack"], imports["source"], imports["source_path"], imports["target"]
    ):
        index.setdefault((s, src), []).append((path, target))
    return index


def imports_at(
    index: dict[tuple[str, str], list[tuple[str, str]]], stack: str, logical_id: str, path: str
) -> list[str]:
    """The import names used at or below `path` of a resource (`index` from :func:`import_index`).

    >>> imports_at({("app", "Sg"): [("/properties/VpcId", "v")]}, "app", "Sg", "/properties/VpcId")
    ['v']
    """
    return [t for p, t in index.get((stack, logical_id), []) if p == path or p.startswith(path + "/")]


def is_input(driver: str, stack: str, params: set[tuple[str, str]]) -> bool:
    """Whether a ``driven_by`` entry is set from outside the template: a parameter or an import.

    >>> is_input("ref:Env", "s", {("s", "Env")}), is_input("ref:Vpc", "s", {("s", "Env")}), is_input("import", "s", set())
    (True, False, True)
    """
    return driver == "import" or (driver.startswith("ref:") and (stack, driver[4:]) in params)


def driver_words(driven: list[str], stack: str, params: set, import_names: list[str]) -> list[str]:
    """``driven_by`` entries in words: parameter Env, resource Vpc, attribute Db.Arn, import shop-VpcId...

    >>> driver_words(["ref:Env", "ref:Vpc", "import"], "s", {("s", "Env")}, ["shop-VpcId"])
    ['parameter Env', 'resource Vpc', 'import shop-VpcId']
    """
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


def _message(lid: str, path: str, behavior: str, words: list[str], stateful: bool, kept: bool | None) -> str:
    prop = path.split("/", 2)[-1]
    verb = "replaces" if behavior == "replace" else "may replace"
    what = f"{lid}"
    if stateful:
        what += " (stateful, " + (
            "old copy kept by UpdateReplacePolicy)"
            if kept
            else "data lost: no UpdateReplacePolicy Retain/Snapshot)"
            if kept is False
            else "UpdateReplacePolicy cannot be resolved offline)"
        )
    return (
        f"{prop} is create-only{' (conditionally)' if behavior == 'conditional' else ''}: "
        f"a new value of {' or '.join(words)} {verb} {what}"
    )


@derived_frame("replacement_prone")
def _frame(estate: Estate) -> pd.DataFrame:
    return replacement_prone(estate)
