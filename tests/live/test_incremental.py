"""Refresh (since=previous read or estate): only changed stacks are fetched again.

Own region (eu-west-2), so the demo account's stacks are not touched. ListImports, which
moto lacks, is answered by an OperationStubber with exactly as many responses as the test
expects calls: ``assert_no_pending_responses`` then proves imports were reused.
"""

from __future__ import annotations

import json

import pytest
from live_helpers import StubbedSession, deploy, session

from iacviz.model.live import estate_from_read
from iacviz.sources.live import read_live

REGION = "eu-west-2"
INCLUDE = ("templates", "resources", "exports", "imports")
QUEUE = {
    "Resources": {"Q": {"Type": "AWS::SQS::Queue"}},
    "Outputs": {"Arn": {"Value": {"Fn::GetAtt": ["Q", "Arn"]}, "Export": {"Name": "inc-a-QueueArn"}}},
}
TOPIC = {
    "Resources": {
        "T": {"Type": "AWS::SNS::Topic", "Properties": {"DisplayName": {"Fn::ImportValue": "inc-a-QueueArn"}}}
    }
}


@pytest.fixture(scope="module")
def stacks(moto_server):
    deploy(moto_server, REGION, "inc-a", QUEUE)
    deploy(moto_server, REGION, "inc-b", TOPIC)
    deploy(moto_server, REGION, "inc-c", {"Resources": {"Bucket": {"Type": "AWS::S3::Bucket"}}})
    return moto_server


def test_refresh_fetches_only_what_changed(stacks):
    url = stacks
    s = StubbedSession(
        "cloudformation",
        {"ListImports"},
        lambda stub: [
            stub.add_response("list_imports", {"Imports": ["inc-b"]}, {"ExportName": "inc-a-QueueArn"})
            for _ in range(3)
        ],
        region=REGION,
    )

    def read(since=None):
        return read_live(s, regions=[REGION], endpoint_url=url, include=INCLUDE, since=since, progress=False)

    first = read()
    assert first.api_calls["GetTemplate"] == 3 and first.api_calls["ListStackResources"] == 3
    assert first.imports[0]["importing_stack"] == "inc-b"

    same = read(since=first)
    assert same.api_calls["GetTemplate"] == 0
    assert same.api_calls["ListStackResources"] == 0
    assert same.api_calls["ListImports"] == 0  # no stack changed: imports cannot have changed
    assert same.api_calls["DescribeStacks"] == 1
    assert [r.template for r in same.raw_stacks] == [r.template for r in first.raw_stacks]
    assert same.imports == first.imports

    cf = session(REGION).client("cloudformation", endpoint_url=url)
    changed = {"Resources": {"Bucket": {"Type": "AWS::S3::Bucket"}, "Logs": {"Type": "AWS::S3::Bucket"}}}
    cf.update_stack(StackName="inc-c", TemplateBody=json.dumps(changed))
    third = read(since=same)
    assert third.api_calls["GetTemplate"] == 1 and third.api_calls["ListStackResources"] == 1
    assert third.api_calls["ListImports"] == 1
    c = next(r for r in third.raw_stacks if r.name == "inc-c")
    assert set(c.template["Resources"]) == set(c.live_resources) == {"Bucket", "Logs"}
    assert c.live["stack_status"] == "UPDATE_COMPLETE"

    # an Estate built from a read keeps its raw stacks: it can be the previous state too
    fourth = read(since=estate_from_read(third))
    assert fourth.api_calls["GetTemplate"] == 0 and fourth.api_calls["ListImports"] == 0

    cf.delete_stack(StackName="inc-b")
    fifth = read(since=fourth)
    assert sorted(r.name for r in fifth.raw_stacks) == ["inc-a", "inc-c"]
    assert fifth.api_calls["GetTemplate"] == 0
    assert fifth.api_calls["ListImports"] == 1  # a stack went away: imports asked again
    for stubber in s.stubbers:
        stubber.assert_no_pending_responses()
