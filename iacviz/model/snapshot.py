"""Snapshots: an estate written as Parquet, one Hive-partitioned dataset per frame, read back exactly.

A snapshot folder may hold many scans, each written separately (one per account, on its own
machine or job, copied into one folder or bucket prefix); :func:`iacviz.read_snapshot` reads
them as one estate. Layout::

    iacviz-snapshot.json                          marks the folder: {"version": 3}
    scans/<scan>.json                              one per scan: frames, columns, dtypes, the
                                                   places (account, region) it covers and the
                                                   SHA-256 of every file it wrote (checked on read)
    stacks/account=1111/region=eu-west-1/<scan>-0.parquet     every frame, by account and region
    resources/account=1111/region=eu-west-1/<scan>-0.parquet
    raw_stacks/account=1111/region=eu-west-1/<scan>.json.gz   the RawStack records (templates...)

Every frame is partitioned by the account and region of its stack (a frame with its own
account and region columns, by those; no account: the Hive null partition
``__HIVE_DEFAULT_PARTITION__``), so rows of two account-regions never share a file. A place
belongs to the latest scan that covers it: scanning an account again replaces its data and
leaves the other accounts' alone, even when both scans' files were copied into one folder.
``__row__`` and ``__scan__`` columns keep the row order.

Object columns (lists, dicts, intrinsic functions) are stored as JSON text; the Parquet
schema metadata key ``iacviz`` names them (``{"json_columns": [...]}``). DuckDB and Spark read
the same files as Hive-partitioned datasets, e.g. ``read_parquet('snap/resources/**/*.parquet',
hive_partitioning=true, hive_types={'account': VARCHAR})`` (without hive_types DuckDB reads an
account id as a number and loses its leading zeros); across scans, a stack is
``(account, region, stack)``, as the ``stack`` key is unique only inside one scan
(:func:`read_frames` makes it estate-unique again).

>>> import tempfile, pandas as pd
>>> from iacviz.schema import frame
>>> frames = {"stacks": frame("stacks", [{"stack": "net", "account": "1", "region": "eu-west-1",
...                                       "stack_dependencies": ["base"]}])}
>>> folder = tempfile.mkdtemp()
>>> scan = to_parquet(frames, folder)
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
import uuid
from pathlib import Path
from typing import TYPE_CHECKING, Any, Iterable, Mapping
from urllib.parse import quote, unquote

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.dataset as ds

from ..errors import IacvizError, SnapshotError, TemplateError
from ..limits import LimitError, MAX_GUNZIP_BYTES, gunzip, inside, read_regular_file
from ..sources.raw import RawStack
from ..sources.template_text import check_body
from .identity import stack_keys

if TYPE_CHECKING:
    from .estate import Estate

MANIFEST = "iacviz-snapshot.json"  # the one place of this name: open_estate recognises snapshots by it
SCANS = "scans"
RAW_STACKS = "raw_stacks"
ROW, SCAN = "__row__", "__scan__"
PARTITIONS = ("account", "region")
NULL = "__HIVE_DEFAULT_PARTITION__"  # the Hive (and pyarrow, DuckDB, Spark) name of a null partition
VERSION = 3  # 2: per-file checksums; 3: one manifest per scan, every frame partitioned
MAX_MANIFEST_BYTES = 64 * 1024 * 1024
MAX_RAW_STACKS_BYTES = MAX_GUNZIP_BYTES  # raw stacks inflated; a gzip bomb stops here
_FRAME_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")  # a frame is a folder right below the snapshot
_SCAN_NAME = re.compile(r"[0-9A-Za-z][0-9A-Za-z_-]*")
_PLACE_DIR = re.compile(r"account=([^/]*)/region=([^/]*)/[^/]+")
_TAG = "__iacviz__"  # marks a JSON object standing for a non-JSON value (tuple, NA, date...)
# columns holding stack keys, re-keyed when scans merge
_KEY_COLUMNS = (
    "stack",
    "source_stack",
    "target_stack",
    "parent_stack",
    "export_stack",
    "owner_stack",
    "exporting_stack",
    "importing_stack",
)
_KEY_LISTS = ("stack_dependencies",)
_PART_SCHEMA = pa.schema([(c, pa.string()) for c in PARTITIONS])

Place = tuple[str, str]


def _frames(estate: Any) -> dict[str, pd.DataFrame]:
    if isinstance(estate, dict):
        return dict(estate)
    return estate.frames()


def _part(value: Any) -> str:
    return NULL if value is None or value is pd.NA or (isinstance(value, float) and value != value) else str(value)


def to_parquet(
    estate: Estate | Mapping[str, pd.DataFrame], folder: str | Path, *, places: Iterable[tuple[str, str]] = ()
) -> str:
    """Write every frame of `estate` (an Estate or a dict of frames) as one scan under `folder`.

    The places (account, region) this scan holds rows for, and `places` (e.g. a region read
    that had no stack), are replaced in every frame; other places and other scans are left
    alone, so separate scans of separate accounts merge in one folder. A scan whose places
    are all covered again is removed.

    Parameters
    ----------
    estate : Estate or mapping of DataFrames
        What to write; an estate's raw stacks are written too, so that a snapshot can be
        planned against (:func:`iacviz.plan_changes`).
    folder : str or pathlib.Path
        The snapshot folder (created if needed); :data:`MANIFEST` marks it.
    places : iterable of (account, region)
        Places to replace even where this scan has no rows.

    Returns
    -------
    str
        The scan id (its manifest is ``scans/<id>.json``).

    Examples
    --------
    >>> import tempfile, iacviz
    >>> estate = iacviz.load_template({"Resources": {"Q": {"Type": "AWS::SQS::Queue"}}}, stack="jobs")
    >>> folder = tempfile.mkdtemp()
    >>> scan = to_parquet(estate, folder)
    >>> read_frames(folder)[0]["resources"]["logical_id"].tolist()
    ['Q']
    """
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    if (folder / MANIFEST).exists():
        try:
            version = json.loads(read_regular_file(folder / MANIFEST, MAX_MANIFEST_BYTES)).get("version")
        except (OSError, ValueError, AttributeError):
            version = None
        if version != VERSION:
            raise SnapshotError(str(folder / MANIFEST), "holds a snapshot of another version; write to an empty folder")
    frames = _frames(estate)
    for name in frames:
        if not _FRAME_NAME.fullmatch(str(name)) or name in (SCANS, RAW_STACKS):
            raise IacvizError(f"cannot snapshot a frame named {name!r}: names are letters, digits and _")
    scan = f"{dt.datetime.now(dt.timezone.utc):%Y%m%dT%H%M%S%f}-{uuid.uuid4().hex[:8]}"
    stacks = frames.get("stacks")
    where: dict[str, Place] = {}
    if stacks is not None and len(stacks):
        where = {k: (_part(a), _part(r)) for k, a, r in zip(stacks["stack"], stacks["account"], stacks["region"])}
    parts = {name: _row_places(df, where) for name, df in frames.items()}
    raws = getattr(estate, "raw_stacks", None) or []
    covered = {p for rows in parts.values() for p in zip(*rows)} | {(_part(a), _part(r)) for a, r in places}
    covered |= {(_part(r.account), _part(r.region)) for r in raws}
    earlier = _scan_manifests(folder)
    # the data of these places is this scan's now; the null place is each scan's own
    for child in [p for p in folder.iterdir() if p.is_dir() and p.name != SCANS]:
        for place_dir in child.glob("account=*/region=*"):
            place = (unquote(place_dir.parent.name[len("account=") :]), unquote(place_dir.name[len("region=") :]))
            if place in covered and place != (NULL, NULL) and inside(place_dir, folder):
                shutil.rmtree(place_dir, ignore_errors=True)
    later: set[Place] = set(covered)
    for old, old_manifest in reversed(earlier):
        old_places = {tuple(p) for p in old_manifest["places"]}
        if _replaced(old_places, later):  # replaced everywhere: gone
            for rel in old_manifest["files"]:
                target = folder / str(rel)
                if inside(target, folder) and target.is_file():
                    target.unlink()
            (folder / SCANS / f"{old}.json").unlink()
        else:
            later |= old_places
    manifest: dict[str, Any] = {
        "version": VERSION,
        "scan": scan,
        "region": getattr(estate, "region", None),
        "places": sorted(covered),
        "frames": {},
        "files": {},
    }
    written: list[Path] = []
    for name, df in frames.items():
        manifest["frames"][name] = _write_frame(df, folder / name, scan, parts[name])
        written += (folder / name).glob(f"account=*/region=*/{scan}-*.parquet")
    by_place: dict[Place, list[RawStack]] = {}
    for r in raws:
        by_place.setdefault((_part(r.account), _part(r.region)), []).append(r)
    for (account, region), group in by_place.items():
        target = folder / RAW_STACKS / f"account={quote(account, safe='')}" / f"region={quote(region, safe='')}"
        target.mkdir(parents=True, exist_ok=True)
        with gzip.open(target / f"{scan}.json.gz", "wt", encoding="utf-8") as f:
            json.dump([_enc(dataclasses.asdict(r)) for r in group], f)
        written.append(target / f"{scan}.json.gz")
    for path in sorted(written):
        manifest["files"][path.relative_to(folder).as_posix()] = _sha256(path.read_bytes())
    (folder / SCANS).mkdir(exist_ok=True)
    (folder / SCANS / f"{scan}.json").write_text(json.dumps(manifest, indent=1), "utf-8")
    (folder / MANIFEST).write_text(json.dumps({"version": VERSION}), "utf-8")
    return scan


def _replaced(mine: set, later: set[Place]) -> bool:
    """Whether a scan of the places `mine` is replaced everywhere by scans of the places `later`.

    Its rows of no account and region (read errors, say) go with its other places.

    >>> _replaced({("1", "r"), (NULL, NULL)}, {("1", "r")}), _replaced({("1", "r")}, {("2", "r")})
    (True, False)
    """
    real = mine - {(NULL, NULL)}
    return real <= later if real else (NULL, NULL) in later or not mine


def _row_places(df: pd.DataFrame, where: dict[str, Place]) -> tuple[list[str], list[str]]:
    """(accounts, regions) of each row: its own columns, else its stack's place."""
    n = len(df)
    if all(c in df.columns for c in PARTITIONS):
        return [_part(a) for a in df["account"]], [_part(r) for r in df["region"]]
    col = next((c for c in ("stack", "source_stack") if c in df.columns), None)
    if col is None:
        return [NULL] * n, [NULL] * n
    found = [where.get(s, (NULL, NULL)) if isinstance(s, str) else (NULL, NULL) for s in df[col]]
    return [a for a, _ in found], [r for _, r in found]


