"""Estates deployed in several accounts, regions and environments: the estate file's
``environments:`` section, stack keys, and exports scoped per account and region."""

from __future__ import annotations

import json

import pytest

import iacviz
from iacviz.errors import IacvizError
from iacviz.model.identity import resolve_stack, split_target
from estate_files import write

ESTATE = """\
environments:
  prod: {account: "111111111111", regions: [eu-west-1, us-east-1], parameters: {Env: prod}}
  dev:  {account: "222222222222", regions: [eu-west-1], parameters: {Env: dev}}
stacks:
  net: {template: net.json}                        # deployed in every environment and region
  app: {template: app.json, environments: [prod]}  # only in prod (both regions)
"""
NET = {
    "Parameters": {"Env": {"Type": "String"}},
    "Resources": {
        "Vpc": {
            "Type": "AWS::EC2::VPC",
            "Properties": {"CidrBlock": "10.0.0.0/16", "Tags": [{"Key": "env", "Value": {"Ref": "Env"}}]},
        }
    },
    "Outputs": {"VpcId": {"Value": {"Ref": "Vpc"}, "Export": {"Name": "net-VpcId"}}},
}
APP = {
    "Parameters": {"Env": {"Type": "String"}, "Size": {"Type": "String", "Default": "small"}},
    "Resources": {
        "Sg": {
            "Type": "AWS::EC2::SecurityGroup",
            "Properties": {
                "GroupDescription": {"Fn::Sub": "${Env} ${AWS::Region} ${AWS::AccountId}"},
                "VpcId": {"Fn::ImportValue": "net-VpcId"},
            },
        }
    },
}


@pytest.fixture
def five(tmp_path):
    write(tmp_path, "iacviz-estate.yaml", ESTATE)
    write(tmp_path, "net.json", json.dumps(NET))
    write(tmp_path, "app.json", json.dumps(APP))
    return iacviz.load(tmp_path)


def test_the_issue_example_has_five_stacks_with_their_places(five):
    st = five.stacks.sort_values("stack")
    assert five.errors.empty, five.errors.message.tolist()
    assert st[["stack", "stack_name", "account", "region", "environment"]].values.tolist() == [
        ["app@prod:eu-west-1", "app", "111111111111", "eu-west-1", "prod"],
        ["app@prod:us-east-1", "app", "111111111111", "us-east-1", "prod"],
        ["net@dev:eu-west-1", "net", "222222222222", "eu-west-1", "dev"],
        ["net@prod:eu-west-1", "net", "111111111111", "eu-west-1", "prod"],
        ["net@prod:us-east-1", "net", "111111111111", "us-east-1", "prod"],
    ]
    assert five.stacks["stack"].is_unique and five.resources.groupby("stack").size().eq(1).all()


def test_each_app_imports_the_net_of_its_own_account_and_region(five):
    imp = five.imports.sort_values("stack")
    assert imp[["stack", "export_stack", "link"]].values.tolist() == [
        ["app@prod:eu-west-1", "net@prod:eu-west-1", "exact"],
        ["app@prod:us-east-1", "net@prod:us-east-1", "exact"],
    ]
    problems = five.export_problems
    # same export name in three account-regions: no duplicate; dev's net has no importer there
    assert problems[["kind", "stack"]].values.tolist() == [["unused export", "net@dev:eu-west-1"]]
    assert sorted(iacviz.stack_graph(five).edges) == [
        ("app@prod:eu-west-1", "net@prod:eu-west-1"),
        ("app@prod:us-east-1", "net@prod:us-east-1"),
    ]


def test_parameters_follow_the_environment(five):
    values = dict(zip(five.parameters["stack"] + "." + five.parameters.name, five.parameters.value))
    assert values["net@dev:eu-west-1.Env"] == "dev" and values["net@prod:us-east-1.Env"] == "prod"
    assert values["app@prod:us-east-1.Size"] == "small"


def test_a_blast_radius_stays_inside_one_account_region(five):
    blast = iacviz.blast_radius(five, "net@prod:eu-west-1/Vpc")
    assert set(blast["stack"]) == {"net@prod:eu-west-1", "app@prod:eu-west-1"}
    # other spellings of the same target
    same = iacviz.blast_radius(five, "net@eu-west-1:prod/Vpc")
    assert same["stack"].tolist() == blast["stack"].tolist()
    with pytest.raises(IacvizError, match="ambiguous.*net@prod:eu-west-1"):
        iacviz.blast_radius(five, "net/Vpc")
    assert iacviz.blast_radius(five, "app@prod:us-east-1/Sg")["stack"].unique().tolist() == ["app@prod:us-east-1"]


def test_user_spellings_of_a_stack_resolve_to_the_key(five):
    st = five.stacks
    assert resolve_stack(st, "net@dev") == "net@dev:eu-west-1"
    assert resolve_stack(st, "net@222222222222") == "net@dev:eu-west-1"
    assert resolve_stack(st, "net@111111111111:us-east-1") == "net@prod:us-east-1"
    assert split_target(st, "app@us-east-1/Sg") == ("app@prod:us-east-1", "Sg")
    with pytest.raises(IacvizError, match="ambiguous"):
        resolve_stack(st, "app")
    with pytest.raises(IacvizError, match="no stack"):
        resolve_stack(st, "net@test")
    assert len(five.stack("net@dev").resources) == 1


