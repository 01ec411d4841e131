"""Each CloudFormation fact has one home in iacviz/cfn/, and every analysis agrees with it.

Where two copies used to disagree, the test pins the answer taken from CloudFormation's
documentation (cited in the comment):
  [GETATT] template reference, "AWS::SQS::Queue" return values: Ref and Fn::GetAtt QueueUrl give
           the queue URL, the physical id (also the type's primaryIdentifier in its provider
           schema); "AWS::CloudFormation::Stack" return values: Outputs.NestedStackOutputName is
           the value the nested stack's output has after its last update.
  [POLICY] template reference, "UpdateReplacePolicy attribute" (Delete | Retain | Snapshot) and
           "DeletionPolicy attribute" (Delete | Retain | RetainExceptOnCreate | Snapshot).
  [EXPORT] user guide, "Exporting stack output values": an output another stack imports cannot be
           modified or removed ("Export X cannot be updated/deleted as it is in use by Y").
  [NAME]   template reference, "Name type": a custom-named resource cannot be replaced
           ("... Rename X and update the stack again.").
  [REFS]   a template whose Ref/GetAtt names a resource that no longer exists is refused as a
           whole ("Template format error: Unresolved resource dependencies [X] in the Resources
           block of the template"), so nothing of the change deploys.
"""

from __future__ import annotations

import json

import pandas as pd
import pytest

import iacviz
from iacviz.analysis.blast_radius import IMPACTS
from iacviz.analysis.graph import deployment_order, deployment_ranks
from iacviz.cfn import pointer
from iacviz.cfn.modality import stack_modality
from iacviz.cfn.policies import keeps_old_resource
from iacviz.cfn.refusals import custom_name_replacement, export_in_use
from iacviz.cfn.stability import stable_attribute
from iacviz.views import _palette as pal
from iacviz.views.selection import collapse_by_service
from estate_files import SAMPLE


def rows(frame: pd.DataFrame) -> dict[str, object]:
    return {f"{r.stack}/{r.logical_id}": r for r in frame.itertuples()}


# -- identity attributes ------------------------------------------------------------------------


def test_queue_url_is_an_identity_attribute():
    # [GETATT] QueueUrl is the queue's physical id: only a replacement changes it.
    assert stable_attribute("AWS::SQS::Queue", "QueueUrl")
    t = {
        "Resources": {
            "Q": {"Type": "AWS::SQS::Queue", "Properties": {"DelaySeconds": 0}},
            "P": {
                "Type": "AWS::SSM::Parameter",
                "Properties": {"Type": "String", "Value": {"Fn::GetAtt": ["Q", "QueueUrl"]}},
            },
            "A": {
                "Type": "AWS::SSM::Parameter",
                "Properties": {"Type": "String", "Value": {"Fn::GetAtt": ["Q", "Arn"]}},
            },
        }
    }
    r = rows(iacviz.blast_radius(iacviz.load_template(t, stack="jobs"), "jobs/Q", "update"))
    assert set(r) == {"jobs/Q"}  # an in-place update reaches neither the URL nor the ARN reader


def test_nested_stack_output_is_never_an_identity_attribute():
    # [GETATT] Outputs.X follows the child's update, even when it is named like an id.
    assert not stable_attribute("AWS::CloudFormation::Stack", "Outputs.VpcId")
    assert not stable_attribute("AWS::CloudFormation::Stack", "Arn")
    t = {
        "Resources": {
            "Net": {
                "Type": "AWS::CloudFormation::Stack",
                "Properties": {"TemplateURL": "https://example.com/net.yaml"},
            },
            "Sg": {
                "Type": "AWS::EC2::SecurityGroup",
                "Properties": {"GroupDescription": "x", "VpcId": {"Fn::GetAtt": ["Net", "Outputs.VpcId"]}},
            },
        }
    }
    r = rows(iacviz.blast_radius(iacviz.load_template(t, stack="app"), "app/Net", "update"))
    # The child is not loaded: its VpcId output may change, and VpcId is create-only for a group.
    assert r["app/Sg"].impact == "conditional"


# -- is the old resource kept -------------------------------------------------------------------


