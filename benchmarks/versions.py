"""A second version of a generated estate: about 2% of the resources edited, seeded.

What a real release of a large estate looks like to ``plan_changes``: mostly in-place edits
(a queue timeout, a function's runtime, a log retention, an alarm threshold, a new tag), some
create-only edits that force a replacement (a security group's description, a table's key
schema), a few removals and additions, and a few exports whose value changes.

>>> from benchmarks.generate import generate_estate
>>> before = generate_estate(40, 20, seed=1)
>>> after = edit_estate(before, share=0.02, seed=1)
>>> changed = [b.name for b, a in zip(before, after) if b.template != a.template]
>>> 0 < len(changed) < len(before), before[0].template is not after[0].template
(True, True)
"""

from __future__ import annotations

import copy
import random
from dataclasses import replace

from iacviz.sources.raw import RawStack

__all__ = ["edit_estate"]


def _edit_resource(res: dict, rng: random.Random) -> str:
    rtype, props = res["Type"], res.setdefault("Properties", {})
    if rtype == "AWS::SQS::Queue":
        props["VisibilityTimeout"] = 900
        return "in-place"
    if rtype == "AWS::Lambda::Function":
        props["Runtime"] = "python3.13"
        return "in-place"
    if rtype == "AWS::Logs::LogGroup":
        props["RetentionInDays"] = 30
        return "in-place"
    if rtype == "AWS::CloudWatch::Alarm":
        props["Threshold"] = 5
        return "in-place"
    if rtype == "AWS::EC2::SecurityGroup":
        props["GroupDescription"] = f"{props.get('GroupDescription', '')} (v2)"
        return "create-only"
    if rtype == "AWS::DynamoDB::Table":
        props["KeySchema"] = [{"AttributeName": "pk2", "KeyType": "HASH"}]
        props["AttributeDefinitions"] = [{"AttributeName": "pk2", "AttributeType": "S"}]
        return "create-only"
    props.setdefault("Tags", [])
    if isinstance(props["Tags"], list):
        props["Tags"] = props["Tags"] + [{"Key": "release", "Value": "v2"}]
        return "in-place"
    return "none"


def edit_estate(stacks: list[RawStack], share: float = 0.02, seed: int = 0) -> list[RawStack]:
    """Copies of `stacks` with `share` of all resources edited, removed or added.

    Of the picked resources: 85% edited (see :func:`_edit_resource`), 10% removed (only those no
    other resource of the stack references by name, so the new version stays valid), 5% get a
    new sibling queue. Every 50th stack with outputs also changes one output's value.
    """
    rng = random.Random(seed)
    out = [replace(raw, template=copy.deepcopy(raw.template)) for raw in stacks]
    picks = [(i, lid) for i, raw in enumerate(out) for lid in raw.template.get("Resources", {})]
    for i, lid in rng.sample(picks, max(1, int(len(picks) * share))):
        resources = out[i].template["Resources"]
        if lid not in resources:
            continue
        roll = rng.random()
        if (
            roll < 0.10
            and resources[lid]["Type"] != "AWS::CloudFormation::Stack"
            and not _referenced(out[i].template, lid)
        ):
            del resources[lid]
        elif roll < 0.15:
            resources[f"{lid}Extra"] = {"Type": "AWS::SQS::Queue", "Properties": {"VisibilityTimeout": 60}}
        else:
            _edit_resource(resources[lid], rng)
    for k, raw in enumerate(out):
        outputs = raw.template.get("Outputs") or {}
        if k % 50 == 7 and outputs:
            name = sorted(outputs)[0]
            outputs[name] = {
                **outputs[name],
                "Description": "changed in v2",
                "Value": {"Fn::Join": ["", [outputs[name]["Value"], "-v2"]]},
            }
    return out


def _referenced(template: dict, lid: str) -> bool:
    """Whether anything in the template names `lid` (Ref, GetAtt, Sub, DependsOn): cheap text test."""
    import json

    text = json.dumps({k: v for k, v in template.items()})
    return text.count(f'"{lid}"') + text.count(f"{{{lid}}}") + text.count(f"${{{lid}.") > 1
