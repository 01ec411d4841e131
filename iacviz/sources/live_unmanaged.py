"""Resources in the account that no stack manages ("click-ops"), for the IaC coverage view.

Two sources, merged: the Resource Groups Tagging API (every tagged resource, any service)
and plain list calls for common types (S3, SQS, SNS, DynamoDB, Lambda, RDS, EC2 VPCs,
subnets and security groups, IAM roles, KMS keys, CloudWatch log groups), which also find
untagged resources. A resource is managed when its id or ARN matches the physical id of a
stack resource of the same service, or when it carries the ``aws:cloudformation:stack-id``
tag. AWS-owned defaults (default VPC, its subnets and security groups, service-linked
roles, AWS managed keys) are left out: no stack could own them. What a service creates for a
stack's own resource (the log group of a stack's Lambda function, see
:mod:`iacviz.cfn.service_managed`) is kept with ``managed_by = "service"`` and its owner
(:func:`classify`); everything else is ``managed_by = "none"``.

>>> arn_parts("arn:aws:ec2:us-east-1:123456789012:security-group/sg-0abc")
('ec2', 'security-group', 'sg-0abc')
>>> arn_parts("arn:aws:sqs:us-east-1:123456789012:orders")
('sqs', '', 'orders')
"""

from __future__ import annotations

import re
from typing import Any, Callable, Iterable

from iacviz.cfn.service_managed import LOG_GROUP_PREFIXES, service_log_group
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


def _row(account, region, rtype, rid, arn, tags) -> dict[str, Any]:
    service = rtype.split("::")[1] if rtype.count("::") == 2 else SERVICES.get(rtype.split(":")[0], rtype.split(":")[0])
    return {
        "account": account,
        "region": region,
        "service": service,
        "type": rtype,
        "id": rid,
        "arn": arn,
        "tags": dict(tags or {}),
    }


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
        _row(a, r, "AWS::EC2::VPC", v["VpcId"], arn + f"vpc/{v['VpcId']}", _tags(v.get("Tags")))
        for v in paginate(c, "describe_vpcs", "Vpcs")
        if not v.get("IsDefault")
    ]
    rows += [
        _row(
            a,
            r,
            "AWS::EC2::Subnet",
            s["SubnetId"],
            s.get("SubnetArn") or arn + f"subnet/{s['SubnetId']}",
            _tags(s.get("Tags")),
        )
        for s in paginate(c, "describe_subnets", "Subnets")
        if not s.get("DefaultForAz")
    ]
    rows += [
        _row(
            a, r, "AWS::EC2::SecurityGroup", g["GroupId"], arn + f"security-group/{g['GroupId']}", _tags(g.get("Tags"))
        )
        for g in paginate(c, "describe_security_groups", "SecurityGroups")
        if g.get("GroupName") != "default"
    ]
    return rows


def _iam(c, a, r):
    return [
        _row(a, "global", "AWS::IAM::Role", x["RoleName"], x["Arn"], {})
        for x in paginate(c, "list_roles", "Roles")
        if not x.get("Path", "/").startswith(("/aws-service-role/", "/aws-reserved/", "/service-role/aws"))
    ]


def _kms(c, a, r):
    aws_owned = {
        x.get("TargetKeyId")
        for x in paginate(c, "list_aliases", "Aliases")
        if x.get("AliasName", "").startswith("alias/aws/")
    }
    return [
        _row(a, r, "AWS::KMS::Key", k["KeyId"], k.get("KeyArn"), {})
        for k in paginate(c, "list_keys", "Keys")
        if k["KeyId"] not in aws_owned
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
        if MANAGED_TAG in tags:
            continue  # CloudFormation tags what it creates: managed, whatever the id looks like
        service, kind, rid = arn_parts(m["ResourceARN"])
        if (service, kind) == ("rds", "snapshot") and rid.startswith("rds:"):
            continue  # automated snapshots: made by RDS, not by anyone's hand
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
    ("kms", _kms),
    ("logs", _logs),
    ("resourcegroupstaggingapi", _tagged),  # last: its rows only add tags to the listed ones
]
GLOBAL: list[tuple[str, Callable]] = [("s3", _s3), ("iam", _iam)]


GLOBAL_TYPES = frozenset({"AWS::S3::Bucket", "AWS::IAM::Role"})  # listed from any region


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


def service_owners(stacks: Iterable[RawStack]) -> dict[tuple[str, str], dict[str, str]]:
    """(type, id) of what services create for the stacks' resources -> its owner columns."""
    out: dict[tuple[str, str], dict[str, str]] = {}
    for s in stacks:
        for lid, r in s.live_resources.items():
            rtype = r.get("resource_type") or ""
            group = service_log_group(rtype, r.get("physical_id"))
            if group:
                out[("AWS::Logs::LogGroup", group)] = {
                    "owner_stack": s.stack_name or s.name,
                    "owner_logical_id": lid,
                    "owner_service": LOG_GROUP_PREFIXES[rtype][0],
                }
    return out


def classify(rows: list[dict], stacks: Iterable[RawStack]) -> list[dict]:
    """Set ``managed_by`` on each row: ``service`` (with its owner) for what a service created
    for a stack's resource, else ``none`` (click-ops).

    >>> classify([{"type": "AWS::SQS::Queue", "id": "q"}], [])[0]["managed_by"]
    'none'
    """
    owners = service_owners(stacks)
    for row in rows:
        owner = owners.get((row["type"], row["id"]))
        row.update(owner or {})
        row["managed_by"] = "service" if owner else "none"
    return rows


def _is_managed(row: dict, managed: dict[str, set[str]]) -> bool:
    keys = managed.get(row["service"].lower(), set())
    return bool(({row["id"], short(row["id"])} | ({row["arn"]} if row["arn"] else set())) & keys)