def _scan_manifests(folder: Path) -> list[tuple[str, dict]]:
    """(scan id, manifest) of every scan in `folder`, oldest first, each checked for shape."""
    out = []
    paths = sorted((folder / SCANS).glob("*.json")) if (folder / SCANS).is_dir() else []
    for path in paths:
        scan = path.name[: -len(".json")]
        if not _SCAN_NAME.fullmatch(scan):
            raise SnapshotError(str(path), "not a scan manifest name")
        try:
            manifest = json.loads(read_regular_file(path, MAX_MANIFEST_BYTES))
        except (OSError, ValueError) as exc:  # LimitError and JSON and UTF-8 errors are ValueErrors
            raise SnapshotError(str(path), f"unreadable manifest: {exc}") from None
        if not isinstance(manifest, dict):
            raise SnapshotError(str(path), "the manifest is not a JSON object")
        if manifest.get("version") != VERSION:
            raise SnapshotError(
                str(path),
                f"snapshot version {manifest.get('version')!r:.20} (this iacviz reads {VERSION}); "
                "write the snapshot again",
            )
        metas, files, places = manifest.get("frames"), manifest.get("files"), manifest.get("places")
        if not isinstance(metas, dict) or not isinstance(files, dict) or not isinstance(places, list):
            raise SnapshotError(str(path), "the manifest lacks its frames, files or places")
        if not all(isinstance(p, list) and len(p) == 2 and all(isinstance(x, str) for x in p) for p in places):
            raise SnapshotError(str(path), "places must be [account, region] pairs of strings")
        for name, meta in metas.items():
            if not _FRAME_NAME.fullmatch(str(name)) or name in (SCANS, RAW_STACKS) or not inside(folder / name, folder):
                raise SnapshotError(str(path), f"frame name {name!r:.80} is not a folder of the snapshot")
            if not isinstance(meta, dict) or not isinstance(meta.get("columns"), list):
                raise SnapshotError(str(path), f"frame {name!r:.80} has no columns")
        out.append((scan, manifest))
    return out


