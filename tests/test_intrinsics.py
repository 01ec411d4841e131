"""What find_references reports, and where: the walker behind the references frame and
properties.driven_by. Each case is an edge a faster walker could get wrong (scalars skipped,
escapes, locals of Fn::Sub, arguments that are themselves functions, the order of rows)."""

from __future__ import annotations

import pytest

from iacviz.cfn.intrinsics import find_references
from iacviz.model.build import build_estate
from iacviz.sources.raw import RawStack


def refs(value, path=""):
    return [(r.kind, r.target, r.attribute, r.path) for r in find_references(value, path)]


def test_sub_reports_variables_but_not_escapes_or_its_own_locals():
    value = {"Fn::Sub": ["${Bucket}/${!Literal}/${Name}-${Db.Endpoint.Address}-${AWS::Region}", {"Name": "x"}]}
    assert refs(value) == [
        ("Sub", "Bucket", None, ""),
        ("Sub", "Db", "Endpoint.Address", ""),
        ("Sub", "AWS::Region", None, ""),
    ]


def test_sub_walks_its_variables_and_a_text_that_is_a_function():
    value = {"Fn::Sub": [{"Fn::Join": ["-", [{"Ref": "A"}]]}, {"V": {"Fn::GetAtt": ["B", "Arn"]}}]}
    # the text is walked first (pushed last), then the variables mapping
    assert refs(value, "/p") == [
        ("Ref", "A", None, "/p/Fn::Sub/0/Fn::Join/1/0"),
        ("GetAtt", "B", "Arn", "/p/Fn::Sub/1/V"),
    ]


def test_plain_values_among_references_keep_their_list_positions():
    value = {"List": ["x", {"Ref": "A"}, 3, None, [True, {"Ref": "B"}]], "Plain": "text", "N": 1}
    assert refs(value, "/properties") == [
        ("Ref", "A", None, "/properties/List/1"),
        ("Ref", "B", None, "/properties/List/4/1"),
    ]


def test_keys_are_escaped_in_pointers():
    assert refs({"a/b": {"c~d": {"Ref": "X"}}}) == [("Ref", "X", None, "/a~1b/c~0d")]


def test_function_arguments_that_are_functions():
    value = {
        "G": {"Fn::GetAtt": ["Db", {"Ref": "AttrName"}]},
        "M": {"Fn::FindInMap": ["Map", {"Ref": "A"}, {"Ref": "B"}]},
        "I": {"Fn::If": ["IsProd", {"Ref": "P"}, {"Ref": "AWS::NoValue"}]},
        "V": {"Fn::ImportValue": {"Fn::Sub": "${Env}-Vpc"}},
        "R": {"Ref": {"Ref": "Inner"}},
    }
    assert refs(value) == [
        ("GetAtt", "Db", None, "/G"),
        ("Ref", "AttrName", None, "/G/Fn::GetAtt/1"),
        ("FindInMap", "Map", None, "/M"),
        # the keys are walked last to first, as the references frame has always listed them
        ("Ref", "B", None, "/M/Fn::FindInMap/2"),
        ("Ref", "A", None, "/M/Fn::FindInMap/1"),
        ("Condition", "IsProd", None, "/I"),
        ("Ref", "P", None, "/I/Fn::If/1"),
        ("Ref", "AWS::NoValue", None, "/I/Fn::If/2"),
        ("ImportValue", "", None, "/V"),
        ("Sub", "Env", None, "/V/Fn::ImportValue"),
        ("Ref", "Inner", None, "/R/Ref"),
    ]
    assert next(r for r in find_references(value) if r.kind == "ImportValue").value == {"Fn::Sub": "${Env}-Vpc"}


def test_without_pointers_the_same_references_come_in_the_same_order():
    value = {
        "A": [{"Ref": "X"}, {"B": {"Fn::GetAtt": "Y.Arn"}}],
        "C": {"Fn::If": ["Cond", [{"Ref": "Z"}], {"Fn::Sub": "${W}"}]},
        "D": {"Fn::Join": ["", [{"Ref": "V"}]]},
    }
    with_pointers = [(r.kind, r.target, r.attribute) for r in find_references(value)]
    assert with_pointers == [(r.kind, r.target, r.attribute) for r in find_references(value, pointers=False)]
    assert [t for _, t, _ in with_pointers] == ["X", "Y", "Cond", "Z", "W", "V"]


def _built(resources: dict):
    return build_estate([RawStack("s", "s.yaml", "yaml", {"Parameters": {"P": {}}, "Resources": resources})], [])


def test_driven_by_labels_each_leaf_and_cells_never_share_a_list():
    props = {
        "A": {"Ref": "P"},
        "B": {"Ref": "P"},
        "C": {"Fn::Sub": ["${P}-${!Lit}-${L}-${AWS::Region}", {"L": {"Fn::GetAtt": ["Q", "Arn"]}}]},
        "D": {"Fn::GetAtt": ["Q", "Arn"]},
        "E": [{"Fn::ImportValue": "net-vpc"}, "plain"],
    }
    e = _built({"Q": {"Type": "AWS::SQS::Queue"}, "T": {"Type": "AWS::SNS::Topic", "Properties": props}})
    got = dict(zip(e.properties.path, e.properties.driven_by))
    assert got == {
        "/properties/A": ["ref:P"],
        "/properties/B": ["ref:P"],
        "/properties/C": ["getatt:Q.Arn", "pseudo:AWS::Region", "ref:P"],
        "/properties/D": ["getatt:Q.Arn"],
        "/properties/E/0": ["import"],
        "/properties/E/1": None,
    }
    got["/properties/A"].append("changed")
    assert got["/properties/B"] == ["ref:P"]


