"""plan_changes: offline change sets, rule by rule, from CloudFormation's documented behaviour.

Sources quoted in the comments:
  [UG]  CloudFormation user guide, "Example change sets"
        (awsdocs/aws-cloudformation-user-guide, doc_source/using-cfn-updating-stacks-changesets-samples.md)
  [API] CloudFormation API reference: ResourceChange, ResourceChangeDetail, ResourceTargetDefinition
  [REF] the shared reference notes on CloudFormation update semantics (shared/reference/cloudformation-update-semantics.md) (collected from the two above,
        the resource provider schemas bundled with cfn-lint 1.58, and the policy attribute pages)
"""

from __future__ import annotations

import copy
import datetime
import json
from pathlib import Path

import pandas as pd
import pytest

import iacviz
from iacviz import schema
from iacviz.analysis import change_stack
from iacviz.analysis.changes import to_records
from iacviz.views.plan_table import fail_reasons, plan_to_text
from estate_files import ROOT, write


def res(rtype, props=None, **attrs):
    out = {"Type": rtype, **attrs}
    if props is not None:
        out["Properties"] = props
    return out


def tpl(resources, parameters=None, outputs=None, conditions=None, **extra):
    t = {"Resources": resources, **extra}
    for key, value in (("Parameters", parameters), ("Outputs", outputs), ("Conditions", conditions)):
        if value:
            t[key] = value
    return t


def plan(before, after, bp=None, ap=None, stack="s"):
    return iacviz.plan_changes(before, after, before_parameters=bp, after_parameters=ap, stack=stack)


def row(p, logical_id, kind="resource"):
    hit = p[(p["logical_id"] == logical_id) & (p["kind"] == kind)]
    assert len(hit) == 1, f"{logical_id}: {len(hit)} rows in\n{p[['stack', 'logical_id', 'action']]}"
    return to_records(hit)[0]  # plain Python values: True/False/None, lists of dicts


def sources(r):
    return [(d["evaluation"], d["change_source"], d["causing_entity"]) for d in r["details"]]


VPC = res("AWS::EC2::VPC", {"CidrBlock": "10.0.0.0/16"})


# -- the frame -------------------------------------------------------------------------------


def test_plan_frame_is_declared_and_empty_when_nothing_changes():
    p = plan(tpl({"Vpc": VPC}), tpl({"Vpc": copy.deepcopy(VPC)}))
    assert p.empty
    assert list(p.columns) == schema.columns("plan")
    assert p["will_replace"].dtype == "boolean" and p["details"].dtype == object


# -- direct modifications --------------------------------------------------------------------


def test_direct_change_of_create_only_property_replaces():
    # [UG] "When you directly modify resources in the stack's template ... CloudFormation classifies
    # the change as a direct modification"; [API] "if the RequiresRecreation field is Always and the
    # Evaluation field is Static, Replacement is True". CidrBlock is createOnly for AWS::EC2::VPC.
    after = tpl({"Vpc": res("AWS::EC2::VPC", {"CidrBlock": "10.1.0.0/16"})})
    r = row(plan(tpl({"Vpc": VPC}), after), "Vpc")
    assert (r["action"], r["replacement"], r["will_replace"]) == ("Modify", "True", True)
    assert r["details"] == [
        {
            "attribute": "Properties",
            "name": "CidrBlock",
            "requires_recreation": "Always",
            "evaluation": "Static",
            "change_source": "DirectModification",
            "causing_entity": None,
        }
    ]
    assert r["scope"] == ["Properties"]


def test_in_place_change_is_not_a_replacement():
    # [API] "if the RequiresRecreation field is Never, the Replacement field is False" ([UG] same);
    # VisibilityTimeout is not create-only for AWS::SQS::Queue.
    p = plan(
        tpl({"Q": res("AWS::SQS::Queue", {"VisibilityTimeout": 30})}),
        tpl({"Q": res("AWS::SQS::Queue", {"VisibilityTimeout": 60})}),
    )
    r = row(p, "Q")
    assert (r["replacement"], r["will_replace"], r["data_loss"]) == ("False", False, False)
    assert r["details"][0]["requires_recreation"] == "Never"
    assert pd.isna(r["policy_action"])


def test_conditional_create_only_property_is_conditional():
    # AWS::EC2::Instance lists InstanceType in conditionalCreateOnlyProperties; [UG] shows that change
    # as "RequiresRecreation": "Conditionally" and: "the change to the InstanceType property would
    # have the most intrusive update behavior (Conditionally), so the Replacement field would be
    # Conditionally". iacviz cannot know either: will_replace is NA.
    def inst(size):
        return tpl({"Web": res("AWS::EC2::Instance", {"ImageId": "ami-1", "InstanceType": size})})

    r = row(plan(inst("t3.micro"), inst("t3.large")), "Web")
    assert r["replacement"] == "Conditional" and pd.isna(r["will_replace"])
    assert r["details"][0]["requires_recreation"] == "Conditionally"


