"""Hostile and broken input (issue 14): nothing escapes, nothing hangs, nothing leaks.

Each case is one defect found by trying iacviz as an attacker or a careless user would. With
``strict=False`` every one must end as an error row naming the file and the cause, never as an
exception, a hang or a blown-up memory.
"""

from __future__ import annotations

import json
import os
import shutil
import threading
import time
from pathlib import Path

import pytest

import iacviz
from estate_files import write


def _messages(estate, severity: str | None = "error") -> list[str]:
    rows = estate.errors if severity is None else estate.errors[estate.errors.severity == severity]
    return [f"{r.source}:{r.line}: {r.message}" for r in rows.itertuples()]


def _load_soon(*paths, timeout: float = 20.0, **kwargs):
    """iacviz.load in a thread: a hang fails the test instead of stalling the suite."""
    box: dict = {}

    def run():
        try:
            box["estate"] = iacviz.load(*paths, **kwargs)
        except BaseException as exc:  # handed back to the test
            box["error"] = exc

    worker = threading.Thread(target=run, daemon=True)
    worker.start()
    worker.join(timeout)
    assert not worker.is_alive(), f"load() still running after {timeout}s"
    if "error" in box:
        raise box["error"]
    return box["estate"]


def _nested_json(depth: int, leaf: str = '"x"') -> str:
    return '{"a": ' * depth + leaf + "}" * depth


# --- must not raise -------------------------------------------------------------------------------


@pytest.mark.parametrize("where", ["template", "ebextensions"])
def test_depends_on_a_number_is_an_error_row(tmp_path, where):
    body = "Resources:\n  Q:\n    Type: AWS::SQS::Queue\n    DependsOn: 5\n"
    write(tmp_path, "app/.ebextensions/01.config" if where == "ebextensions" else "t.yaml", body)
    estate = iacviz.load(tmp_path)
    assert any("DependsOn must be" in m for m in _messages(estate)), _messages(estate, None)


def test_sub_of_an_empty_list_is_an_error_row(tmp_path):
    write(
        tmp_path,
        "t.json",
        json.dumps({"Resources": {"Q": {"Type": "AWS::SQS::Queue"}}, "Outputs": {"O": {"Value": {"Fn::Sub": []}}}}),
    )
    estate = iacviz.load(tmp_path)
    assert any("t.json" in m and "Fn::Sub takes" in m for m in _messages(estate))
    assert estate.outputs.resolved_value.isna().all()


def test_lone_surrogate_is_an_error_row_naming_the_file(tmp_path):
    (tmp_path / "t.json").write_text('{"Description": "\\ud800", "Resources": {"Q": {"Type": "AWS::SQS::Queue"}}}')
    estate = iacviz.load(tmp_path)
    assert [m for m in _messages(estate) if m.startswith("t.json") and "surrogate" in m]
    assert estate.stacks.empty


@pytest.mark.parametrize("depth", [490, 700, 950])
@pytest.mark.parametrize("where", ["output", "sam", "language_extensions"])
def test_deep_json_is_an_error_row(tmp_path, depth, where):
    deep = _nested_json(depth)
    if where == "output":
        text = '{"Resources": {"Q": {"Type": "AWS::SQS::Queue"}}, "Outputs": {"O": {"Value": %s}}}' % deep
    elif where == "sam":
        text = (
            '{"Transform": "AWS::Serverless-2016-10-31", "Resources": {"F": {"Type": "AWS::Serverless::Function",'
            ' "Properties": {"Runtime": "python3.12", "Handler": "a.b", "InlineCode": "x", "Tags": %s}}}}' % deep
        )
    else:
        text = (
            '{"Transform": "AWS::LanguageExtensions", "Resources": {"Fn::ForEach::L": ["X", ["a"], '
            '{"Q${X}": {"Type": "AWS::SQS::Queue", "Properties": {"Tags": %s}}}]}}' % deep
        )
    (tmp_path / "deep.json").write_text(text)
    estate = iacviz.load(tmp_path)
    assert any(m.startswith("deep.json") and "nested deeper than" in m for m in _messages(estate))


