"""The Estate model: frames built from templates, references, conditions, parameters, errors."""

from __future__ import annotations

import json

import pandas as pd
import pytest

import iacviz
from iacviz import schema
from iacviz.sources.files import _NOT_CLOUDFORMATION
from estate_files import write


APP = """\
AWSTemplateFormatVersion: 2010-09-09
Description: app tier
Parameters:
  Env:
    Type: String
    Default: dev
    AllowedValues: [dev, prod]
  NetworkStack:
    Type: String
  DbPassword:
    Type: String
    NoEcho: true
Mappings:
  Sizes:
    dev: {Instance: t3.micro}
    prod: {Instance: m5.large}
Conditions:
  IsProd: !Equals [!Ref Env, prod]
  IsDev: !Not [!Condition IsProd]
Resources:
  Queue:
    Type: AWS::SQS::Queue
    Condition: IsProd
    DeletionPolicy: !If [IsProd, Retain, Delete]
  Topic:
    Type: AWS::SNS::Topic
    DependsOn: Queue
    Properties:
      TopicName: !Sub '${AWS::StackName}-${Env}-events'
      Tags:
        - Key: queue
          Value: !GetAtt Queue.Arn
  Instance:
    Type: AWS::EC2::Instance
    Properties:
      InstanceType: !FindInMap [Sizes, !Ref Env, Instance]
      SubnetId: !ImportValue
        Fn::Sub: '${NetworkStack}-SubnetId'
      UserData: !Base64
        Fn::Sub: |
          echo ${Topic} ${!NotAVar} ${Queue.QueueName}
Outputs:
  TopicArn:
    Value: !Ref Topic
    Export:
      Name: !Sub '${AWS::StackName}-TopicArn'
"""


@pytest.fixture(scope="module")
def app(tmp_path_factory):
    root = tmp_path_factory.mktemp("estate")
    write(root, "app.yaml", APP)
    return iacviz.load(root, parameters={"app": {"Env": "prod"}})


def test_frames_have_declared_columns_and_dtypes(app):
    for name in (
        "stacks",
        "resources",
        "properties",
        "parameters",
        "outputs",
        "conditions",
        "mappings",
        "references",
        "errors",
    ):
        df = getattr(app, name)
        assert list(df.columns) == schema.columns(name)
        assert {c: str(t) for c, t in df.dtypes.items()} == {
            c: str(pd.Series(dtype=t).dtype) for c, t in schema.dtypes(name).items()
        }


def test_stack_named_after_file_with_metadata(app):
    row = app.stacks.set_index("stack").loc["app"]
    assert row.source == "app.yaml" and row.format == "yaml"
    assert row.description == "app tier" and row.n_resources == 3


def test_references_by_kind(app):
    refs = app.references
    got = set(
        map(
            tuple,
            refs[["source", "kind", "target", "attribute"]]
            .astype(object)
            .where(refs[["source", "kind", "target", "attribute"]].notna(), None)
            .values.tolist(),
        )
    )
    assert ("Topic", "DependsOn", "Queue", None) in got
    assert ("Topic", "GetAtt", "Queue", "Arn") in got
    assert ("Topic", "Sub", "Env", None) in got
    assert ("Instance", "Sub", "Topic", None) in got
    assert ("Instance", "Sub", "Queue", "QueueName") in got
    assert ("Instance", "FindInMap", "Sizes", None) in got
    assert ("Queue", "Condition", "IsProd", None) in got
    assert ("Conditions.IsDev", "Condition", "IsProd", None) in got
    assert ("Outputs.TopicArn", "Ref", "Topic", None) in got
    assert not any(t == "NotAVar" for _, _, t, _ in got), "escaped ${!X} references nothing"


def test_import_name_resolved_with_parameters(app):
    imports = app.references[app.references.kind == "ImportValue"]
    # NetworkStack has no value: the name stays a pattern with a placeholder.
    assert imports.target.tolist() == ["${NetworkStack}-SubnetId"]
    assert imports.source_path.tolist() == ["/properties/SubnetId"]


