"""W4001: a create-only property whose value a parameter or an import drives."""

from __future__ import annotations

from typing import Any, Iterable

import pandas as pd

from ..analysis.replacement import driver_words, import_index, imports_at, is_input, parameter_keys
from ..cfn.update_behavior import custom_name_property
from ._base import Rule


class CreateOnlyFromInput(Rule):
    """Fires once per resource with create-only properties fed by a parameter or an import, when
    its replacement costs more than a new physical id: it holds data, or it has a custom name.

    >>> import iacviz
    >>> t = {"Parameters": {"Name": {"Type": "String"}},
    ...      "Resources": {"Db": {"Type": "AWS::DynamoDB::Table", "Properties": {"TableName": {"Ref": "Name"}}}}}
    >>> [f["message"] for f in CreateOnlyFromInput().check(iacviz.load_template(t, stack="data"), {})]
    ['Db (AWS::DynamoDB::Table): TableName from parameter Name is create-only: a new value replaces Db, and its data is lost (no UpdateReplacePolicy Retain or Snapshot), which CloudFormation refuses while TableName is set (a custom name)']
    """

    id = "W4001"
    title = "Create-only property driven by a parameter or an import"
    description = (
        "Changing a create-only property (the resource provider schema's `createOnlyProperties`) makes "
        "CloudFormation replace the resource: create a new one, repoint everything that references it, "
        "delete the old one. When the value comes from a parameter or an import, a deployment that only "
        "passes a new parameter value, or an exporting stack that replaces its resource, replaces this one "
        "too, without anyone editing its template. This rule reports the replacements that cost more than a "
        "new physical id: of a resource holding data, or of one with a custom name (which CloudFormation "
        "refuses to replace). The other resources are counted once per stack by I4003. Resource references "
        "inside one stack are left to the blast radius (`iacviz.blast_radius`)."
    )
    fix = (
        "Make the value a literal (or a mapping lookup) if it should never change; otherwise constrain the "
        "parameter (`AllowedValues`) and protect a stateful resource with `UpdateReplacePolicy: Retain`."
    )
    source_url = (
        "https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/using-cfn-updating-stacks-update-behaviors.html"
    )
    tags = ("replacement", "parameters", "exports")
    precision = (
        "aws-cloudformation-templates read as one estate (286 stacks): 191 findings (582 before "
        "stateless replacements moved to I4003); 10 checked by hand, 10 true (custom-named roles, target "
        "groups and functions, tables and buckets whose key or name comes from a parameter), 0 false."
    )

    def check(self, estate: Any, config: dict[str, Any]) -> Iterable[dict[str, Any]]:
        for stack, lid, items, named in input_driven(estate):
            first = items[0][0]
            if not (bool(first.stateful) or named):
                continue  # a plain replacement: I4003 counts those per stack
            props = "; ".join(
                f"{r.path.split('/', 2)[-1]} from {' and '.join(inputs)}"
                + (" (conditionally)" if r.update_behavior == "conditional" else "")
                for r, inputs in items
            )
            verb = "replaces" if any(r.update_behavior == "replace" for r, _ in items) else "may replace"
            data = ""
            if bool(first.stateful):
                kept = None if pd.isna(first.protected) else bool(first.protected)
                data = (
                    ", keeping the old copy (UpdateReplacePolicy)"
                    if kept
                    else ", and its data is lost (no UpdateReplacePolicy Retain or Snapshot)"
                    if kept is False
                    else ", and its UpdateReplacePolicy cannot be resolved offline"
                )
            if named:
                data += f", which CloudFormation refuses while {named} is set (a custom name)"
            yield self.finding(
                stack, lid, f"{lid} ({first.type}): {props} is create-only: a new value {verb} {lid}{data}"
            )


def input_driven(estate: Any) -> list[tuple[str, str, list, str | None]]:
    """(stack, logical id, [(replacement_prone row, inputs)], custom name property set or None)
    for each resource with a create-only property fed by a parameter or an import."""
    prone = estate.replacement_prone  # the derived frame: computed once per estate, shared by the rules
    if prone.empty:
        return []
    params, imports = parameter_keys(estate), import_index(estate)
    by_resource: dict[tuple[str, str], list] = {}
    for r in prone.itertuples():
        inputs = [d for d in r.driven_by if is_input(d, r.stack, params)]  # the structured drivers
        if inputs:
            words = driver_words(inputs, r.stack, params, imports_at(imports, r.stack, r.logical_id, r.path))
            by_resource.setdefault((r.stack, r.logical_id), []).append((r, words))
    if not by_resource:
        return []
    props = estate.properties
    given = set(zip(props["stack"], props.logical_id, props.path.str.split("/").str[2]))
    out = []
    for (stack, lid), items in by_resource.items():
        name = custom_name_property(items[0][0].type or "")
        out.append((stack, lid, items, name if name and (stack, lid, name) in given else None))
    return out
