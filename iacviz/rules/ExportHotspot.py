"""W2001: one export imported by many stacks."""

from __future__ import annotations

from typing import Any, Iterable

from ..analysis import exports as _exports  # noqa: F401 - registers estate.exports
from ._base import Rule


class ExportHotspot(Rule):
    """Fires for each export imported by at least ``threshold`` stacks.

    >>> import iacviz
    >>> t = {"Resources": {"V": {"Type": "AWS::EC2::VPC"}},
    ...      "Outputs": {"V": {"Value": {"Ref": "V"}, "Export": {"Name": "vpc"}}}}
    >>> list(ExportHotspot().check(iacviz.load_template(t), {"threshold": 3}))
    []
    """

    id = "W2001"
    title = "Export imported by many stacks"
    description = (
        "CloudFormation refuses to change or remove an export while any stack imports it. An export that "
        "many stacks import can only change after every importer has been updated to stop using it, so the "
        "resource behind it is effectively frozen, and replacing it means a coordinated change across all "
        "of those stacks."
    )
    fix = (
        "Keep such exports to identities that never change (a VPC id), or publish the value as an SSM "
        "parameter that importers read at deploy time (`AWS::SSM::Parameter::Value<String>`), which "
        "CloudFormation does not lock."
    )
    source_url = "https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/using-cfn-stack-exports.html"
    tags = ("exports", "coupling")
    precision = (
        "aws-cloudformation-templates read as one estate (286 stacks): no findings (no export has 3 "
        "importers there); checked on tests' estates only."
    )
    config = {"threshold": 3}

    def check(self, estate: Any, config: dict[str, Any]) -> Iterable[dict[str, Any]]:
        ex = estate.exports
        for r in ex[ex.n_importers.fillna(0) >= config["threshold"]].itertuples():
            yield self.finding(
                r.stack,
                f"Outputs.{r.output}",
                f"{r.stack} exports '{r.export_name}' to {r.n_importers} stacks "
                f"({', '.join(r.importers)}); it cannot change until all of them stop importing it",
            )