def test_references_frame_rows_for_nested_and_listed_references():
    props = {"Topics": [{"Ref": "P"}, {"Fn::If": ["Nope", {"Ref": "Q"}, "x"]}], "Name": {"Fn::Sub": "${!Q}-${Q.Arn}"}}
    e = _built({"Q": {"Type": "AWS::SQS::Queue"}, "T": {"Type": "AWS::SNS::Topic", "Properties": props}})
    cols = ["source", "source_path", "kind", "target", "attribute", "target_kind"]
    rows = e.references[cols].fillna("-").values.tolist()
    assert rows == [
        ["T", "/properties/Topics/0", "Ref", "P", "-", "parameter"],
        ["T", "/properties/Topics/1", "Condition", "Nope", "-", "unknown"],
        ["T", "/properties/Topics/1/Fn::If/1", "Ref", "Q", "-", "resource"],
        ["T", "/properties/Name", "Sub", "Q", "Arn", "resource"],
    ]
    # the undefined condition is reported where it stands
    assert e.errors.message.str.contains("Condition to undefined condition 'Nope'").any()


def test_driven_by_of_repeated_nested_leaves_follows_each_value():
    def leaf(name):
        return {"Fn::ImportValue": {"Fn::Sub": "${%s}-Vpc" % name}}

    resources = {
        "A": {"Type": "AWS::SNS::Topic", "Properties": {"X": leaf("P"), "Y": [leaf("P"), leaf("Q")]}},
        "B": {"Type": "AWS::SNS::Topic", "Properties": {"X": leaf("Q"), "Y": {"Fn::Split": [",", leaf("P")]}}},
    }
    e = build_estate([RawStack("s", "s.yaml", "yaml", {"Parameters": {"P": {}, "Q": {}}, "Resources": resources})], [])
    got = {(r, p): d for r, p, d in zip(e.properties.logical_id, e.properties.path, e.properties.driven_by)}
    assert got == {
        ("A", "/properties/X"): ["import", "ref:P"],
        ("A", "/properties/Y/0"): ["import", "ref:P"],
        ("A", "/properties/Y/1"): ["import", "ref:Q"],
        ("B", "/properties/X"): ["import", "ref:Q"],
        ("B", "/properties/Y"): ["import", "ref:P"],
    }


def test_a_one_key_mapping_with_a_non_string_key_is_a_value_not_a_function():
    # A template built in Python (load_template of a dict) can hold keys YAML and JSON never
    # give; such a mapping is data, and building the estate must not fail on it.
    from iacviz.cfn.intrinsics import is_intrinsic
    from iacviz.cfn.shapes import intrinsic_problems

    assert not is_intrinsic({1: "a"})
    assert list(intrinsic_problems({"A": {"Fn::Join": ["", [{1: "a"}]]}})) == []
    raw = RawStack(
        "odd", "<odd>", "mapping", {"Resources": {"Q": {"Type": "AWS::SQS::Queue", "Properties": {"Tags": {1: "a"}}}}}
    )
    props = build_estate([raw], []).properties
    assert props["logical_id"].tolist() == ["Q"]


def test_driven_by_tells_apart_leaves_of_the_same_texts_in_other_shapes():
    from iacviz.model.build import _driven_by, _drivers

    leaves = [
        {"Fn::GetAtt": ["Db", "Arn"]},
        {"Fn::GetAtt": {"Db": "Arn"}},
        {"Fn::GetAtt": "Db.Arn"},
        {"Fn::GetAtt": ["Db", "Arn", "X"]},
        {"Ref": "AWS::Region"},
        {"Ref": ["AWS::Region"]},
        {"Fn::ImportValue": {"Fn::Sub": "${Env}-vpc"}},
        {"Fn::ImportValue": ["Fn::Sub", "${Env}-vpc"]},
        {"Fn::ImportValue": "Fn::Sub"},
        {"Fn::Sub": "${Env}"},
        {"Fn::If": ["C", 1, 2]},
        {"Fn::If": ["C", 1.0, True]},
        {},
        "plain",
        1,
    ]
    # twice: labelled afresh, then from the memo
    for _ in range(2):
        assert _driven_by(leaves) == [_drivers(v) if isinstance(v, dict) else None for v in leaves]


@pytest.mark.parametrize(
    "expr, expected",
    [
        ({"Fn::Sub": "${!Literal}-${ Env }-${AWS::Region}"}, "${Literal}-prod-eu-west-1"),
        ({"Fn::Sub": "${Env}${Env}/${Db.Endpoint}"}, "prodprod/${Db.Endpoint}"),
        ({"Fn::Sub": ["${A}-${B}", {"A": {"Ref": "Env"}, "B": "x"}]}, "prod-x"),
        ({"Fn::Sub": "no variable ${!here}"}, "no variable ${here}"),
        # a value holding an escape is unescaped too: the whole text is, after substitution
        ({"Fn::Sub": "${Odd}"}, "${x}"),
        ({"Fn::Sub": ["${A}", {"A": ["a", "b"]}]}, "a,b"),
        ({"Fn::Sub": ["${A}", {"A": {"Fn::Split": 1}}]}, None),
    ],
)
def test_sub_strings_resolve_variable_by_variable(expr, expected):
    from iacviz.cfn.intrinsics import Context, resolve_string

    ctx = Context("s", "eu-west-1", parameters={"Env": "prod", "Odd": "${!x}"})
    assert resolve_string(expr, ctx) == expected
