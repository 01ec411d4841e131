"""The load cache (iacviz.model.cache): the same estate with and without it, and a cache that
misses whenever the answer could differ."""

from __future__ import annotations

import dataclasses
import json
import os
import shutil
import subprocess
import time
import sys

import pandas as pd
import pytest

import iacviz
from iacviz.model import cache
from build_spy import spy_on_builds
from estate_files import CORPUS, ROOT, SAMPLE, write


@pytest.fixture(autouse=True)
def _fresh_memory():
    cache.clear()
    yield
    cache.clear()


def _same(a: iacviz.Estate, b: iacviz.Estate) -> None:
    fa, fb = a.frames(), b.frames()
    assert list(fa) == list(fb)
    for name in fa:
        pd.testing.assert_frame_equal(fa[name], fb[name], obj=name)
    assert [dataclasses.asdict(r) for r in a.raw_stacks] == [dataclasses.asdict(r) for r in b.raw_stacks]


@pytest.mark.parametrize("where", ["sample", "generated", "corpus"])
def test_a_build_with_and_without_a_piece_store_gives_the_same_frames(where, tmp_path):
    # Without a store each stack is built straight into the estate's columns; with one, into
    # a piece of its own that the estate then copies: the frames must not tell them apart.
    from benchmarks.generate import write_estate
    from iacviz.model.build import build_estate
    from iacviz.sources.files import read_paths

    if where == "corpus" and not CORPUS.is_dir():
        pytest.skip("shared corpus not present")
    folder = {"sample": SAMPLE, "corpus": CORPUS}.get(where) or write_estate(tmp_path, 30, 12, seed=5)
    raws, errors = read_paths([folder])
    assert len(raws) > 10
    _same(build_estate(raws, errors), build_estate(raws, errors, pieces={}))


def test_sample_estate_with_and_without_the_cache(tmp_path):
    plain = iacviz.load(SAMPLE, cache=False)
    assert cache._memory == {}  # off means off
    folder = tmp_path / "cache"
    first = iacviz.load(SAMPLE, cache=folder)  # a miss: read, built, written as frames are built
    _same(plain, first)
    again = iacviz.load(SAMPLE, cache=folder)  # in this process: the same frames, shallow copies
    _same(plain, again)
    again.resources["cost"] = 1.0  # a user's column...
    again.stacks.loc[0, "description"] = "changed"  # ...or value...
    _same(plain, first)  # ...stays in that estate
    _same(plain, iacviz.load(SAMPLE, cache=folder))
    cache.clear()  # as a new process would: from the folder only
    from_disk = iacviz.load(SAMPLE, cache=folder)
    assert from_disk.resources is not first.resources
    _same(plain, from_disk)


def test_a_new_process_reads_the_folder(tmp_path):
    folder = tmp_path / "cache"
    code = "import sys, iacviz; e = iacviz.load(sys.argv[1], cache=sys.argv[2]); e.frames(); print(len(e.resources))"
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT), str(ROOT / "tests")])}
    out = subprocess.run(
        [sys.executable, "-c", code, str(SAMPLE), str(folder)], env=env, capture_output=True, text=True, check=True
    ).stdout
    entries = list((folder / "estates").iterdir())
    assert len(entries) == 1 and (entries[0] / "properties.pickle").is_file()
    _same(iacviz.load(SAMPLE, cache=False), iacviz.load(SAMPLE, cache=folder))
    assert int(out) == len(iacviz.load(SAMPLE, cache=False).resources)


def test_on_by_default_for_folders_not_for_files(tmp_path):
    one = next(SAMPLE.rglob("*.yaml"))
    iacviz.load(one)
    assert cache._memory == {}
    iacviz.load(SAMPLE)
    assert len(cache._memory) == 1


def _copy(tmp_path):
    estate = tmp_path / "estate"
    shutil.copytree(SAMPLE, estate)
    return estate


def test_a_changed_file_misses(tmp_path):
    estate = _copy(tmp_path)
    before = iacviz.load(estate)
    template = estate / "network" / "network.yaml"
    text = template.read_text()
    assert "CidrBlock" in text
    template.write_text(text.replace("Resources:", "Resources:\n  AddedQueue:\n    Type: AWS::SQS::Queue\n", 1))
    after = iacviz.load(estate)
    assert len(after.resources) == len(before.resources) + 1
    _same(after, iacviz.load(estate, cache=False))


