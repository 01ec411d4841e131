"""A Condition on a parent's AWS::CloudFormation::Stack resource decides whether the child stack
exists: its resources, references and import sites exist only when the condition holds. Built
like a Quick Start: a main template nesting optional children by S3 URL."""

from __future__ import annotations

import pandas as pd

import iacviz

from estate_files import write

URL = "!Sub 'https://${QSS3BucketName}.s3.${AWS::URLSuffix}/${QSS3KeyPrefix}templates/%s.template.yaml'"


def quick_start(root):
    write(
        root,
        "templates/main.template.yaml",
        f"""\
        Parameters:
          QSS3BucketName: {{Type: String, Default: aws-quickstart}}
          QSS3KeyPrefix: {{Type: String, Default: quickstart-example/}}
          EnableLogging: {{Type: String, Default: 'false', AllowedValues: ['true', 'false']}}
          EnableWaf: {{Type: String, AllowedValues: ['true', 'false']}}
        Conditions:
          LoggingOn: !Equals [!Ref EnableLogging, 'true']
          WafOn: !Equals [!Ref EnableWaf, 'true']
        Resources:
          VPCStack:
            Type: AWS::CloudFormation::Stack
            Properties: {{TemplateURL: {URL % "vpc"}}}
          LoggingStack:
            Type: AWS::CloudFormation::Stack
            Condition: LoggingOn
            Properties: {{TemplateURL: {URL % "logging"}}}
          WafStack:
            Type: AWS::CloudFormation::Stack
            Condition: WafOn
            Properties: {{TemplateURL: {URL % "waf"}}}
        """,
    )
    write(
        root,
        "templates/vpc.template.yaml",
        """\
        Resources:
          Vpc: {Type: AWS::EC2::VPC, Properties: {CidrBlock: 10.0.0.0/16}}
        Outputs:
          VpcId: {Value: !Ref Vpc, Export: {Name: qs-VpcId}}
        """,
    )
    # The logging child nests one more level; the central log bucket it imports is not in the estate.
    write(
        root,
        "templates/logging.template.yaml",
        f"""\
        Parameters:
          QSS3BucketName: {{Type: String, Default: aws-quickstart}}
          QSS3KeyPrefix: {{Type: String, Default: quickstart-example/}}
        Resources:
          FlowLogs:
            Type: AWS::EC2::FlowLog
            Properties:
              ResourceId: !ImportValue qs-VpcId
              ResourceType: VPC
              TrafficType: ALL
              LogDestinationType: s3
              LogDestination: !ImportValue central-LogBucketArn
          RetentionStack:
            Type: AWS::CloudFormation::Stack
            Properties: {{TemplateURL: {URL % "retention"}}}
        """,
    )
    write(
        root,
        "templates/retention.template.yaml",
        """\
        Resources:
          Rule:
            Type: AWS::Events::Rule
            Properties: {ScheduleExpression: rate(1 day), Targets: [{Id: t, Arn: !ImportValue central-ArchiverArn}]}
        """,
    )
    write(
        root,
        "templates/waf.template.yaml",
        """\
        Resources:
          Sg:
            Type: AWS::EC2::SecurityGroup
            Properties: {GroupDescription: waf, VpcId: !ImportValue qs-VpcId}
          Acl:
            Type: AWS::SSM::Parameter
            Properties: {Type: String, Value: !ImportValue central-WafAclArn}
        """,
    )
    return root


def _active(estate) -> dict[tuple[str, str], bool | None]:
    return {
        (s, e): (None if a is pd.NA else bool(a))
        for s, e, a in zip(estate.imports["stack"], estate.imports.export_name, estate.imports.active.astype(object))
    }


