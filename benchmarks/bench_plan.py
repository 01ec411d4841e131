"""plan_changes on large generated templates: how long an offline change set takes.

Not a test. Run from the repo root:  .venv/bin/python benchmarks/bench_plan.py [--seed 7]
A seeded generator writes templates of N resources (VPC, subnets, security groups, queues,
tables, functions, permissions, buckets, instances; references between them, parameters, a
condition), then edits 5% of the resources (create-only edits, in-place edits, removals,
additions). It prints, best of several rounds:
  * load   - both sides read with iacviz.load_template (what plan_changes pays on mappings)
  * plan   - plan_changes on the two estates already loaded (the comparison itself)
  * total  - plan_changes on the two mappings
and, for an estate of several such stacks, the same on Estates.
"""

from __future__ import annotations

import argparse
import copy
import random
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import iacviz
from iacviz.model.build import build_estate


def generate(n: int, rng: random.Random) -> dict:
    """A template of about `n` resources that reference each other like a real one."""
    res: dict[str, dict] = {"Vpc": {"Type": "AWS::EC2::VPC", "Properties": {"CidrBlock": {"Ref": "Cidr"}}}}
    subnets, groups, queues, functions = [], [], [], []
    i = 0
    while len(res) < n:
        i += 1
        kind = rng.choice(["subnet", "sg", "queue", "table", "function", "perm", "bucket", "instance", "topic"])
        lid = f"{kind.title()}{i}"
        if kind == "subnet":
            res[lid] = {
                "Type": "AWS::EC2::Subnet",
                "Properties": {
                    "VpcId": {"Ref": "Vpc"},
                    "CidrBlock": f"10.{i % 250}.{i // 250}.0/24",
                    "Tags": [{"Key": "Name", "Value": {"Fn::Sub": "${Env}-" + lid}}],
                },
            }
            subnets.append(lid)
        elif kind == "sg":
            res[lid] = {
                "Type": "AWS::EC2::SecurityGroup",
                "Properties": {
                    "GroupDescription": f"group {i}",
                    "VpcId": {"Ref": "Vpc"},
                    "SecurityGroupIngress": [
                        {
                            "IpProtocol": "tcp",
                            "FromPort": 443,
                            "ToPort": 443,
                            "CidrIp": {"Fn::GetAtt": ["Vpc", "CidrBlock"]},
                        }
                    ],
                },
            }
            groups.append(lid)
        elif kind == "queue":
            res[lid] = {"Type": "AWS::SQS::Queue", "Properties": {"VisibilityTimeout": rng.choice([30, 60, 180])}}
            queues.append(lid)
        elif kind == "table":
            res[lid] = {
                "Type": "AWS::DynamoDB::Table",
                "Properties": {
                    "BillingMode": "PAY_PER_REQUEST",
                    "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"}],
                    "AttributeDefinitions": [{"AttributeName": "pk", "AttributeType": "S"}],
                    "PointInTimeRecoverySpecification": {
                        "PointInTimeRecoveryEnabled": {"Fn::If": ["IsProd", True, False]}
                    },
                },
            }
        elif kind == "function":
            env = {"QUEUE": {"Ref": rng.choice(queues)}} if queues else {}
            vpc = None
            if subnets and groups:
                vpc = {
                    "SubnetIds": [{"Ref": s} for s in rng.sample(subnets, min(2, len(subnets)))],
                    "SecurityGroupIds": [{"Fn::GetAtt": [rng.choice(groups), "GroupId"]}],
                }
            props = {
                "Runtime": "python3.12",
                "Handler": "app.h",
                "Role": {"Fn::ImportValue": "iam-LambdaRole"},
                "Code": {"S3Bucket": "artifacts", "S3Key": f"fn{i}-v1.zip"},
                "MemorySize": 256,
                "Environment": {"Variables": env},
            }
            if vpc:
                props["VpcConfig"] = vpc
            res[lid] = {"Type": "AWS::Lambda::Function", "Properties": props}
            functions.append(lid)
        elif kind == "perm" and functions:
            res[lid] = {
                "Type": "AWS::Lambda::Permission",
                "Properties": {
                    "FunctionName": {"Fn::GetAtt": [rng.choice(functions), "Arn"]},
                    "Action": "lambda:InvokeFunction",
                    "Principal": "sns.amazonaws.com",
                },
            }
        elif kind == "bucket":
            res[lid] = {
                "Type": "AWS::S3::Bucket",
                "DeletionPolicy": "Retain",
                "Properties": {"VersioningConfiguration": {"Status": "Enabled"}},
            }
        elif kind == "instance" and subnets:
            res[lid] = {
                "Type": "AWS::EC2::Instance",
                "Properties": {
                    "ImageId": "ami-12345678",
                    "InstanceType": {"Ref": "Size"},
                    "SubnetId": {"Ref": rng.choice(subnets)},
                },
            }
        elif kind == "topic":
            res[lid] = {
                "Type": "AWS::SNS::Topic",
                "Condition": "IsProd",
                "Properties": {"DisplayName": {"Fn::Sub": "${Env} topic " + str(i)}},
            }
    outputs = {
        f"Out{q}": {"Value": {"Fn::GetAtt": [q, "Arn"]}, "Export": {"Name": {"Fn::Sub": "${AWS::StackName}-" + q}}}
        for q in queues[:20]
    }
    return {
        "Parameters": {
            "Cidr": {"Type": "String", "Default": "10.0.0.0/16"},
            "Env": {"Type": "String", "Default": "prod"},
            "Size": {"Type": "String", "Default": "t3.micro"},
        },
        "Conditions": {"IsProd": {"Fn::Equals": [{"Ref": "Env"}, "prod"]}},
        "Resources": res,
        "Outputs": outputs,
    }


