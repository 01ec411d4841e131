"""Stacks Amplify created, read from a moto account: recognised by the tags the Amplify CLI sets
(or, for nested stacks and untagged ones, their names), grouped under app and environment."""

from __future__ import annotations

import boto3
import pytest
from live_helpers import REGION, imports_stubbed_session

import iacviz
from iacviz.model.build import build_estate
from iacviz.sources.live import read_live

ROOT = "amplify-reviews-prod-104512"
OWN_REGION = "eu-north-1"  # stacks of this module's own, away from the demo's


@pytest.fixture(scope="module")
def live(demo_account):
    return read_live(
        imports_stubbed_session(demo_account), endpoint_url=demo_account.endpoint_url, regions=[REGION], progress=False
    )


def test_the_sample_amplify_project_is_grouped_under_its_app_and_environment(live):
    estate = build_estate(live.raw_stacks, live.errors)
    st = estate.stacks.set_index("stack_name")
    project = st[st.app.notna()]
    assert set(project.app) == {"reviews"} and set(project.environment) == {"prod"}
    # the root and its three nested category stacks, whose names CloudFormation made up
    assert ROOT in project.index and len(project) == 4
    assert sorted(project.parent_resource.dropna()) == ["apireviewsrest", "functionreviewsapi", "storagereviewstable"]
    assert st[st.app.isna()].environment.isna().all()  # the shop's own stacks are no app's
    # the root carries the tags the Amplify CLI sets, and those are what said so
    root = next(r for r in live.raw_stacks if r.name == ROOT)
    assert root.live["tags"] == {"user:Application": "reviews", "user:Stack": "prod"}


def test_tags_name_the_app_even_under_another_stack_name(demo_account):
    cf = boto3.Session(aws_access_key_id="testing", aws_secret_access_key="testing", region_name=OWN_REGION).client(
        "cloudformation", endpoint_url=demo_account.endpoint_url
    )
    template = '{"Resources": {"Q": {"Type": "AWS::SQS::Queue"}}}'
    tags = [{"Key": "user:Application", "Value": "notes"}, {"Key": "user:Stack", "Value": "dev"}]
    cf.create_stack(StackName="notes-backend", TemplateBody=template, Tags=tags)
    cf.create_stack(StackName="plain", TemplateBody=template)
    session = boto3.Session(aws_access_key_id="testing", aws_secret_access_key="testing", region_name=OWN_REGION)
    estate = iacviz.load_live(session=session, endpoint_url=demo_account.endpoint_url, regions=[OWN_REGION])
    st = estate.stacks.set_index("stack_name")
    assert st.loc["notes-backend", ["app", "environment"]].tolist() == ["notes", "dev"]
    assert st.loc[["plain"], ["app", "environment"]].isna().all().all()