def test_deep_mapping_given_to_load_template_raises_template_error_only_when_strict():
    body = json.loads(
        '{"Resources": {"Q": {"Type": "AWS::SQS::Queue", "Properties": {"Tags": %s}}}}' % _nested_json(600)
    )
    estate = iacviz.load_template(body, "deep")
    assert any("nested deeper than" in m for m in _messages(estate))
    with pytest.raises(iacviz.TemplateError, match="nested deeper"):
        iacviz.load_template(body, "deep", strict=True)


def test_symlink_loop_is_an_error_row(tmp_path):
    os.symlink("self.yaml", tmp_path / "self.yaml")
    write(tmp_path, "ok.yaml", "Resources:\n  Q: {Type: AWS::SQS::Queue}\n")
    estate = _load_soon(tmp_path)
    assert estate.stacks["stack"].tolist() == ["ok"]
    assert any(m.startswith("self.yaml") and "cannot read" in m for m in _messages(estate))


CDK_TEMPLATE = {"Resources": {"Q": {"Type": "AWS::SQS::Queue"}}}


def _assembly(root: Path, artifact_extra: dict, template=CDK_TEMPLATE, files: dict | None = None) -> Path:
    out = root / "cdk.out"
    out.mkdir(parents=True)
    art = {"type": "aws:cloudformation:stack", "properties": {"templateFile": "App.template.json"}, **artifact_extra}
    (out / "manifest.json").write_text(json.dumps({"version": "36.0.0", "artifacts": {"App": art}}))
    (out / "App.template.json").write_text(json.dumps(template))
    for name, content in (files or {}).items():
        (out / name).write_text(content)
    return out


@pytest.mark.parametrize(
    "extra, template, files, expected",
    [
        ({"properties": "x"}, CDK_TEMPLATE, None, "properties must be a mapping"),
        ({"properties": ["x"]}, CDK_TEMPLATE, None, "properties must be a mapping"),
        ({"metadata": [1]}, CDK_TEMPLATE, None, "metadata must be a mapping"),
        ({"dependencies": 5}, CDK_TEMPLATE, None, "dependencies must be a list"),
        (
            {"properties": {"templateFile": "App.template.json", "stackName": ["x"]}},
            CDK_TEMPLATE,
            None,
            "stackName must be a string",
        ),
        ({"additionalMetadataFile": "meta.json"}, CDK_TEMPLATE, {"meta.json": "[1, 2]"}, "must hold a mapping"),
        ({}, {"Resources": [1]}, None, "Resources must be a mapping"),
    ],
    ids=[
        "properties-str",
        "properties-list",
        "metadata-list",
        "dependencies-int",
        "stackname-list",
        "metadata-file-list",
        "resources-list",
    ],
)
def test_cdk_manifest_of_the_wrong_shape_is_an_error_row(tmp_path, extra, template, files, expected):
    _assembly(tmp_path, extra, template, files)
    estate = iacviz.load(tmp_path)
    assert any(expected in m for m in _messages(estate)), _messages(estate, None)


@pytest.mark.parametrize(
    "estate_file, expected",
    [
        ("stacks: [a, b]\n", "stacks must be a mapping"),
        ("stacks: 5\n", "stacks must be a mapping"),
        ("stacks:\n  net: {template: t.yaml, parameters: 5}\n", "parameters must be a mapping"),
        ("ignore: 5\n", "ignore must be a list"),
        ("stacks:\n  net: {template: [t.yaml]}\n", "template must be a file path"),
    ],
)
def test_estate_file_of_the_wrong_shape_is_an_error_row(tmp_path, estate_file, expected):
    write(tmp_path, "iacviz-estate.yaml", estate_file)
    write(tmp_path, "t.yaml", "Resources:\n  Q: {Type: AWS::SQS::Queue}\n")
    estate = iacviz.load(tmp_path)
    assert any(m.startswith("iacviz-estate.yaml") and expected in m for m in _messages(estate)), _messages(estate)
    assert "t" in estate.stacks["stack"].tolist() or "net" in estate.stacks["stack"].tolist()


