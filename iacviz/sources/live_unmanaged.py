"""Resources in the account that no stack manages, for the IaC coverage view, and who made them.

Two sources, merged: the Resource Groups Tagging API (every tagged resource, any service)
and plain list calls for common types (S3, SQS, SNS, DynamoDB, Lambda, RDS, EC2 VPCs,
subnets, security groups, instances and network interfaces, Auto Scaling groups, IAM roles,
KMS keys, CloudWatch log groups), which also find untagged resources. A resource is a stack's
when its id or ARN matches the physical id of a stack resource of the same service; those are
left out. Each remaining row gets ``managed_by`` (:func:`classify`):

* ``aws``: an AWS-owned default no stack could own (default VPC, its subnets, ``default``
  security groups, service-linked roles, AWS managed keys);
* ``service``: made by a service, for a stack's resource when the owner columns say which
  (the instances of a stack's Auto Scaling group, Lambda's log group of a stack's function,
  a Beanstalk environment's resources...); the rules are :mod:`iacviz.cfn.service_managed`;
* ``none``: click-ops, made by hand or by a script.

>>> arn_parts("arn:aws:ec2:us-east-1:123456789012:security-group/sg-0abc")
('ec2', 'security-group', 'sg-0abc')
>>> arn_parts("arn:aws:sqs:us-east-1:123456789012:orders")
('sqs', '', 'orders')
"""

from __future__ import annotations

import re
from typing import Any, Callable, Iterable

from iacviz.cfn.service_managed import CFN_TAGGED_LAUNCHERS, aws_default, cloudformation_tag_owner, owner_of
from iacviz.sources.live import explain, paginate
from iacviz.sources.raw import ErrorRow, RawStack

# (arn service, arn resource type) -> CloudFormation type
ARN_TYPES = {
    ("s3", ""): "AWS::S3::Bucket",
    ("sqs", ""): "AWS::SQS::Queue",
    ("sns", ""): "AWS::SNS::Topic",
    ("dynamodb", "table"): "AWS::DynamoDB::Table",
    ("lambda", "function"): "AWS::Lambda::Function",
    ("rds", "db"): "AWS::RDS::DBInstance",
    ("ec2", "vpc"): "AWS::EC2::VPC",
    ("ec2", "subnet"): "AWS::EC2::Subnet",
    ("ec2", "security-group"): "AWS::EC2::SecurityGroup",
    ("ec2", "instance"): "AWS::EC2::Instance",
    ("ec2", "network-interface"): "AWS::EC2::NetworkInterface",
    ("autoscaling", "autoScalingGroup"): "AWS::AutoScaling::AutoScalingGroup",
    ("iam", "role"): "AWS::IAM::Role",
    ("kms", "key"): "AWS::KMS::Key",
    ("logs", "log-group"): "AWS::Logs::LogGroup",
    ("events", "rule"): "AWS::Events::Rule",
    ("states", "stateMachine"): "AWS::StepFunctions::StateMachine",
}
MANAGED_TAG = "aws:cloudformation:stack-id"
# ARN service -> the service part of CloudFormation types, so both kinds of rows group alike
SERVICES = {
    "rds": "RDS",
    "ec2": "EC2",
    "s3": "S3",
    "sqs": "SQS",
    "sns": "SNS",
    "iam": "IAM",
    "kms": "KMS",
    "logs": "Logs",
    "lambda": "Lambda",
    "dynamodb": "DynamoDB",
    "events": "Events",
    "states": "StepFunctions",
    "ecs": "ECS",
    "apigateway": "ApiGateway",
    "cloudwatch": "CloudWatch",
    "ssm": "SSM",
    "secretsmanager": "SecretsManager",
    "wafv2": "WAFv2",
    "elasticloadbalancing": "ElasticLoadBalancingV2",
    "autoscaling": "AutoScaling",
}


def arn_parts(arn: str) -> tuple[str, str, str]:
    """(service, resource type, resource id) of an ARN; the type is '' for ARNs without one."""
    parts = arn.split(":", 5)
    if len(parts) < 6:
        return "", "", arn
    service, resource = parts[2], parts[5]
    cuts = [i for i in (resource.find("/"), resource.find(":")) if i > 0]
    if service in ("s3", "sqs", "sns") or not cuts:
        return service, "", resource
    return service, resource[: min(cuts)], resource[min(cuts) + 1 :]


def short(value: str) -> str:
    """The last '/' or ':' piece: a queue URL, a topic ARN and their names meet there."""
    return re.split(r"[/:]", value)[-1]