def test_conditions_and_policies_evaluated_with_user_parameters(app):
    conditions = app.conditions.set_index("name").value.to_dict()
    assert conditions == {"IsProd": True, "IsDev": False}
    res = app.resources.set_index("logical_id")
    assert res.loc["Queue", "condition"] == "IsProd" and bool(res.loc["Queue", "condition_value"]) is True
    assert res.loc["Queue", "deletion_policy"] == "Retain"
    assert res.loc["Topic", "depends_on"] == ["Queue"]
    assert res.loc["Queue", "stateful"] and not res.loc["Topic", "stateful"]


def test_parameters_precedence_and_noecho(app):
    p = app.parameters.set_index("name")
    assert (p.loc["Env", "value"], p.loc["Env", "value_source"]) == ("prod", "user")
    assert p.loc["NetworkStack", "value_source"] == "missing"
    assert bool(p.loc["DbPassword", "no_echo"]) is True


def test_outputs_export_name_resolved(app):
    out = app.outputs.set_index("name")
    assert out.loc["TopicArn", "export_name"] == "app-TopicArn"


def test_properties_are_leaves_with_json_pointers(app):
    props = app.properties[app.properties.logical_id == "Topic"].set_index("path").value
    assert props["/properties/Tags/0/Key"] == "queue"
    assert props["/properties/Tags/0/Value"] == {"Fn::GetAtt": ["Queue", "Arn"]}
    assert props["/properties/TopicName"] == {"Fn::Sub": "${AWS::StackName}-${Env}-events"}
    driven = app.properties.set_index(["logical_id", "path"]).driven_by
    assert driven[("Topic", "/properties/TopicName")] == ["pseudo:AWS::StackName", "ref:Env"]
    assert driven[("Instance", "/properties/SubnetId")] == ["import", "ref:NetworkStack"]


def test_leaves_walked_recursively_or_on_a_stack_are_the_same():
    from iacviz.cfn.intrinsics import is_intrinsic
    from iacviz.model.build import _walk, _walk_deep
    from iacviz.sources.files import read_paths

    tricky = {
        "a/b": {"c~d": [1, None, {}, [], {"Ref": "X"}, {"Condition": "C"}, {"Fn::If": ["C", {"A": 1}, []]}]},
        3: {"Not": {"Intrinsic": True}},
        "Plain": {"One": {"Two": "x"}},
        "Fns": [{"Fn::GetAtt": ["A", "B"]}, {"Fn::Sub": ["${X}", {"X": {"Ref": "Y"}}]}],
    }
    raws, _ = read_paths([iacviz.data.sample_estate()])
    resources = [r for raw in raws for r in raw.template.get("Resources", {}).values()]
    values = [tricky, *(r.get("Properties") for r in resources)]
    for value in values:
        if isinstance(value, (dict, list)) and value and not is_intrinsic(value):
            walked: tuple[list, list] = ([], [])
            stacked: tuple[list, list] = ([], [])
            _walk(value, "/properties", *walked)
            _walk_deep(value, "/properties", *stacked)
            assert walked[0] == stacked[0]
            assert all(a is b for a, b in zip(walked[1], stacked[1])) and len(walked[1]) == len(stacked[1])
    assert len(values) > 100


def test_properties_nested_deeper_than_recursion_allows_are_one_leaf():
    from iacviz.model.build import build_estate
    from iacviz.sources.raw import RawStack

    value: object = "x"
    for _ in range(5000):
        value = {"A": value}
    template = {"Resources": {"Q": {"Type": "AWS::SQS::Queue", "Properties": {"Tags": value}}}}
    props = build_estate([RawStack("s", "s.yaml", "yaml", template)], []).properties
    assert props.path.tolist() == ["/properties/Tags" + "/A" * 5000]
    assert props.value.tolist() == ["x"]


