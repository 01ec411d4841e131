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
    create_only = props[props["update_behavior"].isin(["replace", "conditional"]).fillna(False).astype(bool)]
    moving = [isinstance(d, list) and any(x.startswith(_MOVING) for x in d) for d in create_only["driven_by"]]
    prone = create_only[pd.array(moving, dtype="bool")]
    if prone.empty:
        return schema.frame("replacement_prone", [])
    # One left join for the resource facts (a .loc per row cost ~0.3 ms each: 170 s at 2,000 stacks).
    res = estate.resources[["stack", "logical_id", "type", "stateful", "update_replace_policy"]]
    res = res.drop_duplicates(["stack", "logical_id"])
    facts = prone[["stack", "logical_id"]].merge(res, on=["stack", "logical_id"], how="left", sort=False)
    types = [t if isinstance(t, str) else None for t in facts["type"].tolist()]
    statefuls = [bool(s) if pd.notna(s) else False for s in facts["stateful"].tolist()]
    policies = [p if pd.notna(p) else None for p in facts["update_replace_policy"].tolist()]
    params = parameter_keys(estate)
    import_names = import_index(estate)
    rows = []
    for stack, lid, path, behavior, driven, rtype, stateful, policy in zip(
        prone["stack"].tolist(),
        prone["logical_id"].tolist(),
        prone["path"].tolist(),
        prone["update_behavior"].tolist(),
        prone["driven_by"].tolist(),
        types,
        statefuls,
        policies,
    ):
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