def _keys(value: str | None) -> set[str]:
    """The forms a physical id or ARN can be matched by: itself and its last '/' or ':' piece."""
    if not value:
        return set()
    return {value, short(value)}


def managed_keys(stacks: Iterable[RawStack]) -> dict[str, set[str]]:
    """lower-case service -> every key of the physical ids that stacks manage."""
    out: dict[str, set[str]] = {}
    for s in stacks:
        for r in s.live_resources.values():
            rtype = r.get("resource_type") or ""
            if rtype.count("::") == 2 and r.get("physical_id"):
                out.setdefault(rtype.split("::")[1].lower(), set()).update(_keys(r["physical_id"]))
    return out


def _row(account, region, rtype, rid, arn, tags, default: bool | None = False) -> dict[str, Any]:
    service = rtype.split("::")[1] if rtype.count("::") == 2 else SERVICES.get(rtype.split(":")[0], rtype.split(":")[0])
    row = {
        "account": account,
        "region": region,
        "service": service,
        "type": rtype,
        "id": rid,
        "arn": arn,
        "tags": dict(tags or {}),
    }
    if default:
        row["default"] = True  # the listing marks it as an AWS default (cfn.service_managed.aws_default)
    return row


def _tags(items) -> dict[str, str]:
    return {t["Key"]: t["Value"] for t in items or [] if "Key" in t}


# Each lister: (service, function(client, account, region) -> rows); global ones run once per account.
def _s3(c, a, r):
    return [
        _row(a, b.get("BucketRegion") or r, "AWS::S3::Bucket", b["Name"], f"arn:aws:s3:::{b['Name']}", {})
        for b in c.list_buckets().get("Buckets", [])
    ]


def _sqs(c, a, r):
    urls = paginate(c, "list_queues", "QueueUrls")
    return [_row(a, r, "AWS::SQS::Queue", u, f"arn:aws:sqs:{r}:{a}:{u.rsplit('/', 1)[-1]}", {}) for u in urls]


def _sns(c, a, r):
    return [
        _row(a, r, "AWS::SNS::Topic", t["TopicArn"], t["TopicArn"], {}) for t in paginate(c, "list_topics", "Topics")
    ]


def _dynamodb(c, a, r):
    return [
        _row(a, r, "AWS::DynamoDB::Table", n, f"arn:aws:dynamodb:{r}:{a}:table/{n}", {})
        for n in paginate(c, "list_tables", "TableNames")
    ]


def _lambda(c, a, r):
    return [
        _row(a, r, "AWS::Lambda::Function", f["FunctionName"], f["FunctionArn"], {})
        for f in paginate(c, "list_functions", "Functions")
    ]


def _rds(c, a, r):
    return [
        _row(a, r, "AWS::RDS::DBInstance", d["DBInstanceIdentifier"], d.get("DBInstanceArn"), {})
        for d in paginate(c, "describe_db_instances", "DBInstances")
    ]


def _ec2(c, a, r):
    arn = f"arn:aws:ec2:{r}:{a}:"
    rows = [
        _row(
            a,
            r,
            "AWS::EC2::VPC",
            v["VpcId"],
            arn + f"vpc/{v['VpcId']}",
            _tags(v.get("Tags")),
            default=v.get("IsDefault"),
        )
        for v in paginate(c, "describe_vpcs", "Vpcs")
    ]
    rows += [
        _row(
            a,
            r,
            "AWS::EC2::Subnet",
            s["SubnetId"],
            s.get("SubnetArn") or arn + f"subnet/{s['SubnetId']}",
            _tags(s.get("Tags")),
            default=s.get("DefaultForAz"),
        )
        for s in paginate(c, "describe_subnets", "Subnets")
    ]
    rows += [
        _row(
            a,
            r,
            "AWS::EC2::SecurityGroup",
            g["GroupId"],
            arn + f"security-group/{g['GroupId']}",
            _tags(g.get("Tags")),
            default=g.get("GroupName") == "default",  # every VPC gets one; it cannot be deleted
        )
        for g in paginate(c, "describe_security_groups", "SecurityGroups")
    ]
    rows += [
        _row(a, r, "AWS::EC2::Instance", i["InstanceId"], arn + f"instance/{i['InstanceId']}", _tags(i.get("Tags")))
        for reservation in paginate(c, "describe_instances", "Reservations")
        for i in reservation.get("Instances", [])
        if (i.get("State") or {}).get("Name") not in ("terminated", "shutting-down")
    ]
    for n in paginate(c, "describe_network_interfaces", "NetworkInterfaces"):
        attached = n.get("Attachment") or {}
        if attached.get("InstanceId") and attached.get("DeviceIndex") == 0:
            continue  # an instance's primary interface is part of the instance
        row = _row(
            a,
            r,
            "AWS::EC2::NetworkInterface",
            n["NetworkInterfaceId"],
            arn + f"network-interface/{n['NetworkInterfaceId']}",
            _tags(n.get("TagSet")),
        )
        # who made it, for cfn.service_managed's rules (not a column)
        row["eni"] = {k: n.get(k) for k in ("Description", "InterfaceType", "RequesterId", "RequesterManaged")}
        rows.append(row)
    return rows


