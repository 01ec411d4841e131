"""ECS blue/green deployments through CodeDeploy: the AWS::CodeDeployBlueGreen transform and hook.

The template is laid out as the CloudFormation user guide's example is (a Fargate service with
an EXTERNAL deployment controller, a blue task definition and task set, a primary task set, two
target groups behind one listener), in a repository folder ``services/checkout/``.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pandas as pd
import pytest

import iacviz
from estate_files import write

CHECKOUT = """\
AWSTemplateFormatVersion: '2010-09-09'
Transform:
  - AWS::CodeDeployBlueGreen
Parameters:
  Vpc: {Type: 'AWS::EC2::VPC::Id'}
  Subnet1: {Type: 'AWS::EC2::Subnet::Id'}
  Subnet2: {Type: 'AWS::EC2::Subnet::Id'}
  Image: {Type: String, Default: 'nginxdemos/hello:latest'}
Hooks:
  CodeDeployBlueGreenHook:
    Type: AWS::CodeDeploy::BlueGreen
    Properties:
      TrafficRoutingConfig:
        Type: TimeBasedCanary
        TimeBasedCanary: {StepPercentage: 15, BakeTimeMins: 5}
      Applications:
        - Target: {Type: AWS::ECS::Service, LogicalID: Service}
          ECSAttributes:
            TaskDefinitions: [BlueTaskDefinition, GreenTaskDefinition]
            TaskSets: [BlueTaskSet, GreenTaskSet]
            TrafficRouting:
              ProdTrafficRoute: {Type: AWS::ElasticLoadBalancingV2::Listener, LogicalID: ProdListener}
              TargetGroups: [BlueTargetGroup, GreenTargetGroup]
      ServiceRole: CodeDeployServiceRole
Resources:
  Cluster: {Type: AWS::ECS::Cluster}
  Alb:
    Type: AWS::ElasticLoadBalancingV2::LoadBalancer
    Properties: {Subnets: [!Ref Subnet1, !Ref Subnet2]}
  BlueTargetGroup:
    Type: AWS::ElasticLoadBalancingV2::TargetGroup
    Properties: {Port: 80, Protocol: HTTP, TargetType: ip, VpcId: !Ref Vpc}
  GreenTargetGroup:
    Type: AWS::ElasticLoadBalancingV2::TargetGroup
    Properties: {Port: 80, Protocol: HTTP, TargetType: ip, VpcId: !Ref Vpc}
  ProdListener:
    Type: AWS::ElasticLoadBalancingV2::Listener
    Properties:
      LoadBalancerArn: !Ref Alb
      Port: 80
      Protocol: HTTP
      DefaultActions:
        - Type: forward
          ForwardConfig: {TargetGroups: [{TargetGroupArn: !Ref BlueTargetGroup, Weight: 1}]}
  BlueTaskDefinition:
    Type: AWS::ECS::TaskDefinition
    Properties:
      Family: checkout
      RequiresCompatibilities: [FARGATE]
      NetworkMode: awsvpc
      Cpu: '256'
      Memory: '512'
      ContainerDefinitions:
        - {Name: web, Image: !Ref Image, PortMappings: [{ContainerPort: 80}]}
  Service:
    Type: AWS::ECS::Service
    Properties:
      Cluster: !Ref Cluster
      DesiredCount: 1
      DeploymentController: {Type: EXTERNAL}
  BlueTaskSet:
    Type: AWS::ECS::TaskSet
    Properties:
      Cluster: !Ref Cluster
      Service: !Ref Service
      TaskDefinition: !Ref BlueTaskDefinition
      LaunchType: FARGATE
      Scale: {Unit: PERCENT, Value: 100}
      NetworkConfiguration:
        AwsVpcConfiguration: {Subnets: [!Ref Subnet1, !Ref Subnet2]}
      LoadBalancers:
        - {ContainerName: web, ContainerPort: 80, TargetGroupArn: !Ref BlueTargetGroup}
  PrimaryTaskSet:
    Type: AWS::ECS::PrimaryTaskSet
    Properties:
      Cluster: !Ref Cluster
      Service: !Ref Service
      TaskSetId: !GetAtt BlueTaskSet.Id