def read_frames(folder: str | Path) -> tuple[dict[str, pd.DataFrame], list[RawStack], str]:
    """What :func:`to_parquet` wrote: the frames (dtypes, row order), the raw stacks and the region.

    One scan comes back exactly. Several scans (one per account, say) come back merged: their
    rows in scan order, each place (account, region) from the latest scan that covers it, and
    stack keys made estate-unique again. :func:`iacviz.read_snapshot` makes an estate of them.

    Raises
    ------
    SnapshotError
        When `folder` is not a snapshot (no :data:`MANIFEST`), is of another version, or one of
        its files is missing, altered, not listed by any scan, or of the wrong shape.
    """
    folder = Path(folder)
    top_path = folder / MANIFEST
    try:
        top = json.loads(read_regular_file(top_path, MAX_MANIFEST_BYTES))
    except FileNotFoundError as exc:
        raise SnapshotError(str(folder), f"not an iacviz snapshot ({MANIFEST} missing)") from exc
    except (OSError, ValueError) as exc:  # LimitError and JSON and UTF-8 errors are ValueErrors
        raise SnapshotError(str(top_path), f"unreadable manifest: {exc}") from None
    if not isinstance(top, dict):
        raise SnapshotError(str(top_path), "the manifest is not a JSON object")
    if top.get("version") != VERSION:
        raise SnapshotError(
            str(top_path),
            f"snapshot version {top.get('version')!r:.20} (this iacviz reads {VERSION}); write the snapshot again",
        )
    scans = _scan_manifests(folder)
    order = {scan: i for i, (scan, _) in enumerate(scans)}
    metas: dict[str, dict] = {}
    for _, manifest in scans:
        metas.update(manifest["frames"])
    owned = _owned_files(folder, scans, metas)
    frames, places = {}, {}
    for name, meta in metas.items():
        files = sorted(p for p in owned if p.startswith(f"{name}/"))
        try:
            frames[name], places[name] = _read_frame(folder, files, meta, order)
        except SnapshotError:
            raise
        except Exception as exc:  # ArrowInvalid, KeyError, TypeError...: a file altered after its checksum
            raise SnapshotError(str(folder / name), f"unreadable frame: {type(exc).__name__}: {exc}") from None
    raws: list[tuple[str, RawStack]] = []
    for rel in sorted((p for p in owned if p.startswith(f"{RAW_STACKS}/")), key=lambda p: (order[owned[p]], p)):
        raws += [(owned[rel], r) for r in _read_raw_stacks(folder / rel)]
    contributing = {s for p in places.values() for s in p[2]} | {s for s, _ in raws}
    if len(contributing) > 1:
        frames, raws = _rekey(frames, places, raws)
    region = scans[-1][1].get("region") if scans else None
    return frames, [r for _, r in raws], region if isinstance(region, str) else "us-east-1"


