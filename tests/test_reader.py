"""The template text reader: iacviz.sources.template_text / cfn_yaml / cfn_json.

Expected values are written out from the YAML/JSON given to the reader (or computed by another
reader, cfn-lint, for the corpus), never copied from this reader's own output.
"""

from __future__ import annotations

import datetime
import doctest
import math
import time
from pathlib import Path
from textwrap import dedent

import pytest
import yaml

from iacviz.errors import TemplateError
from iacviz.sources import cfn_json, cfn_yaml, template_text
from iacviz.sources.template_text import MAX_TEMPLATE_BYTES, parse_template, to_json, to_yaml

CORPUS = Path(__file__).resolve().parents[1].parent / "shared" / "corpus"


def body_of(text: str, fmt: str | None = None) -> dict:
    return parse_template(dedent(text), "t.yaml", fmt)[0]


def value_of(yaml_value: str):
    """The value of ``v`` in the one-line document ``v: <yaml_value>``."""
    return parse_template(f"v: {yaml_value}\n", "t.yaml")[0]["v"]


def refused(data, fmt: str | None = None, source: str = "bad.yaml") -> TemplateError:
    with pytest.raises(TemplateError) as info:
        parse_template(dedent(data) if isinstance(data, str) else data, source, fmt)
    assert info.value.source == source
    return info.value


# --- short forms -> long forms -------------------------------------------------------------------


@pytest.mark.parametrize(
    "short, long",
    [
        ("!Ref Bucket", {"Ref": "Bucket"}),
        ("!Condition IsProd", {"Condition": "IsProd"}),
        ("!Base64 hello", {"Fn::Base64": "hello"}),
        ("!Cidr [10.0.0.0/16, 6, 5]", {"Fn::Cidr": ["10.0.0.0/16", 6, 5]}),
        ("!FindInMap [Map, !Ref 'AWS::Region', Ami]", {"Fn::FindInMap": ["Map", {"Ref": "AWS::Region"}, "Ami"]}),
        ("!GetAZs ''", {"Fn::GetAZs": ""}),
        ("!GetAZs", {"Fn::GetAZs": ""}),  # nothing after the tag: the empty raw text, as cfn-lint reads it
        ("!GetAZs us-east-1", {"Fn::GetAZs": "us-east-1"}),
        ("!ImportValue net-VpcId", {"Fn::ImportValue": "net-VpcId"}),
        ("!Join [',', [a, !Ref B]]", {"Fn::Join": [",", ["a", {"Ref": "B"}]]}),
        ("!Select [0, !GetAZs '']", {"Fn::Select": [0, {"Fn::GetAZs": ""}]}),
        ("!Split [',', 'a,b']", {"Fn::Split": [",", "a,b"]}),
        (
            "!Transform {Name: AWS::Include, Parameters: {Location: s3://b/k}}",
            {"Fn::Transform": {"Name": "AWS::Include", "Parameters": {"Location": "s3://b/k"}}},
        ),
        ("!And [!Condition A, !Condition B]", {"Fn::And": [{"Condition": "A"}, {"Condition": "B"}]}),
        ("!Equals [!Ref Env, prod]", {"Fn::Equals": [{"Ref": "Env"}, "prod"]}),
        ("!If [IsProd, m5.large, !Ref 'AWS::NoValue']", {"Fn::If": ["IsProd", "m5.large", {"Ref": "AWS::NoValue"}]}),
        ("!Not [!Condition IsProd]", {"Fn::Not": [{"Condition": "IsProd"}]}),
        ("!Or [!Condition A, !Condition B]", {"Fn::Or": [{"Condition": "A"}, {"Condition": "B"}]}),
        ("!Contains [[a, b], !Ref P]", {"Fn::Contains": [["a", "b"], {"Ref": "P"}]}),
        (
            "!EachMemberEquals [!RefAll 'AWS::EC2::VPC::Id', v]",
            {"Fn::EachMemberEquals": [{"Fn::RefAll": "AWS::EC2::VPC::Id"}, "v"]},
        ),
        ("!EachMemberIn [[a], [a, b]]", {"Fn::EachMemberIn": [["a"], ["a", "b"]]}),
        ("!ValueOf [Subnet, VpcId]", {"Fn::ValueOf": ["Subnet", "VpcId"]}),
        ("!ValueOfAll ['AWS::EC2::Subnet::Id', VpcId]", {"Fn::ValueOfAll": ["AWS::EC2::Subnet::Id", "VpcId"]}),
        ("!Length [a, b]", {"Fn::Length": ["a", "b"]}),
        ("!ToJsonString {a: 1}", {"Fn::ToJsonString": {"a": 1}}),
        ("!ForEach [Id, [A, B], {}]", {"Fn::ForEach": ["Id", ["A", "B"], {}]}),
        (
            "!GetStackOutput {StackName: s, OutputName: o}",
            {"Fn::GetStackOutput": {"StackName": "s", "OutputName": "o"}},
        ),
    ],
)
def test_short_form_becomes_long_form(short, long):
    assert value_of(short) == long