def test_a_parent_condition_reaches_the_child_its_grandchild_and_their_imports(tmp_path):
    estate = iacviz.load(quick_start(tmp_path))
    st = estate.stacks.set_index("parent_resource")
    logging, retention, waf = st["stack"]["LoggingStack"], st["stack"]["RetentionStack"], st["stack"]["WafStack"]
    assert st.parent_stack["RetentionStack"] == logging  # nested two levels deep, by URL
    active = _active(estate)
    # LoggingOn is false (default 'false'): the child and its own child are never created.
    assert active[(logging, "qs-VpcId")] is False and active[(logging, "central-LogBucketArn")] is False
    assert active[(retention, "central-ArchiverArn")] is False
    # WafOn is unknown (no default): the child exists only if it holds.
    assert active[(waf, "qs-VpcId")] is None and active[(waf, "central-WafAclArn")] is None
    links = estate.imports.set_index(["stack", "export_name"]).link
    assert links[(logging, "central-LogBucketArn")] == "inactive"
    assert links[(retention, "central-ArchiverArn")] == "inactive"
    assert links[(waf, "central-WafAclArn")] == "dangling"
    # The resources of a child say whether they exist.
    res = estate.resources.set_index(["stack", "logical_id"]).condition_value
    assert res[(logging, "FlowLogs")] == False and res[(retention, "Rule")] == False  # noqa: E712
    assert pd.isna(res[(waf, "Sg")])
    assert res[(st["stack"]["VPCStack"], "Vpc")] == True  # noqa: E712
    # No error for imports that are never evaluated; the one under an unknown condition says so.
    found = iacviz.review(estate)
    dangling = found[found.rule_id == "E2002"]
    assert set(dangling["stack"]) == {waf}
    assert dangling.message.str.contains("unknown").all()
    assert not found[found["stack"].isin([logging, retention])].active.fillna(True).astype(bool).any()
    # The blast radius of the VPC ignores the logging child and marks the WAF child conditional.
    br = iacviz.blast_radius(estate, f"{st['stack']['VPCStack']}/Vpc").set_index(["stack", "logical_id"])
    assert (logging, "FlowLogs") not in br.index
    assert br.loc[(waf, "Sg"), "impact"] == "conditional"
    assert br.loc[(st["stack"]["VPCStack"], "Outputs.VpcId"), "blocked"].endswith(f"{waf} (if its condition holds)")


def test_the_parent_parameters_decide(tmp_path):
    quick_start(tmp_path)
    estate = iacviz.load(tmp_path, parameters={"EnableLogging": "true", "EnableWaf": "false"})
    st = estate.stacks.set_index("parent_resource")
    active = _active(estate)
    logging, retention, waf = st["stack"]["LoggingStack"], st["stack"]["RetentionStack"], st["stack"]["WafStack"]
    assert active[(logging, "qs-VpcId")] is True and active[(retention, "central-ArchiverArn")] is True
    assert active[(waf, "qs-VpcId")] is False
    dangling = iacviz.review(estate, rules=["E2002"])
    assert set(dangling["stack"]) == {logging, retention}  # now created: their imports dangle for real
    br = iacviz.blast_radius(estate, f"{st['stack']['VPCStack']}/Vpc").set_index(["stack", "logical_id"])
    assert br.loc[(logging, "FlowLogs"), "impact"] == "replaced" and (waf, "Sg") not in br.index


def test_the_plan_follows_the_parent_condition(tmp_path):
    a = quick_start(tmp_path / "a")
    b = quick_start(tmp_path / "b")
    for name, old, new in (
        ("logging", "TrafficType: ALL", "TrafficType: REJECT"),
        ("waf", "GroupDescription: waf", "GroupDescription: waf2"),
    ):
        path = b / "templates" / f"{name}.template.yaml"
        path.write_text(path.read_text().replace(old, new))
    plan = iacviz.plan_changes(a, b)
    # The logging stack is never created: nothing of it changes. The WAF stack may be.
    assert "main-template-LoggingStack" not in set(plan["stack"])
    sg = plan.set_index(["stack", "logical_id"]).loc[("main-template-WafStack", "Sg")]
    assert (
        sg.action == "Modify"
        and sg.unknowable == "condition WafOn on main-template/WafStack cannot be evaluated offline"
    )
    # Turning logging on creates the nested stacks and all they hold.
    plan = iacviz.plan_changes(
        a, b, before_parameters={"EnableLogging": "false"}, after_parameters={"EnableLogging": "true"}
    )
    added = plan[plan.action == "Add"]
    assert set(zip(added["stack"], added.logical_id)) == {
        ("main-template", "LoggingStack"),
        ("main-template-LoggingStack", "FlowLogs"),
        ("main-template-LoggingStack", "RetentionStack"),
        ("main-template-LoggingStack-RetentionStack", "Rule"),
    }