# --- must not hang or blow up memory ---------------------------------------------------------------


def test_foreach_expansion_is_capped_at_cloudformation_template_size(tmp_path):
    items = json.dumps([f"i{n}" for n in range(40)])
    write(
        tmp_path,
        "bomb.yaml",
        f"""\
        Transform: AWS::LanguageExtensions
        Resources:
          Fn::ForEach::A:
            - A
            - {items}
            - Fn::ForEach::B:
                - B
                - {items}
                - Fn::ForEach::C:
                    - C
                    - {items}
                    - Fn::ForEach::D:
                        - D
                        - {items}
                        - Q${{A}}${{B}}${{C}}${{D}}: {{Type: AWS::SQS::Queue}}
        """,
    )
    start = time.perf_counter()
    estate = _load_soon(tmp_path)
    assert time.perf_counter() - start < 20
    assert any(
        m.startswith("bomb.yaml") and "the largest template CloudFormation accepts" in m for m in _messages(estate)
    )


def test_foreach_beyond_500_resources_is_an_error_row():
    body = {
        "Transform": "AWS::LanguageExtensions",
        "Resources": {
            "Fn::ForEach::Q": ["N", [str(n) for n in range(501)], {"Queue${N}": {"Type": "AWS::SQS::Queue"}}]
        },
    }
    estate = iacviz.load_template(body, "many")
    assert any("501 resources" in m and "at most 500" in m for m in _messages(estate))


def test_foreach_producing_a_key_twice_is_an_error_row():
    body = {
        "Transform": "AWS::LanguageExtensions",
        "Resources": {"Fn::ForEach::Q": ["N", ["a-b", "ab"], {"Queue&{N}": {"Type": "AWS::SQS::Queue"}}]},
    }
    estate = iacviz.load_template(body, "twice")
    assert any("'Queueab' twice" in m for m in _messages(estate))


def test_fifo_named_like_a_template_does_not_hang(tmp_path):
    os.mkfifo(tmp_path / "f.yaml")
    write(tmp_path, "ok.yaml", "Resources:\n  Q: {Type: AWS::SQS::Queue}\n")
    estate = _load_soon(tmp_path, timeout=10)
    assert estate.stacks["stack"].tolist() == ["ok"]
    assert any(m.startswith("f.yaml") and "not a regular file (a FIFO)" in m for m in _messages(estate))


@pytest.mark.parametrize("device", ["/dev/zero", "/dev/urandom"])
def test_symlink_to_an_endless_device_is_refused(tmp_path, device):
    os.symlink(device, tmp_path / "z.yaml")
    estate = _load_soon(tmp_path, timeout=10, follow_outside=True)
    assert any(m.startswith("z.yaml") and "not a regular file (a character device)" in m for m in _messages(estate))


def test_cdk_template_file_of_dev_zero_is_refused(tmp_path):
    _assembly(tmp_path, {"properties": {"templateFile": "/dev/zero"}})
    estate = _load_soon(tmp_path, timeout=10)
    assert any("outside the assembly" in m for m in _messages(estate))
    estate = _load_soon(tmp_path, timeout=10, follow_outside=True)
    assert any("not a regular file" in m for m in _messages(estate))


def test_fifo_named_manifest_json_does_not_hang(tmp_path):
    (tmp_path / "cdk.out").mkdir()
    os.mkfifo(tmp_path / "cdk.out" / "manifest.json")
    estate = _load_soon(tmp_path, timeout=10)
    assert estate.stacks.empty
    assert any("manifest.json" in m for m in _messages(estate, None))


def test_oversized_file_is_read_only_up_to_the_limit(tmp_path, monkeypatch):
    from iacviz import limits

    big = tmp_path / "big.yaml"
    big.write_bytes(b"Resources: {}\n" + b"#" * (6 * 1024 * 1024))
    reads = []

    class Spy(limits.io.FileIO):
        def read(self, size=-1):
            reads.append(size)
            return super().read(size)

    monkeypatch.setattr(limits.io, "FileIO", Spy)
    estate = iacviz.load(tmp_path)
    assert any("larger than" in m for m in _messages(estate))
    assert reads and all(0 < size <= 5 * 1024 * 1024 + 1 for size in reads)


