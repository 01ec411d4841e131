"""How the file reader handles paths: each file's resolved form computed once per read (folders
remembered), shown relative to the folder given, refused when it leads out of it.

The shortcuts (a folder resolved once for all its files, string prefixes instead of pathlib)
must give what ``Path.resolve`` and ``Path.relative_to`` give, symlinks and odd inputs included.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

import iacviz
from estate_files import write
from iacviz.limits import LimitError, read_regular_file
from iacviz.limits import below
from iacviz.sources.files import _RealPaths, read_paths
from iacviz.sources.template_text import parse_template

QUEUE = "Resources:\n  Q: {Type: AWS::SQS::Queue}\n"


def _resolve(path: str) -> str:
    # what the reader always used: Path.resolve, or absolute() on a symlink loop
    try:
        return str(Path(path).resolve())
    except (OSError, RuntimeError):
        return str(Path(path).absolute())


@pytest.fixture
def tree(tmp_path, monkeypatch) -> Path:
    """estate/ with symlinks of every kind (in, out, relative, chained, looping, to folders)."""
    write(tmp_path, "outside/secret.yaml", QUEUE)
    write(tmp_path, "estate/a/vpc.yaml", QUEUE)
    write(tmp_path, "estate/b/deep/x.yaml", QUEUE)
    est = tmp_path / "estate"
    os.symlink(tmp_path / "outside" / "secret.yaml", est / "abs-out.yaml")
    os.symlink("../outside/secret.yaml", est / "rel-out.yaml")
    os.symlink("a/vpc.yaml", est / "in.yaml")
    os.symlink("in.yaml", est / "chain.yaml")
    os.symlink("loop.yaml", est / "loop.yaml")
    os.symlink(tmp_path / "outside", est / "outdir")
    os.symlink("b/deep", est / "deeplink")
    os.symlink("loopdir", est / "loopdir")
    monkeypatch.chdir(tmp_path)
    return tmp_path


def test_real_paths_match_path_resolve(tree):
    names = [
        "estate/a/vpc.yaml",
        "estate/abs-out.yaml",
        "estate/rel-out.yaml",
        "estate/in.yaml",
        "estate/chain.yaml",
        "estate/loop.yaml",
        "estate/loopdir/x.yaml",
        "estate/outdir/secret.yaml",
        "estate/deeplink/x.yaml",
        "estate/deeplink/../a/vpc.yaml",  # ".." after a symlinked folder: its parent is b/
        "estate/deeplink/../../a/vpc.yaml",
        "estate/./a//vpc.yaml",
        "estate/a/missing.yaml",
        "estate/missing/x.yaml",
        "estate/a/vpc.yaml/x",
        "estate",
        "estate/",
        "estate/a/..",
        "outside/../estate/in.yaml",
        "vpc.yaml",
        "",
        ".",
        "..",
        "/",
        "//",
        str(tree / "estate" / "chain.yaml"),
    ]
    real = _RealPaths()
    for name in [*names, *names]:  # again: answered from what is remembered
        assert real.real(name) == _resolve(name), name


def test_below_matches_relative_to():
    paths = ["/", "//", "/a", "/a/b", "/ab", "/a/b/c.yaml", "//a", "//a/b", "/a/b/", "//"]
    for path in paths:
        for base in paths:
            path_, base_ = os.path.normpath(path), os.path.normpath(base)
            try:
                expected = Path(path_).relative_to(base_).as_posix()
            except ValueError:
                expected = None
            assert below(path_, base_) == expected, (path_, base_)


def _read(*paths, **kwargs):
    stacks, errors = read_paths(paths, **kwargs)
    return sorted((s.name, s.source, s.parent_stack) for s in stacks), sorted(
        (e.source, e.severity, e.message[:40]) for e in errors
    )


def test_symlinks_leading_out_of_the_folder_are_refused(tree):
    stacks, errors = _read("estate")
    assert stacks == [
        ("chain", "chain.yaml", None),  # links inside the folder keep their own names
        ("in", "in.yaml", None),
        ("vpc", "a/vpc.yaml", None),
        ("x", "b/deep/x.yaml", None),  # a symlinked folder (deeplink) is not walked
    ]
    refused = {source for source, severity, message in errors if message.startswith("outside the folder")}
    assert refused == {"abs-out.yaml", "rel-out.yaml"}
    assert ("loop.yaml", "error") in {(source, severity) for source, severity, _ in errors}
    followed, _ = _read("estate", follow_outside=True)
    assert {"abs-out", "rel-out"} <= {name for name, _, _ in followed}


def test_a_folder_given_through_a_symlink_reads_as_the_folder(tree):
    os.symlink(tree / "estate", tree / "estate-link")
    stacks, errors = _read("estate-link")
    assert stacks == _read("estate")[0] == _read(str(tree / "estate-link") + "/")[0]
    refused = {source for source, _, message in errors if message.startswith("outside the folder")}
    assert {"abs-out.yaml", "rel-out.yaml"} <= refused
    assert ("loop.yaml", "error") in {(source, severity) for source, severity, _ in errors}


def test_relative_and_absolute_inputs_read_the_same(tree):
    assert _read("estate") == _read(str(tree / "estate")) == _read("./estate/../estate")
    assert _read("estate/a/vpc.yaml") == _read(str(tree / "estate/a/vpc.yaml")) == ([("vpc", "vpc.yaml", None)], [])


def test_a_file_in_a_symlinked_folder_reads_from_where_the_link_points(tree):
    # a file named directly is read from its own folder: a linked folder is that folder
    assert _read("estate/outdir/secret.yaml") == ([("secret", "secret.yaml", None)], [])
    assert _read("estate/deeplink/x.yaml") == ([("x", "x.yaml", None)], [])


def test_the_same_file_given_twice(tree):
    stacks, errors = _read("estate/a/vpc.yaml", str(tree / "estate/a/vpc.yaml"), "estate/b/../a/vpc.yaml")
    assert errors == []
    assert {source for _, source, _ in stacks} == {"vpc.yaml"}
    assert len({name for name, _, _ in stacks}) == len(stacks)


def test_nested_template_url_to_a_sibling(tree):
    write(
        tree,
        "nest/parent.yaml",
        """\
        Resources:
          Sibling:
            Type: AWS::CloudFormation::Stack
            Properties: {TemplateURL: child.yaml, Parameters: {X: one}}
          Below:
            Type: AWS::CloudFormation::Stack
            Properties: {TemplateURL: ./sub/../sub/grand.yaml}
        """,
    )
    write(tree, "nest/child.yaml", "Parameters:\n  X: {Type: String}\n" + QUEUE)
    write(tree, "nest/sub/grand.yaml", QUEUE)
    expected = [
        ("parent", "parent.yaml", None),
        ("parent-Below", "sub/grand.yaml", "parent"),
        ("parent-Sibling", "child.yaml", "parent"),
    ]
    assert _read("nest") == (expected, [])
    assert _read(str(tree / "nest")) == (expected, [])
    # the same files named one by one: the children are still nested, not roots of their own
    stacks, errors = _read("nest/child.yaml", "nest/sub/grand.yaml", "nest/parent.yaml")
    assert [(name, parent) for name, _, parent in stacks] == [
        ("parent", None),
        ("parent-Below", "parent"),
        ("parent-Sibling", "parent"),
    ]
    assert errors == []


def test_read_regular_file_reads_to_the_limit(tmp_path):
    path = tmp_path / "t.yaml"
    path.write_bytes(b"x" * 100)
    assert read_regular_file(path, 100) == b"x" * 100
    with pytest.raises(LimitError, match="larger than 99 bytes"):
        read_regular_file(path, 99)
    path.write_bytes(b"")
    assert read_regular_file(path, 100) == b""


@pytest.mark.skipif(not os.path.isfile("/proc/self/status"), reason="needs Linux /proc")
def test_read_regular_file_reads_a_file_that_says_it_is_empty():
    # /proc files report a size of 0 and still hold text: the size cannot bound the read
    assert os.stat("/proc/self/status").st_size == 0
    assert read_regular_file("/proc/self/status", 1 << 20).startswith(b"Name:")


@pytest.mark.parametrize("blank", ["", "\n", " " * 255, " " * 256, "\n" * 300 + "\t" * 10])
def test_json_is_told_from_yaml_after_any_leading_blank(blank):
    # The sniff looks at the start of the text only; a long blank run must not hide the "{".
    # 1e5 tells the two apart: a JSON number, a string in YAML 1.1 (no dot).
    body, _ = parse_template(blank + '{"Resources": {"Q": {"Type": "AWS::SQS::Queue"}}, "Size": 1e5}', "t.template")
    assert body["Size"] == 100000.0
    body, _ = parse_template("\n" * len(blank) + "Resources: {Q: {Type: AWS::SQS::Queue}}\nSize: 1e5\n", "t.template")
    assert body["Size"] == "1e5"


def test_an_estate_file_naming_templates_outside_the_folder_is_refused_for_those(tree):
    # The estate file's `stacks:` entries get the same check as the files walked: by path
    # ("../"), by a symlink leading out, through a symlinked folder; inside links are kept.
    entries = {
        "up": "../outside/secret.yaml",
        "abs": "abs-out.yaml",
        "rel": "rel-out.yaml",
        "dir": "outdir/secret.yaml",
        "here": "a/vpc.yaml",
        "linked": "in.yaml",
        "detour": "b/../a/vpc.yaml",
    }
    body = "stacks:\n" + "".join(f"  {name}: {{template: {path}}}\n" for name, path in entries.items())
    write(tree, "estate/iacviz-estate.yaml", body)
    _, errors = read_paths(["estate"])
    from_file = [e.message for e in errors if e.source == "iacviz-estate.yaml"]
    refused = {m.split(":")[0] for m in from_file if "is outside the folder being read" in m}
    assert refused == {"stack up", "stack abs", "stack rel", "stack dir"}
    followed, errors = read_paths(["estate"], follow_outside=True)
    assert not [e for e in errors if e.source == "iacviz-estate.yaml"]


def test_files_given_one_by_one_are_shown_from_the_folder_they_share(tmp_path, monkeypatch):
    # Shown, and told apart by name, as in a load of that folder, whatever the order given: a
    # stack's source and its file's error rows name the same path (the stacks' once followed
    # the last file's folder).
    write(tmp_path, "e/a/vpc.yaml", QUEUE)
    write(tmp_path, "e/b/vpc.yaml", QUEUE)
    write(tmp_path, "e/b/deep/app.yaml", "Resources:\n  F: {Type: AWS::SQS::Queue, Properties: {X: !Ref Nope}}\n")
    monkeypatch.chdir(tmp_path)
    files = ["e/a/vpc.yaml", str(tmp_path / "e/b/vpc.yaml"), "e/b/deep/app.yaml"]
    for order in (files, files[::-1]):
        stacks, errors = read_paths(order)
        assert sorted((s.name, s.source) for s in stacks) == [
            ("a-vpc", "a/vpc.yaml"),
            ("app", "b/deep/app.yaml"),
            ("b-vpc", "b/vpc.yaml"),
        ]
    estate = iacviz.load(*files, cache=False)
    assert set(estate.errors.source) == {"b/deep/app.yaml"} <= set(estate.stacks.source)
    assert read_paths(["e/b/deep/app.yaml"])[0][0].source == "app.yaml"  # one file: its name


def test_an_estate_file_naming_a_path_no_file_system_takes_is_one_error_row(tmp_path):
    write(tmp_path, "e/t.yaml", QUEUE)
    write(tmp_path, "e/iacviz-estate.yaml", 'stacks:\n  nul: {template: "a\\0b.yaml"}\n  t: {template: t.yaml}\n')
    stacks, errors = read_paths([tmp_path / "e"])
    assert [s.name for s in stacks] == ["t"]
    assert [e.message.split(":")[0] for e in errors if e.source == "iacviz-estate.yaml"] == ["stack nul"]


def test_paths_are_read_as_path_reads_them(tmp_path, monkeypatch):
    # A trailing separator on a file and the empty path are what pathlib makes of them (the
    # file; the current folder), as they were before the load looked at each path once.
    write(tmp_path, "q.yaml", "Resources:\n  Q:\n    Type: AWS::SQS::Queue\n")
    assert len(iacviz.load(f"{tmp_path / 'q.yaml'}{os.sep}", cache=False).stacks) == 1
    monkeypatch.chdir(tmp_path)
    assert len(iacviz.load("", cache=False).stacks) == 1
