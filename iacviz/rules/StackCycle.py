"""E1003: stacks that depend on each other in a cycle."""

from __future__ import annotations

from typing import Any, Iterable

from ..analysis import problems as _problems  # noqa: F401 - registers estate.export_problems
from ._base import Rule, problem_findings


class StackCycle(Rule):
    """Fires once per group of stacks that depend on each other (imports, nesting, CDK dependencies).

    >>> import iacviz
    >>> list(StackCycle().check(iacviz.load_template({"Resources": {}}), {}))
    []
    """

    id = "E1003"
    title = "Stacks depend on each other in a cycle"
    description = (
        "When stack A imports an export of stack B and B (directly or through others) imports one of A, no "
        "deployment order exists: neither stack can be created from scratch, and an export in use cannot "
        "change, so the cycle also freezes the values it carries. Dependencies are imports, nesting and "
        "CDK stack dependencies (`iacviz.stack_graph`)."
    )
    fix = (
        "Break the cycle: move the resources both sides need into a third stack that both import from, "
        "or pass one value through an SSM parameter read at deploy time instead of an export."
    )
    source_url = "https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/using-cfn-stack-exports.html"
    tags = ("stacks", "exports", "dependencies")
    precision = (
        "aws-cloudformation-templates read as one estate (286 stacks): no findings; checked on tests' estates only."
    )

    def check(self, estate: Any, config: dict[str, Any]) -> Iterable[dict[str, Any]]:
        yield from problem_findings(self, estate.export_problems, "stack cycle")
