"""Rule precision on an estate built like a public catalog: what used to be false positives,
and CDK construct paths and "did you mean" for blast targets."""

from __future__ import annotations

import json

import pytest

import iacviz
from iacviz.analysis.targets import suggestions
from iacviz.cli import main
from iacviz.errors import IacvizError
from iacviz.rules import catalogue

from catalogs import parent_stack_catalog
from estate_files import CORPUS, write


@pytest.fixture(scope="module")
def findings(tmp_path_factory):
    return iacviz.review(iacviz.load(parent_stack_catalog(tmp_path_factory.mktemp("catalog"))))


def _about(findings, rule_id):
    f = findings[findings.rule_id == rule_id]
    return set(zip(f["stack"], f.logical_id))


def test_aurora_instances_log_groups_and_hook_queues_are_no_data_stores_at_risk(findings):
    w3001 = _about(findings, "W3001")
    assert ("rds-aurora", "InstanceA") not in w3001 and ("rds-aurora", "InstanceB") not in w3001
    assert ("cluster", "LogGroup") not in w3001
    assert ("cluster", "Queue") not in w3001  # only a lifecycle hook's notification target
    # What is at risk still is: the cluster's own data has a Snapshot policy, so it is not.
    assert ("rds-aurora", "Cluster") not in w3001


def test_a_queue_that_holds_messages_is_still_at_risk(tmp_path):
    write(
        tmp_path,
        "jobs.yaml",
        """\
        Resources:
          Queue: {Type: AWS::SQS::Queue}
          Hook:
            Type: AWS::AutoScaling::LifecycleHook
            Properties:
              AutoScalingGroupName: asg
              LifecycleTransition: 'autoscaling:EC2_INSTANCE_TERMINATING'
              NotificationTargetARN: !GetAtt Queue.Arn
          Worker:
            Type: AWS::Lambda::EventSourceMapping
            Properties: {EventSourceArn: !GetAtt Queue.Arn, FunctionName: worker}
          Db: {Type: AWS::RDS::DBInstance, Properties: {Engine: mysql, DBInstanceClass: db.t3.micro}}
        """,
    )
    found = iacviz.review(iacviz.load(tmp_path), rules=["W3001"])
    assert set(found.logical_id) == {"Queue", "Db"}  # a stand-alone DB instance holds its data


def test_input_driven_replacements_are_one_line_per_stack(findings):
    w4001, i4003 = findings[findings.rule_id == "W4001"], findings[findings.rule_id == "I4003"]
    assert i4003["stack"].is_unique and len(i4003) >= 10
    assert len(w4001) <= 2  # nothing in the catalog holds data behind an input-driven property
    assert not w4001.message.str.contains("SecurityGroup").any()


def test_findings_know_whether_they_are_active(findings):
    alarms = findings[findings.logical_id == "CPUAlarm"]
    assert len(findings.active) == len(findings)
    assert findings.active.notna().any()
    assert not alarms.active.fillna(True).astype(bool).any() if len(alarms) else True


def test_every_rule_states_its_precision_on_the_shared_corpus():
    cat = catalogue().set_index("id")
    missing = [i for i, p in cat.precision.items() if not p and i != "W9001"]
    assert missing == []
    text = open(iacviz.rules.__file__.replace("__init__.py", "../../docs/rules.md"), encoding="utf-8").read()
    assert text.count("**Precision on the shared corpus.**") == (cat.precision != "").sum()


# -- blast targets --------------------------------------------------------------------------------

CDK = {
    "Resources": {
        "StorefrontVPC1A2B3C4D": {
            "Type": "AWS::EC2::VPC",
            "Properties": {"CidrBlock": "10.0.0.0/16"},
            "Metadata": {"aws:cdk:path": "StorefrontNetworkStack/StorefrontVPC/Resource"},
        },
        "StorefrontVPCPublicSubnet1SubnetAAAA": {
            "Type": "AWS::EC2::Subnet",
            "Properties": {"VpcId": {"Ref": "StorefrontVPC1A2B3C4D"}, "CidrBlock": "10.0.0.0/24"},
            "Metadata": {"aws:cdk:path": "StorefrontNetworkStack/StorefrontVPC/PublicSubnet1/Subnet"},
        },
        "Queue4A7E3555": {
            "Type": "AWS::SQS::Queue",
            "Metadata": {"aws:cdk:path": "StorefrontNetworkStack/Jobs/Queue/Resource"},
        },
    }
}