@pytest.mark.parametrize(
    "policy, rtype, on, kept",
    [
        ("Retain", "AWS::S3::Bucket", "replace", True),
        ("Retain", "AWS::S3::Bucket", "delete", True),
        ("RetainExceptOnCreate", "AWS::S3::Bucket", "delete", True),
        # [POLICY] RetainExceptOnCreate is not an UpdateReplacePolicy value: nothing is known to be kept.
        ("RetainExceptOnCreate", "AWS::S3::Bucket", "replace", None),
        ("Snapshot", "AWS::RDS::DBInstance", "replace", True),
        ("Snapshot", "AWS::S3::Bucket", "delete", False),  # no snapshot support: CloudFormation deletes it
        ("Delete", "AWS::RDS::DBInstance", "delete", False),
        (None, "AWS::RDS::DBCluster", "delete", True),  # default DeletionPolicy Snapshot
        (None, "AWS::RDS::DBCluster", "replace", False),  # default UpdateReplacePolicy Delete
        ('{"Fn::If": ["Prod", "Retain", "Delete"]}', "AWS::S3::Bucket", "delete", None),  # unresolved
    ],
)
def test_keeps_old_resource(policy, rtype, on, kept):
    assert keeps_old_resource(policy, rtype, on) is kept


def test_blast_radius_and_plan_agree_on_what_a_replacement_keeps():
    def side(perf):
        return {
            "Resources": {
                "Fs": {
                    "Type": "AWS::EFS::FileSystem",
                    "UpdateReplacePolicy": "RetainExceptOnCreate",
                    "Properties": {"PerformanceMode": perf},
                }
            }
        }

    br = rows(iacviz.blast_radius(iacviz.load_template(side("generalPurpose"), stack="fs"), "fs/Fs"))
    assert pd.isna(br["fs/Fs"].protected)  # [POLICY] not a value CloudFormation knows here
    plan = iacviz.plan_changes(side("generalPurpose"), side("maxIO"))
    fs = plan[plan.logical_id == "Fs"].iloc[0]
    assert fs.replacement == "True" and bool(fs.data_loss)  # nothing is known to keep the data


# -- refusals -----------------------------------------------------------------------------------


def test_export_refusal_is_one_text_everywhere(tmp_path):
    # [EXPORT] the same refusal from the blast radius and from a planned change (stacks sorted).
    net = {
        "Resources": {"Vpc": {"Type": "AWS::EC2::VPC", "Properties": {"CidrBlock": "10.0.0.0/16"}}},
        "Outputs": {"VpcId": {"Value": {"Ref": "Vpc"}, "Export": {"Name": "net-VpcId"}}},
    }
    users = {
        f"app{i}": {
            "Resources": {
                "Sg": {
                    "Type": "AWS::EC2::SecurityGroup",
                    "Properties": {"GroupDescription": "x", "VpcId": {"Fn::ImportValue": "net-VpcId"}},
                }
            }
        }
        for i in (2, 1, 12)
    }
    for side, stacks in (("before", {"net": net, **users}), ("after", {"net": {**net, "Outputs": {}}, **users})):
        (tmp_path / side).mkdir()
        for name, t in stacks.items():
            (tmp_path / side / f"{name}.json").write_text(json.dumps(t))
    e = iacviz.load(tmp_path / "before")
    expected = "Export net-VpcId cannot be updated as it is in use by app1, app12, app2"
    assert export_in_use("net-VpcId", ["app2", "app1", "app12"], "updated") == expected
    assert rows(iacviz.blast_radius(e, "net/Vpc"))["net/Outputs.VpcId"].blocked == expected
    plan = iacviz.plan_changes(tmp_path / "before", tmp_path / "after")
    assert plan[plan.logical_id == "VpcId"].blocked.iloc[0] == expected.replace("updated", "deleted")
    many = export_in_use("x", [f"s{i:02d}" for i in range(12)], "deleted")
    assert many.endswith("in use by s00, s01, s02, s03, s04, s05, s06, s07, s08, s09 and 2 more")


def test_custom_name_refusal_names_the_physical_name_when_known():
    # [NAME] the message names what to rename: the name itself, or the property that sets it.
    assert "Rename app-sg and" in custom_name_replacement("Sg", "GroupName", "app-sg")
    assert "Rename Sg (GroupName) and" in custom_name_replacement("Sg", "GroupName", {"Ref": "Name"})
    t = {
        "Resources": {
            "Vpc": {"Type": "AWS::EC2::VPC", "Properties": {"CidrBlock": "10.0.0.0/16"}},
            "Sg": {
                "Type": "AWS::EC2::SecurityGroup",
                "Properties": {"GroupName": "app-sg", "GroupDescription": "x", "VpcId": {"Ref": "Vpc"}},
            },
        }
    }
    br = rows(iacviz.blast_radius(iacviz.load_template(t, stack="app"), "app/Vpc"))
    assert br["app/Sg"].blocked == custom_name_replacement("Sg", "GroupName", "app-sg")