# --- must not drop silently ---------------------------------------------------------------------


@pytest.mark.parametrize(
    "name, content, expected",
    [
        ("misspelt.yaml", "Resource:\n  Q: {Type: AWS::SQS::Queue}\n", "no Resources section"),
        ("utf16.yaml", "Resources:\n  Q: {Type: AWS::SQS::Queue}\n".encode("utf-16"), "UTF-16"),
        ("empty.yaml", "", "template is empty"),
        ("late-syntax.yaml", "Description: x\n" + "#\n" * 70000 + "Resources: [\n", "YAML syntax error"),
    ],
)
def test_broken_templates_are_reported_even_when_they_do_not_look_like_templates(tmp_path, name, content, expected):
    (tmp_path / name).write_bytes(content if isinstance(content, bytes) else content.encode())
    estate = iacviz.load(tmp_path)
    assert any(m.startswith(name) and expected in m for m in _messages(estate)), _messages(estate, None)
    with pytest.raises(iacviz.TemplateError):
        iacviz.load(tmp_path, strict=True)


def test_every_template_suffixed_file_is_loaded_or_listed(tmp_path):
    write(tmp_path, "stack.yaml", "Resources:\n  Q: {Type: AWS::SQS::Queue}\n")
    write(tmp_path, "config/settings.yml", "log_level: debug\nretries: 3\n")
    write(tmp_path, "web/package.json", '{"name": "web"}')
    write(tmp_path, "web/tsconfig.json", '{"compilerOptions": {}}')
    write(tmp_path, "old/legacy.template", "Resources:\n  Q: {Type: AWS::SQS::Queue}\n")
    write(tmp_path, "iacviz-estate.yaml", "ignore: ['old/*']\n")
    estate = iacviz.load(tmp_path)
    listed = set(estate.errors.source)
    assert estate.stacks["stack"].tolist() == ["stack"]
    assert {"config/settings.yml", "web/package.json", "web/tsconfig.json", "old/legacy.template"} <= listed
    assert set(estate.errors.severity) == {"info"}


def test_nested_stack_cycle_is_reported_and_both_stacks_kept(tmp_path):
    write(
        tmp_path,
        "a.yaml",
        """\
        Resources:
          B: {Type: AWS::CloudFormation::Stack, Properties: {TemplateURL: b.yaml}}
        """,
    )
    write(
        tmp_path,
        "b.yaml",
        """\
        Resources:
          A: {Type: AWS::CloudFormation::Stack, Properties: {TemplateURL: a.yaml}}
        """,
    )
    estate = _load_soon(tmp_path)
    assert len(estate.stacks) == 2
    assert any("nested-stack cycle: a.yaml -> b.yaml -> a.yaml" in m for m in _messages(estate))


@pytest.mark.parametrize(
    "resource, expected",
    [
        ({"Type": "AWS::SQS::Queue", "Properties": {"QueueName": {"Ref": ["a", "b"]}}}, "Ref takes a name"),
        ({"Type": "AWS::SQS::Queue", "Properties": {"QueueName": {"Fn::GetAtt": ["Q"]}}}, "Fn::GetAtt takes"),
        ({"Type": "AWS::SQS::Queue", "Properties": {"QueueName": {"Fn::GetAtt": 5}}}, "Fn::GetAtt takes"),
        ({"Type": "AWS::SQS::Queue", "Properties": {"QueueName": {"Fn::Sub": 5}}}, "Fn::Sub takes"),
        ({"Type": ""}, "Type must be a non-empty string"),
        ({"Type": "AWS::SQS::Queue", "Properties": [1]}, "Properties must be a mapping"),
    ],
)
def test_invalid_intrinsic_and_resource_shapes_are_error_rows(resource, expected):
    estate = iacviz.load_template({"Resources": {"Q": resource}}, "shapes")
    assert any(expected in m for m in _messages(estate)), _messages(estate, None)


