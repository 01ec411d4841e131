"""Synthetic estates for benchmarks: many stacks sharing values through exports, seeded.

Stacks come in three roles, like a real estate split by lifetime:

- ``net-NNN`` (1 in 40): a VPC, subnets, route tables, security groups and ingress rules;
  exports ``<stack>-VpcId``, ``<stack>:SubnetIds`` (built with ``!Join``) and ``<stack>-AppSgId``.
- ``data-NNN`` (1 in 10): tables, buckets, queues, topics (some with ``DeletionPolicy: Retain``),
  a security group importing its network's VPC; exports ``<stack>-TableName``, ``-TableArn``,
  ``-QueueArn``, ``-BucketName`` and one pattern export ``${Project}-<stack>-Audit`` (``Project``
  has no value).
- ``app-NNNN`` (the rest): roles, functions, queues, alarms, log groups, permissions importing
  from one network and one data stack through ``!Sub '${NetworkStack}-VpcId'`` (parameter given
  by the estate file), literal names and ``!Join``. A few apps leave ``NetworkStack`` without a
  value or name a data stack that does not exist (ambiguous links), import a retired export
  (dangling) or the pattern export (inferred); every 100th app is a nested child of the app before it.

:func:`generate_estate` returns the stacks in memory (long form, ready for
``iacviz.build_estate``); :func:`write_estate` writes the same estate as YAML templates with
short-form tags plus an ``iacviz-estate.yaml``, ready for ``iacviz.load``.

>>> stacks = generate_estate(40, 20, seed=1)
>>> len(stacks), sum(len(s.template["Resources"]) for s in stacks) == 40 * 20
(40, True)
"""

from __future__ import annotations

import random
from pathlib import Path
from typing import Any

import yaml

from iacviz.sources.raw import RawStack

__all__ = ["generate_estate", "write_estate"]


def _ref(name: str) -> dict:
    return {"Ref": name}


def _att(name: str, attribute: str) -> dict:
    return {"Fn::GetAtt": [name, attribute]}


def _sub(text: str) -> dict:
    return {"Fn::Sub": text}


def _imp(name: Any) -> dict:
    return {"Fn::ImportValue": name}


def _export(value: Any, name: Any) -> dict:
    return {"Value": value, "Export": {"Name": name}}


def _network(n: int) -> tuple[dict, dict]:
    res: dict[str, Any] = {
        "Vpc": {"Type": "AWS::EC2::VPC", "Properties": {"CidrBlock": "10.0.0.0/16"}},
        "AppSg": {"Type": "AWS::EC2::SecurityGroup", "Properties": {"GroupDescription": "app", "VpcId": _ref("Vpc")}},
    }
    subnets = []
    for j in range(n - len(res)):
        kind = j % 4
        if kind in (0, 1):
            subnets.append(f"Subnet{j}")
            res[f"Subnet{j}"] = {
                "Type": "AWS::EC2::Subnet",
                "Properties": {
                    "VpcId": _ref("Vpc"),
                    "CidrBlock": f"10.0.{j % 250}.0/24",
                    "AvailabilityZone": {"Fn::Select": [j % 2, {"Fn::GetAZs": ""}]},
                },
            }
        elif kind == 2:
            res[f"RouteTable{j}"] = {"Type": "AWS::EC2::RouteTable", "Properties": {"VpcId": _ref("Vpc")}}
        else:
            res[f"Ingress{j}"] = {
                "Type": "AWS::EC2::SecurityGroupIngress",
                "Properties": {
                    "GroupId": _att("AppSg", "GroupId"),
                    "IpProtocol": "tcp",
                    "FromPort": 443,
                    "ToPort": 443,
                    "CidrIp": _att("Vpc", "CidrBlock"),
                },
            }
    outputs = {
        "VpcId": _export(_ref("Vpc"), _sub("${AWS::StackName}-VpcId")),
        "SubnetIds": _export(
            {"Fn::Join": [",", [_ref(s) for s in subnets[:4]]]},
            {"Fn::Join": [":", [_ref("AWS::StackName"), "SubnetIds"]]},
        ),
        "AppSgId": _export(_att("AppSg", "GroupId"), _sub("${AWS::StackName}-AppSgId")),
    }
    return res, outputs


