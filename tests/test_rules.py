"""Review rules: every rule fires on a small bad estate and stays quiet on a good one; metadata; review()."""

from __future__ import annotations

import importlib
import re
import textwrap
from pathlib import Path

import pandas as pd
import pytest

import iacviz
from iacviz import schema
from iacviz.errors import IacvizError
from iacviz.rules import Rule, catalogue_markdown, discover, review
from iacviz.rules._base import metadata_problems
from iacviz.sources.raw import RawStack

ROOT = Path(__file__).resolve().parents[1]


def estate_of(tmp_path: Path, files: dict[str, str], **load_options):
    for rel, text in files.items():
        path = tmp_path / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text))
    return iacviz.load(tmp_path, **load_options)


def fired(estate, rule_id: str, **options) -> list[tuple[str, str]]:
    config = {rule_id: options} if options else None
    found = review(estate, rules=[rule_id], config=config)
    assert set(found.rule_id) <= {rule_id}
    return [
        (s if isinstance(s, str) else None, lid if isinstance(lid, str) else None)
        for s, lid in zip(found["stack"], found.logical_id)
    ]


NET = """\
Resources:
  Vpc: {Type: AWS::EC2::VPC, Properties: {CidrBlock: 10.0.0.0/16}}
Outputs:
  VpcId: {Value: !Ref Vpc, Export: {Name: net-VpcId}}
"""


def importer(name: str) -> str:
    return f"""\
Resources:
  Sg{name}:
    Type: AWS::EC2::SecurityGroup
    Properties: {{GroupDescription: x, VpcId: !ImportValue net-VpcId}}
"""


KEPT = "DeletionPolicy: Retain\n    UpdateReplacePolicy: Retain"