def test_empty_logical_id_is_an_error_row(tmp_path):
    write(tmp_path, "t.yaml", "Resources:\n  '': {Type: AWS::SQS::Queue}\n")
    estate = iacviz.load(tmp_path)
    assert any("empty logical id" in m for m in _messages(estate))


@pytest.mark.parametrize(
    "text",
    [
        '{"Resources": {"Q": {"Type": "AWS::SQS::Queue", "Properties": {"D": NaN}}}}',
        '{"Resources": {"Q": {"Type": "AWS::SQS::Queue"},}}',
    ],
)
def test_json_file_is_strict_json(tmp_path, text):
    (tmp_path / "t.json").write_text(text)
    estate = iacviz.load(tmp_path)
    assert estate.stacks.empty
    assert any(m.startswith("t.json:1: JSON syntax error") for m in _messages(estate))


# --- must stay inside the estate ------------------------------------------------------------------


def _outside(tmp_path: Path) -> Path:
    return write(tmp_path, "outside/secret.yaml", "Resources:\n  Leak: {Type: AWS::SQS::Queue}\n")


def test_file_symlink_out_of_the_folder_is_not_followed(tmp_path):
    secret = _outside(tmp_path)
    (tmp_path / "estate").mkdir()
    os.symlink(secret, tmp_path / "estate" / "link.yaml")
    estate = iacviz.load(tmp_path / "estate")
    assert estate.resources.empty
    assert any(m.startswith("link.yaml") and "outside the folder" in m for m in _messages(estate))
    assert iacviz.load(tmp_path / "estate", follow_outside=True).resources.logical_id.tolist() == ["Leak"]


def test_estate_file_template_outside_the_root_is_refused(tmp_path):
    _outside(tmp_path)
    write(tmp_path, "estate/iacviz-estate.yaml", "stacks:\n  leak: {template: ../outside/secret.yaml}\n")
    estate = iacviz.load(tmp_path / "estate")
    assert estate.resources.empty
    assert any("outside the folder" in m for m in _messages(estate))


@pytest.mark.parametrize(
    "key, value",
    [("templateFile", "../../outside/secret.yaml"), ("templateFile", "ABSOLUTE"), ("directoryName", "../../outside")],
)
def test_cdk_paths_outside_the_assembly_are_refused(tmp_path, key, value):
    secret = _outside(tmp_path)
    (secret.parent / "manifest.json").write_text(
        json.dumps(
            {"artifacts": {"X": {"type": "aws:cloudformation:stack", "properties": {"templateFile": "secret.yaml"}}}}
        )
    )
    value = str(secret) if value == "ABSOLUTE" else value
    art = (
        {"properties": {key: value}}
        if key == "templateFile"
        else {"type": "cdk:cloud-assembly", "properties": {key: value}}
    )
    _assembly(tmp_path / "estate" / "app", art)
    estate = iacviz.load(tmp_path / "estate")
    assert "Leak" not in estate.resources.logical_id.tolist()
    assert any("outside the assembly" in m for m in _messages(estate)), _messages(estate, None)


# --- Fn::ForEach as the LanguageExtensions transform expands it (issue 12) -------------------------


def test_foreach_with_a_mapping_lookup_in_the_loop_body(tmp_path):
    write(
        tmp_path,
        "tables.yaml",
        """\
        Transform: AWS::LanguageExtensions
        Mappings:
          Sizes:
            Small: {Capacity: 1, Name: small-table}
            Large: {Capacity: 5}
        Resources:
          Fn::ForEach::Tables:
            - Size
            - [Small, Large]
            - Table${Size}:
                Type: AWS::DynamoDB::Table
                Properties:
                  TableName: !FindInMap [Sizes, !Ref Size, Name, DefaultValue: unnamed]
                  ProvisionedThroughput:
                    ReadCapacityUnits: !FindInMap [Sizes, !Ref Size, Capacity]
        """,
    )
    estate = iacviz.load(tmp_path)
    assert _messages(estate) == []
    values = estate.properties.set_index(["logical_id", "path"]).value
    assert values[("TableSmall", "/properties/TableName")] == "small-table"
    assert values[("TableLarge", "/properties/TableName")] == "unnamed"  # the DefaultValue
    assert values[("TableLarge", "/properties/ProvisionedThroughput/ReadCapacityUnits")] == 5


