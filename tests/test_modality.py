"""Tests of iacviz.cfn.modality: type table, classification, stack modality, deletion defaults.

Expected values follow the CloudFormation documentation (DeletionPolicy attribute page for the
RDS Snapshot default, the list of snapshot-capable types) and cfn-lint's StatefulResources.json.
"""

from __future__ import annotations

import json
from importlib import resources
from pathlib import Path

import pandas as pd
import pytest

from iacviz.errors import IacvizError
from iacviz.cfn import modality as m
from iacviz.cfn import policies

CORPUS = Path(__file__).resolve().parents[1].parent / "shared" / "corpus"


@pytest.fixture(autouse=True)
def builtin_table():
    """Every test starts and ends with the built-in table (load_table changes global state)."""
    m.load_table()
    yield
    m.load_table()


@pytest.mark.parametrize(
    "rtype, expected",
    [
        ("AWS::EC2::VPC", ("persistent", False)),
        ("AWS::EC2::SecurityGroup", ("persistent", False)),
        ("AWS::KMS::Key", ("persistent", True)),
        ("AWS::IAM::Role", ("persistent", False)),
        ("AWS::S3::Bucket", ("persistent", True)),
        ("AWS::DynamoDB::Table", ("persistent", True)),
        ("AWS::RDS::DBCluster", ("persistent", True)),
        ("AWS::SQS::Queue", ("persistent", True)),
        ("AWS::SNS::Topic", ("persistent", False)),
        ("AWS::Logs::LogGroup", ("persistent", True)),
        ("AWS::CloudWatch::Alarm", ("persistent", False)),
        ("AWS::Route53::RecordSet", ("persistent", False)),
        ("AWS::WAFv2::WebACL", ("persistent", False)),
        ("AWS::CertificateManager::Certificate", ("persistent", False)),
        ("AWS::Lambda::Function", ("ephemeral", False)),
        ("AWS::Lambda::Permission", ("ephemeral", False)),
        ("AWS::Lambda::EventSourceMapping", ("ephemeral", False)),
        ("AWS::ECS::TaskDefinition", ("ephemeral", False)),
        ("AWS::EC2::Instance", ("ephemeral", False)),
        ("AWS::EC2::LaunchTemplate", ("ephemeral", False)),
        ("AWS::AutoScaling::AutoScalingGroup", ("ephemeral", False)),
        ("AWS::ElasticBeanstalk::Environment", ("ephemeral", False)),
        ("AWS::ApiGateway::Deployment", ("ephemeral", False)),
        ("AWS::StepFunctions::StateMachine", ("ephemeral", False)),  # decision: workflows are logic
        ("AWS::CDK::Metadata", ("neutral", False)),
        ("AWS::CloudFormation::WaitConditionHandle", ("neutral", False)),
        ("AWS::CloudFormation::Stack", ("neutral", True)),  # cfn-lint lists nested stacks as stateful
        ("AWS::CloudFormation::CustomResource", ("neutral", False)),
        ("Custom::Whatever", ("neutral", False)),
        ("Acme::Not::AType", ("unknown", False)),
    ],
)
def test_classify(rtype, expected):
    assert m.classify(rtype) == expected


def test_every_cfnlint_stateful_type_is_stateful():
    listed = json.loads(
        resources.files("cfnlint.data.AdditionalSpecs").joinpath("StatefulResources.json").read_text("utf-8")
    )["ResourceTypes"]
    assert set(listed) == set(m.CFNLINT_STATEFUL) and len(listed) >= 29
    assert [t for t in listed if not m.classify(t)[1]] == []


def test_cfnlint_list_is_unioned_even_when_a_glob_says_stateless(monkeypatch):
    monkeypatch.setattr(m, "CFNLINT_STATEFUL", m.CFNLINT_STATEFUL | {"Acme::Data::Store"})
    m.load_table(pd.DataFrame({"pattern": ["Acme::*"], "modality": ["persistent"], "stateful": ["false"]}))
    assert m.classify("Acme::Data::Store") == ("persistent", True)
    assert m.classify("Acme::Data::Cache") == ("persistent", False)


