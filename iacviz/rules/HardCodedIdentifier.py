"""W5001: ARNs, account ids and resource ids written into templates as literals."""

from __future__ import annotations

import re
from typing import Any, Iterable

from ._base import Rule

# Literal parts of Fn::Sub / Fn::Join are scanned with every ${...} or non-literal element
# replaced by this marker, so "arn:${AWS::Partition}:iam::${AWS::AccountId}:root" has no
# literal account or region left in it.
_HOLE = "\x00"
_PLACEHOLDER = re.compile(r"\$\{(?!!)[^}]*\}")
_ARN = re.compile(r"arn:[^\s\"',]+")
_ACCOUNT = re.compile(r"(?<![\d.])\d{12}(?![\d])")
_REGION = re.compile(r"^(?:[a-z]{2}(?:-gov|-iso[a-z]?)?-[a-z]+-\d)$")
# EC2 and friends: prefix, dash, 8 or 17 hex digits (the short and the long id formats).
_RESOURCE_ID = re.compile(
    r"(?<![\w-])((?:vpc|subnet|sg|ami|igw|rtb|eni|vol|snap|i|nat|acl|pcx|tgw|tgw-attach|vpce|"
    r"lt|eipalloc|pl|fs|dopt|cgw|vgw|elb)-(?:[0-9a-f]{17}|[0-9a-f]{8}))(?![\w-])"
)
_SKIP = ("Ref", "Fn::GetAtt", "Fn::ImportValue", "Condition", "Fn::FindInMap", "Fn::GetAZs")


def _texts(value: Any) -> Iterable[str]:
    """The literal text of a property value, placeholders masked (see _HOLE)."""
    if isinstance(value, str):
        yield value
    elif isinstance(value, bool) or value is None:
        return
    elif isinstance(value, int):
        yield str(value)
    elif isinstance(value, list):
        for item in value:
            yield from _texts(item)
    elif isinstance(value, dict) and len(value) == 1:
        ((fn, arg),) = value.items()
        if fn in _SKIP:
            return
        if fn == "Fn::Sub":
            text, variables = (arg[0], arg[1]) if isinstance(arg, list) and len(arg) == 2 else (arg, {})
            if isinstance(text, str):
                yield _PLACEHOLDER.sub(_HOLE, text)
            yield from _texts(list(variables.values()) if isinstance(variables, dict) else [])
        elif fn == "Fn::Join" and isinstance(arg, list) and len(arg) == 2 and isinstance(arg[1], list):
            sep = arg[0] if isinstance(arg[0], str) else _HOLE
            yield sep.join(x if isinstance(x, str) else _HOLE for x in arg[1])
            yield from _texts([x for x in arg[1] if not isinstance(x, str)])
        else:
            yield from _texts(arg)
    elif isinstance(value, dict):
        for item in value.values():
            yield from _texts(item)


def hard_coded(value: Any, allowed: Iterable[str] = ()) -> list[str]:
    """What a property value hard-codes, in words (empty when nothing).

    >>> hard_coded({"Fn::Sub": "arn:${AWS::Partition}:iam::${AWS::AccountId}:root"})
    []
    >>> hard_coded("arn:aws:sns:eu-west-1:123456789012:alerts")
    ["ARN 'arn:aws:sns:eu-west-1:123456789012:alerts' (account 123456789012, region eu-west-1)"]
    >>> hard_coded(["vpc-0a1b2c3d", "arn:aws:iam::aws:policy/ReadOnlyAccess"])
    ["resource id 'vpc-0a1b2c3d'"]
    """
    allowed = set(allowed)
    found: list[str] = []
    for text in _texts(value):
        rest = text
        for m in _ARN.finditer(text):
            arn = m.group(0)
            rest = rest.replace(arn, " ")
            if any(a in arn for a in allowed):
                continue
            parts = (arn.split(":", 5) + [""] * 6)[:6]
            region, account, resource = parts[3], parts[4], parts[5]
            why = []
            if re.fullmatch(r"\d{12}", account):
                why.append(f"account {account}")
            if _REGION.match(region):
                why.append(f"region {region}")
            # A literal ARN of something that is neither AWS-owned nor a pattern: a resource of
            # someone's that an import or a parameter should name.
            if not why and _HOLE not in arn and "*" not in resource and account != "aws" and resource:
                why.append("a literal resource")
            if why:
                found.append(f"ARN {arn.replace(_HOLE, '${...}')!r} ({', '.join(why)})")
        for m in _ACCOUNT.finditer(rest):
            if m.group(0) not in allowed:
                found.append(f"account id {m.group(0)!r}")
        for m in _RESOURCE_ID.finditer(rest):
            if m.group(1) not in allowed:
                found.append(f"resource id {m.group(1)!r}")
    return list(dict.fromkeys(found))


