"""Tests of iacviz.cfn.update_behavior against documented CloudFormation behaviour.

"Update requires: Replacement" in the CloudFormation resource reference is a schema's
createOnlyProperties; "Some interruptions"/conditional replacement is
conditionalCreateOnlyProperties. Where the reference page and the bundled schema disagree the
test asserts the schema (what iacviz reads) and says so.
"""

from __future__ import annotations

import json

import pytest

from cfnlint.schema.manager import ProviderSchemaManager

from iacviz.cfn import update_behavior as ub
from iacviz.errors import IacvizError


@pytest.mark.parametrize(
    "rtype, pointer, expected",
    [
        # AWS::EC2::VPC: CidrBlock "Update requires: Replacement"; InstanceTenancy can change from
        # dedicated to default in place, otherwise it replaces (conditional); EnableDnsSupport: no interruption.
        ("AWS::EC2::VPC", "/properties/CidrBlock", "replace"),
        ("AWS::EC2::VPC", "/properties/InstanceTenancy", "conditional"),
        ("AWS::EC2::VPC", "/properties/EnableDnsSupport", "in-place"),
        ("AWS::EC2::VPC", "/properties/Tags/0/Key", "in-place"),
        # AWS::S3::Bucket: BucketName replacement; VersioningConfiguration no interruption.
        ("AWS::S3::Bucket", "/properties/BucketName", "replace"),
        ("AWS::S3::Bucket", "/properties/VersioningConfiguration/Status", "in-place"),
        # AWS::Lambda::Function: Code no interruption (a new deployment package), FunctionName replaces.
        ("AWS::Lambda::Function", "/properties/Code/S3Key", "in-place"),
        ("AWS::Lambda::Function", "/properties/Code/ZipFile", "in-place"),
        ("AWS::Lambda::Function", "/properties/FunctionName", "replace"),
        # AWS::DynamoDB::Table: TableName replacement. KeySchema: the reference page says
        # "Update requires: Replacement", the provider schema lists it under
        # conditionalCreateOnlyProperties; we report the schema.
        ("AWS::DynamoDB::Table", "/properties/TableName", "replace"),
        ("AWS::DynamoDB::Table", "/properties/KeySchema/0/AttributeName", "conditional"),
        ("AWS::DynamoDB::Table", "/properties/BillingMode", "in-place"),
        # AWS::SQS::Queue: FifoQueue and QueueName replacement; VisibilityTimeout no interruption.
        ("AWS::SQS::Queue", "/properties/FifoQueue", "replace"),
        ("AWS::SQS::Queue", "/properties/QueueName", "replace"),
        ("AWS::SQS::Queue", "/properties/VisibilityTimeout", "in-place"),
        # AWS::RDS::DBInstance: the reference page documents Engine changes as replacing only for
        # some engine changes; the schema lists Engine under conditionalCreateOnlyProperties.
        # MasterUsername and DBInstanceIdentifier replace; AllocatedStorage updates in place.
        ("AWS::RDS::DBInstance", "/properties/Engine", "conditional"),
        ("AWS::RDS::DBInstance", "/properties/MasterUsername", "replace"),
        ("AWS::RDS::DBInstance", "/properties/DBInstanceIdentifier", "replace"),
        ("AWS::RDS::DBInstance", "/properties/AllocatedStorage", "in-place"),
        # AWS::EC2::SecurityGroup: GroupDescription, GroupName and VpcId replace; ingress rules don't.
        ("AWS::EC2::SecurityGroup", "/properties/GroupDescription", "replace"),
        ("AWS::EC2::SecurityGroup", "/properties/SecurityGroupIngress/3/CidrIp", "in-place"),
        # Nested pointer: AWS::ECS::CapacityProvider AutoScalingGroupProvider.AutoScalingGroupArn
        # "Update requires: Replacement"; its sibling ManagedScaling updates in place.
        ("AWS::ECS::CapacityProvider", "/properties/AutoScalingGroupProvider/AutoScalingGroupArn", "replace"),
        ("AWS::ECS::CapacityProvider", "/properties/AutoScalingGroupProvider/ManagedScaling/Status", "in-place"),
        # Nested conditional: AppSync GraphQLApi's LambdaAuthorizerConfig/AuthorizerUri.
        ("AWS::AppSync::GraphQLApi", "/properties/LambdaAuthorizerConfig/AuthorizerUri", "conditional"),
        # Array wildcard: /properties/ConnectPeerConfiguration/BgpConfigurations/*/PeerAsn.
        (
            "AWS::EC2::TransitGatewayConnectPeer",
            "/properties/ConnectPeerConfiguration/BgpConfigurations/0/PeerAsn",
            "replace",
        ),
        (
            "AWS::EC2::TransitGatewayConnectPeer",
            "/properties/ConnectPeerConfiguration/BgpConfigurations/12/PeerAsn",
            "replace",
        ),
        # A leaf *above* a create-only pointer (e.g. an Fn::If producing the whole object) may change it.
        ("AWS::ECS::CapacityProvider", "/properties/AutoScalingGroupProvider", "conditional"),
        # Prefix: a schema pointer covers every leaf below it, array items included
        # (SpotFleet SpotFleetRequestConfigData.LaunchSpecifications, DynamoDB ImportSourceSpecification).
        (
            "AWS::EC2::SpotFleet",
            "/properties/SpotFleetRequestConfigData/LaunchSpecifications/1/InstanceType",
            "replace",
        ),
        ("AWS::EC2::SpotFleet", "/properties/SpotFleetRequestConfigData/TargetCapacity", "in-place"),
        ("AWS::DynamoDB::Table", "/properties/ImportSourceSpecification/S3BucketSource/S3Bucket", "replace"),
        # Custom resources: ServiceToken is create-only, any other property updates in place.
        ("Custom::DnsRecord", "/properties/ServiceToken", "replace"),
        ("Custom::DnsRecord", "/properties/Anything/0", "in-place"),
        ("AWS::CloudFormation::CustomResource", "/properties/ServiceToken", "replace"),
        # Not a property: metadata changes never replace.
        ("AWS::EC2::VPC", "/metadata/cfn-lint", "in-place"),
        # No schema: unknown types, SAM (validation-only schemas), modules.
        ("Acme::Not::AType", "/properties/Name", "unknown"),
        ("AWS::Serverless::Function", "/properties/FunctionName", "unknown"),
        ("Acme::Widgets::Gadget::MODULE", "/properties/Name", "unknown"),
    ],
)
def test_behavior(rtype, pointer, expected):
    assert ub.behavior(rtype, pointer) == expected


