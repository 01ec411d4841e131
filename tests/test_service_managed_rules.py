"""Who made what lies outside every stack: each rule of iacviz.cfn.service_managed, through the
scan's listers and classify, on responses shaped as AWS answers them.

The responses go through botocore's Stubber, which validates them against the service model,
so a field the rules read (Tags, TagSet, Description, InterfaceType, RequesterManaged...)
is where AWS puts it. The values follow AWS's documented formats (see each rule's source).
"""

from __future__ import annotations

import boto3
import pytest
from botocore.stub import Stubber

from iacviz.cfn import service_managed as sm
from iacviz.sources import live_unmanaged as lu
from iacviz.sources.raw import RawStack

ACCOUNT, REGION = "123456789012", "eu-west-1"
ARN = f"arn:aws:ec2:{REGION}:{ACCOUNT}:"


def _stubbed(service: str, operation: str, response: dict):
    client = boto3.client(service, region_name=REGION, aws_access_key_id="x", aws_secret_access_key="x")
    stub = Stubber(client)
    stub.add_response(operation, response)
    stub.activate()
    return client


def _stack(name: str, resources: dict[str, tuple[str, str]]) -> RawStack:
    return RawStack(
        name=name,
        source=f"live:{ACCOUNT}/{REGION}/{name}",
        format="live",
        template={"Resources": {lid: {"Type": t} for lid, (t, _) in resources.items()}},
        account=ACCOUNT,
        region=REGION,
        live_resources={lid: {"resource_type": t, "physical_id": p} for lid, (t, p) in resources.items()},
    )


STACKS = [
    _stack(
        "web",
        {
            "Fleet": ("AWS::AutoScaling::AutoScalingGroup", "web-Fleet-1C2B3A4D5E6F"),
            "Deployments": ("AWS::CodeDeploy::DeploymentGroup", "web-dg"),
            "Env": ("AWS::ElasticBeanstalk::Environment", "shop-prod"),
        },
    ),
    _stack(
        "k8s",
        {
            "Cluster": ("AWS::EKS::Cluster", "prod"),
            "Nat": ("AWS::EC2::NatGateway", "nat-0a1b2c3d4e5f"),
            "QueueEndpoint": ("AWS::EC2::VPCEndpoint", "vpce-0d8ddce4be80e4474"),
            "Alb": (
                "AWS::ElasticLoadBalancingV2::LoadBalancer",
                f"arn:aws:elasticloadbalancing:{REGION}:{ACCOUNT}:loadbalancer/app/shop-alb/50dc6c495c0c9188",
            ),
            # CloudFormation's physical id of a node group is <cluster>/<node group>
            "Nodes": ("AWS::EKS::Nodegroup", "prod/general"),
        },
    ),
    _stack("data", {"Reports": ("AWS::S3::Bucket", "data-reports-1x2y3z")}),
]


def _tag_list(tags: dict[str, str]) -> list[dict[str, str]]:
    return [{"Key": k, "Value": v} for k, v in tags.items()]


def _instance(instance_id: str, tags: dict[str, str]) -> dict:
    return {"InstanceId": instance_id, "State": {"Code": 16, "Name": "running"}, "Tags": _tag_list(tags)}


def _eni(eni_id: str, description: str, interface_type: str, requester_managed: bool, attachment=None) -> dict:
    out = {
        "NetworkInterfaceId": eni_id,
        "Description": description,
        "InterfaceType": interface_type,
        "RequesterManaged": requester_managed,
        "RequesterId": "578734482556" if requester_managed else "AIDAEXAMPLEUSER",
        "Status": "in-use",
        "TagSet": [],
    }
    if attachment:
        out["Attachment"] = attachment
    return out