def test_mappings_rows(app):
    m = app.mappings
    assert set(zip(m.key, m.name, m.value)) == {("dev", "Instance", "t3.micro"), ("prod", "Instance", "m5.large")}


def test_ref_to_nothing_is_an_error_row_and_the_rest_loads(tmp_path):
    write(
        tmp_path,
        "a.yaml",
        """\
        Resources:
          Topic:
            Type: AWS::SNS::Topic
            Properties:
              KmsMasterKeyId: !Ref MissingKey
        """,
    )
    write(tmp_path, "b.yaml", "Resources:\n  Q: {Type: AWS::SQS::Queue}\n")
    estate = iacviz.load(tmp_path)
    assert sorted(estate.stacks["stack"]) == ["a", "b"]
    err = estate.errors.iloc[0]
    assert err.source == "a.yaml" and err.line == 2 and "MissingKey" in err.message
    with pytest.raises(iacviz.TemplateError, match="MissingKey"):
        iacviz.load(tmp_path, strict=True)


def test_one_bad_template_among_many_is_one_error_row(tmp_path):
    for i in range(20):
        write(tmp_path, f"s{i}.yaml", f"Resources:\n  Q{i}: {{Type: AWS::SQS::Queue}}\n")
    write(tmp_path, "broken.yaml", "Resources:\n  Q: {Type: AWS::SQS::Queue\n")
    estate = iacviz.load(tmp_path)
    assert len(estate.stacks) == 20
    assert len(estate.errors) == 1 and estate.errors.source[0] == "broken.yaml" and estate.errors.line[0] > 0


def test_non_templates_are_ignored(tmp_path):
    write(tmp_path, "package.json", json.dumps({"name": "x", "version": "1.0.0"}))
    write(tmp_path, ".github/workflows/ci.yaml", "on: push\njobs: {}\n")
    write(tmp_path, "t.yaml", "Resources:\n  Q: {Type: AWS::SQS::Queue}\n")
    estate = iacviz.load(tmp_path)
    assert estate.stacks["stack"].tolist() == ["t"]
    # skipped by rule, and listed with the reason (issue 14: nothing is dropped silently)
    assert set(estate.errors.severity) == {"info"}
    reasons = dict(zip(estate.errors.source, estate.errors.message))
    assert "npm package manifest" in reasons["package.json"] and "workflows" in reasons[".github"]


def test_colliding_stems_get_distinct_names(tmp_path):
    write(tmp_path, "a/vpc.yaml", "Resources:\n  V: {Type: AWS::EC2::VPC}\n")
    write(tmp_path, "b/vpc.yaml", "Resources:\n  V: {Type: AWS::EC2::VPC}\n")
    names = sorted(iacviz.load(tmp_path).stacks["stack"])
    assert names == ["a-vpc", "b-vpc"]


def test_estate_file_names_stacks_and_sets_parameters(tmp_path):
    write(
        tmp_path,
        "net/template.yaml",
        """\
        Parameters: {Env: {Type: String, Default: dev}}
        Conditions: {Prod: !Equals [!Ref Env, prod]}
        Resources:
          V: {Type: AWS::EC2::VPC, Condition: Prod}
        """,
    )
    write(
        tmp_path,
        "iacviz-estate.yaml",
        "stacks:\n  network:\n    template: net/template.yaml\n    parameters: {Env: prod}\n",
    )
    estate = iacviz.load(tmp_path)
    assert estate.stacks["stack"].tolist() == ["network"]
    assert estate.parameters.value_source.tolist() == ["estate-file"]
    assert bool(estate.resources.condition_value[0]) is True