def _data(n: int) -> tuple[dict, dict]:
    res: dict[str, Any] = {
        "DbSg": {
            "Type": "AWS::EC2::SecurityGroup",
            "Properties": {"GroupDescription": "data", "VpcId": _imp(_sub("${NetworkStack}-VpcId"))},
        },
        "Table": {
            "Type": "AWS::DynamoDB::Table",
            "DeletionPolicy": "Retain",
            "UpdateReplacePolicy": "Retain",
            "Properties": {
                "BillingMode": "PAY_PER_REQUEST",
                "KeySchema": [{"AttributeName": "id", "KeyType": "HASH"}],
                "AttributeDefinitions": [{"AttributeName": "id", "AttributeType": "S"}],
            },
        },
        "Bucket": {
            "Type": "AWS::S3::Bucket",
            "DeletionPolicy": "Retain",
            "Properties": {"BucketName": _sub("${AWS::StackName}-assets-${AWS::AccountId}")},
        },
        "Queue": {"Type": "AWS::SQS::Queue"},
        "Topic": {"Type": "AWS::SNS::Topic"},
    }
    for j in range(n - len(res)):
        kind = j % 3
        if kind == 0:
            res[f"Queue{j}"] = {
                "Type": "AWS::SQS::Queue",
                "Properties": {"RedrivePolicy": {"deadLetterTargetArn": _att("Queue", "Arn"), "maxReceiveCount": 5}},
            }
        elif kind == 1:
            res[f"Sub{j}"] = {
                "Type": "AWS::SNS::Subscription",
                "Properties": {"Protocol": "sqs", "TopicArn": _ref("Topic"), "Endpoint": _att(f"Queue{j - 1}", "Arn")},
            }
        else:
            res[f"Table{j}"] = {
                "Type": "AWS::DynamoDB::Table",
                "Properties": {
                    "BillingMode": "PAY_PER_REQUEST",
                    "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"}],
                    "AttributeDefinitions": [{"AttributeName": "pk", "AttributeType": "S"}],
                    "Tags": [{"Key": "sg", "Value": _ref("DbSg")}],
                },
            }
    outputs = {
        "TableName": _export(_ref("Table"), _sub("${AWS::StackName}-TableName")),
        "TableArn": _export(_att("Table", "Arn"), _sub("${AWS::StackName}-TableArn")),
        "QueueArn": _export(_att("Queue", "Arn"), _sub("${AWS::StackName}-QueueArn")),
        "BucketName": _export(_ref("Bucket"), _sub("${AWS::StackName}-BucketName")),
        "Audit": _export(_ref("Topic"), _sub("${Project}-${AWS::StackName}-Audit")),
    }
    return res, outputs


def _app(n: int, net: str, rng: random.Random, extra_import: Any = None) -> tuple[dict, dict]:
    res: dict[str, Any] = {
        "Role": {
            "Type": "AWS::IAM::Role",
            "Properties": {
                "AssumeRolePolicyDocument": {
                    "Statement": [
                        {
                            "Effect": "Allow",
                            "Principal": {"Service": "lambda.amazonaws.com"},
                            "Action": "sts:AssumeRole",
                        }
                    ]
                }
            },
        },
        "Sg": {
            "Type": "AWS::EC2::SecurityGroup",
            "Properties": {"GroupDescription": "app", "VpcId": _imp(_sub("${NetworkStack}-VpcId"))},
        },
        "Topic": {"Type": "AWS::SNS::Topic"},
    }
    if extra_import is not None:
        res["Extra"] = {"Type": "AWS::SSM::Parameter", "Properties": {"Type": "String", "Value": _imp(extra_import)}}
    fn = None
    for j in range(n - len(res)):
        kind = j % 5 if j else 0
        if kind == 0:
            fn = f"Fn{j}"
            res[fn] = {
                "Type": "AWS::Lambda::Function",
                "Properties": {
                    "Role": _att("Role", "Arn"),
                    "Handler": "index.handler",
                    "Runtime": "python3.12",
                    "Code": {"ZipFile": "def handler(event, context): pass"},
                    "VpcConfig": {
                        "SubnetIds": {"Fn::Split": [",", _imp(f"{net}:SubnetIds")]},
                        "SecurityGroupIds": [_ref("Sg"), _imp({"Fn::Join": ["-", [_ref("NetworkStack"), "AppSgId"]]})],
                    },
                    "Environment": {
                        "Variables": {"TABLE": _imp(_sub("${DataStack}-TableName")), "TOPIC": _ref("Topic")}
                    },
                },
            }
        elif kind == 1:
            res[f"Queue{j}"] = {
                "Type": "AWS::SQS::Queue",
                "Properties": {
                    "VisibilityTimeout": rng.choice([30, 60, 300]),
                    "Tags": [{"Key": "source", "Value": _imp(_sub("${DataStack}-QueueArn"))}],
                },
            }
        elif kind == 2:
            res[f"Alarm{j}"] = {
                "Type": "AWS::CloudWatch::Alarm",
                "Properties": {
                    "MetricName": "Errors",
                    "Namespace": "AWS/Lambda",
                    "Statistic": "Sum",
                    "Period": 60,
                    "EvaluationPeriods": 1,
                    "Threshold": 1,
                    "ComparisonOperator": "GreaterThanThreshold",
                    "Dimensions": [{"Name": "FunctionName", "Value": _ref(fn)}],
                    "AlarmActions": [_ref("Topic")],
                },
            }
        elif kind == 3:
            res[f"Logs{j}"] = {
                "Type": "AWS::Logs::LogGroup",
                "DeletionPolicy": "Retain",
                "Properties": {"LogGroupName": _sub(f"/aws/lambda/${{{fn}}}"), "RetentionInDays": 14},
            }
        else:
            res[f"Permission{j}"] = {
                "Type": "AWS::Lambda::Permission",
                "Properties": {
                    "FunctionName": _att(fn, "Arn"),
                    "Action": "lambda:InvokeFunction",
                    "Principal": "sns.amazonaws.com",
                    "SourceArn": _ref("Topic"),
                },
            }
    outputs = {"FnArn": _export(_att("Fn0", "Arn"), _sub("${AWS::StackName}-Fn0Arn"))} if "Fn0" in res else {}
    return res, outputs


