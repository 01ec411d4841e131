"""Blast radius: impact kinds, paths across stacks and nesting, blocked changes, protection."""

from __future__ import annotations


import pandas as pd
import pytest

import iacviz
from iacviz import schema
from estate_files import SAMPLE, write


NET = """\
Parameters:
  Cidr: {Type: String, Default: 10.0.0.0/16}
Resources:
  Vpc:
    Type: AWS::EC2::VPC
    Properties: {CidrBlock: !Ref Cidr}
  Subnet:
    Type: AWS::EC2::Subnet
    Properties: {VpcId: !Ref Vpc, CidrBlock: 10.0.0.0/24}
  Rule:
    Type: AWS::EC2::SecurityGroupIngress
    Properties:
      GroupId: !GetAtt Vpc.DefaultSecurityGroup
      IpProtocol: tcp
      FromPort: 443
      ToPort: 443
      CidrIp: 0.0.0.0/0
  Note:
    Type: AWS::SSM::Parameter
    Properties: {Type: String, Value: !GetAtt Vpc.VpcId}
  Child:
    Type: AWS::CloudFormation::Stack
    Properties:
      TemplateURL: ./child.yaml
      Parameters: {VpcId: !Ref Vpc}
Outputs:
  VpcId:
    Value: !Ref Vpc
    Export: {Name: net-VpcId}
  SubnetId:
    Value: !Ref Subnet
    Export: {Name: net-SubnetId}
  VpcCidr:
    Value: !GetAtt Vpc.CidrBlock
"""
CHILD = """\
Parameters:
  VpcId: {Type: String}
Resources:
  ChildSubnet:
    Type: AWS::EC2::Subnet
    Properties: {VpcId: !Ref VpcId, CidrBlock: 10.0.1.0/24}
"""
APP = """\
Resources:
  AppSg:
    Type: AWS::EC2::SecurityGroup
    Properties: {GroupDescription: app, VpcId: !ImportValue net-VpcId}
  VpcParam:
    Type: AWS::SSM::Parameter
    Properties: {Type: String, Value: !ImportValue net-VpcId}
  Fn:
    Type: AWS::Lambda::Function
    Properties:
      Role: arn:aws:iam::123456789012:role/fn
      Handler: index.handler
      Runtime: python3.12
      Code: {ZipFile: 'def handler(event, context): pass'}
      VpcConfig:
        SubnetIds: [!ImportValue net-SubnetId]
        SecurityGroupIds: [!Ref AppSg]
  Logs:
    Type: AWS::S3::Bucket
    UpdateReplacePolicy: Retain
    Properties: {BucketName: !Sub 'logs-${AppSg}'}
  Scratch:
    Type: AWS::S3::Bucket
    Properties:
      Tags: [{Key: vpc, Value: !ImportValue net-VpcId}]
"""
DATA = """\
Resources:
  Db:
    Type: AWS::RDS::DBInstance
    Properties: {Engine: postgres, DBInstanceClass: db.t3.micro, AllocatedStorage: '20',
                 MasterUsername: admin, ManageMasterUserPassword: true}
  Member:
    Type: AWS::RDS::DBInstance
    Properties: {Engine: aurora-postgresql, DBInstanceClass: db.r5.large, DBClusterIdentifier: orders}
  Kept:
    Type: AWS::SQS::Queue
    DeletionPolicy: RetainExceptOnCreate
  Gone:
    Type: AWS::SQS::Queue
  Topic:
    Type: AWS::SNS::Topic
    Properties:
      Subscription: [{Protocol: sqs, Endpoint: !GetAtt Gone.Arn}]
Outputs:
  DbAddress:
    Value: !GetAtt Db.Endpoint.Address
    Export: {Name: data-DbAddress}
"""
WORKER = """\
Resources:
  DbParam:
    Type: AWS::SSM::Parameter
    Properties: {Type: String, Value: !ImportValue data-DbAddress}
"""


@pytest.fixture(scope="module")
def estate(tmp_path_factory):
    root = tmp_path_factory.mktemp("blast")
    for name, text in (
        ("net.yaml", NET),
        ("child.yaml", CHILD),
        ("app.yaml", APP),
        ("data.yaml", DATA),
        ("worker.yaml", WORKER),
    ):
        write(root, name, text)
    e = iacviz.load(root)
    assert e.errors.empty, e.errors.message.tolist()
    assert set(e.stacks["stack"]) == {"net", "net-Child", "app", "data", "worker"}
    return e


