"""I4003: how many resources of a stack a parameter or an import change replaces (one line per stack)."""

from __future__ import annotations

from typing import Any, Iterable

from ._base import Rule
from .CreateOnlyFromInput import input_driven


class InputDrivenReplacements(Rule):
    """Fires once per stack whose resources have create-only properties fed by a parameter or an
    import, when none of them holds data or has a custom name (those are W4001 findings).

    >>> import iacviz
    >>> t = {"Parameters": {"Cidr": {"Type": "String"}},
    ...      "Resources": {"Vpc": {"Type": "AWS::EC2::VPC", "Properties": {"CidrBlock": {"Ref": "Cidr"}}}}}
    >>> [f["message"] for f in InputDrivenReplacements().check(iacviz.load_template(t, stack="net"), {})]
    ['1 resource of net is replaced when a parameter or an import it reads changes: Vpc (CidrBlock from parameter Cidr)']
    """

    id = "I4003"
    title = "Resources replaced when an input changes"
    description = (
        "A create-only property fed by a parameter or an import replaces its resource when the input "
        "changes: a new physical id, and every reference repointed. For most resources (instances, "
        "subnets, security groups, roles) that is expected and harmless, so one line per stack lists them "
        "instead of one warning each; W4001 reports the replacements that lose data or that "
        "CloudFormation refuses."
    )
    fix = (
        "Nothing, if replacing them is fine; otherwise make the value a literal or constrain the parameter "
        "(`AllowedValues`)."
    )
    source_url = (
        "https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/using-cfn-updating-stacks-update-behaviors.html"
    )
    tags = ("replacement", "parameters", "exports")
    precision = (
        "aws-cloudformation-templates read as one estate (286 stacks): 155 findings (one per stack, 391 "
        "resources); 10 checked by hand, 10 true (instances, routes, subnets, security groups whose "
        "create-only properties read parameters), 0 false."
    )
    config = {"show": 10}

    def check(self, estate: Any, config: dict[str, Any]) -> Iterable[dict[str, Any]]:
        by_stack: dict[str, list[str]] = {}
        for stack, lid, items, named in input_driven(estate):
            if bool(items[0][0].stateful) or named:
                continue
            why = "; ".join(f"{r.path.split('/', 2)[-1]} from {' and '.join(inputs)}" for r, inputs in items[:2])
            by_stack.setdefault(stack, []).append(f"{lid} ({why}{'; ...' if len(items) > 2 else ''})")
        show = int(config.get("show", 10))
        for stack, listed in by_stack.items():
            more = f" and {len(listed) - show} more" if len(listed) > show else ""
            n = len(listed)
            yield self.finding(
                stack,
                None,
                f"{n} resource{'s' if n != 1 else ''} of {stack} "
                f"{'are' if n != 1 else 'is'} replaced when a parameter or an "
                f"import it reads changes: {', '.join(listed[:show])}{more}",
            )
