"""Snapshots: an estate written as Parquet (one dataset per frame) and read back exactly.

Layout of a snapshot folder::

    iacviz-snapshot.json            manifest: frames, column order, dtypes, JSON columns, and the
                                    SHA-256 of every file below (checked on read)
    raw_stacks.json.gz              the RawStack records (templates, live facts), when present
    stacks/account=1234/region=eu-west-1/part-0.parquet     frames with account/region columns
    resources/part-0.parquet                                  frames without them

Object columns (lists, dicts, intrinsic functions) are stored as JSON text; the Parquet
schema metadata key ``iacviz`` names them (``{"json_columns": [...]}``) so other tools
know to parse them. A ``__row__`` column keeps the row order across partitions. DuckDB
and Spark read the same files, e.g. ``read_parquet('snap/stacks/**/*.parquet',
hive_partitioning=true)``.

>>> import tempfile, pandas as pd
>>> from iacviz.schema import frame
>>> frames = {"stacks": frame("stacks", [{"stack": "net", "account": "1", "region": "eu-west-1",
...                                       "stack_dependencies": ["base"]}])}
>>> folder = tempfile.mkdtemp()
>>> to_parquet(frames, folder)
>>> back, raws, region = read_frames(folder)
>>> back["stacks"].stack_dependencies[0], back["stacks"].n_resources.dtype
(['base'], Int64Dtype())
>>> sql(back, "select stack, region from stacks").values.tolist()
[['net', 'eu-west-1']]
"""

from __future__ import annotations

import base64
import dataclasses
import datetime as dt
import gzip
import hashlib
import json
import re
import shutil
from pathlib import Path
from typing import TYPE_CHECKING, Any, Mapping

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.dataset as ds
import pyarrow.parquet as pq

from ..errors import IacvizError, SnapshotError, TemplateError
from ..limits import LimitError, MAX_GUNZIP_BYTES, gunzip, inside, read_regular_file
from ..sources.raw import RawStack
from ..sources.template_text import check_body

if TYPE_CHECKING:
    from .estate import Estate

MANIFEST = "iacviz-snapshot.json"  # the one place of this name: open_estate recognises snapshots by it
RAW_STACKS = "raw_stacks.json.gz"
ROW = "__row__"
PARTITIONS = ("account", "region")
VERSION = 2  # 2: per-file checksums in the manifest
MAX_MANIFEST_BYTES = 64 * 1024 * 1024
MAX_RAW_STACKS_BYTES = MAX_GUNZIP_BYTES  # raw stacks inflated; a gzip bomb stops here
_FRAME_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")  # a frame is a folder right below the snapshot
_TAG = "__iacviz__"  # marks a JSON object standing for a non-JSON value (tuple, NA, date...)


def _frames(estate: Any) -> dict[str, pd.DataFrame]:
    if isinstance(estate, dict):
        return dict(estate)
    return estate.frames()


def to_parquet(estate: Estate | Mapping[str, pd.DataFrame], folder: str | Path) -> None:
    """Write every frame of `estate` (an Estate or a dict of frames) under `folder`.

    A frame's previous dataset in `folder` is replaced; other files are left alone.

    Parameters
    ----------
    estate : Estate or mapping of DataFrames
        What to write; an estate's raw stacks are written too, so that a snapshot can be
        planned against (:func:`iacviz.plan_changes`).
    folder : str or pathlib.Path
        The snapshot folder (created if needed); :data:`MANIFEST` marks it.

    Examples
    --------
    >>> import tempfile, iacviz
    >>> estate = iacviz.load_template({"Resources": {"Q": {"Type": "AWS::SQS::Queue"}}}, stack="jobs")
    >>> folder = tempfile.mkdtemp()
    >>> to_parquet(estate, folder)
    >>> read_frames(folder)[0]["resources"]["logical_id"].tolist()
    ['Q']
    """
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    manifest: dict[str, Any] = {
        "version": VERSION,
        "region": getattr(estate, "region", None),
        "frames": {},
        "files": {},
    }
    for name, df in _frames(estate).items():
        if not _FRAME_NAME.fullmatch(str(name)):
            raise IacvizError(f"cannot snapshot a frame named {name!r}: names are letters, digits and _")
        manifest["frames"][name] = _write_frame(df, folder / name)
    raws = getattr(estate, "raw_stacks", None)
    if raws:
        with gzip.open(folder / RAW_STACKS, "wt", encoding="utf-8") as f:
            json.dump([_enc(dataclasses.asdict(r)) for r in raws], f)
    elif (folder / RAW_STACKS).exists():
        (folder / RAW_STACKS).unlink()
    for path in sorted(_data_files(folder, manifest["frames"])):
        manifest["files"][path.relative_to(folder).as_posix()] = _sha256(path.read_bytes())
    (folder / MANIFEST).write_text(json.dumps(manifest, indent=1), "utf-8")