def test_user_exact_row_may_turn_stateful_off():
    m.load_table(pd.DataFrame({"pattern": ["AWS::SQS::Queue"], "modality": ["ephemeral"], "stateful": [False]}))
    assert m.classify("AWS::SQS::Queue") == ("ephemeral", False)


def test_exact_beats_glob_and_longest_glob_wins():
    # built-in table: exact rows refine their service's glob
    assert m.classify("AWS::EC2::Instance")[0] == "ephemeral"  # AWS::EC2::* is persistent
    assert m.classify("AWS::ECS::Cluster")[0] == "persistent"  # AWS::ECS::* is ephemeral
    assert m.classify("AWS::ECS::Daemon")[0] == "ephemeral"  # only the glob matches
    extra = pd.DataFrame(
        {
            "pattern": ["Acme::*", "Acme::Db::*", "Acme::Db::Cache", "Acme::Db::C*"],
            "modality": ["ephemeral", "persistent", "ephemeral", "neutral"],
            "stateful": ["no", "yes", "no", "no"],
        }
    )
    m.load_table(extra)
    assert m.classify("Acme::Web::Site") == ("ephemeral", False)
    assert m.classify("Acme::Db::Table") == ("persistent", True)
    assert m.classify("Acme::Db::Cursor") == ("neutral", False)  # Acme::Db::C* is longer
    assert m.classify("Acme::Db::Cache") == ("ephemeral", False)  # exact beats every glob


def test_equal_length_globs_later_row_wins():
    m.load_table(pd.DataFrame({"pattern": ["Acme::A*", "Acme::*B"], "modality": ["persistent", "ephemeral"]}))
    assert m.classify("Acme::AB")[0] == "ephemeral"


def test_user_override_from_csv_file_and_reset(tmp_path):
    csv = tmp_path / "types.csv"
    csv.write_text(
        "pattern,modality,stateful,note\n"
        "AWS::Lambda::Function,persistent,true,pinned functions\n"
        "Datadog::Monitors::*,persistent,false,\n"
    )
    table = m.load_table(csv)
    assert m.classify("AWS::Lambda::Function") == ("persistent", True)
    assert m.classify("Datadog::Monitors::Monitor") == ("persistent", False)
    # later rows override: one row per pattern, the user's
    rows = table[table.pattern == "AWS::Lambda::Function"]
    assert len(rows) == 1 and bool(rows.user.iloc[0]) and rows.note.iloc[0] == "pinned functions"
    m.load_table()
    assert m.classify("AWS::Lambda::Function") == ("ephemeral", False)
    assert m.classify("Datadog::Monitors::Monitor")[0] == "unknown"


@pytest.mark.parametrize(
    "frame, message",
    [
        (pd.DataFrame({"pattern": ["X::Y::Z"], "modality": ["forever"]}), "modality"),
        (pd.DataFrame({"pattern": ["X::Y::Z"], "modality": ["persistent"], "stateful": ["maybe"]}), "stateful"),
        (pd.DataFrame({"type": ["X::Y::Z"]}), "columns"),
    ],
)
def test_bad_extra_tables_are_refused(frame, message):
    with pytest.raises(IacvizError, match=message):
        m.load_table(frame)


def test_builtin_table_is_clean():
    table = m.load_table()
    assert not table.pattern.duplicated().any()
    assert set(table.modality) <= set(m.MODALITIES)
    explicit = [p for p in table.pattern if not any(c in p for c in "*?[")]
    assert len(explicit) >= 250
    # every explicit row names a type cfn-lint knows: a typo would silently never match
    from cfnlint.schema import PROVIDER_SCHEMA_MANAGER

    known = set(PROVIDER_SCHEMA_MANAGER.get_resource_types("us-east-1"))
    assert [p for p in explicit if p not in known] == []


def test_most_cfnlint_types_are_classified():
    from cfnlint.schema import PROVIDER_SCHEMA_MANAGER

    types = PROVIDER_SCHEMA_MANAGER.get_resource_types("us-east-1")
    share = sum(m.classify(t)[0] != "unknown" for t in types) / len(types)
    assert share >= 0.78  # measured 80.5% with cfn-lint 1.58 (1,868 types)