def test_parameters_merge_environment_then_stack_then_environment_and_stack(tmp_path):
    write(
        tmp_path,
        "iacviz-estate.yaml",
        """\
        environments:
          prod: {account: "111111111111", regions: [eu-west-1], parameters: {A: env, B: env, C: env}}
          dev:  {account: "222222222222", regions: [eu-west-1], parameters: {A: env, B: env, C: env}}
        stacks:
          app:
            template: app.json
            parameters: {B: stack, C: stack}
            environments: {prod: {C: both}, dev: }
        """,
    )
    write(
        tmp_path,
        "app.json",
        json.dumps(
            {"Parameters": {k: {"Type": "String"} for k in "ABC"}, "Resources": {"Q": {"Type": "AWS::SQS::Queue"}}}
        ),
    )
    e = iacviz.load(tmp_path)
    got = {(s, n): v for s, n, v in zip(e.parameters["stack"], e.parameters.name, e.parameters.value)}
    assert [got[("app@prod:eu-west-1", k)] for k in "ABC"] == ["env", "stack", "both"]
    assert [got[("app@dev:eu-west-1", k)] for k in "ABC"] == ["env", "stack", "stack"]
    assert e.stacks.environment.tolist() == ["prod", "dev"]


def test_without_environments_nothing_changes(tmp_path):
    write(tmp_path, "iacviz-estate.yaml", "stacks:\n  net: {template: net.json}\n")
    write(tmp_path, "net.json", json.dumps(NET))
    e = iacviz.load(tmp_path)
    assert e.stacks[["stack", "stack_name"]].values.tolist() == [["net", "net"]]
    assert e.stacks.account.isna().all() and e.stacks.environment.isna().all()


def test_mistakes_in_the_environments_section_are_rows_naming_the_line(tmp_path):
    write(
        tmp_path,
        "iacviz-estate.yaml",
        """\
        environments:
          prod: {account: 111111111111, regions: [eu-west-1]}
          dev:
            account: "12345"
            regions: eu-west-9x
          test: [1, 2]
        stacks:
          net: {template: net.json}
          app:
            template: app.json
            environments: [prod, staging]
        """,
    )
    write(tmp_path, "net.json", json.dumps(NET))
    write(tmp_path, "app.json", json.dumps(APP))
    e = iacviz.load(tmp_path)
    rows = sorted(zip(e.errors.line.tolist(), e.errors.message.tolist()))
    assert all(src == "iacviz-estate.yaml" for src in e.errors.source)
    lines = [line for line, _ in rows]
    assert lines == [3, 3, 6, 11], rows
    assert "12-digit" in rows[0][1] or "12-digit" in rows[1][1]
    assert "not an AWS region" in " ".join(m for _, m in rows[:2])
    assert "environment test" in rows[2][1]
    assert "unknown environment 'staging'" in rows[3][1]
    # prod still loads: the account number YAML read as an int is kept as text
    assert set(e.stacks.loc[e.stacks.environment == "prod", "account"]) == {"111111111111"}
    assert (e.stacks["stack"] == "app").sum() + (e.stacks.stack_name == "app").sum() >= 1


def test_the_example_renders_as_an_export_map(five):
    from iacviz.views import export_map

    fig = export_map(five.stacks, five.imports, five.exports)
    nodes = {n["stack"] for n in fig.layout.meta["nodes"]}
    assert nodes == set(five.stacks["stack"])
    edges = {(e["from"], e["to"]) for e in fig.layout.meta["edges"]}
    assert edges == {("net@prod:eu-west-1", "app@prod:eu-west-1"), ("net@prod:us-east-1", "app@prod:us-east-1")}
    html = fig.to_html(include_plotlyjs=False)
    assert "net@dev:eu-west-1" in html


def test_a_literal_arn_of_another_account_is_called_cross_account(tmp_path):
    write(tmp_path, "iacviz-estate.yaml", ESTATE)
    write(tmp_path, "net.json", json.dumps(NET))
    app = json.loads(json.dumps(APP))
    app["Resources"]["Topic"] = {
        "Type": "AWS::SNS::Subscription",
        "Properties": {"Protocol": "sqs", "TopicArn": "arn:aws:sns:eu-west-1:222222222222:alerts", "Endpoint": "x"},
    }
    write(tmp_path, "app.json", json.dumps(app))
    findings = iacviz.review(iacviz.load(tmp_path), rules=["W5001"])
    by_stack = dict(zip(findings["stack"], findings.message))
    # prod's account is 111111111111: the ARN names another account (and, in us-east-1, another region)
    assert "cross-account dependency" in by_stack["app@prod:eu-west-1"]
    assert "another region than the stack's (eu-west-1)" in by_stack["app@prod:us-east-1"]
    # offline without environments the stack's account is unknown: nothing is claimed
    write(tmp_path / "plain", "app.json", json.dumps(app))
    plain = iacviz.review(iacviz.load(tmp_path / "plain"), rules=["W5001"])
    assert "cross-account" not in " ".join(plain.message)