def _owned_files(folder: Path, scans: list[tuple[str, dict]], metas: dict) -> dict[str, str]:
    """{relative path: scan} of the files to read, each checked against its scan's checksum.

    A place belongs to the latest scan covering it; the null place, to every scan not
    covered everywhere by later ones. A file on disk that no scan lists is refused (an
    extra Parquet part would silently add rows)."""
    present = {p.relative_to(folder).as_posix(): p for p in _data_files(folder, metas)}
    listed = {str(rel) for _, manifest in scans for rel in manifest["files"]}
    for rel in sorted(set(present) - listed):
        raise SnapshotError(
            str(folder / rel),
            "file not listed in the snapshot manifest (an extra part file "
            "would add rows); remove it or write the snapshot again",
        )
    owned: dict[str, str] = {}
    later: set[Place] = set()
    for scan, manifest in reversed(scans):
        mine = {tuple(p) for p in manifest["places"]}
        alive = not _replaced(mine, later)
        for rel, digest in manifest["files"].items():
            rel = str(rel)
            top, _, rest = rel.partition("/")
            m = _PLACE_DIR.fullmatch(rest)
            if m is None or (top not in metas and top != RAW_STACKS):
                raise SnapshotError(str(folder / SCANS / f"{scan}.json"), f"lists a file of no frame: {rel!r:.80}")
            place = (unquote(m.group(1)), unquote(m.group(2)))  # partition values are URI-encoded
            if not alive or (place in later and place != (NULL, NULL)):
                continue  # replaced by a later scan
            path = present.get(rel)
            if path is None:
                raise SnapshotError(str(folder / rel), "file listed in the manifest is missing")
            try:
                data = read_regular_file(path, MAX_GUNZIP_BYTES)
            except (OSError, LimitError) as exc:
                raise SnapshotError(str(path), f"cannot read: {exc}") from None
            if _sha256(data) != digest:
                raise SnapshotError(str(path), "checksum does not match the manifest (truncated or altered)")
            owned[rel] = scan
        later |= mine
    return owned


