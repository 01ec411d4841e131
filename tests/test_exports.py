"""Cross-stack exports and imports: links (exact, inferred, ambiguous, dangling) and problems."""

from __future__ import annotations


import pandas as pd
import pytest

import iacviz
from iacviz import schema
from estate_files import CORPUS, SAMPLE, write

ECS = CORPUS / "aws-cloudformation+aws-cloudformation-templates" / "ECS" / "EC2LaunchType"


ESTATE_FILE = """\
stacks:
  network: {template: net.yaml}
  data: {template: data.yaml}
  app:
    template: app.yaml
    parameters: {NetworkStack: network}
"""

NETWORK = """\
Parameters:
  Project:
    Type: String            # no default, no value: exports named with it are patterns
Resources:
  Vpc:
    Type: AWS::EC2::VPC
    Properties: {CidrBlock: 10.0.0.0/16}
  SubnetA:
    Type: AWS::EC2::Subnet
    Properties:
      VpcId: !Ref Vpc
      CidrBlock: 10.0.0.0/24
Outputs:
  VpcId:
    Value: !Ref Vpc
    Export: {Name: !Sub '${AWS::StackName}-VpcId'}
  SubnetIds:
    Value: !Ref SubnetA
    Export:
      Name: !Join [':', [!Ref 'AWS::StackName', SubnetIds]]
  VpcCidr:
    Value: !GetAtt Vpc.CidrBlock
    Export: {Name: network-VpcCidr}
  Name:
    Value: network
    Export: {Name: shared-Name}
  Tag:
    Value: !Ref Vpc
    Export: {Name: !Sub '${Project}-network-Tag'}
  Arn:
    Value: !Ref Vpc
    Export: {Name: !Sub '${AWS::StackName}-Arn'}
"""

DATA = """\
Resources:
  Bucket:
    Type: AWS::S3::Bucket
Outputs:
  Arn:
    Value: !GetAtt Bucket.Arn
    Export: {Name: !Sub '${AWS::StackName}-Arn'}
"""

APP = """\
Parameters:
  NetworkStack:
    Type: String
  Env:
    Type: String            # no value: imports named with it are matched as patterns
Resources:
  Sg:
    Type: AWS::EC2::SecurityGroup
    Properties:
      GroupDescription: exact
      VpcId:
        Fn::ImportValue: !Sub '${NetworkStack}-VpcId'
  Sg2:
    Type: AWS::EC2::SecurityGroup
    Properties:
      GroupDescription: inferred through Sub
      VpcId:
        Fn::ImportValue: !Sub '${Env}-VpcId'
  Instance:
    Type: AWS::EC2::Instance
    Properties:
      ImageId: ami-12345678
      SubnetId:
        Fn::ImportValue: !Join [':', [!Ref Env, SubnetIds]]
  Tagged:
    Type: AWS::SSM::Parameter
    Properties:
      Type: String
      Value: !ImportValue shop-network-Tag
  Missing:
    Type: AWS::SSM::Parameter
    Properties:
      Type: String
      Value: !ImportValue missing-Thing
  Either:
    Type: AWS::SSM::Parameter
    Properties:
      Type: String
      Value:
        Fn::ImportValue: !Sub '${Env}-Arn'
Outputs:
  Name:
    Value: app
    Export: {Name: shared-Name}
  ReVpc:
    Value: !ImportValue network-VpcId
    Export: {Name: app-ReexportedVpc}
"""


@pytest.fixture(scope="module")
def estate(tmp_path_factory):
    root = tmp_path_factory.mktemp("exports")
    write(root, "iacviz-estate.yaml", ESTATE_FILE)
    write(root, "net.yaml", NETWORK)
    write(root, "data.yaml", DATA)
    write(root, "app.yaml", APP)
    e = iacviz.load(root)
    assert e.errors.empty, e.errors.message.tolist()
    return e


def _imports(estate):
    return estate.imports.set_index("source")


def test_frames_are_declared(estate):
    for name in ("exports", "imports", "export_problems"):
        assert list(getattr(estate, name).columns) == schema.columns(name)


