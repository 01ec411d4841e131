"""Stack names made from folder and file names are names CloudFormation accepts: a '+' (the
shared corpus's ``owner+repo`` folders), '.', '_' or a space would end up in ``AWS::StackName``
and in every export name built from it, where no importer's placeholder can match it."""

from __future__ import annotations

import iacviz
from iacviz.cfn.stack_names import as_stack_name, is_stack_name

from estate_files import write

VPC = """\
    Resources: {Vpc: {Type: AWS::EC2::VPC, Properties: {CidrBlock: 10.0.0.0/16}}}
    Outputs:
      VpcId: {Value: !Ref Vpc, Export: {Name: !Sub '${AWS::StackName}-VPCID'}}
    """
# The default names a stack that is no part of the estate: the link is inferred by pattern.
APP = """\
    Parameters:
      NetworkStackName: {Type: String, Default: production}
    Resources:
      Sg:
        Type: AWS::EC2::SecurityGroup
        Properties:
          GroupDescription: x
          VpcId: !ImportValue {'Fn::Sub': '${NetworkStackName}-VPCID'}
    """


def test_a_plus_in_a_folder_name_no_longer_breaks_placeholder_matching(tmp_path):
    # Laid out like the corpus root: owner+repo folders, each template a template.yaml.
    write(tmp_path, "aws+templates/vpc/template.yaml", VPC)
    write(tmp_path, "aws+templates/app/template.yaml", APP)
    estate = iacviz.load(tmp_path)
    names = set(estate.stacks.stack_name)
    assert names == {"aws-templates-vpc-template", "aws-templates-app-template"}
    assert estate.exports.export_name.tolist() == ["aws-templates-vpc-template-VPCID"]
    imp = estate.imports.iloc[0]
    assert imp.link == "inferred" and imp.export_stack == "aws-templates-vpc-template"
    assert "E2002" not in set(iacviz.review(estate).rule_id)


def test_derived_names_are_valid_and_stay_unique(tmp_path):
    for rel in ("a+b.yaml", "a-b.yaml", "my_stack.yaml", "01-net.yaml", "x/vpc.yaml", "x/vpc.json", "ok.yaml"):
        write(tmp_path, rel, '{"Resources": {"Q": {"Type": "AWS::SQS::Queue"}}}\n')
    st = iacviz.load(tmp_path).stacks
    assert all(is_stack_name(n) for n in st.stack_name), st.stack_name.tolist()
    assert st.stack_name.is_unique
    by_source = dict(zip(st.source, st.stack_name))
    assert by_source["ok.yaml"] == "ok" and by_source["my_stack.yaml"] == "my-stack"
    assert by_source["01-net.yaml"] == "stack-01-net"
    assert {by_source["a+b.yaml"], by_source["a-b.yaml"]} == {"a-b", "a-b-yaml"}
    pair = {by_source["x/vpc.yaml"], by_source["x/vpc.json"]}  # the one read second keeps its suffix
    assert pair in ({"x-vpc", "x-vpc-json"}, {"x-vpc", "x-vpc-yaml"})


def test_names_the_user_gives_are_kept(tmp_path):
    write(tmp_path, "net/vpc.yaml", VPC)
    write(tmp_path, "iacviz-estate.yaml", "stacks:\n  Net_Prod: {template: net/vpc.yaml}\n")
    assert iacviz.load(tmp_path).stacks.stack_name.tolist() == ["Net_Prod"]


def test_as_stack_name_keeps_valid_names():
    for name in ("net", "Net-Prod-2", "a" * 200):
        assert as_stack_name(name) == name


def test_an_ebextensions_stack_is_named_as_cloudformation_allows(tmp_path):
    write(
        tmp_path,
        "shop+web_v2/.ebextensions/01-queue.config",
        "Resources:\n  Jobs: {Type: AWS::SQS::Queue}\n",
    )
    st = iacviz.load(tmp_path).stacks
    assert st.stack_name.tolist() == ["shop-web-v2"]
