"""W4001: a create-only property whose value a parameter or an import drives."""
from __future__ import annotations

from typing import Any, Iterable

from ..analysis.replacement import replacement_prone
from ._base import Rule


class CreateOnlyFromInput(Rule):
    """Fires once per resource with create-only properties fed by a parameter or an import.

    >>> import iacviz
    >>> t = {"Parameters": {"Cidr": {"Type": "String"}},
    ...      "Resources": {"Vpc": {"Type": "AWS::EC2::VPC", "Properties": {"CidrBlock": {"Ref": "Cidr"}}}}}
    >>> [f["message"] for f in CreateOnlyFromInput().check(iacviz.load_template(t, stack="net"), {})]
    ['Vpc (AWS::EC2::VPC): CidrBlock from parameter Cidr is create-only: a new value replaces Vpc']
    """

    id = "W4001"
    title = "Create-only property driven by a parameter or an import"
    description = (
        "Changing a create-only property (the resource provider schema's `createOnlyProperties`) makes "
        "CloudFormation replace the resource: create a new one, repoint everything that references it, "
        "delete the old one. When the value comes from a parameter or an import, a deployment that only "
        "passes a new parameter value, or an exporting stack that replaces its resource, replaces this one "
        "too, without anyone editing its template. Resource references inside one stack are left to the "
        "blast radius (`iacviz.blast_radius`).")
    fix = ("Make the value a literal (or a mapping lookup) if it should never change; otherwise constrain the "
           "parameter (`AllowedValues`) and protect a stateful resource with `UpdateReplacePolicy: Retain`.")
    source_url = ("https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/"
                  "using-cfn-updating-stacks-update-behaviors.html")
    tags = ("replacement", "parameters", "exports")

    def check(self, estate: Any, config: dict[str, Any]) -> Iterable[dict[str, Any]]:
        prone = replacement_prone(estate)
        by_resource: dict[tuple[str, str], list] = {}
        for r in prone.itertuples():
            # drivers reads "parameter Env, resource Vpc, import shop-VpcId": keep the inputs only.
            inputs = [w for w in str(r.drivers).split(", ") if w.startswith(("parameter ", "import ", "an import"))]
            if inputs:
                by_resource.setdefault((r.stack, r.logical_id), []).append((r, inputs))
        for (stack, lid), items in by_resource.items():
            first = items[0][0]
            props = "; ".join(f"{r.path.split('/', 2)[-1]} from {' and '.join(inputs)}"
                              + (" (conditionally)" if r.update_behavior == "conditional" else "")
                              for r, inputs in items)
            verb = "replaces" if any(r.update_behavior == "replace" for r, _ in items) else "may replace"
            data = ""
            if bool(first.stateful):
                data = (", keeping the old copy (UpdateReplacePolicy)" if bool(first.protected)
                        else ", and its data is lost (no UpdateReplacePolicy Retain or Snapshot)")
            yield self.finding(stack, lid, f"{lid} ({first.type}): {props} is create-only: a new value "
                                           f"{verb} {lid}{data}")
