"""W4002: a custom physical name on a resource that CloudFormation may have to replace."""

from __future__ import annotations

import json
from typing import Any, Iterable

from ..cfn.update_behavior import custom_name_property, type_rules
from ._base import Rule


def _other_create_only(resource_type: str, name: str) -> list[str]:
    """Top-level create-only properties of a type other than its name (what replaces it)."""
    rules = type_rules(resource_type)
    pointers = list(rules.create_only) + list(rules.conditional_create_only)
    props = dict.fromkeys(p.split("/")[2] for p in pointers if p.count("/") >= 2)
    return [p for p in props if p != name]


class CustomNameOnReplaceable(Rule):
    """Fires for each resource whose name property (``custom_name_property``) is given a value,
    when its type has other create-only properties that can force a replacement.

    >>> import iacviz
    >>> t = {"Resources": {"Q": {"Type": "AWS::SQS::Queue", "Properties": {"QueueName": "jobs"}},
    ...                    "L": {"Type": "AWS::Logs::LogGroup", "Properties": {"LogGroupName": "/jobs"}}}}
    >>> [f["logical_id"] for f in CustomNameOnReplaceable().check(iacviz.load_template(t, stack="s"),
    ...                                                           {"ignore_types": []})]
    ['Q']
    """

    id = "W4002"
    title = "Custom name on a replaceable resource"
    description = (
        "CloudFormation replaces a resource by creating the new one before deleting the old one, so a "
        "resource whose physical name is set in the template cannot be replaced: the update fails with "
        '"CloudFormation cannot update a stack when a custom-named resource requires replacing". Any '
        "change to another create-only property of such a resource needs a new name as well. A fixed name "
        "also stops the template from being deployed twice in one account and region. The name property is "
        "the type's create-only name (`QueueName`, `TableName`, `DBInstanceIdentifier`...); types whose only "
        "create-only property is the name (a log group, an alias) are left out: renaming them is the only "
        "way to replace them, and that never collides."
    )
    fix = (
        "Leave the name property out and let CloudFormation generate a unique name; hand the generated name "
        "to consumers with `Ref`/`Fn::GetAtt`, an export or an SSM parameter."
    )
    source_url = "https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-properties-name.html"
    tags = ("replacement", "naming")
    precision = (
        "aws-cloudformation-templates read as one estate (286 stacks): 239 findings; 10 checked by hand, "
        "10 true (buckets, roles, functions, queues, target groups and security groups named in the "
        "template), 0 false."
    )
    config = {"ignore_types": []}

    def check(self, estate: Any, config: dict[str, Any]) -> Iterable[dict[str, Any]]:
        res = estate.resources
        names: dict[str, tuple[str, list[str]]] = {}
        for rtype in set(res.type.dropna()) - set(config["ignore_types"]):
            prop = custom_name_property(rtype)
            others = _other_create_only(rtype, prop) if prop else []
            if others:
                names[rtype] = (prop, others)
        if not names:
            return
        props = estate.properties
        type_of = dict(zip(zip(res["stack"], res.logical_id), res.type))
        for stack, lid, path, value in zip(props["stack"], props.logical_id, props.path, props.value):
            rtype = type_of.get((stack, lid))
            if rtype not in names or path != f"/properties/{names[rtype][0]}":
                continue  # the name itself is one leaf: a string or an intrinsic function kept whole
            prop, others = names[rtype]
            shown = value if isinstance(value, str) else json.dumps(value, default=str)
            listed = ", ".join(others[:3]) + (", ..." if len(others) > 3 else "")
            yield self.finding(
                stack,
                lid,
                f"{lid} ({rtype}) sets {prop} to {shown!r}: a change that replaces it "
                f"(e.g. of {listed}) fails unless the name changes too",
            )