def test_short_forms_in_block_style_and_nested():
    body = body_of("""\
        Conditions:
          Both: !And
            - !Equals [!Ref Env, prod]
            - !Not
              - !Equals
                - !Ref Region
                - us-east-1
        """)
    assert body["Conditions"]["Both"] == {
        "Fn::And": [
            {"Fn::Equals": [{"Ref": "Env"}, "prod"]},
            {"Fn::Not": [{"Fn::Equals": [{"Ref": "Region"}, "us-east-1"]}]},
        ]
    }


def test_tagged_scalar_is_its_raw_text():
    # a tag makes a scalar a string as written, like cfn-lint and cfn-flip: no YAML 1.1 resolution
    assert value_of("!Ref 80") == {"Ref": "80"}
    assert value_of("!Sub yes") == {"Fn::Sub": "yes"}
    assert value_of("!Ref 2010-09-09") == {"Ref": "2010-09-09"}


@pytest.mark.parametrize(
    "yaml_value, expected",
    [
        ("!GetAtt Queue.Arn", ["Queue", "Arn"]),
        ("!GetAtt Db.Endpoint.Address", ["Db", "Endpoint.Address"]),  # split at the first dot only
        ("!GetAtt 'Db.Endpoint.Port'", ["Db", "Endpoint.Port"]),
        ("!GetAtt Lonely", ["Lonely"]),
        ("!GetAtt [Db, Endpoint.Address]", ["Db", "Endpoint.Address"]),
        ("!GetAtt [Fn, !Ref AttrName]", ["Fn", {"Ref": "AttrName"}]),
    ],
)
def test_getatt_dotted_and_list(yaml_value, expected):
    assert value_of(yaml_value) == {"Fn::GetAtt": expected}


def test_long_form_getatt_string_is_left_as_written():
    assert body_of("a:\n  Fn::GetAtt: Role.Arn\n")["a"] == {"Fn::GetAtt": "Role.Arn"}


def test_sub_string_and_list_forms():
    body = body_of("""\
        Outputs:
          Url:
            Value: !Sub "https://${Api}.execute-api.${AWS::Region}.amazonaws.com"
          Name:
            Value: !Sub
              - "${Prefix}-${AWS::StackName}"
              - Prefix: !FindInMap [Names, !Ref Env, prefix]
        """)
    assert body["Outputs"]["Url"]["Value"] == {"Fn::Sub": "https://${Api}.execute-api.${AWS::Region}.amazonaws.com"}
    assert body["Outputs"]["Name"]["Value"] == {
        "Fn::Sub": ["${Prefix}-${AWS::StackName}", {"Prefix": {"Fn::FindInMap": ["Names", {"Ref": "Env"}, "prefix"]}}]
    }


# --- YAML 1.1 scalars as CloudFormation reads them ------------------------------------------------


@pytest.mark.parametrize(
    "yaml_value", ["2010-09-09", "2001-12-14t21:59:43.10-05:00", "2002-12-14", "2001-12-14 21:59:43.10 -5"]
)
def test_dates_stay_the_string_as_written(yaml_value):
    assert value_of(yaml_value) == yaml_value
    assert body_of(f"AWSTemplateFormatVersion: {yaml_value}\n")["AWSTemplateFormatVersion"] == yaml_value


@pytest.mark.parametrize(
    "word, expected",
    [
        ("yes", True),
        ("Yes", True),
        ("YES", True),
        ("on", True),
        ("On", True),
        ("ON", True),
        ("true", True),
        ("True", True),
        ("TRUE", True),
        ("no", False),
        ("No", False),
        ("NO", False),
        ("off", False),
        ("Off", False),
        ("OFF", False),
        ("false", False),
        ("False", False),
        ("FALSE", False),
    ],
)
def test_yaml_1_1_booleans(word, expected):
    assert value_of(word) is expected
    assert value_of(f"'{word}'") == word  # quoted: a string