def test_type_rules_fields():
    vpc = ub.type_rules("AWS::EC2::VPC")
    assert vpc.known and not vpc.sam
    assert "/properties/CidrBlock" in vpc.create_only
    assert vpc.conditional_create_only == ("/properties/InstanceTenancy",)
    assert vpc.primary_identifier == ("/properties/VpcId",)
    assert "/properties/VpcId" in vpc.read_only
    custom = ub.type_rules("Custom::Anything")
    assert custom is ub.type_rules("Custom::Other")  # one cached entry for every Custom::*
    assert custom.schema_type == "AWS::CloudFormation::CustomResource"
    assert custom.create_only == ("/properties/ServiceToken",)
    unknown = ub.type_rules("Acme::Not::AType")
    assert not unknown.known and unknown.create_only == ()
    sam = ub.type_rules("AWS::Serverless::Function")
    assert sam.known and sam.sam and sam.create_only == ()  # cfn-lint knows SAM, without update rules


def test_unknown_region_is_refused():
    with pytest.raises(IacvizError, match="region"):
        ub.type_rules("AWS::EC2::VPC", region="mars-north-1")
    assert ub.type_rules("AWS::EC2::VPC", region="eu-west-1").known


@pytest.mark.parametrize(
    "rtype, expected",
    [
        ("AWS::S3::Bucket", "BucketName"),  # create-only and the primary identifier
        ("AWS::DynamoDB::Table", "TableName"),
        ("AWS::RDS::DBInstance", "DBInstanceIdentifier"),  # not DBName, the database inside
        ("AWS::RDS::DBCluster", "DBClusterIdentifier"),
        ("AWS::SQS::Queue", "QueueName"),  # primary identifier is QueueUrl (read-only)
        ("AWS::SNS::Topic", "TopicName"),
        ("AWS::Lambda::Function", "FunctionName"),
        ("AWS::IAM::Role", "RoleName"),
        ("AWS::ECS::Cluster", "ClusterName"),
        ("AWS::EC2::SecurityGroup", "GroupName"),
        ("AWS::Logs::LogGroup", "LogGroupName"),
        ("AWS::ElasticLoadBalancingV2::TargetGroup", "Name"),
        ("AWS::ElastiCache::ReplicationGroup", "ReplicationGroupId"),
        ("AWS::ApiGateway::DomainName", "DomainName"),
        ("AWS::EC2::KeyPair", "KeyName"),  # override
        ("AWS::Serverless::Function", "FunctionName"),  # override: SAM has no usable schema
        ("AWS::EC2::VPC", None),
        ("AWS::EC2::Instance", None),  # KeyName there is a reference to a key pair, not its name
        ("AWS::IoT::PolicyPrincipalAttachment", None),  # PolicyName is a reference
        ("AWS::Lambda::LayerVersion", None),  # a replacement is a new version under the same name
        ("AWS::IAM::RolePolicy", None),  # override: inline policy
        ("Custom::Thing", None),
        ("Acme::Not::AType", None),
    ],
)
def test_custom_name_property(rtype, expected):
    assert ub.custom_name_property(rtype) == expected


