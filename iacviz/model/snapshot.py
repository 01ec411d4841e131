"""Snapshots: an estate written as Parquet (one dataset per frame) and read back exactly.

Layout of a snapshot folder::

    iacviz-snapshot.json            manifest: frames, column order, dtypes, JSON columns
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

from ..errors import IacvizError
from ..sources.raw import RawStack

if TYPE_CHECKING:
    from .estate import Estate

MANIFEST = "iacviz-snapshot.json"  # the one place of this name: open_estate recognises snapshots by it
RAW_STACKS = "raw_stacks.json.gz"
ROW = "__row__"
PARTITIONS = ("account", "region")
VERSION = 1
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
    manifest: dict[str, Any] = {"version": VERSION, "region": getattr(estate, "region", None), "frames": {}}
    for name, df in _frames(estate).items():
        manifest["frames"][name] = _write_frame(df, folder / name)
    raws = getattr(estate, "raw_stacks", None)
    if raws:
        with gzip.open(folder / RAW_STACKS, "wt", encoding="utf-8") as f:
            json.dump([_enc(dataclasses.asdict(r)) for r in raws], f)
    elif (folder / RAW_STACKS).exists():
        (folder / RAW_STACKS).unlink()
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
    try:
        manifest = json.loads((folder / MANIFEST).read_text("utf-8"))
    except OSError as exc:
        raise IacvizError(f"{folder}: not an iacviz snapshot ({MANIFEST} missing)") from exc
    if manifest.get("version") != VERSION:
        raise IacvizError(f"{folder}: snapshot version {manifest.get('version')} (this iacviz reads {VERSION})")
    frames = {name: _read_frame(folder / name, meta) for name, meta in manifest["frames"].items()}
    raws: list[RawStack] = []
    if (folder / RAW_STACKS).exists():
        with gzip.open(folder / RAW_STACKS, "rt", encoding="utf-8") as f:
            known = {f.name for f in dataclasses.fields(RawStack)}  # fields added later take their defaults
            raws = [RawStack(**{k: v for k, v in _dec(r).items() if k in known}) for r in json.load(f)]
    return frames, raws, manifest.get("region") or "us-east-1"


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
    meta = {"columns": [str(c) for c in df.columns], "dtypes": {str(c): _dtype_name(df[c].dtype) for c in df.columns},
            "json_columns": json_cols, "partitioned_by": [c for c in PARTITIONS if c in df.columns and len(df)]}
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
        ds.write_dataset(table, target, format="parquet", partitioning=part, basename_template="part-{i}.parquet",
                         existing_data_behavior="overwrite_or_ignore")
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
            out[col] = pd.Series([None if v is None else _dec(json.loads(v)) for v in values.to_pylist()],
                                 dtype=object)
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
            return _DECODERS[v[_TAG]](v)
        return {k: _dec(x) for k, x in v.items()}
    return v