# -- impact order -------------------------------------------------------------------------------


def test_impact_order_ranks_broken_above_replaced_in_analysis_and_figures():
    # [REFS]/[EXPORT] a broken reference makes CloudFormation refuse the whole change, while a
    # replacement goes through: broken is the worse impact, just below deleted.
    assert IMPACTS == ("updated", "conditional", "replaced", "broken", "deleted")
    assert pal.IMPACT_ORDER == list(reversed(IMPACTS)) == list(pal.IMPACT_COLORS)
    assert pal.worst_impact(["replaced", "broken", "conditional"]) == "broken"


# -- stack modality and deployment order ----------------------------------------------------------


def test_service_groups_use_the_stack_modality_rule():
    stacks = pd.DataFrame(
        {"stack": ["a-x", "a-y", "b-x"], "modality": ["persistent", "neutral", "unknown"], "n_resources": [1, 1, 1]}
    )
    got = dict(collapse_by_service(stacks)["stacks"][["stack", "modality"]].values.tolist())
    # neutral resources (CloudFormation machinery) do not make a group mixed, as for a stack
    assert got == {"a": stack_modality(["persistent", "neutral"]), "b": stack_modality(["unknown"])}
    assert got == {"a": "persistent", "b": "unknown"}


def test_deployment_ranks_agree_with_deployment_order_on_the_sample_estate():
    e = iacviz.load(SAMPLE)
    order = deployment_order(e)
    parents = {s: p for s, p in zip(e.stacks["stack"], e.stacks.parent_stack) if isinstance(p, str)}
    # a pipeline goes before the stacks it deploys (checkout imports nothing): handed over as a parent
    deploys = e.references[(e.references.kind == "Deploys") & e.references.target_stack.notna()]
    parents |= {t: s for s, t in zip(deploys.source_stack, deploys.target_stack) if t not in parents}
    ranks = deployment_ranks(e.stacks["stack"], e.imports, parents)
    assert len(order) > 2  # the sample estate has several waves
    assert [sorted(s for s, r in ranks.items() if r == i) for i in range(len(order))] == order


# -- JSON pointers --------------------------------------------------------------------------------


@pytest.mark.parametrize("key", ["plain", "a/b", "~tilde", "~1", "a~/b"])
def test_pointer_escape_round_trip(key):
    assert pointer.unescape(pointer.escape(key)) == key
    assert "/" not in pointer.escape(key)


def test_properties_frame_escapes_keys_as_the_pointer_module_does():
    t = {"Resources": {"P": {"Type": "AWS::IAM::Policy", "Properties": {"Tags": {"a/b": "x", "c~d": "y"}}}}}
    paths = set(iacviz.load_template(t, stack="s").properties.path)
    assert {pointer.join("/properties/Tags", "a/b"), pointer.join("/properties/Tags", "c~d")} <= paths
    assert "/properties/Tags/a~1b" in paths and "/properties/Tags/c~0d" in paths


# -- CreateOnlyFromInput reads driven_by ------------------------------------------------------------


def test_create_only_from_input_reads_the_structured_drivers():
    from iacviz.rules.CreateOnlyFromInput import CreateOnlyFromInput

    t = {
        "Parameters": {"Az": {"Type": "String"}, "Retained": {"Type": "String"}},
        "Conditions": {"Keep": {"Fn::Equals": [{"Ref": "Retained"}, "yes"]}},
        "Resources": {
            # a parameter whose name looks like a resource's in display text still counts
            "Fs": {
                "Type": "AWS::EFS::FileSystem",
                "UpdateReplacePolicy": {"Fn::If": ["Keep", "Retain", "Delete"]},
                "Properties": {"AvailabilityZoneName": {"Ref": "Az"}},
            },
            "Vol": {"Type": "AWS::EFS::FileSystem", "Properties": {"KmsKeyId": {"Fn::GetAtt": ["Fs", "Arn"]}}},
        },
    }
    found = list(CreateOnlyFromInput().check(iacviz.load_template(t, stack="s"), {}))
    assert [f["logical_id"] for f in found] == ["Fs"]  # Vol follows a resource, not an input
    assert found[0]["message"] == (
        "Fs (AWS::EFS::FileSystem): AvailabilityZoneName from parameter Az is create-only: "
        "a new value replaces Fs, and its UpdateReplacePolicy cannot be resolved offline"
    )