@pytest.mark.parametrize("given", [None, "x, y", ["x", "y"]], ids=["default", "comma-string", "list"])
def test_foreach_over_a_comma_delimited_list_parameter(tmp_path, given):
    write(
        tmp_path,
        "queues.yaml",
        """\
        Transform: AWS::LanguageExtensions
        Parameters:
          Names: {Type: CommaDelimitedList, Default: "a,b"}
        Resources:
          Fn::ForEach::Queues:
            - Name
            - !Ref Names
            - Queue${Name}:
                Type: AWS::SQS::Queue
                Properties: {QueueName: !Ref Name}
        """,
    )
    params = None if given is None else {"queues": {"Names": given}}
    estate = iacviz.load(tmp_path, parameters=params)
    assert _messages(estate) == []
    expected = ["a", "b"] if given is None else ["x", "y"]
    assert sorted(estate.resources.logical_id) == [f"Queue{n}" for n in expected]
    assert sorted(estate.properties.value) == expected


def test_foreach_over_a_parameter_given_in_the_estate_file(tmp_path):
    write(tmp_path, "iacviz-estate.yaml", "stacks:\n  q: {template: queues.yaml, parameters: {Names: [p, q]}}\n")
    write(
        tmp_path,
        "queues.yaml",
        """\
        Transform: AWS::LanguageExtensions
        Parameters:
          Names: {Type: CommaDelimitedList}
        Resources:
          Fn::ForEach::Queues: [Name, !Ref Names, {"Queue${Name}": {Type: AWS::SQS::Queue}}]
        """,
    )
    estate = iacviz.load(tmp_path)
    assert _messages(estate) == [] and sorted(estate.resources.logical_id) == ["Queuep", "Queueq"]


# --- live pagination ----------------------------------------------------------------------------


def _stubbed_cloudformation(pages: list[dict], operation: str = "describe_stacks"):
    import boto3
    from botocore.stub import Stubber

    client = boto3.client(
        "cloudformation",
        region_name="us-east-1",
        aws_access_key_id="x",
        aws_secret_access_key="x",
        endpoint_url="http://127.0.0.1:9",
    )
    stub = Stubber(client)
    for page in pages:
        stub.add_response(operation, page)
    stub.activate()
    return client


def test_pagination_stops_on_an_endless_run_of_new_tokens(monkeypatch):
    from botocore.exceptions import PaginationError

    from iacviz import limits
    from iacviz.sources.live import paginate

    monkeypatch.setattr(limits, "MAX_PAGES", 20)
    client = _stubbed_cloudformation([{"Stacks": [], "NextToken": f"t{n}"} for n in range(25)])
    with pytest.raises(PaginationError, match="more than 20 pages"):
        paginate(client, "describe_stacks", "Stacks")


def test_pagination_stops_on_a_recycled_token():
    from botocore.exceptions import PaginationError

    from iacviz.sources.live import paginate

    # drift results have no botocore paginator: the hand-written loop
    page = {"StackResourceDrifts": [], "NextToken": "a"}
    client = _stubbed_cloudformation([page, {**page, "NextToken": "b"}, page], "describe_stack_resource_drifts")
    with pytest.raises(PaginationError, match="repeated a page token"):
        paginate(client, "describe_stack_resource_drifts", "StackResourceDrifts", StackName="s")
    # with a paginator: botocore sees only a token repeated twice in a row; a cycle is ours to stop
    client = _stubbed_cloudformation([{"Stacks": [], "NextToken": t} for t in "abab"])
    with pytest.raises(PaginationError, match="repeated a page token"):
        paginate(client, "describe_stacks", "Stacks")


# --- the command line ---------------------------------------------------------------------------


def _cli(*argv: str) -> tuple[int, str]:
    import subprocess
    import sys

    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join([str(Path(__file__).resolve().parents[1]), os.environ.get("PYTHONPATH", "")]),
    }
    env.pop("IACVIZ_TRACEBACK", None)
    done = subprocess.run([sys.executable, "-m", "iacviz", *argv], capture_output=True, text=True, timeout=120, env=env)
    return done.returncode, done.stdout + done.stderr