def test_blast_takes_a_cdk_construct_path():
    estate = iacviz.load_template(CDK, stack="StorefrontNetworkStack")
    br = iacviz.blast_radius(estate, "StorefrontNetworkStack/StorefrontVPC")
    assert br[br.depth == 0].logical_id.tolist() == ["StorefrontVPC1A2B3C4D"]
    assert "StorefrontVPCPublicSubnet1SubnetAAAA" in set(br.logical_id)
    # A construct without a resource of its own: everything below it.
    br = iacviz.blast_radius(estate, "StorefrontNetworkStack/Jobs", "delete")
    assert br[br.depth == 0].logical_id.tolist() == ["Queue4A7E3555"]
    # The logical id still works and wins.
    assert iacviz.blast_radius(estate, "StorefrontNetworkStack/Queue4A7E3555").logical_id.tolist() == ["Queue4A7E3555"]


def test_a_wrong_target_gets_did_you_mean():
    estate = iacviz.load_template(CDK, stack="StorefrontNetworkStack")
    with pytest.raises(IacvizError, match=r"Did you mean 'StorefrontNetworkStack/Queue4A7E3555'\?"):
        iacviz.blast_radius(estate, "storefrontnetworkstack/queue4a7e3555")
    with pytest.raises(IacvizError, match=r"StorefrontNetworkStack/StorefrontVPC'"):
        iacviz.blast_radius(estate, "StorefrontNetworkStack/StorefrontVCP")
    assert suggestions(estate, "zzzz/qqqq") == []


def test_cli_blast_says_did_you_mean(tmp_path, capsys):
    write(tmp_path, "StorefrontNetworkStack.template.json", json.dumps(CDK))
    # The stack is named after the file, as CloudFormation allows: StorefrontNetworkStack-template.
    assert main(["blast", str(tmp_path), "StorefrontNetworkStack-template/storefrontvpc1a2b3c4d"]) == 3
    assert "Did you mean 'StorefrontNetworkStack-template/StorefrontVPC1A2B3C4D'?" in capsys.readouterr().err


def test_plan_takes_a_cdk_construct_path_or_says_did_you_mean(tmp_path):
    after = json.loads(json.dumps(CDK))
    after["Resources"]["StorefrontVPC1A2B3C4D"]["Properties"]["CidrBlock"] = "10.1.0.0/16"
    after["Resources"]["Queue4A7E3555"]["Properties"] = {"DelaySeconds": 5}
    write(tmp_path / "a", "StorefrontNetworkStack.json", json.dumps(CDK))
    write(tmp_path / "b", "StorefrontNetworkStack.json", json.dumps(after))
    everything = iacviz.plan_changes(tmp_path / "a", tmp_path / "b")
    assert {"StorefrontVPC1A2B3C4D", "Queue4A7E3555"} <= set(everything.logical_id)
    vpc = iacviz.plan_changes(tmp_path / "a", tmp_path / "b", stack="StorefrontNetworkStack/StorefrontVPC")
    assert "Queue4A7E3555" not in set(vpc.logical_id) and "StorefrontVPC1A2B3C4D" in set(vpc.logical_id)
    assert "StorefrontVPCPublicSubnet1SubnetAAAA" in set(vpc.logical_id)  # replaced with its VPC
    with pytest.raises(IacvizError, match="Did you mean 'StorefrontNetworkStack/StorefrontVPC'"):
        iacviz.plan_changes(tmp_path / "a", tmp_path / "b", stack="StorefrontNetworkStack/StorefrontVCP")