# rule id -> (files that make it fire, expected (stack, logical_id) findings, files that do not, options)
CASES = {
    "W1001": (
        {
            "app.yaml": f"Resources:\n  T:\n    Type: AWS::DynamoDB::Table\n    {KEPT}\n"
            "  F: {Type: AWS::Lambda::Function}\n"
        },
        [("app", None)],
        {
            "data.yaml": f"Resources:\n  T:\n    Type: AWS::DynamoDB::Table\n    {KEPT}\n",
            "fn.yaml": "Resources:\n  F: {Type: AWS::Lambda::Function}\n",
        },
        {},
    ),
    "E1003": (
        {
            "a.yaml": "Resources:\n  T: {Type: AWS::SNS::Topic}\n  S:\n    Type: AWS::SNS::Subscription\n"
            "    Properties: {TopicArn: !Ref T, Protocol: sqs, Endpoint: !ImportValue b-Arn}\n"
            "Outputs:\n  Arn: {Value: !Ref T, Export: {Name: a-Arn}}\n",
            "b.yaml": "Resources:\n  T: {Type: AWS::SNS::Topic}\n  S:\n    Type: AWS::SNS::Subscription\n"
            "    Properties: {TopicArn: !Ref T, Protocol: sqs, Endpoint: !ImportValue a-Arn}\n"
            "Outputs:\n  Arn: {Value: !Ref T, Export: {Name: b-Arn}}\n",
        },
        [("a", None)],
        {"net.yaml": NET, "app.yaml": importer("A")},
        {},
    ),
    "W2001": (
        {"net.yaml": NET, "a.yaml": importer("A"), "b.yaml": importer("B"), "c.yaml": importer("C")},
        [("net", "Outputs.VpcId")],
        {"net.yaml": NET, "a.yaml": importer("A"), "b.yaml": importer("B")},
        {},
    ),
    "E2002": (
        {"app.yaml": importer("A")},
        [("app", "SgA")],
        {"net.yaml": NET, "app.yaml": importer("A")},
        {},
    ),
    "I2003": (
        {"net.yaml": NET},
        [("net", "Outputs.VpcId")],
        {"net.yaml": NET, "app.yaml": importer("A")},
        {},
    ),
    "W3001": (
        {
            "data.yaml": """\
            Resources:
              Table: {Type: AWS::DynamoDB::Table}
              Db:
                Type: AWS::RDS::DBInstance
                DeletionPolicy: Snapshot
                Properties: {Engine: postgres, DBInstanceClass: db.t3.micro}
              Bucket:
                Type: AWS::S3::Bucket
                DeletionPolicy: Snapshot
                UpdateReplacePolicy: Retain
            """
        },
        [("data", "Bucket"), ("data", "Db"), ("data", "Table")],
        {
            "data.yaml": f"""\
            Resources:
              Table:
                Type: AWS::DynamoDB::Table
                {KEPT.replace(chr(10) + "    ", chr(10) + "                ")}
              Db:
                Type: AWS::RDS::DBInstance
                DeletionPolicy: Snapshot
                UpdateReplacePolicy: Snapshot
                Properties: {{Engine: postgres, DBInstanceClass: db.t3.micro}}
              Fn: {{Type: AWS::Lambda::Function}}
            """
        },
        {},
    ),
    "W4001": (  # only replacements that lose data or that CloudFormation refuses (custom names)
        {
            "data.yaml": "Parameters: {Name: {Type: String}, Kind: {Type: String}}\nResources:\n"
            "  Table: {Type: AWS::DynamoDB::Table, Properties: {TableName: !Ref Name}}\n"
            "  Q: {Type: AWS::SQS::Queue, Properties: {QueueName: jobs, FifoQueue: !Ref Kind}}\n",
            "net.yaml": NET,
            "app.yaml": importer("A").replace("GroupDescription: x", "GroupDescription: x, GroupName: a"),
        },
        [("app", "SgA"), ("data", "Table"), ("data", "Q")],
        {
            "net.yaml": "Parameters: {Cidr: {Type: String}}\nResources:\n"
            "  Vpc: {Type: AWS::EC2::VPC, Properties: {CidrBlock: !Ref Cidr}}\n",
            "app.yaml": importer("A"),
            "exp.yaml": NET,
        },
        {},
    ),
    "I4003": (  # the other replacements: one line per stack
        {
            "net.yaml": "Parameters: {Cidr: {Type: String}}\nResources:\n"
            "  Vpc: {Type: AWS::EC2::VPC, Properties: {CidrBlock: !Ref Cidr}}\n",
            "app.yaml": importer("A") + "  SgB:\n    Type: AWS::EC2::SecurityGroup\n"
            "    Properties: {GroupDescription: x, VpcId: !ImportValue net-VpcId}\n",
        },
        [("app", None), ("net", None)],
        {"net.yaml": NET},
        {},
    ),
    "W4002": (
        {"q.yaml": "Resources:\n  Q: {Type: AWS::SQS::Queue, Properties: {QueueName: jobs}}\n"},
        [("q", "Q")],
        {
            "q.yaml": "Resources:\n  Q: {Type: AWS::SQS::Queue}\n"
            "  L: {Type: AWS::Logs::LogGroup, Properties: {LogGroupName: /jobs}}\n"
        },
        {},
    ),
    "W5001": (
        {
            "app.yaml": """\
            Resources:
              Web:
                Type: AWS::EC2::Instance
                Properties: {ImageId: ami-0123456789abcdef0, SubnetId: subnet-0a1b2c3d}
              Role:
                Type: AWS::IAM::Role
                Properties:
                  AssumeRolePolicyDocument:
                    Statement: [{Effect: Allow, Principal: {AWS: 'arn:aws:iam::123456789012:root'},
                                 Action: 'sts:AssumeRole'}]
            """
        },
        [("app", "Role"), ("app", "Web"), ("app", "Web")],
        {
            "app.yaml": """\
            Resources:
              Role:
                Type: AWS::IAM::Role
                Properties:
                  AssumeRolePolicyDocument:
                    Statement: [{Effect: Allow, Principal: {AWS: !Sub 'arn:${AWS::Partition}:iam::${AWS::AccountId}:root'},
                                 Action: 'sts:AssumeRole'}]
                  ManagedPolicyArns: ['arn:aws:iam::aws:policy/ReadOnlyAccess']
            """
        },
        {},
    ),
}


@pytest.mark.parametrize("rule_id", sorted(CASES))
def test_rule_fires_on_bad_and_not_on_good(tmp_path, rule_id):
    bad, expected, good, options = CASES[rule_id]
    assert sorted(fired(estate_of(tmp_path / "bad", bad), rule_id, **options)) == sorted(expected)
    assert fired(estate_of(tmp_path / "good", good), rule_id, **options) == []


def test_stateful_rule_names_the_policies_and_defaults(tmp_path):
    e = estate_of(tmp_path, {"data.yaml": CASES["W3001"][0]["data.yaml"]})
    msg = review(e, rules=["W3001"]).set_index("logical_id").message
    assert msg["Db"].endswith("is lost when it is replaced: UpdateReplacePolicy is Delete (the default)")
    assert "Snapshot, which AWS::S3::Bucket does not support" in msg["Bucket"]
    assert "DeletionPolicy is Delete (the default) and UpdateReplacePolicy is Delete (the default)" in msg["Table"]


