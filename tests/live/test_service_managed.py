"""Service-managed vs click-ops in the unmanaged scan, on a local moto server."""

from __future__ import annotations

import pandas as pd
from live_helpers import deploy, session

import iacviz
from iacviz.sources.live import read_live

REGION = "ap-southeast-2"  # a region of its own: moto's state is shared by the whole session
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


def test_lambda_log_group_is_service_managed_and_hand_made_queue_is_not(moto_server):
    deploy(moto_server, REGION, "workers", TEMPLATE)
    cf = session(REGION).client("cloudformation", endpoint_url=moto_server)
    function = cf.describe_stack_resource(StackName="workers", LogicalResourceId="Worker")["StackResourceDetail"][
        "PhysicalResourceId"
    ]
    # What Lambda does on the function's first invocation (moto runs no code): its log group.
    session(REGION).client("logs", endpoint_url=moto_server).create_log_group(logGroupName=f"/aws/lambda/{function}")
    queue = session(REGION).client("sqs", endpoint_url=moto_server).create_queue(QueueName="made-by-hand")["QueueUrl"]

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