@pytest.fixture(scope="module")
def rows() -> dict[str, dict]:
    ec2 = boto3.client("ec2", region_name=REGION, aws_access_key_id="x", aws_secret_access_key="x")
    stub = Stubber(ec2)
    stub.add_response(
        "describe_vpcs", {"Vpcs": [{"VpcId": "vpc-0def", "IsDefault": True}, {"VpcId": "vpc-0abc", "IsDefault": False}]}
    )
    stub.add_response("describe_subnets", {"Subnets": [{"SubnetId": "subnet-0d1", "DefaultForAz": True}]})
    stub.add_response(
        "describe_security_groups",
        {
            "SecurityGroups": [
                {"GroupId": "sg-0def", "GroupName": "default", "VpcId": "vpc-0def"},
                {"GroupId": "sg-0hand", "GroupName": "debug-ssh", "VpcId": "vpc-0def"},
            ]
        },
    )
    stub.add_response(
        "describe_instances",
        {
            "Reservations": [
                {
                    "Instances": [
                        # launched by the stack's Auto Scaling group (moto's and EC2's shape)
                        _instance("i-0asg", {"aws:autoscaling:groupName": "web-Fleet-1C2B3A4D5E6F"}),
                        # the copy CodeDeploy made for a blue/green deployment
                        _instance("i-0green", {"aws:autoscaling:groupName": "CodeDeploy_web-dg_d-7QX3K9Z2A"}),
                        _instance(
                            "i-0eb",
                            {
                                "elasticbeanstalk:environment-name": "shop-prod",
                                "elasticbeanstalk:environment-id": "e-mjzpm3k2ab",
                                "Name": "shop-prod",
                                "aws:autoscaling:groupName": "awseb-e-mjzpm3k2ab-stack-AWSEBAutoScalingGroup-X1",
                            },
                        ),
                        _instance(
                            "i-0node",
                            {
                                "eks:cluster-name": "prod",
                                "eks:nodegroup-name": "general",
                                "aws:autoscaling:groupName": "eks-general-2ac5e2f1-0c7e-4a4b-b3c1-3c0e7f6f3c11",
                                "kubernetes.io/cluster/prod": "owned",
                            },
                        ),
                        _instance("i-0hand", {"Name": "debug box"}),
                    ]
                },
                {"Instances": [{"InstanceId": "i-0gone", "State": {"Code": 48, "Name": "terminated"}}]},
            ]
        },
    )
    stub.add_response(
        "describe_network_interfaces",
        {
            "NetworkInterfaces": [
                _eni("eni-0task", f"arn:aws:ecs:{REGION}:{ACCOUNT}:attachment/4f1e2d3c-7a6b", "interface", True),
                _eni("eni-0eks", "Amazon EKS prod", "interface", True),
                _eni("eni-0nat", "Interface for NAT Gateway nat-0a1b2c3d4e5f", "natGateway", True),
                _eni("eni-0rds", "RDSNetworkInterface", "interface", True),
                _eni("eni-0vpce", "VPC Endpoint Interface vpce-0d8ddce4be80e4474", "vpc_endpoint", True),
                _eni("eni-0alb", "ELB app/shop-alb/50dc6c495c0c9188", "interface", True),
                _eni("eni-0hand", "debug interface", "interface", False),
                _eni(
                    "eni-0primary",
                    "",
                    "interface",
                    False,
                    {"InstanceId": "i-0hand", "DeviceIndex": 0, "Status": "attached"},
                ),
            ]
        },
    )
    stub.activate()
    autoscaling = _stubbed(
        "autoscaling",
        "describe_auto_scaling_groups",
        {
            "AutoScalingGroups": [
                {
                    "AutoScalingGroupName": "CodeDeploy_web-dg_d-7QX3K9Z2A",
                    "AutoScalingGroupARN": f"arn:aws:autoscaling:{REGION}:{ACCOUNT}:autoScalingGroup:"
                    "0f9e8d7c-6b5a-4f3e-8d2c-1b0a9f8e7d6c:autoScalingGroupName/CodeDeploy_web-dg_d-7QX3K9Z2A",
                    "MinSize": 1,
                    "MaxSize": 2,
                    "DesiredCapacity": 1,
                    "DefaultCooldown": 300,
                    "AvailabilityZones": [f"{REGION}a"],
                    "HealthCheckType": "EC2",
                    "CreatedTime": "2026-12-01T10:00:00Z",
                    "Tags": [],
                }
            ]
        },
    )
    tagging = _stubbed(
        "resourcegroupstaggingapi",
        "get_resources",
        {
            "ResourceTagMappingList": [
                {
                    # a stack's own bucket, listed under an ARN: CloudFormation's tags say whose
                    "ResourceARN": "arn:aws:s3:::data-reports-1x2y3z",
                    "Tags": _tag_list(
                        {
                            "aws:cloudformation:stack-name": "data",
                            "aws:cloudformation:logical-id": "Reports",
                            "aws:cloudformation:stack-id": f"arn:aws:cloudformation:{REGION}:{ACCOUNT}:stack/data/1",
                        }
                    ),
                },
                {
                    # an instance of a stack's group in real AWS: it carries its group's stack tags
                    "ResourceARN": ARN + "instance/i-0cfn",
                    "Tags": _tag_list(
                        {
                            "aws:cloudformation:stack-name": "web",
                            "aws:cloudformation:logical-id": "Fleet",
                            "aws:cloudformation:stack-id": f"arn:aws:cloudformation:{REGION}:{ACCOUNT}:stack/web/1",
                            "aws:autoscaling:groupName": "web-Fleet-1C2B3A4D5E6F",
                        }
                    ),
                },
                {
                    "ResourceARN": ARN + "volume/vol-0pvc",
                    "Tags": _tag_list({"kubernetes.io/cluster/prod": "owned", "ebs.csi.aws.com/cluster": "true"}),
                },
            ]
        },
    )
    listed = (
        lu._ec2(ec2, ACCOUNT, REGION)
        + lu._autoscaling(autoscaling, ACCOUNT, REGION)
        + lu._tagged(tagging, ACCOUNT, REGION)
        + [
            lu._row(ACCOUNT, REGION, "AWS::Logs::LogGroup", "/aws/eks/prod/cluster", None, {}),
            lu._row(
                ACCOUNT,
                "global",
                "AWS::IAM::Role",
                "AWSServiceRoleForAutoScaling",
                f"arn:aws:iam::{ACCOUNT}:role/aws-service-role/autoscaling.amazonaws.com/AWSServiceRoleForAutoScaling",
                {},
            ),
        ]
    )
    return {r["id"]: r for r in lu.classify(listed, STACKS)}


