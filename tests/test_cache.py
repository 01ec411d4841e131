"""The load cache (iacviz.model.cache): the same estate with and without it, and a cache that
misses whenever the answer could differ."""

from __future__ import annotations

import dataclasses
import os
import shutil
import subprocess
import sys

import pandas as pd
import pytest

import iacviz
from iacviz.model import cache
from estate_files import ROOT, SAMPLE


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
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
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