def read_frames(folder: str | Path) -> tuple[dict[str, pd.DataFrame], list[RawStack], str]:
    """What :func:`to_parquet` wrote: the frames (dtypes, row order), the raw stacks and the region.

    :func:`iacviz.read_snapshot` makes an estate of them.

    Raises
    ------
    IacvizError
        When `folder` is not a snapshot (no :data:`MANIFEST`) or one of its files is damaged.
    """
    folder = Path(folder)
    manifest_path = folder / MANIFEST
    try:
        manifest = json.loads(read_regular_file(manifest_path, MAX_MANIFEST_BYTES))
    except FileNotFoundError as exc:
        raise SnapshotError(str(folder), f"not an iacviz snapshot ({MANIFEST} missing)") from exc
    except (OSError, ValueError) as exc:  # LimitError and JSON and UTF-8 errors are ValueErrors
        raise SnapshotError(str(manifest_path), f"unreadable manifest: {exc}") from None
    if not isinstance(manifest, dict):
        raise SnapshotError(str(manifest_path), "the manifest is not a JSON object")
    if manifest.get("version") != VERSION:
        raise SnapshotError(
            str(manifest_path),
            f"snapshot version {manifest.get('version')!r:.20} (this iacviz reads {VERSION}); write the snapshot again",
        )
    metas, files = manifest.get("frames"), manifest.get("files")
    if not isinstance(metas, dict) or not isinstance(files, dict):
        raise SnapshotError(str(manifest_path), "the manifest lacks its frames or files")
    for name in metas:
        if not _FRAME_NAME.fullmatch(str(name)) or not inside(folder / name, folder):
            raise SnapshotError(str(manifest_path), f"frame name {name!r:.80} is not a folder of the snapshot")
    _verify(folder, metas, files)
    frames = {}
    for name, meta in metas.items():
        try:
            frames[name] = _read_frame(folder / name, meta)
        except SnapshotError:
            raise
        except Exception as exc:  # ArrowInvalid, KeyError, TypeError...: a file altered after its checksum
            raise SnapshotError(str(folder / name), f"unreadable frame: {type(exc).__name__}: {exc}") from None
    raws: list[RawStack] = []
    if (folder / RAW_STACKS).exists():
        raws = _read_raw_stacks(folder / RAW_STACKS)
    return frames, raws, manifest.get("region") or "us-east-1"


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _data_files(folder: Path, frames: dict) -> list[Path]:
    """Every file a snapshot reads: the frames' folders and the raw stacks."""
    found = [p for name in frames for p in (folder / name).rglob("*") if p.is_file() or p.is_symlink()]
    return found + ([folder / RAW_STACKS] if (folder / RAW_STACKS).exists() else [])


def _verify(folder: Path, frames: dict, files: dict) -> None:
    """Each file listed is there with its checksum, and no file is there that is not listed
    (an extra Parquet part would silently add rows)."""
    present = {p.relative_to(folder).as_posix(): p for p in _data_files(folder, frames)}
    for rel in sorted(set(present) - set(files)):
        raise SnapshotError(
            str(folder / rel),
            "file not listed in the snapshot manifest (an extra part file "
            "would add rows); remove it or write the snapshot again",
        )
    for rel, digest in files.items():
        path = present.get(rel)
        if path is None:
            raise SnapshotError(str(folder / str(rel)), "file listed in the manifest is missing")
        try:
            data = read_regular_file(path, MAX_GUNZIP_BYTES)
        except (OSError, LimitError) as exc:
            raise SnapshotError(str(path), f"cannot read: {exc}") from None
        if _sha256(data) != digest:
            raise SnapshotError(str(path), "checksum does not match the manifest (truncated or altered)")