def test_nested_depth_against_its_option(tmp_path):
    files = {
        "root.yaml": "Resources:\n  Child: {Type: AWS::CloudFormation::Stack, Properties: {TemplateURL: ./nested/child.yaml}}\n",
        "child.yaml": "Resources:\n  Leaf: {Type: AWS::CloudFormation::Stack, Properties: {TemplateURL: ./leaf.yaml}}\n",
        "leaf.yaml": "Resources:\n  Q: {Type: AWS::SQS::Queue}\n",
    }
    e = estate_of(
        tmp_path,
        {
            "root.yaml": files["root.yaml"],
            "nested/child.yaml": files["child.yaml"],
            "nested/leaf.yaml": files["leaf.yaml"],
        },
    )
    depth = {s: p for s, p in zip(e.stacks["stack"], e.stacks.parent_stack)}
    deepest = [s for s in depth if isinstance(depth[s], str) and isinstance(depth.get(depth[s]), str)]
    assert deepest, f"the loader should nest three levels: {depth}"
    assert fired(e, "W1002") == []  # default limit 2
    assert fired(e, "W1002", max_depth=1) == [(deepest[0], "Leaf")]


def test_create_only_rule_says_what_drives_it(tmp_path):
    e = estate_of(tmp_path / "w", CASES["W4001"][0])
    msg = review(e, rules=["W4001"]).set_index("logical_id").message
    assert "TableName from parameter Name is create-only" in msg["Table"] and "data is lost" in msg["Table"]
    assert "VpcId from import net-VpcId" in msg["SgA"] and "refuses while GroupName is set" in msg["SgA"]
    e = estate_of(tmp_path / "i", CASES["I4003"][0])
    msg = review(e, rules=["I4003"]).set_index("stack").message
    assert msg["net"] == (
        "1 resource of net is replaced when a parameter or an import it reads changes: "
        "Vpc (CidrBlock from parameter Cidr)"
    )
    assert (
        msg["app"].startswith("2 resources of app are replaced") and "SgB (VpcId from import net-VpcId)" in msg["app"]
    )


def test_hard_coded_values_are_named(tmp_path):
    e = estate_of(tmp_path, CASES["W5001"][0])
    text = " | ".join(review(e, rules=["W5001"]).message)
    for needle in (
        "resource id 'ami-0123456789abcdef0'",
        "resource id 'subnet-0a1b2c3d'",
        "ARN 'arn:aws:iam::123456789012:root' (account 123456789012)",
    ):
        assert needle in text
    assert fired(e, "W5001", allowed=["123456789012", "ami-0123456789abcdef0", "subnet-0a1b2c3d"]) == []


def _live_estate(drift: str, unmanaged: list[dict] | None = None):
    raw = RawStack(
        "jobs",
        "live:123456789012/eu-west-1/jobs",
        "live",
        {"Resources": {"Q": {"Type": "AWS::SQS::Queue", "DeletionPolicy": "Retain"}}},
        account="123456789012",
        region="eu-west-1",
        live_resources={
            "Q": {
                "physical_id": "https://sqs/jobs-Q-1",
                "resource_status": "UPDATE_COMPLETE",
                "drift_status": drift,
                "resource_type": "AWS::SQS::Queue",
            }
        },
    )
    estate = iacviz.build_estate([raw], [])
    if unmanaged is not None:
        importlib.import_module("iacviz.model.live")  # declares the unmanaged frame
        estate = estate.replace(unmanaged=schema.frame("unmanaged", unmanaged))
    return estate


@pytest.mark.parametrize(
    "status, expected",
    [("MODIFIED", [("jobs", "Q")]), ("DELETED", [("jobs", "Q")]), ("IN_SYNC", []), ("NOT_CHECKED", [])],
)
def test_drift(status, expected):
    assert fired(_live_estate(status), "W6001") == expected


def test_drift_message():
    (msg,) = review(_live_estate("DELETED"), rules=["W6001"]).message
    assert msg == "Q (https://sqs/jobs-Q-1) was deleted outside CloudFormation (drift status DELETED)"


def test_unmanaged():
    row = {
        "account": "123456789012",
        "region": "eu-west-1",
        "service": "S3",
        "type": "AWS::S3::Bucket",
        "id": "clickops-reports",
        "arn": "arn:aws:s3:::clickops-reports",
        "tags": {"owner": "clickops"},
    }
    found = review(_live_estate("IN_SYNC", [row]), rules=["I6002"])
    assert found[["logical_id", "severity"]].values.tolist() == [["clickops-reports", "info"]]
    assert found["stack"].isna().all() and "no stack manages it" in found.message[0]
    assert fired(_live_estate("IN_SYNC", []), "I6002") == []
    assert fired(iacviz.load_template({"Resources": {}}), "I6002") == []  # files: no unmanaged frame
    assert fired(_live_estate("IN_SYNC", [row]), "I6002", ignore_types=["AWS::S3::Bucket"]) == []