def test_cli_bad_input_exits_3_without_a_traceback(tmp_path, capsys):
    from iacviz.cli import main
    from iacviz.model.snapshot import to_parquet

    write(tmp_path, "broken/t.yaml", "Resources:\n  Q: {Type: AWS::SQS::Queue\n")
    os.mkfifo(tmp_path / "broken" / "f.yaml")
    write(tmp_path, "ok/t.yaml", "Resources:\n  Q: {Type: AWS::SQS::Queue}\n")
    snap = tmp_path / "snap"
    to_parquet(iacviz.load(tmp_path / "ok"), snap)
    (snap / "resources" / "part-0.parquet").write_bytes(b"PAR1 truncated")
    for argv in (
        ["review", str(tmp_path / "broken")],
        ["review", "--strict", str(tmp_path / "broken")],
        ["exports", str(snap)],
        ["blast", str(snap), "t/Q"],
    ):
        assert main(argv) == 3, argv
        captured = capsys.readouterr()
        assert "Traceback" not in captured.err and "error" in captured.err, (argv, captured.err)
    main(["exports", str(snap)])
    assert "part-0.parquet" in capsys.readouterr().err  # the message names the file
    # the installed entry point too: exit status 3, one line, no traceback
    code, output = _cli("review", str(tmp_path / "broken"))
    assert code == 3 and "Traceback" not in output, output


def test_reading_never_opens_a_connection(tmp_path, monkeypatch):
    import socket

    from estate_files import SAMPLE

    def refuse(*args, **kwargs):
        raise AssertionError(f"network access attempted: {args[:2]}")

    for name in ("connect", "connect_ex"):
        monkeypatch.setattr(socket.socket, name, refuse)
    monkeypatch.setattr(socket, "getaddrinfo", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    write(
        tmp_path,
        "parent.yaml",
        """\
        Transform: AWS::Serverless-2016-10-31
        Resources:
          Child:
            Type: AWS::CloudFormation::Stack
            Properties: {TemplateURL: 'https://evil.example/templates/child.yaml'}
          S3Child:
            Type: AWS::CloudFormation::Stack
            Properties: {TemplateURL: !Sub 'https://${AWS::Region}.s3.amazonaws.com/b/child.yaml'}
          App:
            Type: AWS::Serverless::Application
            Properties:
              Location: {ApplicationId: 'arn:aws:serverlessrepo:us-east-1:123456789012:applications/x',
                         SemanticVersion: 1.0.0}
        """,
    )
    shutil.copytree(SAMPLE, tmp_path / "sample")
    estate = iacviz.load(tmp_path)
    iacviz.review(estate)
    estate.exports, estate.imports  # noqa: B018 - the analyses read too
    assert len(estate.stacks) > 3


def test_security_doc_names_only_tests_that_exist():
    import re

    root = Path(__file__).resolve().parents[1]
    doc = (root / "docs" / "security.md").read_text()
    named = re.findall(r"`(tests/[\w/]+\.py)(?:::(\w+))?`", doc)
    assert len(named) >= 8
    for path, test in named:
        source = root / path
        assert source.exists(), path
        if test:
            assert f"def {test}(" in source.read_text(), f"{path}::{test}"
    for promise in ("Read-only AWS", "No network", "Paths confined", "Secrets masked", "escaping", "Resource bounds"):
        assert promise.lower() in doc.lower(), promise


@pytest.mark.parametrize("as_text", [False, True], ids=["decoded", "text"])
def test_a_live_template_body_passes_the_same_checks(as_text):
    from iacviz.sources.live import parse_body

    body = _nested_json(300, '"x"')
    with pytest.raises(iacviz.TemplateError, match="nested deeper than"):
        parse_body(body if as_text else json.loads(body), "live:1/us-east-1/s")
    with pytest.raises(iacviz.TemplateError, match="surrogate"):
        parse_body('{"Description": "\\ud800"}' if as_text else {"Description": "\ud800"}, "live:s")