def _check_raw(raw: RawStack) -> None:
    """TypeError unless each field of `raw` has its declared kind (str, dict or list)."""
    for f in dataclasses.fields(RawStack):
        value, kind = getattr(raw, f.name), str(f.type)
        want = (
            dict
            if kind.startswith("dict")
            else list
            if kind.startswith("list")
            else str
            if kind.startswith("str")
            else None
        )
        if want is not None and not (value is None and "None" in kind) and not isinstance(value, want):
            raise TypeError(f"{f.name} must be a {want.__name__}, found {type(value).__name__}")


def _read_raw_stacks(path: Path) -> list[RawStack]:
    try:
        records = json.loads(gunzip(path, MAX_RAW_STACKS_BYTES))
    except (OSError, ValueError) as exc:  # LimitError (a gzip bomb), bad gzip, JSON or UTF-8
        raise SnapshotError(str(path), f"unreadable raw stacks: {exc}") from None
    if not isinstance(records, list):
        raise SnapshotError(str(path), "raw stacks must be a JSON list")
    known = {f.name for f in dataclasses.fields(RawStack)}  # fields added later take their defaults
    raws = []
    for i, record in enumerate(records):
        try:
            raw = RawStack(**{k: v for k, v in _dec(record).items() if k in known})
            _check_raw(raw)
            check_body(raw.template, f"{path}[{i}]")
        except (SnapshotError, TemplateError) as exc:
            raise SnapshotError(str(path), f"raw stack {i}: {exc}") from None
        except (AttributeError, KeyError, TypeError, ValueError) as exc:
            raise SnapshotError(str(path), f"raw stack {i} of the wrong shape: {type(exc).__name__}: {exc}") from None
        raws.append(raw)
    return raws


def sql(estate: Any, query: str) -> pd.DataFrame:
    """Run DuckDB SQL over the frames, each registered as a table of its name.

    Object columns are handed over as JSON text (query them with DuckDB's ``json_*``
    functions). Derived frames (exports, imports...) are registered when the query names
    them. ``references`` is an SQL keyword: write ``"references"``.
    """
    import duckdb

    frames = _frames(estate)
    if not isinstance(estate, dict):
        words = set(re.findall(r"\w+", query))
        for name in words - set(frames):
            try:
                frames[name] = getattr(estate, name)
            except AttributeError:
                pass
    con = duckdb.connect()
    try:
        for name, df in frames.items():
            if isinstance(df, pd.DataFrame):
                con.register(name, _sql_ready(df))
        return con.execute(query).df()
    finally:
        con.close()


def _sql_ready(df: pd.DataFrame) -> pd.DataFrame:
    out = df.copy()
    for col in df.columns:
        if df[col].dtype == object:
            out[col] = pd.array([None if v is None else json.dumps(_enc(v)) for v in df[col]], dtype="string")
    return out


# -- one frame -----------------------------------------------------------------------------
def _dtype_name(dtype: Any) -> str:
    if isinstance(dtype, pd.StringDtype):
        return f"string[{dtype.storage}]" if dtype.na_value is pd.NA else "str"
    return str(dtype)


def _write_frame(df: pd.DataFrame, target: Path) -> dict[str, Any]:
    if target.exists():
        shutil.rmtree(target)
    target.mkdir(parents=True)
    json_cols = [c for c in df.columns if df[c].dtype == object]
    meta = {
        "columns": [str(c) for c in df.columns],
        "dtypes": {str(c): _dtype_name(df[c].dtype) for c in df.columns},
        "json_columns": json_cols,
        "partitioned_by": [c for c in PARTITIONS if c in df.columns and len(df)],
    }
    enc = {}
    for col in df.columns:
        if col in json_cols:
            enc[col] = pa.array([None if v is None else json.dumps(_enc(v)) for v in df[col]], pa.string())
        elif col in meta["partitioned_by"]:
            enc[col] = pa.array(df[col].astype(object).where(df[col].notna(), None).tolist(), pa.string())
        else:
            enc[col] = pa.Array.from_pandas(df[col])
    enc[ROW] = pa.array(np.arange(len(df), dtype="int64"))
    table = pa.table(enc)
    table = table.replace_schema_metadata({b"iacviz": json.dumps(meta).encode()})
    if meta["partitioned_by"]:
        part = ds.partitioning(pa.schema([(c, pa.string()) for c in meta["partitioned_by"]]), flavor="hive")
        ds.write_dataset(
            table,
            target,
            format="parquet",
            partitioning=part,
            basename_template="part-{i}.parquet",
            existing_data_behavior="overwrite_or_ignore",
        )
    else:
        pq.write_table(table, target / "part-0.parquet")
    return meta