# -- metadata and catalogue --------------------------------------------------------------------


def test_every_rule_has_full_and_unique_metadata():
    rules = discover()
    assert len(rules) >= 12
    problems = {r.__name__: metadata_problems(r) for r in rules if metadata_problems(r)}
    assert problems == {}
    for attr in ("id", "title", "description"):
        values = [getattr(r, attr) for r in rules]
        assert len(values) == len(set(values)), f"duplicate {attr}"
    numbers = [r.id[1:] for r in rules]
    assert len(numbers) == len(set(numbers)), "a number is used with two severity letters"
    for r in rules:
        path = Path(__import__(r.__module__, fromlist=["x"]).__file__)
        assert path.stem == r.__name__, "one rule per file, file named like the class"
        assert r.severity == {"E": "error", "W": "warning", "I": "info"}[r.id[0]]
        assert all(v is not None for v in r.config.values())
        assert r.__doc__ and ">>>" in r.__doc__, f"{r.__name__} needs a docstring with an example"


def test_every_rule_is_covered_by_a_test_here():
    tested = set(CASES) | {"W1002", "W6001", "I6002"}
    assert {r.id for r in discover()} <= tested


def test_docs_rules_md_is_up_to_date():
    current = (ROOT / "docs" / "rules.md").read_text(encoding="utf-8")
    assert current == catalogue_markdown(), "regenerate: python -m iacviz.rules --markdown > docs/rules.md"
    for rule in discover():
        assert f"### {rule.id}: {rule.title}" in current


# -- review() ----------------------------------------------------------------------------------

TABLE = {"Resources": {"Table": {"Type": "AWS::DynamoDB::Table"}, "Fn": {"Type": "AWS::Lambda::Function"}}}


def test_findings_frame_is_declared_and_sorted():
    found = review(iacviz.load_template(TABLE, stack="app"))
    assert list(found.columns) == schema.columns("findings")
    assert found.rule_id.tolist() == ["W1001", "W3001"]
    assert found.title[0] == "Stack mixes persistent and ephemeral resources" and found.fix[0]
    assert str(found.severity.dtype) == str(pd.Series(dtype="string").dtype)


def test_disable_and_select():
    e = iacviz.load_template(TABLE, stack="app")
    assert review(e, disable=["W1001"]).rule_id.tolist() == ["W3001"]
    assert review(e, disable="W1001,W3001").empty
    assert review(e, rules=["W3001"]).rule_id.tolist() == ["W3001"]
    with pytest.raises(IacvizError, match="unknown rule id W9999"):
        review(e, disable=["W9999"])


def test_config_is_typed():
    e = iacviz.load_template(TABLE, stack="app")
    with pytest.raises(IacvizError, match="must be int"):
        review(e, config={"W2001": {"threshold": "3"}})
    with pytest.raises(IacvizError, match="has no option 'treshold'"):
        review(e, config={"W2001": {"treshold": 3}})
    assert review(e, config={"W3001": {"ignore_types": ["AWS::DynamoDB::Table"]}}, rules=["W3001"]).empty


class TooManyResources(Rule):
    """A user's rule: stacks with more than `limit` resources."""

    id = "W9001"
    title = "Too many resources"
    description = "A test rule."
    fix = "Split the stack."
    source_url = "https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/cloudformation-limits.html"
    tags = ("test",)
    config = {"limit": 1}

    def check(self, estate, config):
        for stack, n in zip(estate.stacks["stack"], estate.stacks.n_resources):
            if n > config["limit"]:
                yield {"stack": stack, "message": f"{stack} has {n} resources"}