def _owner(row: dict) -> tuple:
    return (row["managed_by"], row.get("owner_stack"), row.get("owner_logical_id"), row.get("owner_service"))


@pytest.mark.parametrize(
    "rid, expected",
    [
        ("i-0asg", ("service", "web", "Fleet", "AutoScaling")),
        ("i-0cfn", ("service", "web", "Fleet", "AutoScaling")),  # by CloudFormation's tags
        ("i-0green", ("service", "web", "Deployments", "CodeDeploy")),
        ("CodeDeploy_web-dg_d-7QX3K9Z2A", ("service", "web", "Deployments", "CodeDeploy")),
        ("i-0eb", ("service", "web", "Env", "ElasticBeanstalk")),
        ("i-0node", ("service", "k8s", "Nodes", "EKS")),
        ("vol-0pvc", ("service", "k8s", "Cluster", "EKS")),
        ("eni-0eks", ("service", "k8s", "Cluster", "EKS")),
        ("/aws/eks/prod/cluster", ("service", "k8s", "Cluster", "EKS")),
        ("eni-0task", ("service", None, None, "ECS")),  # the attachment names a task, not a stack resource
        ("eni-0nat", ("service", "k8s", "Nat", "EC2")),
        ("eni-0vpce", ("service", "k8s", "QueueEndpoint", "EC2")),
        ("eni-0alb", ("service", "k8s", "Alb", "ElasticLoadBalancingV2")),
        ("eni-0rds", ("service", None, None, "EC2")),  # requester-managed: some service's, not named
        ("vpc-0def", ("aws", None, None, None)),
        ("subnet-0d1", ("aws", None, None, None)),
        ("sg-0def", ("aws", None, None, None)),
        ("AWSServiceRoleForAutoScaling", ("aws", None, None, None)),
        ("i-0hand", ("none", None, None, None)),
        ("eni-0hand", ("none", None, None, None)),
        ("sg-0hand", ("none", None, None, None)),
        ("vpc-0abc", ("none", None, None, None)),
    ],
)
def test_each_rule_names_the_owner(rows, rid, expected):
    assert _owner(rows[rid]) == expected