def test_a_new_or_removed_file_misses(tmp_path):
    estate = _copy(tmp_path)
    before = iacviz.load(estate)
    (estate / "extra.yaml").write_text("Resources:\n  Q:\n    Type: AWS::SQS::Queue\n")
    assert len(iacviz.load(estate).stacks) == len(before.stacks) + 1
    (estate / "extra.yaml").unlink()
    assert len(iacviz.load(estate).stacks) == len(before.stacks)


def test_changed_parameters_or_region_miss():
    a = iacviz.load(SAMPLE)
    stack = a.parameters["stack"].iloc[0]
    name = a.parameters["name"].iloc[0]
    b = iacviz.load(SAMPLE, parameters={stack: {name: "changed-value"}})
    row = b.parameters[(b.parameters["stack"] == stack) & (b.parameters["name"] == name)]
    assert row.value.tolist() == ["changed-value"] and row.value_source.tolist() == ["user"]
    assert iacviz.load(SAMPLE, region="eu-west-1") is not a
    assert len(cache._memory) == 3


def test_a_new_iacviz_version_misses(tmp_path, monkeypatch):
    folder = tmp_path / "cache"
    iacviz.load(SAMPLE, cache=folder).frames()
    key = cache.load_key([SAMPLE], None, "us-east-1")
    monkeypatch.setattr(cache, "_code", ["another version"])
    assert cache.load_key([SAMPLE], None, "us-east-1") != key
    cache.clear()
    assert cache.lookup(key, folder) is None  # an entry written by another version is never read


def test_a_damaged_entry_is_rebuilt(tmp_path):
    folder = tmp_path / "cache"
    first = iacviz.load(SAMPLE, cache=False).parameters.iloc[0]
    passed = {first["stack"]: {first["name"]: "passed-by-the-user"}}  # a rebuild must use them too
    plain = iacviz.load(SAMPLE, cache=False, parameters=passed)
    iacviz.load(SAMPLE, cache=folder, parameters=passed).frames()
    entry = next((folder / "estates").iterdir())
    (entry / "parameters.pickle").write_bytes(b"not a pickle")
    (entry / "properties.pickle").unlink()
    cache.clear()
    again = iacviz.load(SAMPLE, cache=folder, parameters=passed)
    _same(plain, again)
    assert "passed-by-the-user" in again.parameters["value"].tolist()


def test_a_folder_others_can_write_is_not_used(tmp_path):
    folder = tmp_path / "shared-cache"
    folder.mkdir()
    folder.chmod(0o777)
    iacviz.load(SAMPLE, cache=folder).frames()
    assert list(folder.iterdir()) == []
    assert cache.usable(folder) is None and cache.usable(tmp_path / "mine") == tmp_path / "mine"


def test_unchanged_templates_are_not_parsed_again(tmp_path, monkeypatch):
    from iacviz.sources import files

    estate = _copy(tmp_path)
    iacviz.load(estate)
    parsed = []
    real = files.parse_template
    monkeypatch.setattr(files, "parse_template", lambda data, name, *fmt: parsed.append(name) or real(data, name, *fmt))
    template = estate / "network" / "network.yaml"
    template.write_text(template.read_text() + "\n# edited\n")
    iacviz.load(estate)
    assert parsed == ["network/network.yaml"]


# -- a miss builds only the stacks that changed ------------------------------------------------


@pytest.fixture
def built(monkeypatch):
    """The stack keys built (and whose properties were walked) by the loads after it is asked for."""
    return spy_on_builds(monkeypatch.setattr)


def _reloaded(estate, built, **kwargs) -> tuple[list[str], set[str]]:
    # Loaded again with every frame built, compared with a load that caches nothing.
    built["stacks"].clear(), built["properties"].clear()
    again = iacviz.load(estate, **kwargs)
    again.frames()
    stacks, walked = list(built["stacks"]), set(built["properties"])
    _same(again, iacviz.load(estate, cache=False, **kwargs))
    return stacks, walked


def test_an_edited_template_rebuilds_only_its_stack(tmp_path, built):
    estate = _copy(tmp_path)
    iacviz.load(estate).frames()
    assert len(built["stacks"]) == 16  # the first load builds every stack
    template = estate / "network" / "network.yaml"
    text = template.read_text()
    template.write_text(text.replace("CidrBlock: !Ref VpcCidr", "CidrBlock: 10.9.0.0/16", 1))
    assert template.read_text() != text
    assert _reloaded(estate, built) == (["network"], {"network"})
    template.write_text(text)  # back as it was: every stack's piece is there already
    assert _reloaded(estate, built) == ([], set())