@pytest.mark.parametrize(
    "yaml_value, expected",
    [
        ("y", "y"),
        ("n", "n"),
        ("Y", "Y"),
        ("tRue", "tRue"),
        ("yEs", "yEs"),  # not 1.1 booleans
        ("80", 80),
        ("-1", -1),
        ("+7", 7),
        ("0", 0),
        ("0755", 0o755),
        ("00", 0),
        ("0x1F", 31),
        ("0b101", 5),
        ("1_000", 1000),
        ("1:30", 90),
        ("08", "08"),
        ("0o17", "0o17"),
        ("123456789012345678901234567890", 123456789012345678901234567890),
        ("1.5", 1.5),
        ("1.", 1.0),
        (".5", 0.5),
        ("1.0e+3", 1000.0),
        ("1e3", "1e3"),
        ("1.0e3", "1.0e3"),
        ("-.5", "-.5"),
        ("1_0.5", 10.5),
        ("'80'", "80"),
        ('"0755"', "0755"),
        ("~", None),
        ("null", None),
        ("Null", None),
        ("NULL", None),
        ("", None),
        ("'~'", "~"),
        ("=", "="),
        ("<<", "<<"),
    ],
)
def test_yaml_1_1_scalars(yaml_value, expected):
    got = value_of(yaml_value)
    assert got == expected and type(got) is type(expected)


def test_inf_and_nan():
    assert value_of(".inf") == math.inf and value_of("-.Inf") == -math.inf
    assert math.isnan(value_of(".NaN"))


def test_explicit_core_tags():
    assert value_of("!!str 80") == "80"
    assert value_of("!!int '12'") == 12
    assert value_of("!!float 1") == 1.0 and type(value_of("!!float 1")) is float
    assert value_of("!!bool yes") is True
    assert value_of("!!null ''") is None
    assert refused("a: !!int twelve\n").line == 1


def test_keys_are_the_string_as_written():
    body = body_of("""\
        Mappings:
          Ports:
            80: {Name: http}
            0755: {Name: mode}
            true: {Name: on}
            2010-09-09: {Name: date}
            Null: {Name: iam-operator}
            ~: {Name: tilde}
        """)
    assert list(body["Mappings"]["Ports"]) == ["80", "0755", "true", "2010-09-09", "Null", "~"]
    assert body["Mappings"]["Ports"]["true"] == {"Name": True}  # values still resolve


# --- anchors, aliases, merges ------------------------------------------------------------------


def test_aliases_and_merge_keys_resolve_to_copies():
    body = body_of("""\
        Defaults: &tags
          Owner: ops
          Env: dev
        Resources:
          A:
            Type: AWS::SQS::Queue
            Properties:
              Tags: *tags
          B:
            Type: AWS::SQS::Queue
            Properties:
              <<: *tags
              Env: prod
        """)
    a, b = body["Resources"]["A"]["Properties"], body["Resources"]["B"]["Properties"]
    assert a["Tags"] == {"Owner": "ops", "Env": "dev"}
    assert b == {"Owner": "ops", "Env": "prod"}  # the explicit key wins over the merged one
    a["Tags"]["Owner"] = "changed"
    assert body["Defaults"]["Owner"] == "ops"  # a copy, not a shared object


def test_billion_laughs_is_refused_quickly():
    lines = ["a: &a [lol, lol, lol, lol, lol, lol, lol, lol, lol]"]
    for i, name in enumerate("bcdefghi"):
        prev = "abcdefghi"[i]
        lines.append(f"{name}: &{name} [" + ", ".join([f"*{prev}"] * 9) + "]")
    started = time.perf_counter()
    error = refused("\n".join(lines) + "\n")
    assert time.perf_counter() - started < 1.0
    assert "alias" in error.message and str(cfn_yaml.ALIAS_NODE_BUDGET) in error.message
    assert 2 <= error.line <= 9  # a line whose collection holds one of the aliases


# --- lines ----------------------------------------------------------------------------------------