def test_most_intrusive_detail_wins():
    # [UG] "if there are multiple changes on a single resource and each change has a different value
    # for the RequiresRecreation field, AWS CloudFormation updates the resource using the most
    # intrusive behavior".
    before = tpl({"Web": res("AWS::EC2::Instance", {"ImageId": "ami-1", "InstanceType": "t3.micro", "KeyName": "a"})})
    after = tpl({"Web": res("AWS::EC2::Instance", {"ImageId": "ami-1", "InstanceType": "t3.large", "KeyName": "b"})})
    r = row(plan(before, after), "Web")
    assert r["replacement"] == "True" and r["will_replace"] is True
    assert {d["name"]: d["requires_recreation"] for d in r["details"]} == {
        "InstanceType": "Conditionally",
        "KeyName": "Always",
    }


def test_mapping_edit_is_a_direct_modification():
    # A mapping is part of the template text: CloudFormation resolves Fn::FindInMap itself, so the
    # edit is a DirectModification without CausingEntity ([API]: "If the ChangeSource value is
    # DirectModification, no value is given for CausingEntity").
    def t(name):
        return tpl(
            {"Q": res("AWS::SQS::Queue", {"QueueName": {"Fn::FindInMap": ["M", {"Ref": "Env"}, "Q"]}})},
            {"Env": {"Type": "String", "Default": "prod"}},
            Mappings={"M": {"prod": {"Q": name}}},
        )

    r = row(plan(t("a"), t("b")), "Q")
    assert sources(r) == [("Static", "DirectModification", None)] and r["replacement"] == "True"


# -- parameters ------------------------------------------------------------------------------

# The user guide's own sample template.
EC2 = {
    "Parameters": {
        "Purpose": {"Type": "String", "Default": "testing"},
        "KeyPairName": {"Type": "AWS::EC2::KeyPair::KeyName"},
        "InstanceType": {"Type": "String", "Default": "t2.micro"},
    },
    "Resources": {
        "MyEC2Instance": {
            "Type": "AWS::EC2::Instance",
            "Properties": {
                "KeyName": {"Ref": "KeyPairName"},
                "InstanceType": {"Ref": "InstanceType"},
                "ImageId": "ami-8fcee4e5",
                "Tags": [{"Key": "Purpose", "Value": {"Ref": "Purpose"}}],
            },
        }
    },
}


def test_parameter_change_gives_two_details_per_target():
    # [UG] "Resources that reference a changed parameter value (using the Ref intrinsic function) always
    # result in two changes: one with a Dynamic evaluation and another with a Static evaluation" and
    # "The exact parameter that was changed is indicated by the CauseEntity field". The example's
    # target is {"Attribute": "Tags", "RequiresRecreation": "Never"}, Replacement False.
    p = plan(
        EC2,
        EC2,
        {"KeyPairName": "MyKeyName", "Purpose": "testing"},
        {"KeyPairName": "MyKeyName", "Purpose": "production"},
    )
    r = row(p, "MyEC2Instance")
    assert r["details"] == [
        {
            "attribute": "Tags",
            "name": None,
            "requires_recreation": "Never",
            "evaluation": "Dynamic",
            "change_source": "DirectModification",
            "causing_entity": None,
        },
        {
            "attribute": "Tags",
            "name": None,
            "requires_recreation": "Never",
            "evaluation": "Static",
            "change_source": "ParameterReference",
            "causing_entity": "Purpose",
        },
    ]
    assert r["replacement"] == "False" and r["scope"] == ["Tags"]


def test_all_parameters_changed_replaces_as_in_the_user_guide():
    # [UG] "Determining the value of the Replacement field": every parameter changed -> six details,
    # KeyName Always, InstanceType Conditionally, Tags Never -> Replacement True.
    p = plan(
        EC2,
        EC2,
        {"KeyPairName": "MyKeyName"},
        {"KeyPairName": "MyNewKeyName", "Purpose": "production", "InstanceType": "t2.small"},
    )
    r = row(p, "MyEC2Instance")
    assert r["replacement"] == "True" and r["will_replace"] is True
    assert len(r["details"]) == 6
    static = {
        (d["name"] or d["attribute"], d["causing_entity"], d["requires_recreation"])
        for d in r["details"]
        if d["evaluation"] == "Static"
    }
    assert static == {
        ("KeyName", "KeyPairName", "Always"),
        ("InstanceType", "InstanceType", "Conditionally"),
        ("Tags", "Purpose", "Never"),
    }


def test_parameters_nested_per_stack_and_estate_inputs():
    # {stack: {Key: value}} is accepted too, and an Estate is re-built with the values given.
    before = iacviz.load_template(EC2, stack="web", parameters={"KeyPairName": "k"})
    p = iacviz.plan_changes(before, EC2, after_parameters={"web": {"KeyPairName": "k", "Purpose": "production"}})
    assert row(p, "MyEC2Instance")["stack"] == "web"  # the mapping took the estate's only stack name
    assert [d["causing_entity"] for d in row(p, "MyEC2Instance")["details"]] == [None, "Purpose"]
    p2 = iacviz.plan_changes(
        before, before, before_parameters={"web": {"KeyPairName": "k"}}, after_parameters={"web": {"KeyPairName": "k2"}}
    )
    assert row(p2, "MyEC2Instance")["replacement"] == "True"