def test_nested_stack_loaded_as_child_with_passed_parameters(tmp_path):
    write(
        tmp_path,
        "parent.yaml",
        """\
        Parameters: {Env: {Type: String, Default: prod}}
        Resources:
          Child:
            Type: AWS::CloudFormation::Stack
            Properties:
              TemplateURL: ./nested/child.yaml
              Parameters:
                Stage: !Ref Env
                Literal: fixed
        Outputs:
          ChildOut: {Value: !GetAtt Child.Outputs.QueueArn}
        """,
    )
    write(
        tmp_path,
        "nested/child.yaml",
        """\
        Parameters: {Stage: {Type: String}, Literal: {Type: String}}
        Resources:
          Q: {Type: AWS::SQS::Queue}
        Outputs:
          QueueArn: {Value: !GetAtt Q.Arn}
        """,
    )
    estate = iacviz.load(tmp_path)
    stacks = estate.stacks.set_index("stack")
    assert list(stacks.index) == ["parent", "parent-Child"]
    assert stacks.loc["parent-Child", "parent_stack"] == "parent"
    assert stacks.loc["parent-Child", "parent_resource"] == "Child"
    params = estate.parameters[estate.parameters["stack"] == "parent-Child"].set_index("name")
    assert params.loc["Stage", "value"] == "prod" and params.loc["Stage", "value_source"] == "parent"
    nested = estate.references[estate.references.kind == "NestedStack"]
    assert nested[["source_stack", "source", "target_stack"]].values.tolist() == [["parent", "Child", "parent-Child"]]
    getatt = estate.references[(estate.references.kind == "GetAtt") & (estate.references.source == "Outputs.ChildOut")]
    assert getatt.attribute.tolist() == ["Outputs.QueueArn"]


def test_sam_expanded_with_generated_by_and_raw_view(tmp_path):
    write(
        tmp_path,
        "svc/template.yaml",
        """\
        Transform: AWS::Serverless-2016-10-31
        Resources:
          Fn:
            Type: AWS::Serverless::Function
            Properties:
              Runtime: python3.12
              Handler: app.handler
              CodeUri: src/
              Events:
                Get: {Type: Api, Properties: {Path: /orders, Method: get}}
        """,
    )
    estate = iacviz.load(tmp_path)
    res = estate.resources.set_index("logical_id")
    assert res.loc["Fn", "type"] == "AWS::Lambda::Function"
    assert res.loc["FnRole", "type"] == "AWS::IAM::Role" and res.loc["FnRole", "generated_by"] == "Fn"
    assert "AWS::ApiGateway::RestApi" in set(res.type)
    raw = estate.raw_stacks[0].raw_template
    assert raw["Resources"]["Fn"]["Type"] == "AWS::Serverless::Function"
    assert estate.stacks["transform"][0] == "AWS::Serverless-2016-10-31"


def test_sam_error_is_a_row_and_raw_resources_remain(tmp_path):
    write(
        tmp_path,
        "bad.yaml",
        """\
        Transform: AWS::Serverless-2016-10-31
        Resources:
          Fn:
            Type: AWS::Serverless::Function
            Properties: {Runtime: python3.12}
        """,
    )
    estate = iacviz.load(tmp_path)
    assert estate.errors.message.str.startswith("SAM:").any()
    assert estate.resources.type.tolist() == ["AWS::Serverless::Function"]


def test_ebextensions_folder_is_one_stack_with_option_settings(tmp_path):
    write(
        tmp_path,
        "web/.ebextensions/01-options.config",
        """\
        option_settings:
          aws:elasticbeanstalk:application:environment:
            STAGE: prod
        """,
    )
    write(
        tmp_path,
        "web/.ebextensions/03-scaling.config",
        """\
        option_settings:
          - namespace: aws:autoscaling:asg
            option_name: MinSize
            value: 2
        """,
    )
    write(
        tmp_path,
        "web/.ebextensions/02-resources.config",
        """\
        Resources:
          Alarm:
            Type: AWS::CloudWatch::Alarm
            Properties:
              Dimensions:
                - Name: AutoScalingGroupName
                  Value: {Ref: AWSEBAutoScalingGroup}
        """,
    )
    estate = iacviz.load(tmp_path)
    assert estate.stacks["stack"].tolist() == ["web"] and estate.stacks.format[0] == "ebextension"
    res = estate.resources.set_index("logical_id")
    assert res.loc["AWSEBAutoScalingGroup", "generated_by"] == "ElasticBeanstalk"
    assert estate.errors[estate.errors.severity == "error"].empty
    settings = estate.option_settings
    assert set(zip(settings.namespace, settings.option_name, settings.value)) == {
        ("aws:elasticbeanstalk:application:environment", "STAGE", "prod"),
        ("aws:autoscaling:asg", "MinSize", 2),
    }