def rows(frame):
    return {f"{r.stack}/{r.logical_id}": r for r in frame.itertuples()}


def test_columns_declared(estate):
    br = iacviz.blast_radius(estate, "net/Vpc")
    assert list(br.columns) == schema.columns("blast_radius")
    assert br.depth.tolist() == sorted(br.depth.tolist())


def test_replace_reaches_create_only_properties_across_stacks(estate):
    r = rows(iacviz.blast_radius(estate, "net/Vpc", "replace"))
    assert (r["net/Vpc"].impact, r["net/Vpc"].depth, r["net/Vpc"].path) == ("replaced", 0, "net/Vpc")
    # AWS::EC2::Subnet VpcId is create-only.
    assert (r["net/Subnet"].impact, r["net/Subnet"].depth, r["net/Subnet"].path) == (
        "replaced",
        1,
        "net/Vpc -Ref-> net/Subnet",
    )
    assert r["app/AppSg"].impact == "replaced" and r["app/AppSg"].depth == 2
    assert r["app/AppSg"].path == "net/Vpc -Ref-> net/Outputs.VpcId -ImportValue-> app/AppSg"
    # Every GetAtt of a replaced resource changes: GroupId of the ingress rule is create-only.
    assert r["net/Rule"].impact == "replaced"
    # Mutable properties are updated in place.
    assert r["app/VpcParam"].impact == "updated" and r["net/Note"].impact == "updated"
    assert r["app/Fn"].impact == "updated"
    assert r["net/Outputs.VpcId"].impact == "updated" and r["net/Outputs.VpcId"].kind == "output"
    # Transitively: AppSg replaced -> the bucket named after it is replaced.
    assert r["app/Logs"].impact == "replaced" and r["app/Logs"].depth == 3


def test_replace_reaches_nested_stack_through_parameter(estate):
    r = rows(iacviz.blast_radius(estate, "net/Vpc"))
    assert r["net/Child"].impact == "updated"  # new parameter value: the stack resource updates
    child = r["net-Child/ChildSubnet"]
    assert child.impact == "replaced"
    assert child.path == "net/Vpc -Ref-> net-Child/Parameters.VpcId -Ref-> net-Child/ChildSubnet"


def test_blocked_by_export_in_use_and_by_custom_name(estate):
    r = rows(iacviz.blast_radius(estate, "net/Vpc"))
    msg = "Export net-VpcId cannot be updated as it is in use by app"
    assert r["net/Outputs.VpcId"].blocked == msg
    assert r["app/AppSg"].blocked == msg  # inherited along the path
    assert r["net/Subnet"].blocked == ""
    assert r["net/Outputs.VpcCidr"].blocked == ""  # not exported
    assert "Rename Logs" in r["app/Logs"].blocked and "custom-named" in r["app/Logs"].blocked


def test_stateful_and_protected_on_replace(estate):
    r = rows(iacviz.blast_radius(estate, "net/Vpc"))
    logs, scratch = r["app/Logs"], r["app/Scratch"]
    assert bool(logs.stateful) and bool(logs.protected)  # UpdateReplacePolicy: Retain
    assert bool(scratch.stateful) and scratch.impact == "updated" and pd.isna(scratch.protected)
    assert not bool(r["net/Subnet"].stateful) and not bool(r["net/Subnet"].protected)


def test_update_in_place_propagates_only_through_attributes_that_may_change(estate):
    r = rows(iacviz.blast_radius(estate, "net/Vpc", "update"))
    assert r["net/Vpc"].impact == "updated"
    # Ref (the physical id) does not change, nor the VpcId attribute.
    for unaffected in ("net/Subnet", "app/AppSg", "net/Note", "net/Outputs.VpcId", "net-Child/ChildSubnet"):
        assert unaffected not in r, unaffected
    # DefaultSecurityGroup may change and feeds a create-only property: may be replaced.
    assert r["net/Rule"].impact == "conditional" and r["net/Rule"].path == (
        "net/Vpc -GetAtt(DefaultSecurityGroup)-> net/Rule"
    )
    assert r["net/Outputs.VpcCidr"].impact == "updated"


def test_parameter_target(estate):
    r = rows(iacviz.blast_radius(estate, "net/Parameters.Cidr", "update"))
    assert r["net/Parameters.Cidr"].depth == 0 and r["net/Parameters.Cidr"].kind == "parameter"
    assert r["net/Vpc"].impact == "replaced" and r["net/Vpc"].depth == 1  # CidrBlock is create-only
    assert r["net/Subnet"].impact == "replaced" and r["net/Subnet"].depth == 2