def test_noecho_parameter_change_is_seen():
    # NoEcho values are hidden in estate.parameters, yet a new value is still a ParameterReference.
    t = tpl(
        {"Db": res("AWS::RDS::DBInstance", {"Engine": "postgres", "MasterUserPassword": {"Ref": "Pw"}})},
        {"Pw": {"Type": "String", "NoEcho": True}},
    )
    r = row(plan(t, t, {"Pw": "old"}, {"Pw": "new"}), "Db")
    assert sources(r)[-1] == ("Static", "ParameterReference", "Pw") and r["replacement"] == "False"
    assert plan(t, t, {"Pw": "same"}, {"Pw": "same"}).empty


def test_flat_parameters_apply_to_every_stack_of_a_path(tmp_path):
    for side in ("a", "b"):
        for name in ("one", "two"):
            write(
                tmp_path / side,
                f"{name}.yaml",
                "Parameters:\n  Delay: {Type: Number, Default: 0}\n"
                "Resources:\n  Q:\n    Type: AWS::SQS::Queue\n"
                "    Properties: {DelaySeconds: !Ref Delay}\n",
            )
    p = iacviz.plan_changes(
        tmp_path / "a", tmp_path / "b", before_parameters={"Delay": 0}, after_parameters={"Delay": 5}
    )
    assert sorted(p["stack"]) == ["one", "two"]
    p = iacviz.plan_changes(tmp_path / "a", tmp_path / "b", after_parameters={"two": {"Delay": 5}})
    assert list(p["stack"]) == ["two"]
    p = iacviz.plan_changes(tmp_path / "a", tmp_path / "b", after_parameters={"Delay": 5}, stack="one")
    assert list(p["stack"]) == ["one"]


def test_properties_chosen_whole_by_fn_if():
    def t(delay):
        return tpl(
            {"Q": res("AWS::SQS::Queue", {"Fn::If": ["Prod", {"DelaySeconds": delay}, {}]})},
            {"Env": {"Type": "String", "Default": "prod"}},
            conditions={"Prod": {"Fn::Equals": [{"Ref": "Env"}, "prod"]}},
        )

    r = row(plan(t(1), t(2)), "Q")
    assert (r["replacement"], r["details"][0]["requires_recreation"]) == ("False", "Never")


# -- references ------------------------------------------------------------------------------

NETWORK = tpl(
    {
        "Vpc": VPC,
        "Subnet": res("AWS::EC2::Subnet", {"VpcId": {"Ref": "Vpc"}, "CidrBlock": "10.0.0.0/24"}),
        "Routes": res("AWS::EC2::RouteTable", {"VpcId": {"Ref": "Vpc"}}),
        "Assoc": res(
            "AWS::EC2::SubnetRouteTableAssociation", {"SubnetId": {"Ref": "Subnet"}, "RouteTableId": {"Ref": "Routes"}}
        ),
        "Sg": res(
            "AWS::EC2::SecurityGroup",
            {
                "GroupDescription": "app",
                "VpcId": {"Ref": "Vpc"},
                "Tags": [{"Key": "cidr", "Value": {"Fn::GetAtt": ["Vpc", "CidrBlock"]}}],
            },
        ),
    }
)


def test_reference_to_replaced_resource_cascades():
    # [REF] "Resources that only reference a changed resource are listed too (Modify, with
    # ResourceReference / ResourceAttribute details)". [API] ResourceChangeDetail.Evaluation: Dynamic is
    # for "a reference to a resource that's conditionally recreated"; a reference to a resource that is
    # certainly replaced changes statically (the rule), so a create-only property of the
    # dependent makes it True, and the replacement cascades.
    after = copy.deepcopy(NETWORK)
    after["Resources"]["Vpc"]["Properties"]["CidrBlock"] = "10.9.0.0/16"
    p = plan(NETWORK, after)
    assert row(p, "Vpc")["replacement"] == "True"
    subnet = row(p, "Subnet")
    assert sources(subnet) == [("Static", "ResourceReference", "Vpc")]
    assert subnet["details"][0]["requires_recreation"] == "Always"
    assert (subnet["replacement"], subnet["will_replace"]) == ("True", True)
    assoc = row(p, "Assoc")  # cascade: Subnet (replaced) -> association (SubnetId is create-only)
    assert ("Static", "ResourceReference", "Subnet") in sources(assoc) and assoc["replacement"] == "True"
    sg = row(p, "Sg")  # the GetAtt lands in a tag: in place
    assert ("Static", "ResourceAttribute", "Vpc.CidrBlock") in sources(sg)
    assert sg["will_replace"] is True  # VpcId, create-only, follows the new VPC


def test_getatt_of_resource_updated_in_place_is_dynamic_ref_is_not_listed():
    # [REF] a GetAtt of a resource updated in place -> Dynamic (the attribute may change), change source
    # ResourceAttribute, causing entity "Res.Attr"; a Ref to it keeps the physical id, so no detail.
    # iacviz: a function's Arn does not change when its code does -> will_replace False.
    def t(key):
        return tpl(
            {
                "Fn": res(
                    "AWS::Lambda::Function",
                    {"Runtime": "python3.12", "Handler": "a.h", "Role": "r", "Code": {"S3Bucket": "b", "S3Key": key}},
                ),
                "Perm": res(
                    "AWS::Lambda::Permission",
                    {
                        "FunctionName": {"Fn::GetAtt": ["Fn", "Arn"]},
                        "Action": "lambda:InvokeFunction",
                        "Principal": "sns.amazonaws.com",
                    },
                ),
                "Logs": res("AWS::Logs::LogGroup", {"LogGroupName": {"Fn::Sub": "/aws/lambda/${Fn}"}}),
            }
        )

    p = plan(t("v1.zip"), t("v2.zip"))
    assert row(p, "Fn")["replacement"] == "False"
    perm = row(p, "Perm")
    assert sources(perm) == [("Dynamic", "ResourceAttribute", "Fn.Arn")]
    # FunctionName is create-only: Always + Dynamic -> Conditional; the Arn stays, so iacviz says False.
    assert (perm["replacement"], perm["will_replace"]) == ("Conditional", False)
    assert "no effective change" in perm["note"]
    assert "Logs" not in set(p["logical_id"])