def test_cdk_assembly(tmp_path):
    out = tmp_path / "cdk.out"
    out.mkdir()
    template = {
        "Resources": {
            "Bucket83908E77": {"Type": "AWS::S3::Bucket", "Metadata": {"aws:cdk:path": "Storage/Bucket/Resource"}}
        },
        "Outputs": {"BucketName": {"Value": {"Ref": "Bucket83908E77"}, "Export": {"Name": "Storage:BucketName"}}},
    }
    (out / "Storage.template.json").write_text(json.dumps(template))
    (out / "App.template.json").write_text(json.dumps({"Resources": {"Fn": {"Type": "AWS::Lambda::Function"}}}))
    (out / "manifest.json").write_text(
        json.dumps(
            {
                "version": "36.0.0",
                "artifacts": {
                    "Storage.assets": {"type": "cdk:asset-manifest", "properties": {"file": "Storage.assets.json"}},
                    "Storage": {
                        "type": "aws:cloudformation:stack",
                        "properties": {"templateFile": "Storage.template.json"},
                        "dependencies": ["Storage.assets"],
                    },
                    "App": {
                        "type": "aws:cloudformation:stack",
                        "properties": {"templateFile": "App.template.json", "stackName": "prod-app"},
                        "dependencies": ["Storage"],
                        "metadata": {"/App/Fn/Resource": [{"type": "aws:cdk:logicalId", "data": "Fn"}]},
                    },
                },
            }
        )
    )
    estate = iacviz.load(tmp_path)
    stacks = estate.stacks.set_index("stack")
    assert sorted(stacks.index) == ["Storage", "prod-app"]
    assert stacks.loc["prod-app", "stack_dependencies"] == ["Storage"]
    assert (stacks.format == "cdk").all()
    paths = estate.resources.set_index("logical_id").cdk_path
    assert paths["Bucket83908E77"] == "Storage/Bucket/Resource" and paths["Fn"] == "App/Fn/Resource"


def test_modality_of_stacks(tmp_path):
    write(tmp_path, "data.yaml", "Resources:\n  T: {Type: AWS::DynamoDB::Table}\n")
    write(tmp_path, "fn.yaml", "Resources:\n  F: {Type: AWS::Lambda::Function}\n")
    write(tmp_path, "both.yaml", "Resources:\n  T: {Type: AWS::DynamoDB::Table}\n  F: {Type: AWS::Lambda::Function}\n")
    modality = iacviz.load(tmp_path).stacks.set_index("stack").modality.to_dict()
    assert modality == {"both": "mixed", "data": "persistent", "fn": "ephemeral"}


def test_estate_is_immutable_and_frames_documented():
    estate = iacviz.load_template({"Resources": {"Q": {"Type": "AWS::SQS::Queue"}}})
    with pytest.raises(AttributeError):
        estate.resources = None
    assert set(schema.describe("resources").column) == set(estate.resources.columns)


def test_sam_expansion_never_touches_the_network(tmp_path, monkeypatch):
    import socket

    def refuse(*args, **kwargs):
        raise AssertionError(f"network access attempted: {args}")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    write(
        tmp_path,
        "app.yaml",
        """\
        Transform: AWS::Serverless-2016-10-31
        Resources:
          Auth:
            Type: AWS::Serverless::Application
            Properties:
              Location:
                ApplicationId: arn:aws:serverlessrepo:us-east-1:123456789012:applications/auth
                SemanticVersion: 1.2.3
        """,
    )
    estate = iacviz.load(tmp_path)
    assert estate.errors.empty, estate.errors.to_dict("records")
    url = estate.properties.set_index("path").value["/properties/TemplateURL"]
    assert estate.resources.type.tolist() == ["AWS::CloudFormation::Stack"]
    assert url.startswith("sar://offline/auth/1.2.3")