def generate_estate(n_stacks: int = 2000, resources_per_stack: int = 50, seed: int = 0) -> list[RawStack]:
    """A synthetic estate of `n_stacks` stacks with `resources_per_stack` resources each.

    Deterministic for a given seed. Parameter values come as an estate file would give them
    (``parameter_values_source="estate-file"``); nested children as the loader makes them.
    """
    rng = random.Random(seed)
    n_net, n_data = max(1, n_stacks // 40), max(1, n_stacks // 10)
    nets = [f"net-{i:03d}" for i in range(n_net)]
    datas = [f"data-{i:03d}" for i in range(n_data)]
    out: list[RawStack] = []
    for name in nets:
        res, outs = _network(resources_per_stack)
        out.append(RawStack(name, f"network/{name}.yaml", "yaml", {"Resources": res, "Outputs": outs}))
    for name in datas:
        res, outs = _data(resources_per_stack)
        params = {"NetworkStack": {"Type": "String"}, "Project": {"Type": "String"}}
        template = {"Parameters": params, "Resources": res, "Outputs": outs}
        out.append(
            RawStack(
                name,
                f"data/{name}.yaml",
                "yaml",
                template,
                parameter_values={"NetworkStack": rng.choice(nets)},
                parameter_values_source="estate-file",
            )
        )
    parent = None
    for i in range(n_stacks - n_net - n_data):
        name, net, data = f"app-{i:04d}", rng.choice(nets), rng.choice(datas)
        params: dict[str, Any] = {"NetworkStack": {"Type": "String"}, "DataStack": {"Type": "String"}}
        values = {"NetworkStack": net, "DataStack": data}
        roll, extra = rng.random(), None
        if roll < 0.03:
            values.pop("NetworkStack")  # no value: ${NetworkStack}-VpcId matches every network
        elif roll < 0.06:
            values.pop("DataStack")
            params["DataStack"]["Default"] = "data-legacy"  # a default naming no stack
        elif roll < 0.07:
            extra = f"retired-{i}-Thing"  # dangling
        elif roll < 0.08:
            extra = f"acme-{data}-Audit"  # inferred against the ${Project} pattern export
        res, outs = _app(resources_per_stack, net, rng, extra)
        template = {"Parameters": params, "Resources": res, "Outputs": outs}
        if parent is not None and i % 100 == 99:
            out.append(
                RawStack(
                    f"{parent}-Child",
                    f"apps/{parent}-child.yaml",
                    "yaml",
                    template,
                    parent_stack=parent,
                    parent_resource="Child",
                    parameter_values={"NetworkStack": net, "DataStack": data},
                    parameter_values_source="parent",
                    stack_dependencies=[parent],
                )
            )
            parent_raw = next(r for r in out if r.name == parent)
            last = list(parent_raw.template["Resources"])[-1]  # referenced by nothing: keeps the count exact
            del parent_raw.template["Resources"][last]
            parent_raw.template["Resources"]["Child"] = {
                "Type": "AWS::CloudFormation::Stack",
                "Properties": {
                    "TemplateURL": f"./{parent}-child.yaml",
                    "Parameters": {"NetworkStack": net, "DataStack": data},
                },
            }
            continue
        out.append(
            RawStack(
                name,
                f"apps/{name}.yaml",
                "yaml",
                template,
                parameter_values=values,
                parameter_values_source="estate-file",
            )
        )
        parent = name
    return out


# -- YAML with short-form tags ------------------------------------------------------------

_SCALAR_TAGS = {
    "Ref": "!Ref",
    "Fn::Sub": "!Sub",
    "Fn::ImportValue": "!ImportValue",
    "Fn::GetAZs": "!GetAZs",
    "Fn::Base64": "!Base64",
    "Condition": "!Condition",
}
_SEQUENCE_TAGS = {
    "Fn::Join": "!Join",
    "Fn::Split": "!Split",
    "Fn::Select": "!Select",
    "Fn::If": "!If",
    "Fn::Equals": "!Equals",
    "Fn::FindInMap": "!FindInMap",
    "Fn::Sub": "!Sub",
    "Fn::GetAtt": "!GetAtt",
    "Fn::And": "!And",
    "Fn::Or": "!Or",
    "Fn::Not": "!Not",
}


class _Dumper(getattr(yaml, "CSafeDumper", yaml.SafeDumper)):  # libyaml emitter: ~5x faster
    pass


def _represent_dict(dumper: Any, data: dict) -> yaml.Node:
    if len(data) == 1:
        key, arg = next(iter(data.items()))
        # YAML allows one tag per node: `!ImportValue !Sub x` is invalid, so an intrinsic whose
        # argument is itself an intrinsic keeps its long key (`Fn::ImportValue: !Sub x`).
        if key == "Fn::GetAtt" and isinstance(arg, list) and all(isinstance(a, str) for a in arg):
            return dumper.represent_scalar("!GetAtt", ".".join(arg))
        if isinstance(arg, str) and key in _SCALAR_TAGS:
            return dumper.represent_scalar(_SCALAR_TAGS[key], arg)
        if isinstance(arg, list) and key in _SEQUENCE_TAGS:
            return dumper.represent_sequence(_SEQUENCE_TAGS[key], arg, flow_style=True)
    return dumper.represent_dict(data)


_Dumper.add_representer(dict, _represent_dict)


def to_yaml(template: dict) -> str:
    """A long-form template as YAML with CloudFormation's short-form tags.

    >>> text = to_yaml({"A": {"Fn::ImportValue": {"Fn::Sub": "${S}-X"}}, "B": {"Fn::GetAtt": ["R", "Arn"]}})
    >>> [line.replace("'", "") for line in text.splitlines()]  # libyaml quotes nothing, PyYAML's emitter does
    ['A:', '  Fn::ImportValue: !Sub ${S}-X', 'B: !GetAtt R.Arn']
    """
    return yaml.dump(template, Dumper=_Dumper, sort_keys=False, default_flow_style=False, width=120)


def write_estate(folder: str | Path, n_stacks: int = 2000, resources_per_stack: int = 50, seed: int = 0) -> Path:
    """Write :func:`generate_estate`'s stacks as YAML templates plus ``iacviz-estate.yaml``.

    Returns the folder; ``iacviz.load(folder)`` reads the same stacks back (nested children
    are found through their parents' ``TemplateURL``).
    """
    folder = Path(folder)
    stacks = generate_estate(n_stacks, resources_per_stack, seed)
    listed: dict[str, Any] = {}
    for raw in stacks:
        path = folder / raw.source
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(to_yaml(raw.template))
        if raw.parent_stack is None:
            entry: dict[str, Any] = {"template": raw.source}
            if raw.parameter_values:
                entry["parameters"] = dict(raw.parameter_values)
            listed[raw.name] = entry
    (folder / "iacviz-estate.yaml").write_text(yaml.safe_dump({"stacks": listed}, sort_keys=False))
    return folder


if __name__ == "__main__":  # quick timing; the formal benchmarks live elsewhere
    import sys
    import time

    import iacviz

    n, k = (int(a) for a in (sys.argv[1:3] if len(sys.argv) > 2 else (2000, 50)))
    t0 = time.perf_counter()
    raw = generate_estate(n, k, seed=0)
    t1 = time.perf_counter()
    estate = iacviz.build_estate(raw, [])
    t2 = time.perf_counter()
    _ = estate.imports, estate.exports  # computed (and timed) here, used below
    t3 = time.perf_counter()
    problems = estate.export_problems
    t4 = time.perf_counter()
    iacviz.stack_graph(estate), iacviz.deployment_order(estate)
    t5 = time.perf_counter()
    graph = iacviz.resource_graph(estate)
    t6 = time.perf_counter()
    br = iacviz.blast_radius(estate, "net-000/Vpc")
    t7 = time.perf_counter()
    print(
        f"{n} stacks x {k}: {len(estate.resources)} resources, {len(estate.references)} references, "
        f"{len(estate.imports)} imports ({estate.imports.link.value_counts().to_dict()}), "
        f"{graph.number_of_nodes()} nodes, {graph.number_of_edges()} edges, {len(problems)} problems"
    )
    for label, a, b in (
        ("generate", t0, t1),
        ("build_estate", t1, t2),
        ("exports+imports", t2, t3),
        ("export_problems", t3, t4),
        ("stack_graph+order", t4, t5),
        ("resource_graph", t5, t6),
        (f"blast_radius net-000/Vpc ({len(br)} rows)", t6, t7),
    ):
        print(f"  {label:40s} {b - a:8.3f} s")