# -- conditions, logical ids, types ----------------------------------------------------------


def test_condition_flip_adds_and_removes():
    # [UG] "Adding and removing resources": Action Add / Remove, with empty Details. Conditions are
    # evaluated with each side's parameter values.
    t = tpl(
        {"Alarm": res("AWS::SNS::Topic", Condition="Prod"), "Scratch": res("AWS::SQS::Queue", Condition="Dev")},
        {"Env": {"Type": "String", "Default": "dev"}},
        conditions={"Prod": {"Fn::Equals": [{"Ref": "Env"}, "prod"]}, "Dev": {"Fn::Not": [{"Condition": "Prod"}]}},
    )
    p = plan(t, t, {"Env": "dev"}, {"Env": "prod"})
    assert (row(p, "Alarm")["action"], row(p, "Scratch")["action"]) == ("Add", "Remove")
    assert row(p, "Alarm")["details"] == [] and pd.isna(row(p, "Alarm")["replacement"])
    assert "condition Prod became true" == row(p, "Alarm")["note"]
    assert row(p, "Scratch")["data_loss"] is True  # a queue removed without DeletionPolicy


def test_renamed_logical_id_is_remove_plus_add():
    # [REF] "A renamed logical id is Remove + Add; DeletionPolicy applies to the removed one."
    table = res(
        "AWS::DynamoDB::Table",
        {
            "BillingMode": "PAY_PER_REQUEST",
            "AttributeDefinitions": [{"AttributeName": "pk", "AttributeType": "S"}],
            "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"}],
        },
    )
    p = plan(tpl({"Orders": table}), tpl({"OrdersTable": table}))
    assert (row(p, "Orders")["action"], row(p, "OrdersTable")["action"]) == ("Remove", "Add")
    assert row(p, "Orders")["data_loss"] is True and row(p, "Orders")["policy_action"] == "Delete"
    assert "renamed" in row(p, "OrdersTable")["note"]


def test_type_change_is_blocked():
    # [REF] CloudFormation refuses: "Update of resource type is not permitted".
    p = plan(tpl({"Store": res("AWS::SQS::Queue")}), tpl({"Store": res("AWS::SNS::Topic")}))
    r = row(p, "Store")
    assert r["blocked"] == "Update of resource type is not permitted" and r["will_replace"] is True


def test_custom_named_resource_that_needs_replacing_is_blocked():
    # [REF] / AWS knowledge center: "CloudFormation cannot update a stack when a custom-named resource
    # requires replacing. Rename X and update the stack again." (name property unchanged).
    def sg(desc, name="app-sg"):
        return tpl({"Sg": res("AWS::EC2::SecurityGroup", {"GroupName": name, "GroupDescription": desc})})

    r = row(plan(sg("a"), sg("b")), "Sg")
    assert r["will_replace"] is True
    assert r["blocked"] == (
        "CloudFormation cannot update a stack when a custom-named resource requires "
        "replacing. Rename app-sg and update the stack again."
    )
    assert pd.isna(row(plan(sg("a"), sg("b", "app-sg-2")), "Sg")["blocked"])  # renamed: allowed


# -- exports ---------------------------------------------------------------------------------


NET = """\
Resources:
  Sg:
    Type: AWS::EC2::SecurityGroup
    Properties:
      GroupDescription: {desc}
Outputs:
  SgId:
    Value: !GetAtt Sg.GroupId
    Export: {{Name: net-SgId}}
{extra}"""
APP = """\
Resources:
  Q:
    Type: AWS::SQS::Queue
    Properties:
      QueueName: !ImportValue net-SgId
"""


def estate(folder: Path, desc: str, extra: str = "", app: bool = True) -> Path:
    write(folder, "net.yaml", NET.format(desc=desc, extra=extra))
    if app:
        write(folder, "app.yaml", APP)
    return folder


def test_export_in_use_whose_value_changes_is_blocked(tmp_path):
    # [REF] "Export X cannot be updated as it is in use by Y"; Fn::ImportValue reference: "You can't
    # modify or remove an output value that is referenced by another stack."
    p = iacviz.plan_changes(estate(tmp_path / "a", "one"), estate(tmp_path / "b", "two"))
    message = "Export net-SgId cannot be updated as it is in use by app"
    assert row(p, "SgId", "output")["blocked"] == message
    assert row(p, "Sg")["blocked"] == message  # the replacement that changes it fails with it
    assert set(p["stack"]) == {"net"}  # the importer itself does not change