"""


@pytest.fixture()
def repo(tmp_path) -> Path:
    write(tmp_path / "before", "services/checkout/checkout.yaml", CHECKOUT)
    return tmp_path / "before"


def _edit(repo: Path, tmp_path: Path, *pairs: tuple[str, str]) -> Path:
    after = tmp_path / "after"
    shutil.copytree(repo, after)
    path = after / "services/checkout/checkout.yaml"
    text = path.read_text()
    for old, new in pairs:
        assert old in text
        text = text.replace(old, new)
    path.write_text(text)
    return after


def test_template_with_the_hook_loads_and_the_hook_is_a_frame(repo):
    estate = iacviz.load(repo, cache=False)
    assert estate.errors[estate.errors.severity != "info"].empty
    assert estate.stacks["transform"].tolist() == ["AWS::CodeDeployBlueGreen"]
    bg = estate.blue_green
    roles = dict(zip(bg.logical_id, bg.role))
    assert roles["Service"] == "service"
    assert roles["BlueTaskDefinition"] == roles["GreenTaskDefinition"] == "task_definition"
    assert roles["ProdListener"] == "prod_route"
    # Only blue resources are written; CloudFormation makes the green ones during an update.
    exists = dict(zip(bg.logical_id, bg.exists))
    assert exists["BlueTaskSet"] and not exists["GreenTaskSet"]
    assert set(bg.traffic_routing) == {"TimeBasedCanary"}
    res = estate.resources.set_index("logical_id")
    assert res.loc["Service", "deployment"] == "blue/green"
    assert pd.isna(res.loc["Cluster", "deployment"])


def test_a_new_image_is_a_blue_green_deployment_not_a_replacement(repo, tmp_path):
    after = _edit(repo, tmp_path, ("Default: 'nginxdemos/hello:latest'", "Default: 'nginxdemos/hello:0.4'"))
    plan = iacviz.plan_changes(repo, after).set_index("logical_id")
    assert plan.loc["BlueTaskDefinition", "action"] == "BlueGreen"
    assert not plan.will_replace.fillna(True).any()
    assert "Service" not in plan.index  # the service stays as it is
    assert plan.blocked.isna().all()
    assert plan.unknowable.isna().all()  # the transform is no macro of unknown output
    assert "shifts the traffic" in plan.loc["BlueTaskDefinition", "note"]


def test_the_same_change_without_the_hook_replaces_the_task_definition(repo, tmp_path):
    plain = CHECKOUT.split("Hooks:")[0].replace("Transform:\n  - AWS::CodeDeployBlueGreen\n", "")
    plain += "Resources:" + CHECKOUT.split("\nResources:", 1)[1]
    write(repo, "services/checkout/checkout.yaml", plain)
    after = _edit(repo, tmp_path, ("Default: 'nginxdemos/hello:latest'", "Default: 'nginxdemos/hello:0.4'"))
    plan = iacviz.plan_changes(repo, after).set_index("logical_id")
    assert plan.loc["BlueTaskDefinition", "action"] == "Modify"
    assert plan.loc["BlueTaskDefinition", "will_replace"]


def test_green_deployment_with_other_changes_is_refused(repo, tmp_path):
    after = _edit(
        repo,
        tmp_path,
        ("Default: 'nginxdemos/hello:latest'", "Default: 'nginxdemos/hello:0.4'"),
        ("DesiredCount: 1", "DesiredCount: 2"),
    )
    plan = iacviz.plan_changes(repo, after).set_index("logical_id")
    assert plan.loc["Service", "action"] == "Modify"
    for lid in ("BlueTaskDefinition", "Service"):
        assert plan.loc[lid, "blocked"].startswith("A blue/green deployment cannot be combined")
    assert "Service change too" in plan.loc["Service", "blocked"]


def test_outputs_beside_the_hook_are_a_warning(repo):
    write(repo, "services/checkout/checkout.yaml", CHECKOUT + "Outputs:\n  Url:\n    Value: !GetAtt Alb.DNSName\n")
    errors = iacviz.load(repo, cache=False).errors
    row = errors[errors.severity == "warning"].iloc[0]
    assert row["source"] == "services/checkout/checkout.yaml"
    assert "cannot declare Outputs (Url)" in row["message"]
