"""I2003: an export that no stack imports."""

from __future__ import annotations

from typing import Any, Iterable

from ..analysis import problems as _problems  # noqa: F401 - registers estate.export_problems
from ._base import Rule, problem_findings


class UnusedExport(Rule):
    """Fires for each export that no import of the estate uses (not even ambiguously).

    >>> import iacviz
    >>> t = {"Resources": {"V": {"Type": "AWS::EC2::VPC"}},
    ...      "Outputs": {"V": {"Value": {"Ref": "V"}, "Export": {"Name": "vpc"}}}}
    >>> [f["logical_id"] for f in UnusedExport().check(iacviz.load_template(t, stack="net"), {})]
    ['Outputs.V']
    """

    id = "I2003"
    title = "Export no stack imports"
    description = (
        "An export nobody imports is either a leftover, or used by something outside the estate you loaded "
        "(another repository, a script reading `ListExports`). It still occupies its name in the account and "
        "region, and it invites new coupling to a value nobody owns any more."
    )
    fix = "Remove the `Export` from the output if nothing outside the estate uses it; otherwise document the consumer."
    source_url = "https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/using-cfn-stack-exports.html"
    tags = ("exports", "hygiene")
    precision = (
        "aws-cloudformation-templates read as one estate (286 stacks): 114 findings; 10 checked by hand, "
        "10 true in the estate (exports of sample stacks whose importers are not in the repository), 0 "
        "false; info only, as importers may live elsewhere."
    )

    def check(self, estate: Any, config: dict[str, Any]) -> Iterable[dict[str, Any]]:
        yield from problem_findings(self, estate.export_problems, "unused export")