def test_schema_stats():
    s = ub.schema_stats()
    # cfn-lint 1.58: 1,868 types (14 SAM), 1,623 with create-only, 45 with conditional.
    assert s["types"] >= 1800 and s["sam_types"] >= 14
    assert s["with_create_only"] >= 1500 and s["with_conditional"] >= 40
    assert s["schema_date"] == ub.SCHEMA_DATE != ""


def _fake_cache(root):
    """A user cache as `cfn-lint --update-specs` writes it, newer than the bundle, where
    AWS::EC2::VPC has no create-only properties at all."""
    cache = root / "aws" / "cfn-lint" / "schemas"
    (cache / "providers").mkdir(parents=True)
    (cache / "resources").mkdir()
    (cache / "version.json").write_text(json.dumps({"schema_date": "9999-12-31T00:00:00Z"}))
    (cache / "providers" / "us-east-1.json").write_text(json.dumps({"AWS::EC2::VPC": "fake"}))
    (cache / "resources" / "fake.json").write_text(
        json.dumps(
            {
                "typeName": "AWS::EC2::VPC",
                "properties": {"CidrBlock": {"type": "string"}},
                "additionalProperties": False,
            }
        )
    )


def test_user_cache_does_not_change_results(tmp_path, monkeypatch):
    _fake_cache(tmp_path)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    # cfn-lint's own choice would follow the newer cache...
    default = ProviderSchemaManager()
    assert "createOnlyProperties" not in default.get_resource_schema("us-east-1", "AWS::EC2::VPC").schema
    # ...ours stays on the bundled files, which mark the block create-only.
    ub.behavior.cache_clear()
    assert ub.behavior("AWS::EC2::VPC", "/properties/CidrBlock") == "replace"


def test_behavior_is_looked_up_once_per_type_and_pointer():
    # The properties frame asks once per leaf value: ~200,000 asks at 2,000 stacks, few distinct.
    ub.behavior.cache_clear()
    pointers = [f"/properties/Policies/{i % 50}/PolicyDocument/Statement/{i % 7}/Effect" for i in range(5000)]
    answers = {ub.behavior("AWS::IAM::Role", p) for _ in range(40) for p in pointers}
    assert answers == {"in-place"}
    assert ub.behavior.cache_info().misses == 350  # 50 policies x 7 statements


@pytest.mark.parametrize(
    "rtype",
    [
        "AWS::EC2::VPC",
        "AWS::IAM::Role",
        "AWS::Serverless::Function",
        "Custom::Thing",
        "AWS::Nope::Nope",
        "AWS::SNS::Topic",
    ],
)
def test_behaviors_of_a_resource_are_behavior_of_each_leaf(rtype):
    pointers = [
        "/properties/CidrBlock",
        "/properties/RoleName",
        "/properties/Policies/2/PolicyName",
        "/properties/ServiceToken",
        "/properties/TopicName",
        "/properties/Tags/0/Key",
        "/properties",
    ]
    for _ in range(2):  # the second time from the memo
        assert ub.behaviors(rtype, pointers) == [ub.behavior(rtype, p) for p in pointers]
