"""A snapshot folder is input like any other (issue 14): truncated, altered or hostile files
raise :class:`iacviz.SnapshotError` naming the file, never JSONDecodeError, ArrowInvalid,
EOFError, BadGzipFile, KeyError or TypeError, and never read outside the folder."""

from __future__ import annotations

import gzip
import hashlib
import json
import shutil
from pathlib import Path

import pytest

import iacviz
from estate_files import SAMPLE
from iacviz.model import snapshot
from iacviz.model.load import read_snapshot
from iacviz.model.snapshot import MANIFEST, RAW_STACKS, SCANS, to_parquet


@pytest.fixture(scope="module")
def written(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("snap")
    to_parquet(iacviz.load(SAMPLE), folder)
    return folder


@pytest.fixture
def snap(written, tmp_path) -> Path:
    folder = tmp_path / "snap"
    shutil.copytree(written, folder)
    return folder


def _scan_path(folder: Path) -> Path:
    (path,) = (folder / SCANS).glob("*.json")  # the sample estate is one scan
    return path


def _manifest(folder: Path) -> dict:
    return json.loads(_scan_path(folder).read_text())


def _file(folder: Path, frame: str) -> str:
    """The relative path of the first file the scan wrote for `frame` (or the raw stacks)."""
    return min(rel for rel in _manifest(folder)["files"] if rel.startswith(frame + "/"))


def _rewrite(folder: Path, rel: str, data: bytes, *, fix_checksum: bool) -> None:
    (folder / rel).write_bytes(data)
    if fix_checksum:  # an attacker (or a careless tool) that also updates the manifest
        manifest = _manifest(folder)
        manifest["files"][rel] = hashlib.sha256(data).hexdigest()
        _scan_path(folder).write_text(json.dumps(manifest))


def test_round_trip_lists_every_file_with_its_checksum(written):
    files = _manifest(written)["files"]
    assert _file(written, RAW_STACKS).endswith(".json.gz") and _file(written, "resources").endswith(".parquet")
    assert {rel.split("/")[0] for rel in files} >= {"stacks", "resources", RAW_STACKS}
    assert all(len(digest) == 64 for digest in files.values())
    back = read_snapshot(written)
    assert len(back.resources) == len(iacviz.load(SAMPLE).resources)


def test_snapshot_error_is_an_iacviz_error():
    assert issubclass(iacviz.SnapshotError, iacviz.IacvizError)


def test_truncated_manifest(snap):
    text = (snap / MANIFEST).read_text()
    (snap / MANIFEST).write_text(text[: len(text) // 2])
    with pytest.raises(iacviz.SnapshotError, match=MANIFEST):
        read_snapshot(snap)


def test_truncated_scan_manifest(snap):
    path = _scan_path(snap)
    text = path.read_text()
    path.write_text(text[: len(text) // 2])
    with pytest.raises(iacviz.SnapshotError, match=path.name):
        read_snapshot(snap)


@pytest.mark.parametrize("frame", ["resources", RAW_STACKS])
@pytest.mark.parametrize("fix_checksum", [False, True], ids=["checksum-caught", "checksum-updated"])
def test_truncated_files(snap, frame, fix_checksum):
    rel = _file(snap, frame)
    data = (snap / rel).read_bytes()
    _rewrite(snap, rel, data[: len(data) // 2], fix_checksum=fix_checksum)
    with pytest.raises(iacviz.SnapshotError, match=rel.split("/")[0]):
        read_snapshot(snap)


def test_unknown_tag_in_raw_stacks(snap):
    rel = _file(snap, RAW_STACKS)
    records = json.loads(gzip.decompress((snap / rel).read_bytes()))
    records[0]["template"] = {"__iacviz__": "pickle", "value": "x"}
    _rewrite(snap, rel, gzip.compress(json.dumps(records).encode()), fix_checksum=True)
    with pytest.raises(iacviz.SnapshotError, match="unknown tag"):
        read_snapshot(snap)


@pytest.mark.parametrize(
    "records",
    [
        {"not": "a list"},
        [{"name": "x"}],
        [{"name": "x", "source": "s", "format": "f", "template": "not a mapping", "bogus": 1, "lines": 5}],
    ],
)
def test_raw_stacks_of_the_wrong_shape(snap, records):
    _rewrite(snap, _file(snap, RAW_STACKS), gzip.compress(json.dumps(records).encode()), fix_checksum=True)
    with pytest.raises(iacviz.SnapshotError, match=RAW_STACKS):
        read_snapshot(snap)


def test_gzip_bomb_is_bounded(snap, monkeypatch):
    monkeypatch.setattr(snapshot, "MAX_RAW_STACKS_BYTES", 1024 * 1024)
    bomb = gzip.compress(b"[" + b" " * (64 * 1024 * 1024) + b"]", compresslevel=9)
    _rewrite(snap, _file(snap, RAW_STACKS), bomb, fix_checksum=True)
    with pytest.raises(iacviz.SnapshotError, match="more than 1048576 bytes"):
        read_snapshot(snap)


def test_extra_parquet_part_is_detected(snap):
    part = snap / _file(snap, "resources")
    shutil.copy(part, part.with_name("part-1.parquet"))
    with pytest.raises(iacviz.SnapshotError, match="part-1.parquet.*not listed"):
        read_snapshot(snap)


def test_a_manifest_listing_a_file_of_no_frame_is_refused(snap):
    manifest = _manifest(snap)
    manifest["files"]["../outside/account=1/region=r/x.parquet"] = "0" * 64
    _scan_path(snap).write_text(json.dumps(manifest))
    with pytest.raises(iacviz.SnapshotError, match="file of no frame"):
        read_snapshot(snap)


def test_a_listed_file_that_is_gone_is_named(snap):
    rel = _file(snap, "resources")
    (snap / rel).unlink()
    with pytest.raises(iacviz.SnapshotError, match="listed in the manifest is missing"):
        read_snapshot(snap)


@pytest.mark.parametrize("name", ["../outside", "/etc", "a/b", ""])
def test_manifest_cannot_name_a_frame_outside_the_folder(snap, name):
    manifest = _manifest(snap)
    manifest["frames"][name] = manifest["frames"]["resources"]
    _scan_path(snap).write_text(json.dumps(manifest))
    with pytest.raises(iacviz.SnapshotError, match="not a folder of the snapshot"):
        read_snapshot(snap)


def test_old_or_foreign_manifest(snap):
    (snap / MANIFEST).write_text(json.dumps({"version": 1, "frames": {}}))
    with pytest.raises(iacviz.SnapshotError, match="version"):
        read_snapshot(snap)
    with pytest.raises(iacviz.SnapshotError, match="another version"):  # nor written over
        to_parquet(iacviz.load(SAMPLE / "network"), snap)
    (snap / MANIFEST).write_text("[1, 2]")
    with pytest.raises(iacviz.SnapshotError, match="not a JSON object"):
        read_snapshot(snap)


@pytest.mark.parametrize("content", ["[1, 2]", '{"version": 3, "frames": {}, "files": {}, "places": [[1]]}'])
def test_foreign_scan_manifest(snap, content):
    _scan_path(snap).write_text(content)
    with pytest.raises(iacviz.SnapshotError, match="not a JSON object|places must be"):
        read_snapshot(snap)


def test_missing_manifest(tmp_path):
    with pytest.raises(iacviz.SnapshotError, match="not an iacviz snapshot"):
        read_snapshot(tmp_path)