def test_what_is_not_outside_the_stacks_is_not_listed(rows):
    assert "i-0gone" not in rows  # terminated
    assert "eni-0primary" not in rows  # an instance's primary interface is the instance's
    assert "data-reports-1x2y3z" not in rows  # CloudFormation's tags name it as the stack's own bucket
    assert not any(k in r for r in rows.values() for k in lu.PRIVATE_KEYS)  # no stray column


def test_an_owner_outside_the_estate_still_says_which_service():
    (row,) = lu.classify(
        [{"account": ACCOUNT, "region": REGION, "type": "AWS::EC2::Instance", "id": "i-1", "arn": None,
          "tags": {"aws:autoscaling:groupName": "made-by-hand"}}],
        STACKS,
    )  # fmt: skip
    assert _owner(row) == ("service", None, None, "AutoScaling")


def test_owner_is_looked_up_in_the_rows_account_and_region():
    (row,) = lu.classify(
        [{"account": "999999999999", "region": REGION, "type": "AWS::EC2::Instance", "id": "i-1", "arn": None,
          "tags": {"aws:autoscaling:groupName": "web-Fleet-1C2B3A4D5E6F"}}],
        STACKS,
    )  # fmt: skip
    assert row.get("owner_stack") is None and row["owner_service"] == "AutoScaling"


def test_rules_are_tried_most_specific_first():
    instance = {
        "type": "AWS::EC2::Instance",
        "id": "i-1",
        "tags": {"aws:autoscaling:groupName": "CodeDeploy_dg_d-ABCDEFGH1"},
    }
    assert [o.service for o in sm.owner_of(instance)] == ["CodeDeploy", "AutoScaling"]
    # not CodeDeploy's: a deployment id is d- and nine characters
    assert sm.codedeploy_replacement({"type": "AWS::AutoScaling::AutoScalingGroup", "id": "CodeDeploy_dg_d-1"}) is None


@pytest.mark.parametrize(
    "name, parent, expected",
    [
        ("CDKToolkit", None, "cdk"),
        ("aws-sam-cli-managed-default", None, "sam-cli"),
        ("StackSet-org-baseline-6b7a5d2e-1c3f-4e0a-9a8b-2f4d6c8e0a1b", None, "stackset"),
        ("awseb-e-mjzpm3k2ab-stack", None, "elasticbeanstalk"),
        ("amplify-notes-dev-123456", None, "amplify"),
        ("eksctl-prod-cluster", None, "eksctl"),
        ("eksctl-prod-nodegroup-general", None, "eksctl"),
        # a nested stack is its root's; a user's stack that merely starts alike is the user's
        ("amplify-notes-dev-123456-apinotes-1AB2C3", "amplify-notes-dev-123456", None),
        ("CDKToolkit-copy", None, None),
        ("StackSet-notes", None, None),
        ("network", None, None),
    ],
)
def test_stacks_created_by_a_tool_or_service(name, parent, expected):
    assert sm.stack_created_by(name, parent) == expected