def _rekey(
    frames: dict[str, pd.DataFrame], places: dict[str, tuple[list, list, list]], raws: list[tuple[str, RawStack]]
) -> tuple[dict[str, pd.DataFrame], list[tuple[str, RawStack]]]:
    """Stack keys of several scans made unique in the merged estate (each scan keyed its own)."""
    st = frames.get("stacks")
    if st is None or st.empty:
        return frames, raws
    acc, reg, scan = places["stacks"]
    names = [
        n if isinstance(n, str) else k for n, k in zip(st.get("stack_name", st["stack"]).astype(object), st["stack"])
    ]
    env = st["environment"].astype(object) if "environment" in st else [None] * len(st)
    new = stack_keys(zip(names, st["account"].astype(object), st["region"].astype(object), env))
    mapping = {(s, a, r, old): k for s, a, r, old, k in zip(scan, acc, reg, st["stack"], new)}
    by_scan_name = {(s, old): k for s, old, k in zip(scan, st["stack"], new)}

    def remap(values: Iterable, accounts: list, regions: list, scans: list) -> list:
        return [
            v if not isinstance(v, str) else mapping.get((s, a, r, v), by_scan_name.get((s, v), v))
            for v, a, r, s in zip(values, accounts, regions, scans)
        ]

    out = {}
    for name, df in frames.items():
        accounts, regions, scans = places[name]
        cols: dict[str, Any] = {}
        for col in _KEY_COLUMNS:
            if col in df.columns:
                cols[col] = pd.array(remap(df[col].astype(object), accounts, regions, scans), dtype=df[col].dtype)
        for col in _KEY_LISTS:
            if col in df.columns:
                cols[col] = pd.Series(
                    [
                        v if not isinstance(v, list) else [by_scan_name.get((s, x), x) for x in v]
                        for v, s in zip(df[col], scans)
                    ],
                    dtype=object,
                )
        out[name] = df.assign(**cols) if cols else df
    raws = [
        (
            s,
            dataclasses.replace(
                x,
                name=mapping.get((s, x.account, x.region, x.name), x.name),
                parent_stack=mapping.get((s, x.account, x.region, x.parent_stack), x.parent_stack),
                stack_dependencies=[mapping.get((s, x.account, x.region, d), d) for d in x.stack_dependencies],
            ),
        )
        for s, x in raws
    ]
    return out, raws


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _data_files(folder: Path, frames: dict) -> list[Path]:
    """Every file a snapshot reads: the frames' folders and the raw stacks."""
    found = []
    for name in [*frames, RAW_STACKS]:
        if (folder / name).is_dir():
            found += [p for p in (folder / name).rglob("*") if p.is_file() or p.is_symlink()]
    return found


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