def edit(template: dict, share: float, rng: random.Random) -> dict:
    """A copy with `share` of the resources changed: create-only and in-place edits, removals, additions."""
    out = copy.deepcopy(template)
    res = out["Resources"]
    for lid in rng.sample(sorted(res), max(1, int(len(res) * share))):
        r, action = res[lid], rng.random()
        props = r.setdefault("Properties", {})
        if action < 0.1:
            del res[lid]
        elif action < 0.2:
            res[lid + "New"] = res.pop(lid)  # a rename
        elif r["Type"] == "AWS::EC2::SecurityGroup":
            props["GroupDescription"] += " (edited)"  # create-only: replaced, with its dependents
        elif r["Type"] == "AWS::Lambda::Function":
            props["Code"]["S3Key"] = props["Code"]["S3Key"].replace("v1", "v2")
        elif r["Type"] == "AWS::SQS::Queue":
            props["VisibilityTimeout"] = 300
        else:
            props.setdefault("Tags", []).append({"Key": "edited", "Value": "yes"})
    return out


def best(fn, rounds: int) -> float:
    times = []
    for _ in range(rounds):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return min(times)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--rounds", type=int, default=3)
    args = ap.parse_args()
    rng = random.Random(args.seed)
    print(f"{'resources':>9} {'rows':>6} {'load ms':>8} {'plan ms':>8} {'total ms':>9}")
    for n in (100, 500, 1000, 2000):
        before = generate(n, rng)
        after = edit(before, 0.05, rng)
        eb, ea = iacviz.load_template(before, "big"), iacviz.load_template(after, "big")
        rows = len(iacviz.plan_changes(eb, ea))
        load = best(
            lambda before=before, after=after: (
                iacviz.load_template(before, "big"),
                iacviz.load_template(after, "big"),
            ),
            args.rounds,
        )
        plan = best(lambda eb=eb, ea=ea: iacviz.plan_changes(eb, ea), args.rounds)
        total = best(lambda before=before, after=after: iacviz.plan_changes(before, after, stack="big"), args.rounds)
        print(f"{n:>9} {rows:>6} {load * 1e3:>8.0f} {plan * 1e3:>8.0f} {total * 1e3:>9.0f}")
    stacks = 20
    pairs = [(generate(500, rng), None) for _ in range(stacks)]
    pairs = [(b, edit(b, 0.05, rng)) for b, _ in pairs]
    raws_b = [r for k, (b, _) in enumerate(pairs) for r in iacviz.load_template(b, f"s{k}").raw_stacks]
    raws_a = [r for k, (_, a) in enumerate(pairs) for r in iacviz.load_template(a, f"s{k}").raw_stacks]
    eb, ea = build_estate(raws_b, []), build_estate(raws_a, [])
    rows = len(iacviz.plan_changes(eb, ea))
    plan = best(lambda eb=eb, ea=ea: iacviz.plan_changes(eb, ea), args.rounds)
    print(f"estate of {stacks} stacks x 500 resources: {rows} rows, plan {plan * 1e3:.0f} ms")


if __name__ == "__main__":
    main()