def test_export_in_use_removed_is_blocked_and_unused_export_is_not(tmp_path):
    before = estate(tmp_path / "a", "one", extra="  Other:\n    Value: x\n    Export: {Name: net-Other}\n")
    p = iacviz.plan_changes(before, estate(tmp_path / "b", "one"))
    assert row(p, "Other", "output")["action"] == "Remove" and pd.isna(row(p, "Other", "output")["blocked"])
    write(
        tmp_path / "c",
        "net.yaml",
        "Resources:\n  Sg:\n    Type: AWS::EC2::SecurityGroup\n    Properties: {GroupDescription: one}\n",
    )
    write(tmp_path / "c", "app.yaml", APP)
    p = iacviz.plan_changes(before, tmp_path / "c")
    assert row(p, "SgId", "output")["blocked"] == "Export net-SgId cannot be deleted as it is in use by app"


NET_TWO_EXPORTS = """\
Resources:
  Old: {Type: AWS::SNS::Topic}
  New: {Type: AWS::SNS::Topic}
Outputs:
%s"""
OUT = "  %s:\n    Value: !Ref %s\n    Export: {Name: net-%s}\n"


def _moved_import(root, outputs, imports):
    write(root, "net.yaml", NET_TWO_EXPORTS % "".join(OUT % (o, o, o) for o in outputs))
    body = "".join(
        f"  Q{n}:\n    Type: AWS::SQS::Queue\n    Properties: {{QueueName: !ImportValue net-{n}}}\n" for n in imports
    )
    write(root, "app.yaml", "Resources:\n" + (body or "  Q: {Type: AWS::SQS::Queue}\n"))
    return root


def test_moving_an_import_and_removing_the_old_export_in_one_release_is_blocked(tmp_path):
    # The importer still imports from net after the release, so it is updated after net; while
    # net deletes the old export, app's deployed template still imports it, and CloudFormation
    # refuses ("cannot be deleted as it is in use"). Hence the two-release migration.
    before = _moved_import(tmp_path / "a", ["Old", "New"], ["Old"])
    in_one = _moved_import(tmp_path / "b", ["New"], ["New"])
    p = iacviz.plan_changes(before, in_one)
    assert row(p, "Old", "output")["blocked"] == "Export net-Old cannot be deleted as it is in use by app"
    # Two releases: first move the import, then delete the export; neither is refused.
    step_1 = _moved_import(tmp_path / "c", ["Old", "New"], ["New"])
    for a, b in ((before, step_1), (step_1, in_one)):
        plan = iacviz.plan_changes(a, b)
        assert plan.blocked.isna().all(), plan[["stack", "logical_id", "blocked"]]


def test_an_importer_that_drops_every_import_of_the_exporter_keeps_nothing_in_use(tmp_path):
    # No dependency is left, so nothing orders app after net: the export is not held by app.
    before = _moved_import(tmp_path / "a", ["Old", "New"], ["Old"])
    after = _moved_import(tmp_path / "b", ["New"], [])
    assert iacviz.plan_changes(before, after).blocked.isna().all()


def test_capstone_step_2_straight_from_the_sample_is_refused_and_after_step_1_is_not():
    scenarios = ROOT / "data" / "scenarios"
    straight = iacviz.plan_changes(ROOT / "data" / "sample-estate", scenarios / "capstone-step-2")
    blocked = straight[straight.blocked.notna()]
    assert list(zip(blocked["stack"], blocked.logical_id)) == [("network", "DbSecurityGroupId")]
    assert blocked.blocked.iloc[0].endswith("in use by data")
    after_step_1 = iacviz.plan_changes(scenarios / "capstone", scenarios / "capstone-step-2")
    assert after_step_1.blocked.isna().all()


def test_stack_present_on_one_side_only(tmp_path):
    p = iacviz.plan_changes(estate(tmp_path / "a", "one"), estate(tmp_path / "b", "one", app=False))
    r = row(p, "Q")
    assert (r["stack"], r["action"], r["note"]) == ("app", "Remove", "stack app removed")
    p = iacviz.plan_changes(estate(tmp_path / "b", "one", app=False), estate(tmp_path / "a", "one"))
    assert row(p, "Q")["action"] == "Add" and row(p, "Q")["note"] == "stack app added"


# -- data loss -------------------------------------------------------------------------------


def db(name="shop", **attrs):
    return tpl(
        {
            "Db": res(
                "AWS::RDS::DBInstance",
                {"Engine": "postgres", "DBInstanceClass": "db.t4g.micro", "AllocatedStorage": 20, "DBName": name},
                **attrs,
            )
        }
    )


@pytest.mark.parametrize(
    "attrs, loses, action",
    [
        ({}, True, "ReplaceAndDelete"),  # UpdateReplacePolicy defaults to Delete
        ({"DeletionPolicy": "Snapshot"}, True, "ReplaceAndDelete"),  # DeletionPolicy does not act on replacement
        ({"UpdateReplacePolicy": "Snapshot"}, False, "ReplaceAndSnapshot"),
        ({"UpdateReplacePolicy": "Retain"}, False, "ReplaceAndRetain"),
    ],
)
def test_data_loss_on_replacement(attrs, loses, action):
    # [REF] "UpdateReplacePolicy acts on the old physical resource after a replacement: Delete
    # (default), Retain, Snapshot"; DBName is create-only for AWS::RDS::DBInstance.
    r = row(plan(db("shop", **attrs), db("catalogue", **attrs)), "Db")
    assert r["replacement"] == "True" and r["data_loss"] is loses and r["policy_action"] == action