def _corpus_types() -> set[str]:
    from cfnlint.decode import decode

    found = set()
    for path in CORPUS.rglob("*"):
        if path.suffix not in (".yaml", ".yml", ".json", ".config") or path.name == "manifest.json":
            continue
        template, _ = decode(str(path))
        resources_ = template.get("Resources") if isinstance(template, dict) else None
        if isinstance(resources_, dict):
            found |= {r["Type"] for r in resources_.values() if isinstance(r, dict) and isinstance(r.get("Type"), str)}
    return found


@pytest.mark.skipif(not CORPUS.is_dir(), reason="shared corpus not present")
def test_corpus_coverage():
    types = _corpus_types()
    unknown = sorted(t for t in types if m.classify(t)[0] == "unknown")
    assert len(types) >= 150
    # measured: 190 distinct types, 188 classified (98.9%); left: AWS::Something (a fake type in
    # SAM's tests) and Boto3::CodeCommit.put_file (a macro's own type)
    assert 1 - len(unknown) / len(types) >= 0.98, unknown


@pytest.mark.parametrize(
    "modalities, expected",
    [
        (["persistent", "persistent"], "persistent"),
        (["ephemeral", "neutral", "unknown"], "ephemeral"),
        (["persistent", "ephemeral", "neutral"], "mixed"),
        (["persistent", "mixed"], "mixed"),
        (["neutral", "neutral"], "unknown"),
        (["unknown"], "unknown"),
        ([], "unknown"),
        (pd.Series(["persistent", pd.NA, None], dtype="object"), "persistent"),
        (iter(["ephemeral"]), "ephemeral"),
    ],
)
def test_stack_modality(modalities, expected):
    assert m.stack_modality(modalities) == expected


@pytest.mark.parametrize(
    "rtype, expected",
    [
        ("AWS::EC2::VPC", "EC2"),
        ("AWS::Serverless::Function", "Serverless"),
        ("Custom::MyThing", "Custom"),
        ("AWS::CloudFormation::CustomResource", "Custom"),
        ("AWS::CloudFormation::Stack", "CloudFormation"),
        ("Alexa::ASK::Skill", "ASK"),
        ("Acme::Widgets::Gadget::MODULE", "Widgets"),
        ("weird", "weird"),
    ],
)
def test_service_of(rtype, expected):
    assert m.service_of(rtype) == expected


@pytest.mark.parametrize(
    "rtype, props, expected",
    [
        # DeletionPolicy attribute docs: "The default policy is Snapshot for AWS::RDS::DBCluster
        # resources and for AWS::RDS::DBInstance resources that don't specify DBClusterIdentifier."
        ("AWS::RDS::DBCluster", {"Engine": "aurora-mysql"}, "Snapshot"),
        ("AWS::RDS::DBInstance", {"Engine": "postgres"}, "Snapshot"),
        ("AWS::RDS::DBInstance", None, "Snapshot"),
        ("AWS::RDS::DBInstance", {"DBClusterIdentifier": {"Ref": "Cluster"}}, "Delete"),
        ("AWS::S3::Bucket", {}, "Delete"),
        ("AWS::EC2::Volume", {}, "Delete"),  # supports Snapshot, but Delete is its default
    ],
)
def test_default_deletion_policy(rtype, props, expected):
    assert policies.default_deletion_policy(rtype, props) == expected


def test_supports_snapshot():
    documented = {
        "AWS::DocDB::DBCluster",
        "AWS::EC2::Volume",
        "AWS::ElastiCache::CacheCluster",
        "AWS::ElastiCache::ReplicationGroup",
        "AWS::Neptune::DBCluster",
        "AWS::RDS::DBCluster",
        "AWS::RDS::DBInstance",
        "AWS::Redshift::Cluster",
    }
    assert all(policies.supports_snapshot(t) for t in documented)
    assert not any(policies.supports_snapshot(t) for t in ("AWS::S3::Bucket", "AWS::DynamoDB::Table", "Custom::X"))
