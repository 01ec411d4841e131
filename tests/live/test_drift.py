"""Drift: moto implements none of the drift calls, so DetectStackDrift,
DescribeStackDriftDetectionStatus and DescribeStackResourceDrifts are answered by an
OperationStubber (responses validated against the CloudFormation service model); the
stack itself and every other call are served by moto. Own region (eu-central-1).
"""

from __future__ import annotations

import datetime as dt

import pytest
from live_helpers import StubbedSession, deploy

from iacviz.model.live import estate_from_read
from iacviz.sources.live import read_live

REGION = "eu-central-1"
NOW = dt.datetime(2024, 5, 1, 12, 0, tzinfo=dt.timezone.utc)


@pytest.fixture(scope="module")
def stack_id(moto_server):
    return deploy(
        moto_server,
        REGION,
        "drifty",
        {
            "Resources": {
                "Q": {"Type": "AWS::SQS::Queue", "Properties": {"VisibilityTimeout": 30}},
                "T": {"Type": "AWS::SNS::Topic"},
            }
        },
    )


def test_detect_drift_reads_the_differences(moto_server, stack_id):
    def fill(stub):
        stub.add_response("detect_stack_drift", {"StackDriftDetectionId": "det-1"}, {"StackName": stack_id})
        stub.add_response(
            "describe_stack_drift_detection_status",
            {
                "StackId": stack_id,
                "StackDriftDetectionId": "det-1",
                "StackDriftStatus": "DRIFTED",
                "DetectionStatus": "DETECTION_COMPLETE",
                "DriftedStackResourceCount": 1,
                "Timestamp": NOW,
            },
            {"StackDriftDetectionId": "det-1"},
        )
        stub.add_response(
            "describe_stack_resource_drifts",
            {
                "StackResourceDrifts": [
                    {
                        "StackId": stack_id,
                        "LogicalResourceId": "Q",
                        "PhysicalResourceId": "drifty-Q",
                        "ResourceType": "AWS::SQS::Queue",
                        "ExpectedProperties": '{"VisibilityTimeout":30}',
                        "ActualProperties": '{"VisibilityTimeout":120}',
                        "StackResourceDriftStatus": "MODIFIED",
                        "PropertyDifferences": [
                            {
                                "PropertyPath": "/VisibilityTimeout",
                                "ExpectedValue": "30",
                                "ActualValue": "120",
                                "DifferenceType": "NOT_EQUAL",
                            }
                        ],
                        "Timestamp": NOW,
                    }
                ]
            },
            {"StackName": stack_id, "StackResourceDriftStatusFilters": ["MODIFIED", "DELETED"]},
        )

    s = StubbedSession(
        "cloudformation",
        {"DetectStackDrift", "DescribeStackDriftDetectionStatus", "DescribeStackResourceDrifts"},
        fill,
        region=REGION,
    )
    read = read_live(
        s,
        regions=[REGION],
        endpoint_url=moto_server,
        include=("templates", "resources", "drift"),
        detect_drift=True,
        progress=False,
    )
    assert read.errors == []
    (raw,) = read.raw_stacks
    assert raw.live["drift_status"] == "DRIFTED" and raw.live["drift_checked"] == "2024-05-01T12:00:00+00:00"
    assert raw.live_resources["Q"]["drift_status"] == "MODIFIED"
    assert raw.live_resources["Q"]["property_differences"] == [
        {"path": "/VisibilityTimeout", "expected": "30", "actual": "120", "kind": "NOT_EQUAL"}
    ]
    assert read.api_calls["DetectStackDrift"] == 1
    for stubber in s.stubbers:
        stubber.assert_no_pending_responses()

    estate = estate_from_read(read)
    assert estate.stacks.drift_status.tolist() == ["DRIFTED"]
    assert estate.resources.set_index("logical_id").drift_status["Q"] == "MODIFIED"


def test_without_detect_drift_no_detection_runs(moto_server, stack_id):
    s = StubbedSession("cloudformation", {"DetectStackDrift"}, lambda stub: None, region=REGION)
    read = read_live(
        s, regions=[REGION], endpoint_url=moto_server, include=("templates", "resources", "drift"), progress=False
    )
    assert read.api_calls["DetectStackDrift"] == 0
    # moto reports no DriftInformation, so there are no earlier results to read either
    assert read.api_calls["DescribeStackResourceDrifts"] == 0 and read.errors == []