def test_exports_frame(estate):
    ex = estate.exports.set_index(["stack", "output"])
    assert ex.loc[("network", "VpcId"), "export_name"] == "network-VpcId"
    assert ex.loc[("network", "SubnetIds"), "export_name"] == "network:SubnetIds"  # !Join
    assert ex.loc[("network", "Tag"), "export_name"] == "${Project}-network-Tag"
    assert bool(ex.loc[("network", "Tag"), "pattern"]) and not bool(ex.loc[("network", "VpcId"), "pattern"])
    assert ex.loc[("network", "VpcId"), "resources"] == ["Vpc"]
    assert ex.loc[("network", "SubnetIds"), "resources"] == ["SubnetA"]
    # Sg, Sg2 (inferred) and the re-exporting output are all in app.
    assert ex.loc[("network", "VpcId"), "importers"] == ["app"]
    assert ex.loc[("network", "VpcId"), "n_importers"] == 1
    assert ex.loc[("network", "VpcCidr"), "n_importers"] == 0
    assert ex.loc[("data", "Arn"), "importers"] == [] and ex.loc[("data", "Arn"), "possible_importers"] == ["app"]
    assert ex.loc[("app", "ReVpc"), "reexport_of"] == "network-VpcId"
    assert ex.loc[("network", "Name"), "resolved_value"] == "network"


def test_exact_link(estate):
    row = _imports(estate).loc["Sg"]
    assert (row.link, row.export_name, row.export_stack, row.export_output) == (
        "exact",
        "network-VpcId",
        "network",
        "VpcId",
    )
    assert row.export_resources == ["Vpc"] and row.path == "/properties/VpcId"
    assert pd.isna(row.inferred_from)


def test_inferred_link_through_sub(estate):
    row = _imports(estate).loc["Sg2"]
    assert (row.link, row.export_name, row.export_stack, row.export_output) == (
        "inferred",
        "${Env}-VpcId",
        "network",
        "VpcId",
    )
    assert row.inferred_from == "Env=network"


def test_inferred_link_through_join(estate):
    row = _imports(estate).loc["Instance"]
    assert (row.link, row.export_name, row.export_output) == ("inferred", "${Env}:SubnetIds", "SubnetIds")
    assert row.export_resources == ["SubnetA"] and row.inferred_from == "Env=network"


def test_inferred_link_from_export_pattern(estate):
    row = _imports(estate).loc["Tagged"]
    assert (row.link, row.export_stack, row.export_output) == ("inferred", "network", "Tag")
    assert row.inferred_from == "network.Project=shop"


def test_ambiguous_link_lists_candidates_and_picks_none(estate):
    row = _imports(estate).loc["Either"]
    assert row.link == "ambiguous"
    assert pd.isna(row.export_stack) and pd.isna(row.export_output)
    assert sorted(zip(row.candidates, row.candidate_stacks)) == [("data-Arn", "data"), ("network-Arn", "network")]


def test_dangling_link(estate):
    row = _imports(estate).loc["Missing"]
    assert row.link == "dangling" and pd.isna(row.export_stack) and row.export_name == "missing-Thing"


def test_problems(estate):
    p = estate.export_problems
    got = set(zip(p.kind, p["stack"], p.name))
    assert ("dangling import", "app", "missing-Thing") in got
    assert ("ambiguous import", "app", "${Env}-Arn") in got
    assert ("duplicate export", "app", "shared-Name") in got or ("duplicate export", "network", "shared-Name") in got
    assert ("re-export", "app", "app-ReexportedVpc") in got
    unused = set(p.name[p.kind == "unused export"])
    # data-Arn is a candidate of an ambiguous import: possibly used, so not reported.
    assert unused == {"network-VpcCidr", "shared-Name", "app-ReexportedVpc"}
    assert not (p.kind == "stack cycle").any()
    dup = p[p.kind == "duplicate export"].message.iloc[0]
    assert "network (Outputs.Name)" in dup and "app (Outputs.Name)" in dup
    dangling = p[p.kind == "dangling import"].message.iloc[0]
    assert "app" in dangling and "missing-Thing" in dangling and "Missing" in dangling
    assert p[p.kind == "dangling import"].severity.iloc[0] == "error"
    assert iacviz.export_problems(estate).equals(p)