@pytest.mark.parametrize(
    "resource, loses, action",
    [
        (res("AWS::RDS::DBInstance", {"Engine": "postgres"}), False, "Snapshot"),  # default Snapshot
        (res("AWS::RDS::DBInstance", {"Engine": "aurora-postgresql", "DBClusterIdentifier": "c"}), True, "Delete"),
        (res("AWS::RDS::DBCluster", {"Engine": "aurora-postgresql"}), False, "Snapshot"),
        (res("AWS::DynamoDB::Table", DeletionPolicy="Retain"), False, "Retain"),
        (res("AWS::DynamoDB::Table", DeletionPolicy="RetainExceptOnCreate"), False, "Retain"),
        (res("AWS::S3::Bucket", DeletionPolicy="Snapshot"), True, "Snapshot"),  # no snapshots: falls back to Delete
        (res("AWS::SNS::Topic"), False, "Delete"),  # not stateful
    ],
)
def test_data_loss_on_removal(resource, loses, action):
    # [REF] "DeletionPolicy ... Default is Snapshot for AWS::RDS::DBCluster and for AWS::RDS::DBInstance
    # without DBClusterIdentifier"; "Snapshot (falls back to Delete where unsupported)".
    r = row(plan(tpl({"X": resource}), tpl({})), "X")
    assert r["action"] == "Remove" and r["data_loss"] is loses


def test_conditional_replacement_of_stateful_resource_may_lose_data():
    def t(multi_az):
        return tpl({"Db": res("AWS::RDS::DBInstance", {"Engine": "postgres", "MultiAZ": multi_az})})

    r = row(plan(t(False), t(True)), "Db")  # MultiAZ is conditionally create-only
    assert r["replacement"] == "Conditional" and pd.isna(r["data_loss"]) and pd.isna(r["will_replace"])


# -- attributes other than properties --------------------------------------------------------


def test_tags_metadata_and_policies_have_their_own_attributes():
    # [API] ResourceTargetDefinition.Attribute: Properties | Metadata | CreationPolicy | UpdatePolicy |
    # DeletionPolicy | UpdateReplacePolicy | Tags; [UG] a tag change: {"Attribute": "Tags",
    # "RequiresRecreation": "Never"} with Scope ["Tags"].
    before = tpl({"B": res("AWS::S3::Bucket", {"Tags": [{"Key": "team", "Value": "a"}]})})
    after = tpl(
        {
            "B": res(
                "AWS::S3::Bucket",
                {"Tags": [{"Key": "team", "Value": "b"}]},
                Metadata={"owner": "x"},
                DeletionPolicy="Retain",
                UpdateReplacePolicy="Retain",
            )
        }
    )
    r = row(plan(before, after), "B")
    assert [(d["attribute"], d["name"], d["requires_recreation"]) for d in r["details"]] == [
        ("Tags", None, "Never"),
        ("Metadata", None, "Never"),
        ("DeletionPolicy", None, "Never"),
        ("UpdateReplacePolicy", None, "Never"),
    ]
    assert r["scope"] == ["DeletionPolicy", "Metadata", "Tags", "UpdateReplacePolicy"]
    assert r["replacement"] == "False"


# -- SAM -------------------------------------------------------------------------------------


def sam(uri):
    return {
        "Transform": "AWS::Serverless-2016-10-31",
        "Resources": {
            "Fn": {
                "Type": "AWS::Serverless::Function",
                "Properties": {"Runtime": "python3.12", "Handler": "app.h", "CodeUri": uri, "AutoPublishAlias": "live"},
            }
        },
    }


def test_sam_code_change_publishes_a_new_version():
    # [REF] SAM expansion: "Function versions ... get hashed logical ids, so a code change shows up as
    # Add + Remove of the version"; the function's Code is not create-only: in place.
    p = plan(sam("s3://bucket/v1.zip"), sam("s3://bucket/v2.zip"))
    versions = p[p["resource_type"] == "AWS::Lambda::Version"]
    assert sorted(versions["action"]) == ["Add", "Remove"]
    fn = row(p, "Fn")
    assert (fn["action"], fn["replacement"], fn["will_replace"]) == ("Modify", "False", False)
    assert fn["details"][0]["name"] == "Code"
    assert row(p, "FnAliaslive")["replacement"] == "False"  # the alias points at the new version


# -- what cannot be known offline ------------------------------------------------------------


