"""replacement_prone: create-only properties that a parameter, an import, a condition or a resource drives.

Rules quoted from the shared reference notes on CloudFormation update semantics (shared/reference/cloudformation-update-semantics.md) [REF] (resource provider
schemas: "createOnlyProperties: changing them replaces the resource. conditionalCreateOnlyProperties:
replaced if the change cannot be applied in place") and the user guide's "Example change sets" [UG].
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

import iacviz
from iacviz import schema

ROOT = Path(__file__).resolve().parents[1]

TEMPLATE = {
    "Parameters": {
        "Cidr": {"Type": "String", "Default": "10.0.0.0/16"},
        "Size": {"Type": "String", "Default": "t3.micro"},
        "Env": {"Type": "String", "Default": "dev"},
        "DbName": {"Type": "String", "Default": "shop"},
    },
    "Conditions": {"Prod": {"Fn::Equals": [{"Ref": "Env"}, "prod"]}},
    "Resources": {
        "Vpc": {"Type": "AWS::EC2::VPC", "Properties": {"CidrBlock": {"Ref": "Cidr"}, "EnableDnsSupport": True}},
        "Subnet": {"Type": "AWS::EC2::Subnet", "Properties": {"VpcId": {"Ref": "Vpc"}, "CidrBlock": "10.0.0.0/24"}},
        "Web": {
            "Type": "AWS::EC2::Instance",
            "Properties": {
                "ImageId": "ami-1",
                "InstanceType": {"Ref": "Size"},
                "Tags": [{"Key": "env", "Value": {"Ref": "Env"}}],
            },
        },
        "Sg": {
            "Type": "AWS::EC2::SecurityGroup",
            "Properties": {
                "GroupDescription": {"Fn::Sub": "${AWS::StackName} app"},
                "VpcId": {"Fn::ImportValue": "net-VpcId"},
            },
        },
        "Perm": {
            "Type": "AWS::Lambda::Permission",
            "Properties": {
                "FunctionName": {"Fn::GetAtt": ["Fn", "Arn"]},
                "Action": "lambda:InvokeFunction",
                "Principal": "sns.amazonaws.com",
            },
        },
        "Fn": {"Type": "AWS::Lambda::Function", "Properties": {"Role": "r", "Code": {"ZipFile": "x"}}},
        "Db": {
            "Type": "AWS::RDS::DBInstance",
            "Properties": {
                "Engine": "postgres",
                "DBName": {"Ref": "DbName"},
                "MultiAZ": {"Fn::If": ["Prod", True, False]},
            },
        },
        "SafeDb": {
            "Type": "AWS::RDS::DBInstance",
            "UpdateReplacePolicy": "Snapshot",
            "Properties": {"Engine": "postgres", "DBName": {"Ref": "DbName"}},
        },
        "Bucket": {
            "Type": "AWS::S3::Bucket",
            "UpdateReplacePolicy": "Snapshot",
            "Properties": {"BucketName": {"Fn::Sub": "${Env}-assets"}},
        },
    },
}


def prone():
    return iacviz.replacement_prone(iacviz.load_template(TEMPLATE, stack="app"))


def at(df, lid, path):
    hit = df[(df["logical_id"] == lid) & (df["path"] == path)]
    assert len(hit) == 1, df[["logical_id", "path"]]
    return hit.iloc[0]


def test_frame_is_declared():
    df = prone()
    assert list(df.columns) == schema.columns("replacement_prone")
    assert set(df["update_behavior"]) <= {"replace", "conditional"}


def test_parameter_driven_create_only_property_is_listed():
    # [UG] "When you modify an input parameter value, AWS CloudFormation generates two changes for each
    # resource that uses the updated parameter value"; CidrBlock is create-only for AWS::EC2::VPC, so a
    # new parameter value replaces the VPC with no edit to the resource.
    r = at(prone(), "Vpc", "/properties/CidrBlock")
    assert (r["type"], r["update_behavior"], r["drivers"]) == ("AWS::EC2::VPC", "replace", "parameter Cidr")
    assert r["driven_by"] == ["ref:Cidr"]
    assert "replaces Vpc" in r["message"]


def test_literals_in_place_properties_and_pseudo_parameters_are_not_listed():
    df = prone()
    paths = set(zip(df["logical_id"], df["path"]))
    assert ("Subnet", "/properties/CidrBlock") not in paths  # create-only but a literal
    assert ("Vpc", "/properties/EnableDnsSupport") not in paths  # literal, in place
    assert ("Web", "/properties/Tags/0/Value") not in paths  # parameter-driven but in place
    # ${AWS::StackName} never changes for a stack: GroupDescription is create-only yet safe.
    assert ("Sg", "/properties/GroupDescription") not in paths


def test_resource_driven_property_is_listed():
    # [REF] "Resources that only reference a changed resource are listed too": a replaced VPC gives the
    # subnet a new VpcId, create-only, so the subnet is replaced with it.
    r = at(prone(), "Subnet", "/properties/VpcId")
    assert r["drivers"] == "resource Vpc"
    assert at(prone(), "Perm", "/properties/FunctionName")["drivers"] == "attribute Fn.Arn"


def test_import_driven_property_names_the_export():
    r = at(prone(), "Sg", "/properties/VpcId")
    assert r["drivers"] == "import net-VpcId" and r["driven_by"] == ["import"]


def test_conditional_create_only_and_condition_driven():
    # InstanceType is in conditionalCreateOnlyProperties of AWS::EC2::Instance ([UG]: RequiresRecreation
    # "Conditionally"); MultiAZ of AWS::RDS::DBInstance too, here chosen by an Fn::If on a condition.
    r = at(prone(), "Web", "/properties/InstanceType")
    assert (r["update_behavior"], r["drivers"]) == ("conditional", "parameter Size")
    assert "may replace" in r["message"]
    r = at(prone(), "Db", "/properties/MultiAZ")
    assert (r["update_behavior"], r["drivers"]) == ("conditional", "condition Prod")


def test_stateful_and_protected():
    # [REF] "UpdateReplacePolicy acts on the old physical resource after a replacement: Delete (default),
    # Retain, Snapshot (falls back to Delete where unsupported)".
    df = prone()
    db = at(df, "Db", "/properties/DBName")
    assert (bool(db["stateful"]), bool(db["protected"])) == (True, False)
    assert "data lost" in db["message"]
    safe = at(df, "SafeDb", "/properties/DBName")
    assert bool(safe["protected"]) is True and "kept" in safe["message"]
    bucket = at(df, "Bucket", "/properties/BucketName")  # S3 has no snapshots: not protected
    assert (bool(bucket["stateful"]), bool(bucket["protected"])) == (True, False)


def test_estate_frame_and_empty_estate():
    estate = iacviz.load_template(TEMPLATE, stack="app")
    assert len(estate.replacement_prone) == len(prone())
    empty = iacviz.replacement_prone(iacviz.load_template({"Resources": {"Q": {"Type": "AWS::SQS::Queue"}}}))
    assert empty.empty and list(empty.columns) == schema.columns("replacement_prone")


def test_sample_estate_database_name_follows_the_environment():
    # release-2 CHANGES.md (a): Db's DBName comes from !FindInMap [EnvConfig, !Ref Env, DbName] and
    # DBName is create-only: the lookup key is the parameter Env.
    df = iacviz.replacement_prone(iacviz.load(ROOT / "data" / "sample-estate"))
    r = df[(df["stack"] == "data") & (df["logical_id"] == "Db") & (df["path"] == "/properties/DBName")]
    assert len(r) == 1 and r.iloc[0]["drivers"] == "parameter Env"
    assert bool(r.iloc[0]["stateful"]) and not bool(r.iloc[0]["protected"])
    assert pd.api.types.is_bool_dtype(df["stateful"])
