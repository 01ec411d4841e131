"""Parameter values in their two shapes, from every way in: iacviz.load, the estate file's
estate-wide `parameters:` block, and `--parameters` on each command that reads templates."""

from __future__ import annotations

import json

import pytest

import iacviz
from iacviz.cli import main
from iacviz.sources.parameter_values import ParameterShapeError, ParameterValues, parse_pairs

from estate_files import write

NET = """\
    Parameters:
      Env: {Type: String, Default: dev}
      Cidr: {Type: String, Default: 10.0.0.0/16}
    Resources:
      Vpc: {Type: AWS::EC2::VPC, Properties: {CidrBlock: !Ref Cidr}}
    Outputs:
      VpcId: {Value: !Ref Vpc, Export: {Name: !Sub '${Env}-VpcId'}}
    """
APP = """\
    Parameters:
      Env: {Type: String}
      ParentVPCStack: {Type: String, Description: based on net.yaml}
    Resources:
      Sg:
        Type: AWS::EC2::SecurityGroup
        Properties:
          GroupDescription: app
          VpcId: !ImportValue
            Fn::Sub: '${Env}-VpcId'
    """


@pytest.fixture()
def estate_dir(tmp_path):
    write(tmp_path, "net.yaml", NET)
    write(tmp_path, "app.yaml", APP)
    return tmp_path


def _values(estate, stack):
    p = estate.parameters[estate.parameters["stack"] == stack]
    return dict(zip(p.name, zip(p.value, p.value_source)))


def test_both_shapes_mix_and_the_stack_wins():
    values = ParameterValues.of({"Env": "prod", "app": {"Env": "test"}})
    assert values.for_stack("app", ["Env"]) == {"Env": "test"}
    assert values.for_stack("net", ["Env", "Cidr"]) == {"Env": "prod"}
    assert values.for_stack("other", ["Cidr"]) == {}  # only keys the stack declares
    assert parse_pairs(["Env=prod", "app/Env=test"]) == values
    assert parse_pairs(["a/b/Env=x"]).per_stack == {"a/b": {"Env": "x"}}  # a stack key holding '/'
    for bad in (["Env"], ["=x"], ["/Env=x"], ["app/=x"]):
        with pytest.raises(ParameterShapeError):
            parse_pairs(bad)
    with pytest.raises(ParameterShapeError):
        ParameterValues.of(["Env=prod"])


def test_load_takes_both_shapes(estate_dir):
    estate = iacviz.load(estate_dir, parameters={"Env": "prod"})
    assert _values(estate, "net")["Env"] == ("prod", "user")
    assert _values(estate, "app")["Env"] == ("prod", "user")
    assert estate.imports.link.tolist() == ["exact"]
    estate = iacviz.load(estate_dir, parameters={"Env": "prod", "app": {"Env": "test"}})
    assert _values(estate, "app")["Env"] == ("test", "user")
    assert estate.imports.link.tolist() == ["dangling"]  # test-VpcId: nobody exports it
    with pytest.raises(TypeError, match="parameters"):
        iacviz.load(estate_dir, parameters="Env=prod")


def test_estate_file_parameters_apply_to_every_stack_declaring_the_key(estate_dir):
    write(
        estate_dir,
        "iacviz-estate.yaml",
        """\
        parameters:
          Env: prod
          Unused: 1
        stacks:
          app:
            template: app.yaml
            parameters: {ParentVPCStack: net}
        """,
    )
    estate = iacviz.load(estate_dir)
    assert _values(estate, "net")["Env"] == ("prod", "estate-file")
    assert _values(estate, "app") == {"Env": ("prod", "estate-file"), "ParentVPCStack": ("net", "estate-file")}
    assert "Unused" not in set(estate.parameters.name)
    assert estate.imports.link.tolist() == ["exact"]
    # A stack's own value wins over the estate-wide one; the user's wins over both.
    write(
        estate_dir,
        "iacviz-estate.yaml",
        """\
        parameters: {Env: prod}
        stacks:
          app: {template: app.yaml, parameters: {Env: test}}
        """,
    )
    estate = iacviz.load(estate_dir)
    assert _values(estate, "app")["Env"] == ("test", "estate-file")
    assert _values(estate, "net")["Env"] == ("prod", "estate-file")
    estate = iacviz.load(estate_dir, parameters={"app": {"Env": "prod"}})
    assert _values(estate, "app")["Env"] == ("prod", "user")


def test_estate_wide_values_reach_nested_stacks_that_their_parent_does_not_feed(tmp_path):
    write(tmp_path, "iacviz-estate.yaml", "parameters: {Env: prod, Size: big}\n")
    write(
        tmp_path,
        "parent.yaml",
        """\
        Parameters: {Size: {Type: String}}
        Resources:
          Child:
            Type: AWS::CloudFormation::Stack
            Properties: {TemplateURL: child.yaml, Parameters: {Size: small}}
        """,
    )
    write(
        tmp_path,
        "child.yaml",
        """\
        Parameters: {Env: {Type: String}, Size: {Type: String}}
        Resources: {Q: {Type: AWS::SQS::Queue}}
        """,
    )
    estate = iacviz.load(tmp_path)
    assert _values(estate, "parent-Child") == {"Env": ("prod", "estate-file"), "Size": ("small", "parent")}
    assert _values(estate, "parent")["Size"] == ("big", "estate-file")


def test_bad_estate_wide_parameters_are_an_error_row(tmp_path):
    write(tmp_path, "iacviz-estate.yaml", "parameters: [Env=prod]\n")
    write(tmp_path, "q.yaml", "Resources: {Q: {Type: AWS::SQS::Queue}}\n")
    estate = iacviz.load(tmp_path)
    assert estate.stacks["stack"].tolist() == ["q"]
    assert estate.errors.source.tolist() == ["iacviz-estate.yaml"]


@pytest.mark.parametrize("command", ["review", "exports", "blast", "snapshot"])
def test_every_command_reading_templates_takes_parameters(capsys, estate_dir, tmp_path_factory, command):
    argv = {
        "review": ["review", str(estate_dir), "--format", "json", "--fail-level", "never"],
        "exports": ["exports", str(estate_dir), "--show", "imports", "--format", "json"],
        "blast": ["blast", str(estate_dir), "net/Vpc", "--format", "json"],
        "snapshot": ["snapshot", str(estate_dir), "-o", str(tmp_path_factory.mktemp("snap"))],
    }[command]
    assert main(argv + ["--parameters", "Env=prod"]) == 0
    out = capsys.readouterr().out
    if command == "exports":
        assert [r["link"] for r in json.loads(out)] == ["exact"]
    elif command == "blast":  # the import now reaches app
        assert "app" in {r["stack"] for r in json.loads(out)}
    elif command == "review":
        assert not any(r["rule_id"] == "E2002" for r in json.loads(out))
    else:
        snap = iacviz.read_snapshot(argv[-1])
        assert _values(snap, "app")["Env"] == ("prod", "user")
    assert main(argv + ["--parameters", "app/Env=test", "Env=prod"]) == 0
    out = capsys.readouterr().out
    if command == "exports":
        assert [r["link"] for r in json.loads(out)] == ["dangling"]
    elif command == "blast":
        assert "app" not in {r["stack"] for r in json.loads(out)}
    assert main(argv + ["--parameters", "Env"]) == 2