def test_unknowable_inputs_are_marked_not_guessed():
    # [REF] "AWS::SSM::Parameter::Value<...> parameters (re-resolved every deployment),
    # {{resolve:ssm:...}} ... dynamic references, macros other than the SAM transform, AWS::Include.
    # Report them as unknown rather than guessing."
    t = tpl(
        {
            "Web": res("AWS::EC2::Instance", {"ImageId": {"Ref": "Ami"}}),
            "Cfg": res("AWS::SSM::Parameter", {"Type": "String", "Value": "{{resolve:ssm:/app/v}}"}),
            "Plain": res("AWS::SQS::Queue"),
        },
        {"Ami": {"Type": "AWS::SSM::Parameter::Value<AWS::EC2::Image::Id>", "Default": "/aws/ami"}},
    )
    p = plan(t, t)
    assert row(p, "Web")["action"] == "Dynamic" and "SSM parameter" in row(p, "Web")["unknowable"]
    assert "{{resolve:ssm:/app/v}}" in row(p, "Cfg")["unknowable"]
    assert "Plain" not in set(p["logical_id"])
    # A new SSM key is not compared as a value: CloudFormation reads whatever it points at.
    p = plan(t, t, {"Ami": "/aws/ami"}, {"Ami": "/aws/ami-2"})
    assert row(p, "Web")["action"] == "Dynamic"


def test_macro_other_than_sam_is_unknowable():
    before = tpl({"Q": res("AWS::SQS::Queue", {"DelaySeconds": 0})}, Transform=["MyMacro"])
    after = tpl({"Q": res("AWS::SQS::Queue", {"DelaySeconds": 5})}, Transform=["MyMacro"])
    assert "macro MyMacro" in row(plan(before, after), "Q")["unknowable"]


# -- nested stacks, outputs, rendering -------------------------------------------------------


def test_nested_stack_resource_is_updated_automatically(tmp_path):
    # [API] "Automatic entities are AWS::CloudFormation::Stack resource types ... because the nested
    # stack's template might have changed".
    for side, delay in (("a", 0), ("b", 5)):
        write(
            tmp_path / side,
            "parent.yaml",
            "Resources:\n  Child:\n    Type: AWS::CloudFormation::Stack\n    Properties: {TemplateURL: ./child.yaml}\n",
        )
        write(
            tmp_path / side,
            "child.yaml",
            f"Resources:\n  Q:\n    Type: AWS::SQS::Queue\n    Properties: {{DelaySeconds: {delay}}}\n",
        )
    p = iacviz.plan_changes(tmp_path / "a", tmp_path / "b")
    parent = row(p, "Child")
    assert parent["stack"] == "parent" and sources(parent) == [("Static", "Automatic", None)]
    assert row(p, "Q")["stack"] == "parent-Child"


def test_output_rows_and_rendering():
    before = tpl(
        {"Q": res("AWS::SQS::Queue", {"QueueName": "a"})},
        outputs={"Url": {"Value": {"Ref": "Q"}}, "Old": {"Value": "x"}},
    )
    after = tpl({"Q": res("AWS::SQS::Queue", {"QueueName": "b"})}, outputs={"Url": {"Value": {"Ref": "Q"}}})
    p = plan(before, after)
    assert sources(row(p, "Url", "output")) == [("Static", "ResourceReference", "Q")]
    assert row(p, "Old", "output")["action"] == "Remove"
    assert "Q" in plan_to_text(p, "table") and "| s | resource | Q |" in plan_to_text(p, "markdown")
    assert json.loads(plan_to_text(p, "json"))[0]["details"][0]["name"] == "QueueName"
    assert plan_to_text(p, "csv").splitlines()[0].startswith("stack,logical_id")
    assert fail_reasons(p, "replacement") == ["replacement: s/Q (AWS::SQS::Queue) will be replaced"]
    with pytest.raises(iacviz.IacvizError):
        fail_reasons(p, "everything")


# -- the release-2 scenario ------------------------------------------------------------------


@pytest.fixture(scope="module")
def release2():
    return iacviz.plan_changes(ROOT / "data" / "sample-estate", ROOT / "data" / "scenarios" / "release-2")


def test_release2_data_stack(release2):
    # CHANGES.md (a): Db Modify, Replacement True, Properties/DBName Always Static DirectModification
    # without CausingEntity, PolicyAction ReplaceAndDelete, data lost (no UpdateReplacePolicy).
    db = row(release2, "Db")
    assert (db["stack"], db["action"], db["replacement"], db["will_replace"]) == ("data", "Modify", "True", True)
    assert db["details"] == [
        {
            "attribute": "Properties",
            "name": "DBName",
            "requires_recreation": "Always",
            "evaluation": "Static",
            "change_source": "DirectModification",
            "causing_entity": None,
        }
    ]
    assert db["policy_action"] == "ReplaceAndDelete" and db["data_loss"] is True and pd.isna(db["blocked"])
    # DbEndpointParameter: Modify False, ResourceAttribute Db.Endpoint.Address (and .Port), Static, Never.
    param = row(release2, "DbEndpointParameter")
    assert param["replacement"] == "False"
    assert {
        (d["evaluation"], d["change_source"], d["causing_entity"], d["requires_recreation"]) for d in param["details"]
    } == {
        ("Static", "ResourceAttribute", "Db.Endpoint.Address", "Never"),
        ("Static", "ResourceAttribute", "Db.Endpoint.Port", "Never"),
    }
    resources = release2[(release2["stack"] == "data") & (release2["kind"] == "resource")]
    assert sorted(resources["logical_id"]) == ["Db", "DbEndpointParameter"]
    # The unused export shop-data-DbEndpointAddress changes value, and is accepted.
    assert pd.isna(row(release2, "DbEndpointAddress", "output")["blocked"])