def test_a_changed_parameter_rebuilds_the_stacks_it_applies_to(tmp_path, built):
    estate = _copy(tmp_path)
    iacviz.load(estate).frames()
    assert _reloaded(estate, built, parameters={"network": {"VpcCidr": "10.1.0.0/16"}})[0] == ["network"]
    # estate-wide: every stack declaring the key, and a child its parent passes a value made of it
    stacks, _ = _reloaded(estate, built, parameters={"Project": "other"})
    declaring = set(iacviz.load(estate, cache=False).parameters.query("name == 'Project'")["stack"])
    assert {"network", "iam"} <= declaring and "edge-WafStack" not in declaring
    assert sorted(stacks) == sorted(declaring | {"edge-WafStack"}) and len(stacks) < 16


def _nested(root, condition: str = "!Equals [!Ref Flag, 'yes']", queue: str = "jobs") -> None:
    write(
        root,
        "parent.yaml",
        f"""\
        Parameters:
          Flag: {{Type: String, Default: 'yes'}}
        Conditions:
          WantChild: {condition}
        Resources:
          Child:
            Type: AWS::CloudFormation::Stack
            Condition: WantChild
            Properties:
              TemplateURL: ./child.yaml
              Parameters: {{Name: !Ref Flag}}
        """,
    )
    write(
        root,
        "child.yaml",
        f"""\
        Parameters:
          Name: {{Type: String}}
        Resources:
          Queue:
            Type: AWS::SQS::Queue
            Properties: {{QueueName: !Sub '${{Name}}-{queue}', Tags: [{{Key: vpc, Value: !ImportValue shared-VpcId}}]}}
        """,
    )
    write(root, "other.yaml", "Resources:\n  Topic: {Type: AWS::SNS::Topic}\n")


def test_nested_stacks_rebuild_what_changed_and_fold_conditions_again(tmp_path, built):
    root = tmp_path / "nested"
    _nested(root)
    first = iacviz.load(root)
    first.frames()
    child = first.stacks.query("parent_stack == 'parent'")["stack"].item()
    # a changed nested child: only the child is built again
    _nested(root, queue="work")
    assert _reloaded(root, built) == ([child], {child})
    # a parent whose condition on the child changed: the parent is built again, the child's rows
    # (same template, same values passed) are re-used and its resources folded with the new condition
    _nested(root, condition="!Equals [!Ref Flag, 'never']", queue="work")
    assert _reloaded(root, built)[0] == ["parent"]
    assert iacviz.load(root).resources.query("stack == @child").condition_value.tolist() == [False]
    # ...and back: the piece the fold read was never changed by it
    _nested(root, queue="work")
    assert _reloaded(root, built) == ([], set())
    assert iacviz.load(root).resources.query("stack == @child").condition_value.tolist() == [True]
    # a changed parameter the parent passes on: both are built again, the other stack is not
    stacks, _ = _reloaded(root, built, parameters={"parent": {"Flag": "no"}})
    assert sorted(stacks) == sorted(["parent", child])


def test_renamed_removed_and_added_files(tmp_path, built):
    root = tmp_path / "nested"
    _nested(root)
    iacviz.load(root).frames()
    (root / "other.yaml").rename(root / "renamed.yaml")
    assert _reloaded(root, built)[0] == ["renamed"]
    (root / "renamed.yaml").unlink()
    assert _reloaded(root, built)[0] == []
    write(root, "sub/added.yaml", "Resources:\n  Q: {Type: AWS::SQS::Queue}\n")
    assert _reloaded(root, built)[0] == ["added"]
    # a second stack of the same name: both are named again (after their folders)
    write(root, "more/added.yaml", "Resources:\n  Q: {Type: AWS::SQS::Queue}\n")
    stacks, _ = _reloaded(root, built)
    assert sorted(stacks) == ["more-added", "sub-added"]


def test_a_new_iacviz_version_builds_every_stack(tmp_path, built, monkeypatch):
    estate = _copy(tmp_path)
    iacviz.load(estate).frames()
    template = estate / "network" / "network.yaml"
    template.write_text(template.read_text() + "\n# edited\n")  # a miss of the whole-estate cache
    monkeypatch.setattr(cache, "_code", ["another version"])
    assert len(_reloaded(estate, built)[0]) == 16


# -- pieces kept in a cache folder: a new process builds only what changed -----------------------