YAML_TEMPLATE = """\
AWSTemplateFormatVersion: 2010-09-09
# a comment line
Parameters:
  Env:
    Type: String

Conditions:
  IsProd: !Equals [!Ref Env, prod]
Resources:
  Queue:
    Type: AWS::SQS::Queue
    Properties:
      QueueName: !Sub "${Env}-q"

  # between resources
  "Topic":
    Type: AWS::SNS::Topic
Outputs:
  QueueArn:
    Value: !GetAtt Queue.Arn
"""


def test_yaml_lines_of_section_keys():
    _, lines = parse_template(YAML_TEMPLATE, "t.yaml")
    assert lines == {
        "Parameters/Env": 4,
        "Conditions/IsProd": 8,
        "Resources/Queue": 10,
        "Resources/Topic": 16,
        "Outputs/QueueArn": 19,
    }


JSON_TEMPLATE = """\
{
    "Parameters": {
        "Env": {"Type": "String"}
    },
    "Resources": {
        "Stack": {
            "Type": "AWS::CloudFormation::Stack",
            "Properties": {
                "Parameters": {
                    "Env": {"Ref": "Env"}
                }
            }
        },
        "Queue": {
            "Type": "AWS::SQS::Queue"
        }
    },
    "Outputs": {
        "Name": {"Value": {"Fn::GetAtt": ["Queue", "QueueName"]}}
    }
}
"""


def test_json_lines_of_section_keys_with_a_nested_parameters_key():
    body, lines = parse_template(JSON_TEMPLATE, "t.json")
    assert body["Resources"]["Stack"]["Properties"]["Parameters"] == {"Env": {"Ref": "Env"}}
    assert lines == {"Parameters/Env": 3, "Resources/Stack": 6, "Resources/Queue": 14, "Outputs/Name": 19}


def test_json_lines_of_minified_and_oddly_indented_text():
    minified = '{"Resources":{"A":{"Type":"X"},"B":{"Type":"Y"}}}'
    assert parse_template(minified, "m.json")[1] == {"Resources/A": 1, "Resources/B": 1}
    odd = '{"Resources": {\n"A": {"Type": "X"},\n      "B": {"Type": "Y"}}\n}'
    assert parse_template(odd, "o.json")[1] == {"Resources/A": 2, "Resources/B": 3}
    escaped = '{\n  "Resources": {\n    "A\\u0042": {}\n  }\n}'
    assert parse_template(escaped, "e.json")[1] == {"Resources/AB": 3}


# --- refusals: each names its cause and its line ------------------------------------------------


def test_yaml_syntax_error():
    error = refused("Resources:\n  A:\n    Type: X\n   Bad: [\n")
    assert error.line == 4 and "YAML syntax error" in error.message


def test_yaml_duplicate_key_reports_the_second():
    error = refused("Resources:\n  A:\n    Type: X\n  B:\n    Type: Y\n  A:\n    Type: Z\n")
    assert error.line == 6 and "duplicate key 'A'" in error.message


def test_duplicate_keys_compare_as_strings():
    assert refused("M:\n  80: a\n  '80': b\n").line == 3


def test_unknown_tag_is_named():
    error = refused("Resources:\n  Fn:\n    Properties:\n      Code: !Rain::Embed handler.py\n")
    assert error.line == 4 and "!Rain::Embed" in error.message


@pytest.mark.parametrize(
    "tag",
    [
        "!!python/object/apply:os.system ['true']",
        "!!binary aGk=",
        "!!set {a}",
        "!!timestamp 2001-01-01",
        "!<tag:example.com,2000:x> y",
    ],
)
def test_tags_outside_cloudformation_are_refused_never_constructed(tag):
    error = refused(f"a: 1\nb: {tag}\n")
    assert error.line == 2 and "tag" in error.message


def test_binary_and_undecodable_input():
    assert "NUL" in refused(b"\x89PNG\r\n\x1a\n\x00\x00").message
    error = refused(b"a: 1\nb: \xff\xfe\n")
    assert error.line == 2 and "UTF-8" in error.message
    assert "NUL" in refused("a: b\x00\n").message


def test_too_large_is_refused_before_parsing():
    error = refused(b" " * (MAX_TEMPLATE_BYTES + 1))
    assert str(MAX_TEMPLATE_BYTES) in error.message
    refused("#" * (MAX_TEMPLATE_BYTES + 1))