def test_release2_network_stack(release2):
    # CHANGES.md (b): AppSecurityGroup Modify True (GroupDescription Always Static); the two ingress
    # rules True (ResourceReference AppSecurityGroup, Static, Always: the group is certainly new);
    # the export shop-network-AppSecurityGroupId is in use by orders-api, storefront-env and ShopWorkers.
    sg = row(release2, "AppSecurityGroup")
    assert (sg["replacement"], sg["will_replace"], sg["data_loss"]) == ("True", True, False)
    assert sources(sg) == [("Static", "DirectModification", None)]
    assert sg["details"][0]["name"] == "GroupDescription"
    for lid in ("AppIngressFromLoadBalancer", "DbIngressFromApp"):
        r = row(release2, lid)
        assert (r["replacement"], r["will_replace"]) == ("True", True)
        assert sources(r) == [("Static", "ResourceReference", "AppSecurityGroup")]
        assert r["details"][0]["requires_recreation"] == "Always"
    for blocked in (sg["blocked"], row(release2, "AppSecurityGroupId", "output")["blocked"]):
        assert blocked.startswith("Export shop-network-AppSecurityGroupId cannot be updated as it is in use by ")
        assert all(s in blocked for s in ("orders-api", "storefront-env", "ShopWorkers"))
    resources = release2[(release2["stack"] == "network") & (release2["kind"] == "resource")]
    assert sorted(resources["logical_id"]) == ["AppIngressFromLoadBalancer", "AppSecurityGroup", "DbIngressFromApp"]


def test_release2_orders_api_stack(release2):
    # CHANGES.md (c): CreateOrderFunction Modify False, MemorySize and Timeout Never Static
    # DirectModification; no Version Add/Remove; "No other resource changes": the API, listed by the
    # GetAtt rule, keeps the function's Arn, so nothing of it changes.
    fn = row(release2, "CreateOrderFunction")
    assert (fn["resource_type"], fn["replacement"], fn["will_replace"]) == ("AWS::Lambda::Function", "False", False)
    assert {(d["name"], d["requires_recreation"], d["evaluation"], d["change_source"]) for d in fn["details"]} == {
        ("MemorySize", "Never", "Static", "DirectModification"),
        ("Timeout", "Never", "Static", "DirectModification"),
    }
    others = release2[(release2["stack"] == "orders-api") & (release2["logical_id"] != "CreateOrderFunction")]
    assert not (others["action"].isin(["Add", "Remove"])).any()
    assert (others["will_replace"] == False).all()  # noqa: E712 - nullable boolean
    assert all(d["evaluation"] == "Dynamic" for ds in others["details"] for d in ds)


def test_release2_touches_only_the_three_stacks(release2):
    assert set(release2["stack"]) == {"data", "network", "orders-api"}
    reasons = fail_reasons(release2, "replacement,data-loss,blocked")
    assert "data-loss: data/Db (AWS::RDS::DBInstance) Modify loses its data (policy action ReplaceAndDelete)" in reasons
    assert any(r.startswith("blocked: network/AppSecurityGroup") for r in reasons)


@pytest.mark.parametrize(
    "resources, expected",
    [
        ({"Q": {"Type": "AWS::SQS::Queue", "Properties": {"QueueName": "jobs"}}}, False),
        ({"Q": {"Type": "AWS::SQS::Queue", "Properties": {"QueueName": "{{resolve:ssm:/name}}"}}}, True),
        ({"Q": {"Type": "AWS::SQS::Queue", "Properties": {"Tags": [{"Key": "k", "Value": "a{{resolve:x}}"}]}}}, True),
        ({"Q": {"Type": "AWS::SQS::Queue", "Properties": {"Fn::Transform": {"Name": "M"}}}}, True),
        ({"Q": {"Type": "AWS::SQS::Queue", "Properties": {"QueueName": ["Fn::Transform"]}}}, True),
        ({"Q": {"Type": "AWS::SQS::Queue", "Properties": {"QueueName": 'say "Fn::Transform'}}}, True),
        ({"Q": {"Type": "AWS::SQS::Queue", "Properties": {"QueueName": "Fn::Transforms"}}}, False),
        ({"Q": {"Type": "AWS::SQS::Queue", "Properties": {"DelaySeconds": 5, "Fifo": True, "X": None}}}, False),
        ({"Q": {"Type": "AWS::SQS::Queue", "Properties": {1: "{{resolve:x}}"}}}, True),  # non-text key
        ({"Q": {"Type": "AWS::SQS::Queue", "Properties": {"When": datetime.date(2020, 1, 1)}}}, False),
        ({"Q": {"Type": "AWS::SQS::Queue", "Properties": {"QueueName": "é{{resolve:ssm:n}}"}}}, True),  # not ASCII
        ({"Q": {"Type": "AWS::SQS::Queue", "Properties": {"Tags": [{"\ud800": "{{resolve:x}}"}]}}}, True),
        ({"Q": {"Type": "AWS::SQS::Queue", "Properties": {"QueueName": "{{resolve", "Other": ":x}}"}}}, False),
    ],
)
def test_read_at_deploy_is_what_the_json_text_shows(resources, expected):
    # The scan replaced a search of the resources' JSON text: same answer on every shape.
    text = json.dumps(resources, default=str)
    assert ("{{resolve:" in text or '"Fn::Transform"' in text) is expected
    assert change_stack._read_at_deploy(resources) is expected
