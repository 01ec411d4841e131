"""Frames built column by column (`schema.frame_from_columns`) and empty frames (`schema.empty`):
same columns and dtypes as the declared schema, values kept as written, copies independent."""

from __future__ import annotations

import pandas as pd
import pytest

from iacviz import schema


def test_columns_become_the_declared_dtypes():
    df = schema.frame_from_columns(
        "resources",
        {
            "stack": ["net", "app"],
            "logical_id": ["Vpc", "Fn"],
            "line": [3, None],
            "stateful": [True, None],
            "depends_on": [["A", "B"], []],
        },
    )
    assert list(df.columns) == schema.columns("resources")
    assert df.dtypes.astype(str).to_dict() == {
        c: str(pd.api.types.pandas_dtype(d)) for c, d in schema.dtypes("resources").items()
    }
    assert df.line.tolist() == [3, pd.NA] and df.stateful.tolist() == [True, pd.NA]
    assert df.depends_on.tolist() == [["A", "B"], []]  # equal-length lists stay one cell each
    assert df.type.isna().all()  # a column not given is NA


def test_object_columns_keep_values_as_written():
    # Through a DataFrame, ["x", None] became text with NaN and [1, None] became 1.0 and NaN.
    df = schema.frame_from_columns("mappings", {"stack": ["a", "b", "c"], "value": ["x", None, 1]})
    assert df.value.tolist() == ["x", None, 1] and type(df.value[2]) is int
    assert df.value.dtype == object


def test_text_columns_convert_numbers_as_before():
    df = schema.frame_from_columns("errors", {"source": ["a.yaml", 7], "line": [1, 2]})
    assert df.source.tolist() == ["a.yaml", "7"]


def test_same_frame_as_from_rows():
    rows = [
        {"source": "a.yaml", "line": 3, "severity": "error", "message": "bad"},
        {"source": "b.yaml", "line": None, "severity": "warning", "message": "odd", "stack": "s"},
    ]
    cols = {c: [r.get(c) for r in rows] for c in schema.columns("errors")}
    pd.testing.assert_frame_equal(schema.frame_from_columns("errors", cols), schema.frame("errors", rows))


def test_undeclared_or_ragged_columns_are_refused():
    with pytest.raises(KeyError, match="undeclared"):
        schema.frame_from_columns("errors", {"nope": [1]})
    with pytest.raises(ValueError, match="different lengths"):
        schema.frame_from_columns("errors", {"source": ["a"], "line": [1, 2]})


def test_empty_frames_are_typed_and_independent():
    a, b = schema.empty("errors"), schema.frame("errors", [])
    assert list(a.columns) == schema.columns("errors") and len(a) == 0
    assert a.line.dtype == pd.Int64Dtype()
    a["extra"] = []  # a user's change to one copy...
    assert "extra" not in b.columns and "extra" not in schema.empty("errors").columns  # ...stays there
    pd.testing.assert_frame_equal(schema.frame_from_columns("errors", {}), b)


def test_empty_follows_a_new_declaration():
    # Frames are declared in schema.COLUMNS only; a changed entry must not serve a stale empty frame.
    schema.COLUMNS["example_speed"] = {"a": ("str", "first")}
    try:
        assert schema.empty("example_speed").columns.tolist() == ["a"]
        schema.COLUMNS["example_speed"] = {"a": ("str", "first"), "b": ("int", "second")}
        assert schema.empty("example_speed").columns.tolist() == ["a", "b"]
    finally:
        del schema.COLUMNS["example_speed"]


def test_estate_builds_a_frame_on_first_access_only():
    from iacviz.model.build import build_estate
    from iacviz.sources.raw import RawStack

    e = build_estate(
        [
            RawStack(
                "net",
                "net.yaml",
                "yaml",
                {
                    "Resources": {
                        "Vpc": {
                            "Type": "AWS::EC2::VPC",
                            "Properties": {"CidrBlock": "10.0.0.0/16", "Tags": [{"Key": "a"}]},
                        }
                    }
                },
            )
        ],
        [],
    )
    pending = object.__getattribute__(e, "_frames")
    assert not any(isinstance(v, pd.DataFrame) for v in pending.values())  # nothing built yet
    later = e.replace(errors=schema.empty("errors"))
    props = e.properties
    assert props.path.tolist() == ["/properties/CidrBlock", "/properties/Tags/0/Key"]
    assert later.properties is props  # the pending frame is shared, and built once
    assert isinstance(pending["properties"], pd.DataFrame) and not isinstance(pending["resources"], pd.DataFrame)
    assert repr(e).startswith("<Estate stacks=1, resources=1")