def test_delete_breaks_referrers_and_is_blocked_by_export(estate):
    r = rows(iacviz.blast_radius(estate, "net/Subnet", "delete"))
    assert r["net/Subnet"].impact == "deleted"
    assert r["net/Outputs.SubnetId"].impact == "broken"
    msg = "Export net-SubnetId cannot be deleted as it is in use by app"
    assert r["net/Outputs.SubnetId"].blocked == msg
    assert r["app/Fn"].impact == "broken" and r["app/Fn"].blocked == msg
    assert "app/AppSg" not in r


def test_export_name_target(estate):
    for target in ("net-SubnetId", "export:net-SubnetId"):
        r = rows(iacviz.blast_radius(estate, target, "delete"))
        assert set(r) == {"net/Outputs.SubnetId", "app/Fn"}
        assert r["app/Fn"].impact == "broken"


def test_delete_stack_with_policies(estate):
    r = rows(iacviz.blast_radius(estate, "data", "delete"))
    assert {k for k, v in r.items() if v.depth == 0} == {
        "data/Db",
        "data/Member",
        "data/Kept",
        "data/Gone",
        "data/Topic",
        "data/Outputs.DbAddress",
    }
    assert bool(r["data/Db"].protected)  # default DeletionPolicy Snapshot: stand-alone DB instance
    assert not bool(r["data/Member"].protected)  # in a cluster: default Delete
    assert bool(r["data/Kept"].protected)  # RetainExceptOnCreate
    assert not bool(r["data/Gone"].protected)
    assert bool(r["data/Db"].stateful)
    assert r["worker/DbParam"].impact == "broken"
    assert r["worker/DbParam"].blocked == "Export data-DbAddress cannot be deleted as it is in use by worker"


def test_delete_resource_breaks_direct_referrer_only(estate):
    r = rows(iacviz.blast_radius(estate, "data/Gone", "delete"))
    assert set(r) == {"data/Gone", "data/Topic"}
    assert r["data/Topic"].impact == "broken" and r["data/Topic"].path == "data/Gone -GetAtt(Arn)-> data/Topic"


def test_bad_target_and_change(estate):
    with pytest.raises(iacviz.IacvizError, match="unknown target"):
        iacviz.blast_radius(estate, "net/Nope")
    with pytest.raises(iacviz.IacvizError, match="change must be"):
        iacviz.blast_radius(estate, "net/Vpc", "explode")


def test_sample_estate_vpc_replacement_is_blocked_by_its_export():
    e = iacviz.load(SAMPLE)
    r = rows(iacviz.blast_radius(e, "network/Vpc"))
    # data.yaml and web/storefront-env.yaml import ${NetworkStack}-VpcId; the pipeline's build reads it
    # with list-exports (line 13 of the buildspec), which CloudFormation does not know.
    assert r["network/Outputs.VpcId"].blocked == (
        "Export shop-network-VpcId cannot be updated as it is in use by data, storefront-env"
        "; also read by script pipeline/buildspec.yml:13"
    )
    assert {k.split("/")[0] for k in r} >= {"network", "data", "storefront-env"}


AMBIGUOUS_A = """\
Resources:
  Vpc: {Type: AWS::EC2::VPC, Properties: {CidrBlock: 10.0.0.0/16}}
Outputs:
  VpcId: {Value: !Ref Vpc, Export: {Name: a-VpcId}}
"""
AMBIGUOUS_APP = """\
Parameters:
  Net: {Type: String}
Resources:
  Sg:
    Type: AWS::EC2::SecurityGroup
    Properties:
      GroupDescription: which network?
      VpcId:
        Fn::ImportValue: !Sub '${Net}-VpcId'
"""


def test_ambiguous_import_may_be_affected(tmp_path):
    write(tmp_path, "a.yaml", AMBIGUOUS_A)
    write(tmp_path, "b.yaml", AMBIGUOUS_A.replace("a-VpcId", "b-VpcId"))
    write(tmp_path, "app.yaml", AMBIGUOUS_APP)
    r = rows(iacviz.blast_radius(iacviz.load(tmp_path), "a/Vpc"))
    # The import may mean a-VpcId or b-VpcId: a create-only property that may change.
    sg = r["app/Sg"]
    assert sg.impact == "conditional"
    assert sg.path == "a/Vpc -Ref-> a/Outputs.VpcId -ImportValue-> import:${Net}-VpcId -ImportValue-> app/Sg"
    assert sg.blocked == "Export a-VpcId cannot be updated as it may be in use by app (ambiguous imports)"