def test_extra_rules_as_classes_and_as_a_folder(tmp_path):
    e = iacviz.load_template(TABLE, stack="app")
    found = review(e, extra_rules=[TooManyResources], rules=["W9001"])
    assert found[["rule_id", "severity", "message", "fix"]].values.tolist() == [
        ["W9001", "warning", "app has 2 resources", "Split the stack."]
    ]
    assert review(e, extra_rules=[TooManyResources], rules=["W9001"], config={"W9001": {"limit": 5}}).empty
    assert review(e, rules=[TooManyResources]).rule_id.tolist() == ["W9001"]  # a class in `rules` is enough
    folder = tmp_path / "my_rules"
    folder.mkdir()
    (folder / "NoQueues.py").write_text(
        textwrap.dedent("""\
        from iacviz.rules import Rule

        class NoQueues(Rule):
            id, title, description, fix = "I9101", "No queues", "Finds queues.", "Remove it."
            source_url = "https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/"
            tags = ("test",)

            def check(self, estate, config):
                for r in estate.resources[estate.resources.type == "AWS::SQS::Queue"].itertuples():
                    yield self.finding(r.stack, r.logical_id, "a queue")
        """)
    )
    (folder / "_helpers.py").write_text("raise RuntimeError('helpers are not rule files')\n")
    q = iacviz.load_template(
        {"Resources": {"Q": {"Type": "AWS::SQS::Queue", "DeletionPolicy": "Retain", "UpdateReplacePolicy": "Retain"}}},
        stack="jobs",
    )
    found = review(q, extra_rules=[str(folder)])
    assert found[["rule_id", "stack", "logical_id", "severity"]].values.tolist() == [["I9101", "jobs", "Q", "info"]]
    with pytest.raises(IacvizError, match="two rules share the id"):
        review(q, extra_rules=[TooManyResources, type("Other", (TooManyResources,), {})])


def test_the_rule_written_in_the_docs_works(tmp_path):
    doc = (ROOT / "docs" / "rules.md").read_text(encoding="utf-8")
    code = doc.split("## Writing a rule")[1].split("```python\n")[1].split("```")[0]
    folder = tmp_path / "my_rules"
    folder.mkdir()
    (folder / "QueueWithoutDeadLetter.py").write_text(code)
    e = iacviz.load(iacviz.data.sample_estate())
    found = review(e, extra_rules=[str(folder)], rules=["W9001"])
    assert set(found.logical_id) == {"OrdersDeadLetterQueue", "CartEventsDeadLetterQueue"}
    assert review(
        e,
        extra_rules=[str(folder)],
        rules=["W9001"],
        config={"W9001": {"ignore": ["OrdersDeadLetterQueue", "CartEventsDeadLetterQueue"]}},
    ).empty


def test_a_failing_rule_is_named():
    class Broken(TooManyResources):
        id = "W9002"

        def check(self, estate, config):
            raise KeyError("oops")

    with pytest.raises(IacvizError, match=re.escape("rule W9002 (Broken) failed: KeyError")):
        review(iacviz.load_template(TABLE), extra_rules=[Broken])


def test_sample_estate_review_matches_its_readme():
    e = iacviz.load(iacviz.data.sample_estate())
    found = review(e)
    by_rule = {rule: set(group.logical_id.dropna()) for rule, group in found.groupby("rule_id")}
    assert {"Db", "OrdersTable"} <= by_rule["W3001"]  # README: Db unprotected on replacement, table unprotected
    assert not {"AssetsBucket", "DataKey", "WafLogGroup"} & by_rule["W3001"]  # fully protected
    # the leftover export, and the four every Amplify root stack exports (imported by nobody)
    unused = {"Outputs.DbEndpointAddress", "Outputs.Region", "Outputs.StackName", "Outputs.StackId"}
    assert by_rule["I2003"] == unused | {"Outputs.DeploymentBucketName"}
    assert "DynamoDBTable" in by_rule["W3001"]  # the Amplify storage table: the CLI sets no policy
    assert {"Outputs.PrivateSubnetIds", "Outputs.AppSecurityGroupId"} <= by_rule["W2001"]
    assert not (found.severity == "error").any()  # no cycles, no dangling imports


@pytest.mark.parametrize(
    "rule_id, kind", [("E2002", "dangling import"), ("I2003", "unused export"), ("E1003", "stack cycle")]
)
def test_export_rules_report_exactly_the_export_problems(tmp_path, rule_id, kind):
    # One home: the rules read export_problems, so a finding and its problem row never drift apart.
    files = {**CASES[rule_id][0], **({"other.yaml": importer("Z")} if rule_id == "E2002" else {})}
    for rel, text in files.items():
        (tmp_path / rel).write_text(textwrap.dedent(text))
    estate = iacviz.load(tmp_path)
    problems = iacviz.export_problems(estate)
    problems = problems[problems["kind"] == kind]
    found = review(estate, rules=[rule_id])
    assert len(problems) >= 1

    def plain(frame):
        return [[None if pd.isna(v) else v for v in row] for row in frame.astype(object).values.tolist()]

    assert sorted(plain(found[["stack", "logical_id", "message"]]), key=str) == sorted(
        plain(problems[["stack", "source", "message"]]), key=str
    )