def _autoscaling(c, a, r):
    return [
        _row(
            a,
            r,
            "AWS::AutoScaling::AutoScalingGroup",
            g["AutoScalingGroupName"],
            g.get("AutoScalingGroupARN"),
            {t["Key"]: t.get("Value", "") for t in g.get("Tags") or [] if "Key" in t},
        )
        for g in paginate(c, "describe_auto_scaling_groups", "AutoScalingGroups")
    ]


def _iam(c, a, r):
    # service-linked and AWS-reserved roles are kept: classify marks them managed_by aws
    return [
        _row(a, "global", "AWS::IAM::Role", x["RoleName"], x["Arn"], {}) for x in paginate(c, "list_roles", "Roles")
    ]


def _kms(c, a, r):
    aws_owned = {
        x.get("TargetKeyId")
        for x in paginate(c, "list_aliases", "Aliases")
        if x.get("AliasName", "").startswith("alias/aws/")
    }
    return [
        _row(a, r, "AWS::KMS::Key", k["KeyId"], k.get("KeyArn"), {}, default=k["KeyId"] in aws_owned)
        for k in paginate(c, "list_keys", "Keys")
    ]


def _logs(c, a, r):
    return [
        _row(a, r, "AWS::Logs::LogGroup", g["logGroupName"], (g.get("arn") or "").removesuffix(":*") or None, {})
        for g in paginate(c, "describe_log_groups", "logGroups")
    ]


def _tagged(c, a, r):
    rows = []
    for m in paginate(c, "get_resources", "ResourceTagMappingList"):
        tags = _tags(m.get("Tags"))
        # CloudFormation's own tags are kept: classify tells a stack resource (left out) from
        # what a stack resource made (an Auto Scaling group's instances carry its group's tags)
        service, kind, rid = arn_parts(m["ResourceARN"])
        if (service, kind) == ("autoscaling", "autoScalingGroup"):
            rid = rid.rpartition("autoScalingGroupName/")[2]
        if (service, kind) == ("rds", "snapshot") and rid.startswith("rds:"):
            continue  # automated snapshots: made by RDS, not by anyone's hand
        if (service, kind) == ("cloudformation", "stack"):
            continue  # a tagged stack itself (the Amplify CLI tags its root stacks): not outside a stack
        rtype = ARN_TYPES.get((service, kind), f"{service}:{kind}" if kind else service)
        rows.append(_row(a, r, rtype, rid, m["ResourceARN"], tags))
    return rows


REGIONAL: list[tuple[str, Callable]] = [
    ("sqs", _sqs),
    ("sns", _sns),
    ("dynamodb", _dynamodb),
    ("lambda", _lambda),
    ("rds", _rds),
    ("ec2", _ec2),
    ("autoscaling", _autoscaling),
    ("kms", _kms),
    ("logs", _logs),
    ("resourcegroupstaggingapi", _tagged),  # last: its rows only add tags to the listed ones
]
GLOBAL: list[tuple[str, Callable]] = [("s3", _s3), ("iam", _iam)]


GLOBAL_TYPES = frozenset({"AWS::S3::Bucket", "AWS::IAM::Role"})
PRIVATE_KEYS = ("default", "eni")  # what the listers pass to classify, not columns  # listed from any region