def _read_frame(target: Path, meta: dict[str, Any]) -> pd.DataFrame:
    part = None
    if meta["partitioned_by"]:
        part = ds.partitioning(pa.schema([(c, pa.string()) for c in meta["partitioned_by"]]), flavor="hive")
    table = ds.dataset(target, format="parquet", partitioning=part).to_table()
    order = np.argsort(table.column(ROW).to_numpy(), kind="stable")
    table = table.take(pa.array(order))
    out = {}
    for col in meta["columns"]:
        values = table.column(col)
        dtype = meta["dtypes"][col]
        if col in meta["json_columns"]:
            out[col] = pd.Series([None if v is None else _dec(json.loads(v)) for v in values.to_pylist()], dtype=object)
        elif dtype.startswith("string") or dtype == "str" or col in meta["partitioned_by"]:
            out[col] = pd.Series(values.to_pylist(), dtype=object).astype(dtype)
        else:
            out[col] = values.to_pandas().astype(dtype)
    return pd.DataFrame(out, index=pd.RangeIndex(table.num_rows), columns=meta["columns"])


# -- exact JSON for object cells ----------------------------------------------------------------
def _enc(v: Any) -> Any:  # one branch per Python type that can sit in a cell
    if v is None or isinstance(v, (bool, str)):
        return v
    if isinstance(v, (int, float)) and not isinstance(v, np.generic):
        return v
    if isinstance(v, dict):
        if all(type(k) is str for k in v) and _TAG not in v:
            return {k: _enc(x) for k, x in v.items()}
        return {_TAG: "dict", "items": [[_enc(k), _enc(x)] for k, x in v.items()]}
    if isinstance(v, list):
        return [_enc(x) for x in v]
    if isinstance(v, tuple):
        return {_TAG: "tuple", "items": [_enc(x) for x in v]}
    if v is pd.NA:
        return {_TAG: "NA"}
    if isinstance(v, pd.Timestamp):
        return {_TAG: "timestamp", "value": v.isoformat()}
    if isinstance(v, dt.datetime):
        return {_TAG: "datetime", "value": v.isoformat()}
    if isinstance(v, dt.date):
        return {_TAG: "date", "value": v.isoformat()}
    if isinstance(v, np.generic):
        return _enc(v.item())
    if isinstance(v, np.ndarray):
        return {_TAG: "ndarray", "dtype": str(v.dtype), "items": _enc(v.tolist())}
    if isinstance(v, (set, frozenset)):
        return {_TAG: type(v).__name__, "items": [_enc(x) for x in v]}
    if isinstance(v, bytes):
        return {_TAG: "bytes", "value": base64.b64encode(v).decode()}
    raise IacvizError(f"cannot snapshot a value of type {type(v).__name__}: {v!r:.80}")


_DECODERS = {
    "dict": lambda o: {_dec(k): _dec(x) for k, x in o["items"]},
    "tuple": lambda o: tuple(_dec(x) for x in o["items"]),
    "NA": lambda o: pd.NA,
    "timestamp": lambda o: pd.Timestamp(o["value"]),
    "datetime": lambda o: dt.datetime.fromisoformat(o["value"]),
    "date": lambda o: dt.date.fromisoformat(o["value"]),
    "ndarray": lambda o: np.array(_dec(o["items"]), dtype=o["dtype"]),
    "set": lambda o: {_dec(x) for x in o["items"]},
    "frozenset": lambda o: frozenset(_dec(x) for x in o["items"]),
    "bytes": lambda o: base64.b64decode(o["value"]),
}


def _dec(v: Any) -> Any:
    if isinstance(v, list):
        return [_dec(x) for x in v]
    if isinstance(v, dict):
        if _TAG in v:
            decoder = _DECODERS.get(v[_TAG]) if isinstance(v[_TAG], str) else None
            if decoder is None:
                raise ValueError(f"unknown tag {v[_TAG]!r:.40}")
            return decoder(v)
        return {k: _dec(x) for k, x in v.items()}
    return v
