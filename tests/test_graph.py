"""Stack and resource graphs: node ids, edge direction and kinds, nesting, orders, cycles."""

from __future__ import annotations


import networkx as nx
import pytest

import iacviz
from iacviz.analysis.graph import dependencies, dependents
from iacviz.sources.raw import RawStack
from estate_files import SAMPLE, write


NET = """\
Resources:
  Vpc:
    Type: AWS::EC2::VPC
    Properties: {CidrBlock: 10.0.0.0/16}
Outputs:
  VpcId:
    Value: !Ref Vpc
    Export: {Name: net-VpcId}
"""
DATA = """\
Resources:
  Sg:
    Type: AWS::EC2::SecurityGroup
    Properties: {GroupDescription: db, VpcId: !ImportValue net-VpcId}
  Table:
    Type: AWS::DynamoDB::Table
    DependsOn: Sg
    Properties:
      KeySchema: [{AttributeName: id, KeyType: HASH}]
      AttributeDefinitions: [{AttributeName: id, AttributeType: S}]
      BillingMode: PAY_PER_REQUEST
Outputs:
  TableArn:
    Value: !GetAtt Table.Arn
    Export: {Name: data-TableArn}
"""
APP = """\
Parameters:
  Env: {Type: String, Default: prod}
Conditions:
  IsProd: !Equals [!Ref Env, prod]
Resources:
  Child:
    Type: AWS::CloudFormation::Stack
    Properties:
      TemplateURL: ./child.yaml
      Parameters:
        VpcId: !ImportValue net-VpcId
        TableArn: !ImportValue data-TableArn
  Topic:
    Type: AWS::SNS::Topic
    Condition: IsProd
    Properties:
      TopicName: !Sub '${Env}-${Child.Outputs.QueueName}'
"""
CHILD = """\
Parameters:
  VpcId: {Type: String}
  TableArn: {Type: String}
Resources:
  Queue:
    Type: AWS::SQS::Queue
    Properties:
      Tags: [{Key: table, Value: !Ref TableArn}]
  Sg:
    Type: AWS::EC2::SecurityGroup
    Properties: {GroupDescription: child, VpcId: !Ref VpcId}
Outputs:
  QueueName:
    Value: !GetAtt Queue.QueueName
"""


@pytest.fixture(scope="module")
def estate(tmp_path_factory):
    root = tmp_path_factory.mktemp("graph")
    for name, text in (("net.yaml", NET), ("data.yaml", DATA), ("app.yaml", APP), ("child.yaml", CHILD)):
        write(root, name, text)
    e = iacviz.load(root)
    assert e.errors.empty, e.errors.message.tolist()
    assert set(e.stacks["stack"]) == {"net", "data", "app", "app-Child"}
    return e


def test_stack_graph_edges_run_dependent_to_dependency(estate):
    g = iacviz.stack_graph(estate)
    assert set(g.nodes) == {"net", "data", "app", "app-Child"}
    assert set(g.edges) == {("data", "net"), ("app", "net"), ("app", "data"), ("app-Child", "app")}
    assert g.edges["data", "net"]["kinds"] == {"ImportValue"} and g.edges["data", "net"]["exports"] == ["net-VpcId"]
    assert g.edges["app-Child", "app"]["kinds"] == {"NestedStack"}
    assert g.nodes["data"]["kind"] == "stack"


def test_resource_graph_node_ids_and_attributes(estate):
    g = iacviz.resource_graph(estate)
    for n in (
        "net/Vpc",
        "net/Outputs.VpcId",
        "app/Parameters.Env",
        "app/Conditions.IsProd",
        "app-Child/Queue",
        "app-Child/Parameters.VpcId",
        "app-Child/Outputs.QueueName",
    ):
        assert n in g, n
    assert (
        g.nodes["data/Table"].items()
        >= {
            "kind": "resource",
            "stack": "data",
            "logical_id": "Table",
            "type": "AWS::DynamoDB::Table",
            "stateful": True,
        }.items()
    )
    assert g.nodes["net/Outputs.VpcId"]["kind"] == "output" and g.nodes["net/Outputs.VpcId"]["export"] == "net-VpcId"
    assert g.nodes["app/Parameters.Env"]["kind"] == "parameter"
    assert g.nodes["app/Conditions.IsProd"]["kind"] == "condition"


def test_resource_graph_typed_edges(estate):
    g = iacviz.resource_graph(estate)
    e = g.edges["data/Sg", "net/Outputs.VpcId"]
    assert e["kinds"] == {"ImportValue"} and e["export"] == "net-VpcId" and e["link"] == "exact"
    assert e["path"] == "/properties/VpcId"
    assert g.edges["net/Outputs.VpcId", "net/Vpc"]["kinds"] == {"Ref"}
    assert g.edges["data/Table", "data/Sg"]["kinds"] == {"DependsOn"}
    out = g.edges["data/Outputs.TableArn", "data/Table"]
    assert out["kinds"] == {"GetAtt"} and out["attribute"] == "Arn"
    assert g.edges["app/Topic", "app/Conditions.IsProd"]["kinds"] == {"Condition"}
    assert g.edges["app/Conditions.IsProd", "app/Parameters.Env"]["kinds"] == {"Ref"}
    assert dependents(g, "net/Vpc") == ["net/Outputs.VpcId"]
    assert dependencies(g, "data/Sg") == ["net/Outputs.VpcId"]