CYCLE_A = """\
Resources:
  Topic: {Type: AWS::SNS::Topic}
  Sub:
    Type: AWS::SNS::Subscription
    Properties: {Protocol: sqs, TopicArn: !Ref Topic, Endpoint: !ImportValue b-QueueArn}
Outputs:
  TopicArn:
    Value: !Ref Topic
    Export: {Name: a-TopicArn}
"""
CYCLE_B = """\
Resources:
  Queue:
    Type: AWS::SQS::Queue
    Properties:
      Tags: [{Key: topic, Value: !ImportValue a-TopicArn}]
Outputs:
  QueueArn:
    Value: !GetAtt Queue.Arn
    Export: {Name: b-QueueArn}
"""


def test_stack_cycle_reported(tmp_path):
    write(tmp_path, "a.yaml", CYCLE_A)
    write(tmp_path, "b.yaml", CYCLE_B)
    p = iacviz.load(tmp_path).export_problems
    cycles = p[p.kind == "stack cycle"]
    assert len(cycles) == 1
    assert cycles.name.iloc[0] in ("a -> b -> a", "b -> a -> b")
    assert "b-QueueArn" in cycles.message.iloc[0] and "a-TopicArn" in cycles.message.iloc[0]


NESTED_PARENT = """\
Resources:
  Child:
    Type: AWS::CloudFormation::Stack
    Properties:
      TemplateURL: ./child.yaml
      Parameters:
        VpcId: !ImportValue network-VpcId
"""
NESTED_CHILD = """\
Parameters:
  VpcId: {Type: String}
Resources:
  Sg:
    Type: AWS::EC2::SecurityGroup
    Properties: {GroupDescription: child, VpcId: !Ref VpcId}
"""


def test_import_passed_to_nested_stack(tmp_path):
    write(tmp_path, "net.yaml", NETWORK.replace("${AWS::StackName}", "network"))
    write(tmp_path, "parent.yaml", NESTED_PARENT)
    write(tmp_path, "child.yaml", NESTED_CHILD)
    e = iacviz.load(tmp_path)
    row = e.imports.set_index("stack").loc["parent"]
    assert (row.source, row.path, row.link, row.export_stack) == (
        "Child",
        "/properties/Parameters/VpcId",
        "exact",
        "net",
    )


def test_sample_estate_links_and_unused_export():
    e = iacviz.load(SAMPLE)
    assert len(e.imports) > 0
    assert set(e.imports.link) <= {"exact", "inferred"}, e.imports[~e.imports.link.isin(["exact", "inferred"])]
    p = e.export_problems
    # data/data.yaml exports DbEndpointAddress for operators' tooling; no stack imports it. The
    # Amplify CLI exports four values from every project's root stack, for whoever wants them.
    amplify = [f"amplify-reviews-prod-104512-{n}" for n in ("DeploymentBucketName", "Region", "StackId", "StackName")]
    assert sorted(p.name[p.kind == "unused export"]) == [*amplify, "shop-data-DbEndpointAddress"]
    assert not p.kind.isin(["dangling import", "ambiguous import", "duplicate export", "stack cycle"]).any()


@pytest.mark.skipif(not ECS.is_dir(), reason="corpus not available")
def test_corpus_ecs_group_reports_ambiguity():
    e = iacviz.load(ECS)
    imp = e.imports
    # Every service imports ClusterName, VPCId and a listener; the services' StackName default
    # (production) names no stack here, and private-vpc.yaml/.json (and public-vpc) export the
    # same names under different stack names: ambiguous, never silently picked.
    assert len(imp) == 12
    assert set(imp.link) == {"ambiguous"}
    assert imp.export_stack.isna().all()
    cluster = imp[imp.export_name == "production:ClusterName"]
    assert all(len(c) == 4 for c in cluster.candidates)  # private and public, yaml and json
    private = imp[imp.export_name == "production:PrivateListener"]
    assert all(
        sorted(s) == sorted(e.stacks["stack"][e.stacks.source.str.contains("private-vpc")])
        for s in private.candidate_stacks
    )
    p = e.export_problems
    assert (p.kind == "ambiguous import").sum() == 12
    assert not (p.kind == "dangling import").any()