def test_language_extensions_foreach_expanded(tmp_path):
    write(
        tmp_path,
        "buckets.yaml",
        """\
        Transform: AWS::LanguageExtensions
        Parameters:
          Teams: {Type: CommaDelimitedList, Default: "red,blue"}
        Resources:
          Fn::ForEach::Buckets:
            - Team
            - !Ref Teams
            - Bucket${Team}:
                Type: AWS::S3::Bucket
                Properties:
                  BucketName: !Sub 'shop-${Team}-&{Team}'
        Outputs:
          Fn::ForEach::Arns:
            - Team
            - [red, blue]
            - Arn${Team}:
                Value: !GetAtt [!Sub 'Bucket${Team}', Arn]
        """,
    )
    estate = iacviz.load(tmp_path, parameters={"buckets": {"Teams": "red,green-1"}})
    assert sorted(estate.resources.logical_id) == ["Bucketgreen-1", "Bucketred"]
    names = estate.properties.set_index("logical_id").value
    assert names["Bucketgreen-1"] == "shop-green-1-green1"  # a Sub left without variables is its text
    refs = estate.references[estate.references.source == "Outputs.Arnblue"]
    assert refs[["kind", "target", "attribute"]].values.tolist() == [["GetAtt", "Bucketblue", "Arn"]]
    # Bucketblue exists only with the default list: with the user's list the GetAtt is dangling.
    assert estate.errors.message.str.contains("Bucketblue").any()


def test_foreach_collection_from_a_mapping_keyed_by_a_parameter(tmp_path):
    # Real templates pick the loop's list from a mapping by an environment parameter.
    write(
        tmp_path,
        "topics.yaml",
        """\
        Transform: AWS::LanguageExtensions
        Parameters:
          Env: {Type: String, AllowedValues: [dev, prod]}
        Mappings:
          Topics:
            dev: {Names: [a, b], Retention: 1}
            prod: {Names: [c], Retention: 7}
        Resources:
          Fn::ForEach::Topics:
            - Name
            - !FindInMap [Topics, !Ref Env, Names]
            - Topic${Name}:
                Type: AWS::SQS::Queue
                Properties:
                  MessageRetentionPeriod: !FindInMap [Topics, !Ref Env, Retention, {DefaultValue: 4}]
        """,
    )
    # Env unknown: the loop is left out, with a warning naming it.
    estate = iacviz.load(tmp_path)
    assert estate.resources.empty
    assert estate.errors.message.str.contains("Fn::ForEach::Topics: its collection is not known offline").any()
    estate = iacviz.load(tmp_path, parameters={"Env": "prod"})
    assert estate.errors.empty, estate.errors.to_dict("records")
    assert estate.resources.logical_id.tolist() == ["Topicc"]
    assert estate.properties.set_index("logical_id").value["Topicc"] == 7


@pytest.mark.parametrize(
    "name",
    [
        *(p.replace("*", "x") for p, _ in _NOT_CLOUDFORMATION),
        *(p.replace("*", "") for p, _ in _NOT_CLOUDFORMATION),
        "template.yaml", "package.json.bak", "xpackage.json", "tsconfig.json", "docker-compose.prod.yaml",
        "compose.yml", "Compose.yml", "serverless.yaml", ".eslintrc", "a.code-workspace", "cdk.out",
    ],
)  # fmt: skip
def test_files_skipped_by_name_follow_each_pattern(name):
    # The one-regex pre-filter must answer as the patterns themselves, one by one.
    import fnmatch

    from iacviz.sources.files import _not_cloudformation

    expected = next((why for pattern, why in _NOT_CLOUDFORMATION if fnmatch.fnmatch(name, pattern)), None)
    assert _not_cloudformation(name) == expected