def test_nested_stack_edges(estate):
    g = iacviz.resource_graph(estate)
    # The import the parent passes reaches the child's parameter, then the child's resource.
    e = g.edges["app-Child/Parameters.VpcId", "net/Outputs.VpcId"]
    assert e["kinds"] == {"ImportValue"} and e["via"] == "app/Child"
    assert g.edges["app-Child/Sg", "app-Child/Parameters.VpcId"]["kinds"] == {"Ref"}
    # A parent's ${Child.Outputs.X} points at the child's output.
    e = g.edges["app/Topic", "app-Child/Outputs.QueueName"]
    assert e["kinds"] == {"Sub"} and e["attribute"] == "Outputs.QueueName"
    # Every child resource depends on the parent's stack resource.
    assert g.edges["app-Child/Queue", "app/Child"]["kinds"] == {"NestedStack"}
    assert nx.has_path(g, "app-Child/Queue", "data/Table")


def test_deployment_and_deletion_order(estate):
    assert iacviz.deployment_order(estate) == [["net"], ["data"], ["app"], ["app-Child"]]
    assert iacviz.deletion_order(estate) == [["app-Child"], ["app"], ["data"], ["net"]]


def test_graphs_are_cached_on_the_estate(estate):
    assert iacviz.resource_graph(estate) is iacviz.resource_graph(estate)
    assert iacviz.stack_graph(estate) is iacviz.stack_graph(estate)


def test_cdk_stack_dependencies_and_cycles_do_not_crash():
    def raw(name, template, deps=()):
        return RawStack(name, f"{name}.json", "cdk", template, stack_dependencies=list(deps))

    exporting = {
        "Resources": {"T": {"Type": "AWS::SNS::Topic"}},
        "Outputs": {"T": {"Value": {"Ref": "T"}, "Export": {"Name": "a-T"}}},
    }
    importing = {
        "Resources": {
            "Q": {
                "Type": "AWS::SQS::Queue",
                "Properties": {"Tags": [{"Key": "t", "Value": {"Fn::ImportValue": "a-T"}}]},
            }
        },
        "Outputs": {"Q": {"Value": {"Ref": "Q"}, "Export": {"Name": "b-Q"}}},
    }
    back = {
        "Resources": {
            "S": {
                "Type": "AWS::SNS::Subscription",
                "Properties": {
                    "Protocol": "sqs",
                    "TopicArn": {"Fn::ImportValue": "a-T"},
                    "Endpoint": {"Fn::ImportValue": "b-Q"},
                },
            }
        }
    }
    e = iacviz.build_estate(
        [raw("a", exporting), raw("b", importing), raw("c", back, ["b"]), raw("d", {"Resources": {}}, ["c"])], []
    )
    g = iacviz.stack_graph(e)
    assert g.edges["c", "b"]["kinds"] == {"ImportValue", "DependsOn"}
    assert g.edges["d", "c"]["kinds"] == {"DependsOn"}
    assert iacviz.deployment_order(e) == [["a"], ["b"], ["c"], ["d"]]
    # Now a cycle: a also imports c's... make a import b's export.
    exporting2 = {
        **exporting,
        "Resources": {"T": {"Type": "AWS::SNS::Topic", "Properties": {"TopicName": {"Fn::ImportValue": "b-Q"}}}},
    }
    e2 = iacviz.build_estate([raw("a", exporting2), raw("b", importing), raw("c", back)], [])
    assert iacviz.deployment_order(e2) == [["a", "b"], ["c"]]
    assert iacviz.deletion_order(e2) == [["c"], ["a", "b"]]
    p = e2.export_problems
    assert p[p.kind == "stack cycle"].name.tolist() in (["a -> b -> a"], ["b -> a -> b"])


def test_sample_estate_deployment_order():
    # data/sample-estate/README.md: network, edge -> data -> iam, ShopMonitoring ->
    # orders-api, storefront-env, storefront, ShopWorkers; edge's nested WAF stack follows edge,
    # the Amplify project's category stacks follow its root (it imports nothing); the release
    # pipeline imports nothing and goes before checkout, which it deploys (checkout imports
    # nothing either: its build hands it the exports).
    order = iacviz.deployment_order(iacviz.load(SAMPLE))
    amplify = "amplify-reviews-prod-104512"
    assert order == [
        [amplify, "edge", "network", "pipeline"],
        [
            f"{amplify}-apireviewsrest",
            f"{amplify}-functionreviewsapi",
            f"{amplify}-storagereviewstable",
            "checkout",
            "data",
            "edge-WafStack",
        ],
        ["ShopMonitoring", "iam"],
        ["ShopWorkers", "orders-api", "storefront", "storefront-env"],
    ]