def test_plan_ignores_an_import_under_a_false_condition(tmp_path):
    net = """\
        Resources: {V: {Type: AWS::EC2::VPC}}
        Outputs:
          V: {Value: !Ref V, Export: {Name: net-VPC}}
        """
    app = """\
        Parameters: {UseNet: {Type: String, Default: 'no'}}
        Conditions: {Use: !Equals [!Ref UseNet, 'yes']}
        Resources:
          Sg:
            Type: AWS::EC2::SecurityGroup
            Condition: Use
            Properties: {GroupDescription: x, VpcId: !ImportValue net-VPC}
        """
    for side in ("a", "b"):
        write(tmp_path / side, "app.yaml", app)
    write(tmp_path / "a", "net.yaml", net)
    write(tmp_path / "b", "net.yaml", "Resources: {V: {Type: AWS::EC2::VPC}}\n")  # the export goes
    plan = iacviz.plan_changes(tmp_path / "a", tmp_path / "b")
    out = plan[(plan["stack"] == "net") & (plan.kind == "output")]
    assert out.blocked.fillna("").tolist() == [""]
    plan = iacviz.plan_changes(
        tmp_path / "a", tmp_path / "b", before_parameters={"UseNet": "yes"}, after_parameters={"UseNet": "yes"}
    )
    out = plan[(plan["stack"] == "net") & (plan.kind == "output")]
    assert "in use by app" in out.blocked.iloc[0]
    # Under a condition of unknown value, the export may be in use: the plan says so.
    write(tmp_path / "a", "app.yaml", app.replace("Default: 'no'", "AllowedValues: ['yes', 'no']"))
    write(tmp_path / "b", "app.yaml", app.replace("Default: 'no'", "AllowedValues: ['yes', 'no']"))
    plan = iacviz.plan_changes(tmp_path / "a", tmp_path / "b")
    out = plan[(plan["stack"] == "net") & (plan.kind == "output")]
    assert out.blocked.iloc[0].endswith("in use by app (if its condition holds)")


# -- the shared corpus: estates nobody here wrote ----------------------------------------------------

TEMPLATES = CORPUS / "aws-cloudformation+aws-cloudformation-templates"


@pytest.mark.skipif(not TEMPLATES.is_dir(), reason="shared corpus not present")
def test_corpus_quick_start_children_are_linked_by_their_s3_urls():
    estate = iacviz.load(TEMPLATES / "Solutions" / "VPCFlowLogs")
    st = estate.stacks
    children = st[st.parent_stack.notna()]
    # main.cfn.yaml and main.cfn.json both point at templates/VPCFlowLogs{CloudWatch,S3}.cfn.yaml by URL.
    assert sorted(children.parent_resource) == [
        "VPCFlowLogsCloudWatchStack",
        "VPCFlowLogsCloudWatchStack",
        "VPCFlowLogsS3Stack",
        "VPCFlowLogsS3Stack",
    ]
    assert set(children.source) == {"templates/VPCFlowLogsCloudWatch.cfn.yaml", "templates/VPCFlowLogsS3.cfn.yaml"}
    assert not estate.errors.message.str.contains("TemplateURL").any()


@pytest.mark.skipif(not TEMPLATES.is_dir(), reason="shared corpus not present")
def test_corpus_cluster_instances_and_log_groups_are_not_data_stores_at_risk():
    neptune = iacviz.review(iacviz.load(TEMPLATES / "NeptuneDB"), rules=["W3001"])
    assert "NeptuneDBInstance" not in set(neptune.logical_id)
    assert "NeptuneDBCluster" in set(neptune.logical_id)  # the cluster holds the data
    flow = iacviz.review(iacviz.load(TEMPLATES / "Solutions" / "VPCFlowLogs"), rules=["W3001"])
    assert not flow.message.str.contains("AWS::Logs::LogGroup").any()


def test_a_nested_sam_application_is_no_data_store_at_risk(tmp_path):
    # SAM cannot expand an application whose id comes from a parameter offline: the resource
    # stays AWS::Serverless::Application, a nested stack whose own resources hold the data.
    write(
        tmp_path,
        "app.yaml",
        """\
        Transform: AWS::Serverless-2016-10-31
        Parameters:
          AppId: {Type: String}
        Resources:
          Nested:
            Type: AWS::Serverless::Application
            Properties:
              Location: {ApplicationId: !Ref AppId, SemanticVersion: 1.0.0}
          Table: {Type: AWS::Serverless::SimpleTable}
        """,
    )
    estate = iacviz.load(tmp_path)
    assert "AWS::Serverless::Application" in set(estate.resources.type)
    found = iacviz.review(estate, rules=["W3001"])
    assert set(found.logical_id) == {"Table"}