class HardCodedIdentifier(Rule):
    """Fires for each property value holding a literal ARN, account id or resource id.

    >>> import iacviz
    >>> t = {"Resources": {"I": {"Type": "AWS::EC2::Instance", "Properties": {"ImageId": "ami-0123456789abcdef0"}}}}
    >>> [f["message"] for f in HardCodedIdentifier().check(iacviz.load_template(t, stack="s"), {"allowed": []})]
    ["I sets /properties/ImageId to resource id 'ami-0123456789abcdef0'"]
    """

    id = "W5001"
    title = "Hard-coded ARN, account id or resource id"
    description = (
        "A literal ARN with an account or a region in it, a 12-digit account id, or an EC2-style resource id "
        "(`vpc-`, `subnet-`, `sg-`, `ami-`, `i-`, `vol-`...) ties the template to one account, one region and "
        "one copy of a resource that another stack or a person created. The template cannot be deployed "
        "elsewhere, and nothing tells CloudFormation or a reader where the value comes from. Property values "
        "are scanned, including the literal text of `Fn::Sub` and `Fn::Join`; pseudo parameters "
        "(`${AWS::AccountId}`, `${AWS::Region}`) and AWS-owned ARNs (`arn:aws:iam::aws:policy/...`) are fine, "
        "and so is the `TemplateBody` of a stack set (a template of its own, deployed elsewhere)."
    )
    fix = (
        "Take the value from `Fn::ImportValue` of the stack that owns the resource, from a parameter "
        "(an AWS-specific type such as `AWS::EC2::VPC::Id`, or an SSM parameter type for AMIs), or build "
        "the ARN with `Fn::Sub` and `${AWS::Partition}`, `${AWS::Region}`, `${AWS::AccountId}`."
    )
    source_url = "https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/best-practices.html"
    tags = ("portability", "coupling", "hard-coding")
    precision = (
        "aws-cloudformation-templates read as one estate (286 stacks): 10 findings, all checked: 10 true "
        "(account ids, regions and bucket names written into a macro example and a Lambda code "
        "location); 4 false before (ARNs inside a stack set's TemplateBody, now skipped)."
    )
    config = {"allowed": []}

    def check(self, estate: Any, config: dict[str, Any]) -> Iterable[dict[str, Any]]:
        props = estate.properties
        st = estate.stacks
        # where the stack is deployed (live, snapshot, estate-file environments), if known
        place = {s: (a, r) for s, a, r in zip(st["stack"], st["account"].astype(object), st["region"].astype(object))}
        for stack, lid, path, value in zip(props["stack"], props.logical_id, props.path, props.value):
            if path.startswith("/properties/TemplateBody"):
                continue  # a stack set's template: its own ${AWS::...} are not this template's literals
            found = hard_coded(value, config["allowed"])
            if found:
                yield self.finding(
                    stack,
                    lid,
                    f"{lid} sets {path} to {' and '.join(found)}{_elsewhere(found, *place.get(stack, (None, None)))}",
                )


def _elsewhere(found: list[str], account: Any, region: Any) -> str:
    """Words for a literal naming another account or region than the stack's own: a dependency
    across accounts or regions that no export or stack graph of CloudFormation records.

    >>> _elsewhere(["ARN 'arn:aws:sns:eu-west-1:222222222222:a' (account 222222222222, region eu-west-1)"],
    ...            "111111111111", "eu-west-1")
    "; another account than the stack's (222222222222): a cross-account dependency CloudFormation does not track"
    """
    text = " ".join(found)
    other = []
    if isinstance(account, str):
        accounts = sorted(set(re.findall(r"account (\d{12})", text)) - {account})
        if accounts:
            other.append(f"another account than the stack's ({', '.join(accounts)})")
    if isinstance(region, str):
        regions = sorted({m for m in re.findall(r"region ([a-z0-9-]+)", text) if _REGION.match(m)} - {region})
        if regions:
            other.append(f"another region than the stack's ({', '.join(regions)})")
    if not other:
        return ""
    kind = "cross-account" if any("account" in o for o in other) else "cross-region"
    return f"; {' and '.join(other)}: a {kind} dependency CloudFormation does not track"