def scan(
    clients, account: str, region: str, managed: dict[str, set[str]], pool, global_regions: list[str] | None = None
) -> tuple[list[dict], list[ErrorRow]]:
    """Unmanaged resources of one region; with `global_regions` (the regions read) also S3
    buckets of those regions and IAM roles. Rows may repeat across regions: see :func:`dedupe`."""
    listers = (GLOBAL if global_regions else []) + REGIONAL
    errors: list[ErrorRow] = []

    def run(item):
        service, lister = item
        try:
            return lister(clients(service, region), account, region)
        except Exception as exc:  # one service failing must not stop the others
            from iacviz.errors import LiveError

            if isinstance(exc, LiveError):
                raise
            errors.append(
                ErrorRow(
                    f"live:{account}/{region}/{service}", 0, "warning", f"unmanaged scan incomplete: {explain(exc)}"
                )
            )
            return []

    merged: dict[tuple[str, str], dict] = {}
    for rows in pool.map(run, listers):
        for row in rows:
            key = (row["type"], short(row["id"]))  # SQS: URL from the list, name from the ARN
            if key in merged:
                merged[key]["tags"].update(row["tags"])
                merged[key]["arn"] = merged[key]["arn"] or row["arn"]
                merged[key].update({k: row[k] for k in PRIVATE_KEYS if k in row})
            else:
                merged[key] = row
    out = [row for row in merged.values() if not _is_managed(row, managed)]
    if global_regions:  # a bucket of a region not read belongs to stacks not read either
        out = [r for r in out if r["type"] != "AWS::S3::Bucket" or r["region"] in global_regions]
    out.sort(key=lambda r: (r["service"], r["type"], r["id"]))
    return out, errors


def dedupe(rows: list[dict]) -> list[dict]:
    """One row per resource across regions: the tagging API of every region may list a
    global resource (an S3 bucket) again; the first row wins and gathers the tags."""
    out: dict[tuple, dict] = {}
    for row in rows:
        where = "global" if row["type"] in GLOBAL_TYPES else row["region"]
        key = (row["account"], where, row["type"], short(row["id"]))
        if key in out:
            out[key]["tags"].update(row["tags"])
        else:
            out[key] = row
    return list(out.values())


def _stack_index(stacks: Iterable[RawStack]) -> tuple[dict, dict]:
    """(account, region, type, key) -> (stack name, logical id) of every stack resource, by each
    key of its physical id; and (account, region, stack name) -> its live resources."""
    by_id: dict[tuple, tuple[str, str]] = {}
    by_stack: dict[tuple, dict] = {}
    for s in stacks:
        name = s.stack_name or s.name
        by_stack[(s.account, s.region, name)] = s.live_resources
        for lid, r in s.live_resources.items():
            for key in _keys(r.get("physical_id")):
                by_id.setdefault((s.account, s.region, r.get("resource_type"), key), (name, lid))
    return by_id, by_stack


def _service_part(rtype: str | None) -> str | None:
    return rtype.split("::")[1] if rtype and rtype.count("::") == 2 else None


def classify(rows: list[dict], stacks: Iterable[RawStack]) -> list[dict]:
    """Set ``managed_by`` on each row: ``aws`` for AWS-owned defaults, ``service`` (with the
    owner columns when its owner is a stack resource) for what a service made, else ``none``
    (click-ops). Rows that CloudFormation's own tags name as a stack resource are dropped:
    the stack manages them under an id the listing spells otherwise.

    >>> classify([{"type": "AWS::SQS::Queue", "id": "q"}], [])[0]["managed_by"]
    'none'
    """
    by_id, by_stack = _stack_index(stacks)
    out = []
    for row in rows:
        extra = {k: row.pop(k) for k in PRIVATE_KEYS if k in row}
        facts = {**row, **extra}
        where = (row.get("account"), row.get("region"))
        if aws_default(facts):
            row["managed_by"] = "aws"
            out.append(row)
            continue
        tagged = cloudformation_tag_owner(row.get("tags"))
        if tagged or MANAGED_TAG in row.get("tags", {}):
            owner_res = by_stack.get((*where, tagged[0]), {}).get(tagged[1]) or {} if tagged else {}
            owner_type = owner_res.get("resource_type")
            itself = owner_type == row["type"] or {row["id"], short(row["id"])} & _keys(owner_res.get("physical_id"))
            if not tagged or not owner_type or itself or owner_type not in CFN_TAGGED_LAUNCHERS:
                continue  # the stack's own resource (or a stack not read): not outside the stacks
            row.update(
                managed_by="service",
                owner_stack=tagged[0],
                owner_logical_id=tagged[1],
                owner_service=_service_part(owner_type),
            )
            out.append(row)
            continue
        owners = owner_of(facts)
        found = next(((o, by_id[(*where, o.type, o.id)]) for o in owners if (*where, o.type, o.id) in by_id), None)
        if found:
            owner, (stack, lid) = found
            row.update(owner_stack=stack, owner_logical_id=lid)
        elif owners:
            owner = owners[0]
        row["managed_by"] = "service" if owners else "none"
        if owners:
            row["owner_service"] = owner.service
        out.append(row)
    return out


def _is_managed(row: dict, managed: dict[str, set[str]]) -> bool:
    keys = managed.get(row["service"].lower(), set())
    return bool(({row["id"], short(row["id"])} | ({row["arn"]} if row["arn"] else set())) & keys)
