"""Property-based fuzz of hostile input (issue 14): templates, CDK manifests, estate files and
snapshot manifests, mutated by hypothesis.

Properties, for every mutant:
- reading never raises (``strict=False``): files give an Estate, a snapshot gives an Estate or
  :class:`iacviz.SnapshotError`;
- it takes bounded time (:data:`PER_EXAMPLE_SECONDS`);
- a template that is not valid text for its format (a ``.json`` file json cannot read) is an
  error row naming it, and so is each intrinsic function written with a shape CloudFormation
  refuses.

``make test`` runs a fixed seed (derandomized) and a small number of examples, well under 60 s
in all. ``make fuzz`` (docs/security.md) sets ``IACVIZ_FUZZ_EXAMPLES`` for a longer run with a
random seed: ``IACVIZ_FUZZ_EXAMPLES=5000 make fuzz``.
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
import time
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import iacviz
from estate_files import SAMPLE

LONG = int(os.environ.get("IACVIZ_FUZZ_EXAMPLES", "0"))
PER_EXAMPLE_SECONDS = 10.0


def _settings(examples: int):
    return settings(
        max_examples=LONG or examples,
        derandomize=not LONG,
        deadline=None,
        database=None,
        suppress_health_check=list(HealthCheck),
        print_blob=True,
    )


# --- what a mutant is made of --------------------------------------------------------------------

NASTY_TEXT = st.sampled_from(
    [
        "",
        " ",
        '<a href="https://evil.example/">x</a>',
        "${Missing}",
        "${AWS::NoValue}",
        "Fn::ForEach::X",
        "a" * 300,
        "\u202e",
        "../../etc/passwd",
        "/dev/zero",
        "0x1F",
        "1e400",
        "NaN",
        "null",
        "*",
        "!Ref",
    ]
)
SCALARS = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-(2**70), 2**70),
    st.floats(allow_nan=False, allow_infinity=False),
    NASTY_TEXT,
    st.text(max_size=20),
)
INTRINSIC_KEYS = st.sampled_from(
    [
        "Ref",
        "Fn::GetAtt",
        "Fn::Sub",
        "Fn::Join",
        "Fn::Select",
        "Fn::Split",
        "Fn::If",
        "Fn::FindInMap",
        "Fn::ImportValue",
        "Fn::Base64",
        "Fn::GetAZs",
        "Fn::Equals",
        "Fn::And",
        "Fn::Or",
        "Fn::Not",
        "Condition",
        "Fn::Cidr",
        "Fn::Transform",
        "Fn::ForEach::Loop",
        "Fn::Length",
        "Fn::ToJsonString",
    ]
)


def _values(depth: int = 3):
    return st.recursive(
        SCALARS,
        lambda inner: st.one_of(
            st.lists(inner, max_size=4),
            st.dictionaries(st.one_of(NASTY_TEXT, st.text(max_size=8)), inner, max_size=4),
            st.builds(lambda k, v: {k: v}, INTRINSIC_KEYS, inner),
        ),
        max_leaves=12,
    )


VALUES = _values()
SEEDS = [
    {
        "Resources": {
            "Q": {"Type": "AWS::SQS::Queue", "Properties": {"QueueName": {"Fn::Sub": "${AWS::StackName}-q"}}},
            "T": {
                "Type": "AWS::SNS::Topic",
                "DependsOn": ["Q"],
                "Properties": {"Tags": [{"Key": "q", "Value": {"Fn::GetAtt": ["Q", "Arn"]}}]},
            },
        },
        "Outputs": {"Arn": {"Value": {"Ref": "T"}, "Export": {"Name": {"Fn::Sub": "${AWS::StackName}-Topic"}}}},
    },
    {
        "Transform": "AWS::LanguageExtensions",
        "Parameters": {
            "Names": {"Type": "CommaDelimitedList", "Default": "a,b"},
            "Pw": {"Type": "String", "NoEcho": True, "Default": "x"},
        },
        "Mappings": {"M": {"a": {"Size": 1}, "b": {"Size": 2}}},
        "Conditions": {"IsA": {"Fn::Equals": [{"Ref": "Names"}, "a"]}},
        "Resources": {
            "Fn::ForEach::Q": [
                "N",
                {"Ref": "Names"},
                {
                    "Queue${N}": {
                        "Type": "AWS::SQS::Queue",
                        "Properties": {"DelaySeconds": {"Fn::FindInMap": ["M", {"Ref": "N"}, "Size"]}},
                    }
                },
            ]
        },
        "Outputs": {"Imp": {"Value": {"Fn::ImportValue": {"Fn::Sub": "net-${Pw}"}}}},
    },
    {
        "Transform": "AWS::Serverless-2016-10-31",
        "Resources": {
            "Fn": {
                "Type": "AWS::Serverless::Function",
                "Properties": {
                    "Runtime": "python3.12",
                    "Handler": "a.b",
                    "InlineCode": "x",
                    "Events": {"Q": {"Type": "SQS", "Properties": {"Queue": "arn:q"}}},
                },
            }
        },
    },
    {
        "Resources": {
            "Child": {
                "Type": "AWS::CloudFormation::Stack",
                "Properties": {"TemplateURL": "t.json", "Parameters": {"P": {"Ref": "AWS::Region"}}},
            }
        }
    },
]


def _paths(value, here=()):
    """Every path (tuple of keys) to a node of `value`, the root included."""
    yield here
    if isinstance(value, dict):
        for k, v in value.items():
            yield from _paths(v, (*here, k))
    elif isinstance(value, list):
        for i, v in enumerate(value):
            yield from _paths(v, (*here, i))


def _replace(value, path, new):
    if not path:
        return new
    head, rest = path[0], path[1:]
    if isinstance(value, dict):
        return {**value, head: _replace(value[head], rest, new)}
    copy = list(value)
    copy[head] = _replace(copy[head], rest, new)
    return copy


@st.composite
def mutated_templates(draw):
    body = draw(st.sampled_from(SEEDS))
    for _ in range(draw(st.integers(1, 4))):
        paths = list(_paths(body))
        path = draw(st.sampled_from(paths))
        body = _replace(body, path, draw(VALUES))
        if not isinstance(body, dict):
            break
    return body


@st.composite
def mutated_text(draw, text: str):
    """Byte-level damage: cut, splice or repeat a slice of `text`."""
    data = text.encode()
    op = draw(st.sampled_from(["truncate", "insert", "delete", "repeat", "keep"]))
    at = draw(st.integers(0, len(data)))
    if op == "truncate":
        data = data[:at]
    elif op == "insert":
        data = data[:at] + draw(st.binary(min_size=1, max_size=8)) + data[at:]
    elif op == "delete":
        data = data[:at] + data[at + draw(st.integers(1, 20)) :]
    elif op == "repeat":
        data = data[:at] + data[at : at + 40] * draw(st.integers(2, 50)) + data[at:]
    return data


# --- the properties ----------------------------------------------------------------------------------


def _load(folder: Path):
    start = time.perf_counter()
    estate = iacviz.load(folder)  # must not raise
    for name in ("stacks", "resources", "properties", "parameters", "outputs", "references", "errors"):
        getattr(estate, name)
    estate.exports, estate.imports, estate.export_problems  # noqa: B018 - the analyses run too
    assert time.perf_counter() - start < PER_EXAMPLE_SECONDS
    return estate


def _errors(estate, source: str) -> list[str]:
    e = estate.errors
    return e[(e.severity == "error") & (e.source == source)].message.tolist()


@pytest.fixture
def folder():
    path = Path(tempfile.mkdtemp(prefix="iacviz-fuzz-"))
    yield path
    shutil.rmtree(path, ignore_errors=True)


def _clean(folder: Path) -> None:
    for child in folder.iterdir():
        shutil.rmtree(child) if child.is_dir() else child.unlink()


@_settings(40)
@given(body=mutated_templates(), as_json=st.booleans())
def test_mutated_templates_never_raise(folder, body, as_json):
    _clean(folder)
    text = json.dumps(body, allow_nan=False)
    name = "t.json" if as_json else "t.yaml"  # JSON is YAML: the YAML reader gets the same body
    (folder / name).write_text(text)
    (folder / "t.json" if not as_json else folder / "u.yaml").write_text(json.dumps(SEEDS[0]))
    estate = _load(folder)
    shapes = (
        "Ref takes",
        "Fn::GetAtt takes",
        "Fn::Sub takes",
        "Fn::Join takes",
        "Fn::Select takes",
        "Fn::Split takes",
        "Fn::FindInMap takes",
        "Fn::If takes",
    )
    from iacviz.cfn.shapes import intrinsic_problems

    if isinstance(body, dict) and isinstance(body.get("Resources"), dict) and "Transform" not in body:
        for lid, res in body["Resources"].items():
            if isinstance(res, dict) and isinstance(res.get("Type"), str) and res["Type"].strip() and lid:
                if list(intrinsic_problems(res)):
                    assert any(m.startswith(shapes) for m in _errors(estate, name)), (lid, res)


@_settings(40)
@given(data=mutated_text(json.dumps(SEEDS[1], indent=2)), as_json=st.booleans())
def test_damaged_template_text_never_raises_and_is_reported(folder, data, as_json):
    _clean(folder)
    name = "t.json" if as_json else "t.yaml"
    (folder / name).write_bytes(data)
    estate = _load(folder)
    if as_json:
        try:
            body = json.loads(data.decode("utf-8"))
            valid = isinstance(body, dict)
        except (ValueError, UnicodeDecodeError, RecursionError):
            valid = False
        if not valid:
            assert _errors(estate, name), data[:200]
            assert estate.stacks.empty


MANIFEST = {
    "version": "36.0.0",
    "artifacts": {
        "App": {
            "type": "aws:cloudformation:stack",
            "properties": {"templateFile": "App.template.json", "stackName": "app"},
            "dependencies": ["Net"],
            "metadata": {"/App/Q": [{"type": "aws:cdk:logicalId", "data": "Q"}]},
        },
        "Net": {"type": "aws:cloudformation:stack", "properties": {"templateFile": "Net.template.json"}},
        "Stage": {"type": "cdk:cloud-assembly", "properties": {"directoryName": "sub"}},
    },
}


@_settings(25)
@given(path=st.sampled_from(list(_paths(MANIFEST))[1:]), value=VALUES)
def test_mutated_cdk_manifests_never_raise(folder, path, value):
    _clean(folder)
    out = folder / "cdk.out"
    out.mkdir()
    (out / "manifest.json").write_text(json.dumps(_replace(MANIFEST, path, value)))
    for name in ("App", "Net"):
        (out / f"{name}.template.json").write_text(json.dumps(SEEDS[0]))
    _load(folder)


ESTATE_FILE = {
    "stacks": {"net": {"template": "t.yaml", "parameters": {"Names": "x,y"}}, "other": "u.yaml"},
    "ignore": ["old/*"],
    "parameters": {"Names": "p"},
}


@_settings(25)
@given(path=st.sampled_from(list(_paths(ESTATE_FILE))), value=VALUES)
def test_mutated_estate_files_never_raise(folder, path, value):
    _clean(folder)
    (folder / "iacviz-estate.yaml").write_text(json.dumps(_replace(ESTATE_FILE, path, value)))
    (folder / "t.yaml").write_text(json.dumps(SEEDS[1]))
    (folder / "u.yaml").write_text(json.dumps(SEEDS[0]))
    _load(folder)


@pytest.fixture(scope="module")
def snapshot_folder(tmp_path_factory):
    from iacviz.model.snapshot import to_parquet

    folder = tmp_path_factory.mktemp("snap")
    to_parquet(iacviz.load(SAMPLE / "network"), folder)
    return folder


@_settings(25)
@given(value=VALUES, data=st.data())
def test_mutated_snapshot_manifests_raise_only_snapshot_error(folder, snapshot_folder, value, data):
    from iacviz.model.snapshot import MANIFEST as NAME

    _clean(folder)
    snap = folder / "snap"
    shutil.copytree(snapshot_folder, snap)
    manifest = json.loads((snap / NAME).read_text())
    path = data.draw(st.sampled_from(list(_paths(manifest))))
    (snap / NAME).write_text(json.dumps(_replace(manifest, path, value)))
    start = time.perf_counter()
    try:
        iacviz.read_snapshot(snap)
    except iacviz.SnapshotError:
        pass
    assert time.perf_counter() - start < PER_EXAMPLE_SECONDS