@pytest.mark.parametrize(
    "text, kind, line",
    [("# lists\n- a\n- b\n", "list", 2), ("just text\n", "scalar", 1), ("[1, 2]", "list", 1), ('"text"', "scalar", 1)],
)
def test_top_level_must_be_a_mapping(text, kind, line):
    error = refused(text)
    assert error.line == line and f"top level is a {kind}" in error.message


@pytest.mark.parametrize("text", ["", "# nothing\n", "---\n"])
def test_empty_template(text):
    assert "empty" in refused(text).message


def test_json_duplicate_key():
    error = refused('{\n  "Resources": {\n    "A": {"Type": "X"},\n    "A": {"Type": "Y"}\n  }\n}', source="d.json")
    assert error.line == 4 and "duplicate key 'A'" in error.message


def test_json_syntax_error_and_non_standard_numbers():
    error = refused('{\n  "a": 1\n  "b": 2\n}', fmt="json")
    assert error.line == 3 and "JSON syntax error" in error.message
    assert "NaN" in refused('{"a": NaN}', fmt="json").message


def test_format_sniffing():
    assert parse_template('  {"a": 1}', "x")[0] == {"a": 1}
    assert parse_template("{a: yes}", "x")[0] == {"a": True}  # a YAML flow mapping, also "{"-first
    assert parse_template('{"a": "yes"}', "x", fmt="yaml")[0] == {"a": "yes"}
    with pytest.raises(ValueError):
        parse_template("a: 1", "x", fmt="xml")


def test_byte_order_mark_is_not_content():
    assert parse_template("\ufeffa: 1\n".encode(), "bom.yaml")[0] == {"a": 1}


# --- writing back ---------------------------------------------------------------------------


def test_round_trip_of_every_short_form():
    body = body_of(
        YAML_TEMPLATE
        + dedent("""\
        Extra:
          Tags: [!Base64 x, !Cidr [10.0.0.0/16, 6, 5], !GetAZs '', !ImportValue v, !Join [',', [a, b]],
                 !Select [0, [a]], !Split [',', 'a,b'], !If [C, a, b], !Or [!Condition A, !Condition B],
                 !GetAtt [Fn, !Ref Attr], !GetAtt Db.Endpoint.Address, !Sub ['${A}', {A: b}], !Ref X]
          Values: [yes, '0755', 0755, '2010-09-09', 1.5, ~, '', "multi\\nline", '80']
        """)
    )
    yaml_text = to_yaml(body)
    assert "!Ref 'Env'" in yaml_text or "!Ref Env" in yaml_text  # short forms on output
    assert parse_template(yaml_text, "rt.yaml", fmt="yaml")[0] == body
    assert parse_template(to_json(body), "rt.json", fmt="json")[0] == body


def test_round_trip_keeps_long_forms_cfn_flip_cannot_shorten():
    body = {
        "Resources": {
            "A": {
                "Properties": {
                    "Zones": {"Fn::GetAZs": None},
                    "Arn": {"Fn::GetAtt": "Role.Arn"},
                    "Bad": {"Fn::Ref": "X"},
                    "Fn::ForEach::Items": ["Id", ["A"], {"Q${Id}": {"Type": "AWS::SQS::Queue"}}],
                }
            }
        }
    }
    assert parse_template(to_yaml(body), "rt.yaml")[0] == body


def test_docstring_examples_run():
    for module in (template_text, cfn_yaml, cfn_json):
        assert doctest.testmod(module).failed == 0, module.__name__


# --- the real corpus against cfn-lint -----------------------------------------------------------

KINDS = {"cfn-yaml", "cfn-json", "sam", "multi-stack-group", "nested-parent"}


def _corpus_rows() -> list[tuple[str, str]]:
    if not (CORPUS / "manifest.tsv").is_file():
        return []
    rows = []
    for row in (CORPUS / "manifest.tsv").read_text().splitlines()[1:]:
        repo, _commit, path, kind, _group, notes = row.split("\t")
        if kind in KINDS or (kind == "cdk-out" and path.endswith(".template.json")):
            rows.append((f"{repo.replace('/', '+')}/{path}", notes))
    return rows


CORPUS_ROWS = _corpus_rows()
_TIMESTAMP = yaml.SafeLoader("")