def _write_frame(df: pd.DataFrame, target: Path, scan: str, places: tuple[list[str], list[str]]) -> dict[str, Any]:
    json_cols = [c for c in df.columns if df[c].dtype == object and c not in PARTITIONS]
    meta = {
        "columns": [str(c) for c in df.columns],
        "dtypes": {str(c): _dtype_name(df[c].dtype) for c in df.columns},
        "json_columns": json_cols,
    }
    if not len(df):
        return meta
    enc = {}
    for col in df.columns:
        if col in PARTITIONS:
            continue
        if col in json_cols:
            enc[col] = pa.array([None if v is None else json.dumps(_enc(v)) for v in df[col]], pa.string())
        else:
            enc[col] = pa.Array.from_pandas(df[col])
    enc[ROW] = pa.array(np.arange(len(df), dtype="int64"))
    enc[SCAN] = pa.array([scan] * len(df), pa.string()).dictionary_encode()
    accounts, regions = places
    enc["account"] = pa.array(accounts, pa.string())
    enc["region"] = pa.array(regions, pa.string())
    table = pa.table(enc).replace_schema_metadata({b"iacviz": json.dumps(meta).encode()})
    ds.write_dataset(
        table,
        target,
        format="parquet",
        partitioning=ds.partitioning(_PART_SCHEMA, flavor="hive"),
        basename_template=f"{scan}-{{i}}.parquet",
        existing_data_behavior="overwrite_or_ignore",
    )
    return meta


def _read_frame(
    folder: Path, files: list[str], meta: dict[str, Any], order: dict[str, int]
) -> tuple[pd.DataFrame, tuple[list, list, list]]:
    """(frame, (accounts, regions, scans) of each row) of the Parquet `files` of one frame."""
    if not files:
        empty = pd.DataFrame(
            {
                c: pd.Series([], dtype=object if c in meta["json_columns"] else meta["dtypes"][c])
                for c in meta["columns"]
            }
        )
        return empty, ([], [], [])
    base = folder / files[0].partition("/")[0]
    table = ds.dataset(
        [str(folder / f) for f in files],
        format="parquet",
        partitioning=ds.partitioning(_PART_SCHEMA, flavor="hive"),
        partition_base_dir=str(base),
    ).to_table()
    scan_col = table.column(SCAN).cast(pa.string())
    names = scan_col.unique().to_pylist()
    if len(names) > 1:  # rows in scan order, then in their order inside the scan
        rank = np.array([order[n] for n in names], dtype="int64")[
            pc.index_in(scan_col, value_set=pa.array(names)).to_numpy()
        ]
        table = table.take(pa.array(np.lexsort((table.column(ROW).to_numpy(), rank))))
    else:
        table = table.take(pa.array(np.argsort(table.column(ROW).to_numpy(), kind="stable")))
    out = {}
    for col in meta["columns"]:
        values = table.column(col)
        dtype = meta["dtypes"][col]
        if col in PARTITIONS:
            out[col] = pd.Series(
                [None if v == NULL else v for v in values.cast(pa.string()).to_pylist()], dtype=object
            ).astype(dtype)
        elif col in meta["json_columns"]:
            out[col] = pd.Series([None if v is None else _dec(json.loads(v)) for v in values.to_pylist()], dtype=object)
        elif dtype.startswith("string") or dtype == "str":
            out[col] = pd.Series(values.to_pylist(), dtype=object).astype(dtype)
        else:
            out[col] = values.to_pandas().astype(dtype)
    df = pd.DataFrame(out, index=pd.RangeIndex(table.num_rows), columns=meta["columns"])
    accounts, regions, scans = (table.column(c).cast(pa.string()).to_pylist() for c in ("account", "region", SCAN))
    return df, ([None if a == NULL else a for a in accounts], [None if r == NULL else r for r in regions], scans)


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