def test_same_reference_into_different_types_weighs_each_type():
    # One parameter read at the same path (/properties/Name) by two types: create-only for an
    # SSM parameter, updatable for a REST API. Each dependent gets its own type's answer (and,
    # equal in depth, the rows come sorted by logical id).
    t = {
        "Parameters": {"Name": {"Type": "String"}},
        "Resources": {
            "Param": {"Type": "AWS::SSM::Parameter", "Properties": {"Name": {"Ref": "Name"}, "Type": "String"}},
            "Api": {"Type": "AWS::ApiGateway::RestApi", "Properties": {"Name": {"Ref": "Name"}}},
        },
    }
    br = iacviz.blast_radius(iacviz.load_template(t, stack="s"), "s/Parameters.Name")
    assert br[["logical_id", "depth", "impact", "path"]].values.tolist() == [
        ["Parameters.Name", 0, "updated", "s/Parameters.Name"],
        ["Api", 1, "updated", "s/Parameters.Name -Ref-> s/Api"],
        ["Param", 1, "replaced", "s/Parameters.Name -Ref-> s/Param"],
    ]


def test_paths_stop_where_parents_loop():
    # A's update may change B's name (GetAtt of an SSM parameter's Value), which may replace
    # B, which reaches back into A: A's own row then comes through B, and a path never
    # names a node twice (C's stops at the loop).
    t = {
        "Resources": {
            "A": {"Type": "AWS::SSM::Parameter", "Properties": {"Name": {"Ref": "B"}, "Type": "String", "Value": "x"}},
            "B": {
                "Type": "AWS::SSM::Parameter",
                "Properties": {"Name": {"Fn::GetAtt": ["A", "Value"]}, "Type": "String", "Value": "y"},
            },
            "C": {"Type": "AWS::SQS::Queue", "Properties": {"QueueName": {"Ref": "A"}}},
        }
    }
    br = iacviz.blast_radius(iacviz.load_template(t, stack="s"), "s/A", "update")
    assert br[["logical_id", "depth", "impact", "path"]].values.tolist() == [
        ["B", 1, "conditional", "s/A -GetAtt(Value)-> s/B"],
        ["A", 2, "conditional", "s/B -Ref-> s/A"],
        ["C", 3, "conditional", "s/B -Ref-> s/A -Ref-> s/C"],
    ]
    assert br.blocked.str.startswith("if replaced: ").all()  # each custom name, found up the path


def test_a_dropped_estate_is_freed_at_once_after_queries():
    # Nothing the queries keep in the estate's cache may point back at the estate: a cycle
    # would keep a dropped estate, frames and templates, until the next full collection.
    import gc
    import weakref

    class Probe:
        pass

    estate = iacviz.load(SAMPLE, cache=False)
    name = estate.exports.export_name.dropna().iloc[0]
    for change in ("replace", "update", "delete"):
        iacviz.blast_radius(estate, name, change=change)
    probe = Probe()
    estate._cache["probe"] = probe
    gone = weakref.ref(probe)
    del probe
    gc.disable()
    try:
        del estate
        assert gone() is None
    finally:
        gc.enable()


def test_queries_keep_no_objects_the_collector_tracks_per_node():
    # What the queries remember per node (steps, row facts, verdicts) is kept as plain values:
    # kept as a tuple per node, ~700 objects on the sample estate's exports, and ~300,000 on a
    # 2,000-stack estate, whose growth sets off collections of the whole heap.
    import gc

    warm = iacviz.load(SAMPLE, cache=False)
    iacviz.blast_radius(warm, "data")  # imports and per-type memos: not what is counted
    estate = iacviz.load(SAMPLE, cache=False)
    iacviz.resource_graph(estate)
    names = sorted(set(estate.exports.export_name.dropna()))
    gc.collect()
    gc.disable()
    try:
        before = len(gc.get_objects())
        rows = sum(len(iacviz.blast_radius(estate, n, c)) for n in names for c in ("replace", "update", "delete"))
        kept = len(gc.get_objects()) - before
    finally:
        gc.enable()
    assert rows > 100 and kept < 300  # ~115: the estate's stack index and the memos themselves
