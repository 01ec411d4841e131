"""Service-managed vs click-ops in the unmanaged scan, on a local moto server.

Lambda's log group and the instances of a stack's Auto Scaling group are made by the
service, for the stack's resource (managed_by service, with the owner); a queue made by
hand is click-ops (none); the default VPC is AWS's (aws).
"""

from __future__ import annotations

import pandas as pd
import pytest
from live_helpers import deploy, session

import iacviz
from iacviz.sources.live import read_live

REGION = "ap-south-1"  # a region of its own: moto's state is shared by the whole session
ROLE = {
    "Type": "AWS::IAM::Role",
    "Properties": {
        "AssumeRolePolicyDocument": {
            "Version": "2012-10-17",
            "Statement": [
                {"Effect": "Allow", "Action": "sts:AssumeRole", "Principal": {"Service": "lambda.amazonaws.com"}}
            ],
        }
    },
}
TEMPLATE = {
    "Resources": {
        "WorkerRole": ROLE,
        "FleetTemplate": {
            "Type": "AWS::EC2::LaunchTemplate",
            "Properties": {"LaunchTemplateData": {"ImageId": "ami-12c6146b", "InstanceType": "t3.micro"}},
        },
        "Fleet": {
            "Type": "AWS::AutoScaling::AutoScalingGroup",
            "Properties": {
                "MinSize": "1",
                "MaxSize": "2",
                "DesiredCapacity": "2",
                "AvailabilityZones": ["ap-south-1a"],
                "LaunchTemplate": {
                    "LaunchTemplateId": {"Ref": "FleetTemplate"},
                    "Version": {"Fn::GetAtt": ["FleetTemplate", "LatestVersionNumber"]},
                },
            },
        },
        "Worker": {
            "Type": "AWS::Lambda::Function",
            "Properties": {
                "Handler": "index.handler",
                "Runtime": "python3.12",
                "Role": {"Fn::GetAtt": ["WorkerRole", "Arn"]},
                "Code": {"ZipFile": "def handler(event, context):\n    return event\n"},
            },
        },
    }
}


@pytest.fixture(scope="module")
def deployed(moto_server):
    """The stack, its function's log group (as Lambda makes it) and a queue made by hand."""
    deploy(moto_server, REGION, "workers", TEMPLATE)
    cf = session(REGION).client("cloudformation", endpoint_url=moto_server)
    function = cf.describe_stack_resource(StackName="workers", LogicalResourceId="Worker")["StackResourceDetail"][
        "PhysicalResourceId"
    ]
    # What Lambda does on the function's first invocation (moto runs no code): its log group.
    session(REGION).client("logs", endpoint_url=moto_server).create_log_group(logGroupName=f"/aws/lambda/{function}")
    queue = session(REGION).client("sqs", endpoint_url=moto_server).create_queue(QueueName="made-by-hand")["QueueUrl"]
    return function, queue


def test_lambda_log_group_is_service_managed_and_hand_made_queue_is_not(moto_server, deployed):
    function, queue = deployed
    read = read_live(
        session(REGION), regions=[REGION], endpoint_url=moto_server, include=("resources", "unmanaged"), progress=False
    )
    rows = {(u["type"], u["id"]): u for u in read.unmanaged}
    group = rows[("AWS::Logs::LogGroup", f"/aws/lambda/{function}")]
    assert group["managed_by"] == "service"
    assert (group["owner_stack"], group["owner_logical_id"], group["owner_service"]) == ("workers", "Worker", "Lambda")
    hand = rows[("AWS::SQS::Queue", queue)]
    assert hand["managed_by"] == "none" and "owner_stack" not in hand

    estate = iacviz.load_live(
        session(REGION), regions=[REGION], endpoint_url=moto_server, include=("resources", "unmanaged"), progress=False
    )
    frame = estate.unmanaged.set_index("id")
    assert frame.loc[f"/aws/lambda/{function}", "managed_by"] == "service"
    assert frame.loc[queue, "managed_by"] == "none" and pd.isna(frame.loc[queue, "owner_stack"])
    assert frame.loc[f"/aws/lambda/{function}", "owner_logical_id"] == "Worker"
    # Only the click-ops queue is a review finding; the log group counts as covered.
    flagged = set(iacviz.review(estate, rules=["I6002"]).logical_id)
    assert queue in flagged and f"/aws/lambda/{function}" not in flagged
    logs = iacviz.iac_coverage(estate).set_index("service").loc["Logs"]
    assert (logs.managed, logs.unmanaged) == (1, 0)


def test_auto_scaling_instances_defaults_and_coverage_apart(moto_server, deployed):
    estate = iacviz.load_live(
        session(REGION), regions=[REGION], endpoint_url=moto_server, include=("resources", "unmanaged"), progress=False
    )
    unm = estate.unmanaged
    fleet = estate.resources.set_index("logical_id").loc["Fleet", "physical_id"]
    instances = unm[unm.type == "AWS::EC2::Instance"]
    assert len(instances) == 2, "the group's desired capacity"
    assert set(instances.managed_by) == {"service"}
    assert set(zip(instances.owner_stack, instances.owner_logical_id, instances.owner_service)) == {
        ("workers", "Fleet", "AutoScaling")
    }
    assert {t["aws:autoscaling:groupName"] for t in instances.tags} == {fleet}
    # the default VPC, its subnets and security group are AWS's own; the stack added no VPC
    ec2 = unm[unm.service == "EC2"]
    assert set(ec2.managed_by[ec2.type != "AWS::EC2::Instance"]) == {"aws"}
    coverage = iacviz.iac_coverage(estate).set_index("service")
    assert coverage.loc["EC2", "service_managed"] == 2
    assert coverage.loc["EC2", "aws_default"] == (ec2.managed_by == "aws").sum() > 0
    assert coverage.loc["EC2", "unmanaged"] == 0
    assert coverage.loc["SQS", "unmanaged"] == 1  # the queue made by hand, from the first test
    assert not set(iacviz.review(estate, rules=["I6002"]).logical_id) & set(ec2.id)


def test_stacks_a_tool_created_for_itself(moto_server, deployed):
    bucket = {"Resources": {"Bucket": {"Type": "AWS::S3::Bucket"}}}
    for name in ("CDKToolkit", "aws-sam-cli-managed-default"):
        deploy(moto_server, REGION, name, bucket)
    estate = iacviz.load_live(
        session(REGION), regions=[REGION], endpoint_url=moto_server, include=("resources",), progress=False
    )
    created = dict(zip(estate.stacks.stack_name, estate.stacks.created_by))
    assert created["CDKToolkit"] == "cdk" and created["aws-sam-cli-managed-default"] == "sam-cli"
    assert pd.isna(created["workers"])


def test_the_report_shows_clickops_service_made_and_defaults_apart(moto_server, deployed):
    estate = iacviz.load_live(
        session(REGION), regions=[REGION], endpoint_url=moto_server, include=("resources", "unmanaged"), progress=False
    )
    by = estate.unmanaged.managed_by
    page = iacviz.render_report(estate)
    assert 'id="coverage"' in page  # the coverage figure, drawn for a live estate
    counts = f"{(by == 'none').sum()} click-ops, {(by == 'service').sum()} made by a service, "
    counts += f"{(by == 'aws').sum()} AWS defaults"
    assert counts in page and (by == "service").sum() >= 3
    assert f"/aws/lambda/{deployed[0]}" in page
    # an estate from files lists nothing outside the stacks: no such figure or table
    files = iacviz.render_report(iacviz.load_template({"Resources": {}}, stack="s"), figures=False)
    assert 'id="inventory-unmanaged"' not in files
