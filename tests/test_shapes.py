"""The build walks each resource once for its references and its functions' shapes
(:func:`iacviz.cfn.shapes.checked_references`): that walk must give exactly what the two
definitions give apart, ``walk_references`` (the Python walk ``find_references`` stands for)
and ``intrinsic_problems``."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from iacviz.cfn.intrinsics import walk_references
from iacviz.cfn.shapes import _CHECKED, _check, any_problem, checked_references, intrinsic_problems
from iacviz.model.build import _ATTRIBUTE_SECTIONS, _walk_resource

CORPUS = Path(__file__).resolve().parents[1].parent / "shared" / "corpus"

FUNCTIONS = [
    "Ref",
    "Condition",
    "Fn::GetAtt",
    "Fn::Sub",
    "Fn::Join",
    "Fn::Select",
    "Fn::Split",
    "Fn::FindInMap",
    "Fn::If",
    "Fn::ImportValue",
    "Fn::Equals",
    "Fn::Not",
    "Fn::And",
    "Fn::Or",
    "Fn::Base64",
    "Fn::Cidr",
    "Fn::GetAZs",
    "Fn::Length",
    "Fn::ToJsonString",
    "Fn::Transform",
    "Fn::ForEach::Items",
]


def _apart(res: dict) -> tuple[list, bool]:
    """What the build found with one walk per definition (before the walks were one); the
    references walked in Python (find_references may walk in C: iacviz.walks)."""
    found = [
        (section, prefix, list(walk_references(res[section], prefix)))
        for section, prefix in _ATTRIBUTE_SECTIONS
        if section in res and type(res[section]) in (dict, list)
    ]
    return found, bool(list(intrinsic_problems(res)))


def _together(value, path=""):
    left: list = []
    refs = list(checked_references(value, path, left))
    return refs, any_problem(left)


def test_only_the_functions_with_a_rule_are_checked():
    # The walk skips the check of a function outside _CHECKED: _check must pass all of them.
    for key in FUNCTIONS:
        for arg in (5, "", [], [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11], {"a": 1}, None):
            if key not in _CHECKED:
                assert _check(key, arg) is None, (key, arg)
        if key in _CHECKED:
            assert _check(key, 5) is not None, key


@pytest.mark.parametrize(
    "value",
    [
        {"A": {"Ref": ["a", "b"]}, "B": {"Ref": "X"}},
        # parts the reference walk does not enter: a computed GetAtt resource, Sub variables
        # given by a function, a Sub whose argument is a mapping
        {"A": {"Fn::GetAtt": [{"Ref": "R"}, {"Fn::Join": ["", "x"]}]}},
        {"A": {"Fn::GetAtt": [{"Fn::Sub": 5}, "Arn"]}},
        {"A": {"Fn::GetAtt": [{"Ref": "R"}, "Arn"]}},
        {"A": {"Fn::Sub": ["${X}", {"Fn::If": ["C", {"Ref": 1}, {}]}]}},
        {"A": {"Fn::Sub": ["${X}", {"Fn::If": ["C", {}, {}]}]}},
        {"A": {"Fn::Sub": {"Fn::Join": [1]}}},
        {"A": {"Fn::Sub": []}},
        {"A": {"Fn::Sub": ["${X}", {"X": {"Fn::Select": [0]}}, 3]}},
        {"A": {"Fn::If": "C"}, "B": {"Condition": 5}},
        {"A": {"Fn::If": [1, {"Ref": []}, 2]}},
        {"A": {"Fn::FindInMap": [{"Ref": "M"}, {"Fn::Split": [","]}, "k"]}},
        {"A": [{"Fn::ImportValue": {"Fn::Sub": ["a", "b", "c"]}}]},
        {"A": {"Fn::Base64": {"Ref": {}}}},
        {"A": {1: {"Ref": []}}, "B": {"Fn::GetAtt": "a.b"}},
    ],
)
def test_hostile_shapes_give_the_same_references_and_problems(value):
    assert _together(value, "/p") == (list(walk_references(value, "/p")), bool(list(intrinsic_problems(value))))


_KEYS = st.sampled_from(FUNCTIONS[:10] + ["A", "B"])
_SCALARS = st.one_of(st.none(), st.booleans(), st.integers(-2, 2), st.sampled_from(["", "X", "a.b", "${X}-${Y.Z}"]))
_VALUES = st.recursive(
    _SCALARS,
    lambda inner: st.one_of(st.lists(inner, max_size=4), st.dictionaries(_KEYS, inner, min_size=1, max_size=3)),
    max_leaves=25,
)


@settings(max_examples=300, derandomize=True, deadline=None)
@given(value=_VALUES)
def test_random_expressions_give_the_same_references_and_problems(value):
    assert _together(value, "/p") == (list(walk_references(value, "/p")), bool(list(intrinsic_problems(value))))


@settings(max_examples=200, derandomize=True, deadline=None)
@given(res=st.dictionaries(st.sampled_from(["Type", "Properties", "Metadata", "Condition", "Other"]), _VALUES))
def test_random_resources_walk_as_before(res):
    assert _walk_resource(res) == _apart(res)


@pytest.mark.skipif(not (CORPUS / "manifest.tsv").is_file(), reason="shared corpus not present")
def test_every_corpus_resource_and_output_walks_as_before():
    from iacviz.sources.files import read_paths

    with open(CORPUS / "manifest.tsv", newline="") as f:
        rows = [r for r in csv.DictReader(f, delimiter="\t") if r["kind"] != "cdk-out"]
    raws, _ = read_paths([CORPUS / r["repo"].replace("/", "+") / r["path"] for r in rows])
    walked = 0
    for raw in raws:
        for part in ("Resources", "Outputs"):
            section = raw.template.get(part)
            for entry in section.values() if isinstance(section, dict) else ():
                if isinstance(entry, dict):
                    assert _walk_resource(entry) == _apart(entry), (raw.source, entry)
                    assert _together(entry) == (list(walk_references(entry)), bool(list(intrinsic_problems(entry))))
                    walked += 1
    assert walked > 3000


def test_outputs_report_every_bad_shape_the_checker_finds():
    # The output walk checks only Value, Export and Condition as it goes: the rest, and an
    # output that is itself one function, must still be checked.
    from iacviz.model.build import build_estate
    from iacviz.sources.raw import RawStack

    outputs = {
        "A": {"Value": {"Ref": "Q"}, "Description": {"Fn::Join": 5}},
        "B": {"Fn::If": "x"},
        "C": {"Value": {"Fn::Sub": ["${X}", {"Fn::Select": [1]}]}},
        "D": {"Value": {"Ref": "Q"}, "Export": {"Name": {"Fn::GetAtt": ["Q"]}}},
        "E": {"Value": {"Ref": "Q"}},
    }
    t = {"Resources": {"Q": {"Type": "AWS::SQS::Queue"}}, "Outputs": outputs}
    errors = build_estate([RawStack("s", "s.yaml", "yaml", t)], []).errors.message.tolist()
    expected = [f"{p} at {at}" for name, out in outputs.items() for at, p in intrinsic_problems(out, f"Outputs/{name}")]
    assert len(expected) == 4
    assert [m for m in errors if " at Outputs/" in m] == expected


@pytest.mark.parametrize("c_walks", [True, False])
def test_resources_equal_in_python_but_not_in_type_are_walked_apart(c_walks, monkeypatch):
    # The build walks a resource once and re-uses the walk for an equal one (when it walks in
    # Python); 1, True and 1.0 are equal in Python (and hash alike) but import three different
    # export names.
    import iacviz
    from iacviz.model import build

    if not c_walks:
        monkeypatch.setattr(build, "_FAST", None)

    resources = {
        lid: {"Type": "AWS::SQS::Queue", "Properties": {"QueueName": {"Fn::ImportValue": value}}}
        for lid, value in (("A", 1), ("B", True), ("C", 1.0), ("D", 1))
    }
    refs = iacviz.load_template({"Resources": resources}, stack="s").references
    imports = refs[refs.kind == "ImportValue"]
    assert dict(zip(imports.source, imports.target)) == {"A": "1", "B": "true", "C": "1.0", "D": "1"}