_NEW_PROCESS = """
import json, sys
import pandas as pd
import iacviz
from iacviz.model import cache
if len(sys.argv) > 3:
    cache._code[:] = [sys.argv[3]]  # as another iacviz version would
from build_spy import spy_on_builds
seen = spy_on_builds()
frames = iacviz.load(sys.argv[1], cache=sys.argv[2]).frames()
built = {"stacks": sorted(seen["stacks"]), "properties": sorted(set(seen["properties"]))}
plain = iacviz.load(sys.argv[1], cache=False).frames()
assert list(frames) == list(plain)
for name in plain:
    pd.testing.assert_frame_equal(frames[name], plain[name], obj=name)
print(json.dumps(built))
"""


def _in_new_process(estate, folder, *version: str) -> tuple[list[str], list[str]]:
    """(stacks built, stacks whose properties were walked) by a load in a new process, every
    frame built; the process also checks every frame equals a load that caches nothing."""
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT), str(ROOT / "tests")])}
    env.pop(cache.ENV, None)
    out = subprocess.run(
        [sys.executable, "-c", _NEW_PROCESS, str(estate), str(folder), *version],
        env=env,
        capture_output=True,
        text=True,
    )
    assert out.returncode == 0, out.stderr
    built = json.loads(out.stdout)
    return built["stacks"], built["properties"]


def test_a_new_process_builds_only_the_edited_stack(tmp_path):
    estate, folder = _copy(tmp_path), tmp_path / "cache"
    stacks, walked = _in_new_process(estate, folder)
    assert len(stacks) == 16 and len(walked) > 3  # the first load builds and walks every stack
    kept = folder / "pieces" / cache.code_version()
    assert len(list(kept.glob("*.piece"))) == 16 and len(list(kept.glob("*.walked"))) == len(walked)
    template = estate / "network" / "network.yaml"
    text = template.read_text()
    template.write_text(text.replace("CidrBlock: !Ref VpcCidr", "CidrBlock: 10.9.0.0/16", 1))
    assert _in_new_process(estate, folder) == (["network"], ["network"])
    template.write_text(text.replace("CidrBlock: !Ref VpcCidr", "CidrBlock: 10.8.0.0/16", 1))
    stacks, walked = _in_new_process(estate, folder, "another version")
    assert len(stacks) == 16 and len(walked) > 3  # another version's pieces are never read...
    assert not kept.exists()  # ...and are removed


def test_damaged_piece_files_are_built_again(tmp_path):
    estate, folder = _copy(tmp_path), tmp_path / "cache"
    _in_new_process(estate, folder)
    kept = folder / "pieces" / cache.code_version()
    walked = sorted(kept.glob("*.walked"))
    damaged = [walked[0].with_suffix(".piece"), walked[1].with_suffix(".piece")]
    damaged[0].write_bytes(damaged[0].read_bytes()[:-7])  # truncated
    blob = bytearray(damaged[1].read_bytes())
    blob[len(blob) // 2] ^= 1  # one bit flipped
    damaged[1].write_bytes(bytes(blob))
    blob = bytearray(walked[2].read_bytes())
    blob[-3] ^= 4
    walked[2].write_bytes(bytes(blob))
    shutil.rmtree(folder / "estates")  # a miss of the whole-estate cache, nothing edited
    stacks, walked_now = _in_new_process(estate, folder)
    # the two pieces built again; their walked properties (same key) read back; the damaged
    # walked properties walked again
    assert len(stacks) == 2 and len(walked_now) == 1 and walked_now[0] not in stacks
    assert _in_new_process(estate, folder) == ([], [])  # written again, whole
    shutil.rmtree(folder / "estates")
    assert _in_new_process(estate, folder) == ([], [])


def test_pruning_a_pieces_folder_removes_orphans_and_stale_temporary_files(tmp_path):
    where = tmp_path / "pieces" / "v2"
    where.mkdir(parents=True)
    (tmp_path / "pieces" / "v1").mkdir()  # another code version's pieces
    for name in ("a.piece", "a.walked", "b.walked", ".a.piece.1.tmp", ".c.piece.2.tmp"):
        (where / name).write_bytes(b"x")
    hour_ago = (time.time() - 7200,) * 2
    os.utime(where / ".a.piece.1.tmp", hour_ago)  # left by a writer killed long ago
    cache._prune(where)
    assert sorted(p.name for p in where.iterdir()) == [".c.piece.2.tmp", "a.piece", "a.walked"]
    assert not (tmp_path / "pieces" / "v1").exists()


def test_the_code_version_changes_with_the_yaml_reader_in_use(monkeypatch):
    from iacviz.sources import cfn_yaml

    versions = []
    for fast in (object(), None):
        monkeypatch.setattr(cfn_yaml, "_FAST", fast)
        monkeypatch.setattr(cache, "_code", [])
        versions.append(cache.code_version())
    assert versions[0] != versions[1]