def _plain(value):
    """cfn-lint's str_node / dict_node / list_node as plain Python values."""
    if isinstance(value, dict):
        return {_plain(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return str(value) if isinstance(value, str) else value


def _as_cfn_lint_reads(text: str):
    """cfn-lint's (PyYAML SafeLoader) value of a plain scalar we keep as a string."""
    return _TIMESTAMP.construct_object(yaml.compose(f"{text}", Loader=yaml.SafeLoader))


def _differences(ours, theirs, path="$"):
    """Where our body and cfn-lint's differ, beyond two documented classes:
    - dates: cfn-lint gives datetime.date/datetime, we keep the text as written;
    - keys: cfn-lint resolves keys (80 -> int, true -> bool, dates), we keep the text."""
    if isinstance(theirs, (datetime.date, datetime.datetime)):
        return (
            [] if isinstance(ours, str) and _as_cfn_lint_reads(ours) == theirs else [f"{path}: {ours!r} vs {theirs!r}"]
        )
    if isinstance(theirs, dict):
        if not isinstance(ours, dict) or len(ours) != len(theirs):
            return [f"{path}: {type(ours).__name__} of {len(ours)} vs dict of {len(theirs)}"]
        found = []
        for key, value in ours.items():
            match = key if any(type(k) is str and k == key for k in theirs) else _as_cfn_lint_reads(key)
            if match not in theirs:
                return [f"{path}: key {key!r} not in cfn-lint's"]
            found += _differences(value, theirs[match], f"{path}/{key}")
        return found
    if isinstance(theirs, list):
        if not isinstance(ours, list) or len(ours) != len(theirs):
            return [f"{path}: list length"]
        return [d for i, (a, b) in enumerate(zip(ours, theirs)) for d in _differences(a, b, f"{path}[{i}]")]
    if type(ours) is not type(theirs) or (ours != theirs and not (ours != ours and theirs != theirs)):
        return [f"{path}: {ours!r} vs {theirs!r}"]
    return []


@pytest.mark.skipif(not CORPUS_ROWS, reason="shared corpus not present")
@pytest.mark.parametrize("path, notes", CORPUS_ROWS, ids=[p for p, _ in CORPUS_ROWS])
def test_corpus_template_reads_as_cfn_lint_reads_it(path, notes):
    from cfnlint.decode import decode_str

    data = (CORPUS / path).read_bytes()
    theirs, matches = decode_str(data.decode("utf-8"))
    try:
        ours, lines = parse_template(data, path)
    except TemplateError as error:
        # Class 1: preprocessor tags (rain's !Rain::Embed, !Rain::Module, !Rain::S3). cfn-lint turns
        # any !X into Fn::X; CloudFormation would reject the template, so we refuse it by name.
        # The manifest's notes list these tags for exactly these files.
        assert "odd-tags: !Rain::" in notes, f"{error} (cfn-lint: {matches[:1]})"
        assert "unknown tag !Rain::" in error.message and error.line > 0
        assert error.message.split()[2].rstrip(":") in data.decode()
        return
    assert not matches, f"cfn-lint refused what we read: {matches[:1]}"
    assert _differences(ours, _plain(theirs)) == []

    # every section key has a line, and that line of the file holds the key
    text_lines = data.decode("utf-8").splitlines()
    for section in template_text.SECTIONS:
        for key in ours.get(section) or {} if isinstance(ours.get(section), dict) else {}:
            line = lines[f"{section}/{key}"]
            assert key in text_lines[line - 1] and ":" in text_lines[line - 1], (section, key, line)
    if path.endswith(".json"):  # the fast text scan agrees with the exact token walk
        assert lines == cfn_json._scan_tokens(data.decode("utf-8"), path)


ROUND_TRIP_ROWS = CORPUS_ROWS[::4]  # cfn-flip's YAML writer is slow: every fourth file


@pytest.mark.skipif(not CORPUS_ROWS, reason="shared corpus not present")
@pytest.mark.parametrize("path", [p for p, _ in ROUND_TRIP_ROWS])
def test_corpus_round_trip(path):
    try:
        body, _ = parse_template((CORPUS / path).read_bytes(), path)
    except TemplateError:
        pytest.skip("refused on read (preprocessor tags)")
    assert parse_template(to_yaml(body), "rt.yaml", fmt="yaml")[0] == body
    assert parse_template(to_json(body), "rt.json", fmt="json")[0] == body