def test_frames_do_not_depend_on_the_order_they_are_asked_for():
    import iacviz
    from estate_files import SAMPLE

    a, b = iacviz.load(SAMPLE), iacviz.load(SAMPLE)
    built = b.frames()  # every frame at once, in another order than a's accesses below
    for name in reversed(list(built)):
        pd.testing.assert_frame_equal(getattr(a, name), built[name])


def test_stack_index_answers_as_the_functions():
    from iacviz.errors import IacvizError
    from iacviz.model.identity import StackIndex, canonical_target

    stacks = schema.frame(
        "stacks",
        [
            {
                "stack": "net@prod:eu-west-1",
                "stack_name": "net",
                "account": "111",
                "region": "eu-west-1",
                "environment": "prod",
            },
            {
                "stack": "net@dev:eu-west-1",
                "stack_name": "net",
                "account": "222",
                "region": "eu-west-1",
                "environment": "dev",
            },
            {"stack": "app", "stack_name": "app", "account": "111", "region": "eu-west-1"},
            {"stack": "legacy"},  # no stack_name: its key is its name
        ],
    )
    index = StackIndex(stacks)
    for target in [
        "net@prod:eu-west-1/Vpc",
        "net@dev/Vpc",
        "net@222/Vpc",
        "net@eu-west-1/Vpc",
        "net/Vpc",
        "app/Fn",
        "app@111/Fn",
        "app@999/Fn",
        "legacy/Q",
        "some-export",
        "net",
        "app",
        "nope/X",
    ]:
        try:
            expected = canonical_target(stacks, target)
        except IacvizError as exc:
            with pytest.raises(IacvizError, match=str(exc).split(":")[0]):
                index.canonical_target(target)
            continue
        assert index.canonical_target(target) == expected, target


def test_build_and_frames_hold_the_collector_and_leave_it_as_found():
    # With a collection due on every allocation (threshold 1), a build and frames that did not
    # pause the collector ran ~16,700 of them on the sample estate; paused, only the few steps
    # between the paused parts run any (~230). And the collector is resumed as it was found.
    import gc

    import iacviz
    from gc_counting import collector_runs, leaves_an_outer_pause
    from iacviz.model.build import build_estate
    from iacviz.sources.files import read_paths

    raws, errors = read_paths([iacviz.data.sample_estate()])
    built: dict = {}
    assert collector_runs(lambda: built.update(build_estate(raws, errors).frames())) < 2_000 and gc.isenabled()
    leaves_an_outer_pause(lambda: build_estate(raws, errors).frames())
    assert len(built["properties"]) > 100


@pytest.mark.parametrize("cache", [False, "folder"])
def test_a_load_holds_the_collector_over_reading_and_leaves_it_as_found(cache, tmp_path, monkeypatch):
    # Reading makes the bodies, acyclic containers that all stay: collections meanwhile free
    # nothing and rescan them, so a load holds the collector while it reads every template.
    # Each YAML file gets a comment of its own: a cached load has read none of them before.
    import gc
    import shutil
    import uuid

    import iacviz
    from iacviz.sources import files

    folder = tmp_path / "estate"
    shutil.copytree(iacviz.data.sample_estate(), folder)
    for path in folder.rglob("*.yaml"):
        path.write_text(path.read_text() + f"\n# {uuid.uuid4()}\n")

    parse, seen = files.parse_template, []

    def parse_template(*args, **kwargs):
        seen.append(gc.isenabled())
        return parse(*args, **kwargs)

    monkeypatch.setattr(files, "parse_template", parse_template)
    estate = iacviz.load(folder, cache=False if cache is False else tmp_path / "cache")
    assert len(seen) > 5 and not any(seen)
    assert gc.isenabled() and len(estate.stacks) > 5


def test_frames_built_alike_do_not_share_their_columns():
    # The columns Index is made once per column list and copied per frame: a name given to
    # one frame's columns never shows on another's, and the Index is what pandas would make.
    a = schema.frame_from_columns("errors", {"source": ["a.yaml"], "line": [1]})
    b = schema.frame_from_columns("errors", {"source": ["b.yaml"], "line": [2]})
    a.columns.name = "field"
    assert b.columns.name is None and a.columns is not b.columns
    pd.testing.assert_index_equal(b.columns, pd.Index(list(schema.columns("errors"))))
