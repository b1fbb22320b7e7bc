"""Atomic writers: every file is written to a temporary sibling and renamed into place."""

from __future__ import annotations

import contextlib
import csv
import errno
import fcntl
import glob
import io
import itertools
import os
import re
import shutil
import tempfile
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pandas.api.types as ptypes

from gis._direct import open_direct, write_direct
from gis.errors import InputError

__all__ = [
    "append_line_durable",
    "csv_line",
    "exclusive_lock",
    "file_lock",
    "formula_safe",
    "stale_temp_files",
    "write_bytes_atomic",
    "write_layer_atomic",
    "write_table",
    "write_text_atomic",
    "write_vector",
]

_UMASK = os.umask(0)
os.umask(_UMASK)

FORMATS = {".geojson": "GeoJSON", ".json": "GeoJSON", ".gpkg": "GPKG", ".csv": "CSV",
           ".parquet": "Parquet", ".geoparquet": "Parquet"}
_BOM = "\ufeff".encode()


@contextlib.contextmanager
def exclusive_lock(lock_file: str | Path, *, timeout: float | None = None,
                   holder: str = "") -> Iterator[None]:
    """Hold an exclusive advisory ``flock`` on ``lock_file`` (created if needed).

    Works between processes and between threads of one process (each call opens
    its own file description). Waits at most ``timeout`` seconds (``None``: for
    ever), then raises :class:`TimeoutError` naming what the file says of its holder.
    ``holder`` is written into the file while the lock is held (for that message).
    """
    lock_file = Path(lock_file)
    lock_file.parent.mkdir(parents=True, exist_ok=True)
    with open(lock_file, "a+", encoding="utf-8") as fh:
        if timeout is None:
            fcntl.flock(fh.fileno(), fcntl.LOCK_EX)
        else:
            deadline = time.monotonic() + timeout
            while True:
                try:
                    fcntl.flock(fh.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
                    break
                except BlockingIOError:
                    if time.monotonic() >= deadline:
                        fh.seek(0)
                        raise TimeoutError(fh.read().strip()) from None
                    time.sleep(0.02)
        try:
            if holder:
                fh.seek(0)
                fh.truncate()
                fh.write(holder)
                fh.flush()
            yield
        finally:
            fcntl.flock(fh.fileno(), fcntl.LOCK_UN)


@contextlib.contextmanager
def file_lock(path: str | Path) -> Iterator[None]:
    """Hold an exclusive advisory lock on ``<path>.lock`` (one writer at a time)."""
    with exclusive_lock(Path(str(path) + ".lock")):
        yield


def _fsync_dir(folder: Path) -> None:
    """Make a rename in ``folder`` durable (best effort where directories cannot be opened)."""
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


_TEMP_TAILS = ("", "-journal", "-wal", "-shm")


def stale_temp_files(path: str | Path) -> list[Path]:
    """Temporary siblings of ``path`` that an atomic write (:func:`write_layer_atomic` …) makes.

    Only safe to delete while no writer of ``path`` runs (under the writers' lock):
    those left behind are from a process that was killed before it could rename them.
    """
    path = Path(path)
    if not path.parent.is_dir():
        return []
    found = []
    for cand in path.parent.glob(f".{glob.escape(path.stem)}.*"):
        name = cand.name
        for tail in _TEMP_TAILS:
            if name.endswith(path.suffix + tail) and len(name) - len(tail) - len(path.suffix) \
                    == len(path.stem) + 10:  # "." + stem + "." + 8 random characters
                found.append(cand)
                break
    return sorted(found)


def append_line_durable(path: str | Path, line: str, *, bom: bool = False) -> None:
    """Append one line (``\\n`` added) to a UTF-8 text file and flush it to disk (fsync).

    A new file starts with a byte-order mark when ``bom`` (Excel reads Chinese text).
    """
    path = Path(path)
    new = not path.exists() or path.stat().st_size == 0
    with open(path, "a", encoding="utf-8", newline="") as fh:
        if new and bom:
            fh.write("\ufeff")
        fh.write(line.rstrip("\n") + "\n")
        fh.flush()
        os.fsync(fh.fileno())
    if new:
        _fsync_dir(path.parent)


@contextlib.contextmanager
def _temp_sibling(path: Path, *, copy_existing: bool = False) -> Iterator[Path]:
    """Yield a temporary path next to ``path``; rename it over ``path`` on success."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp_name = tempfile.mkstemp(prefix=f".{path.stem}.", suffix=path.suffix,
                                        dir=path.parent)
    except OSError as exc:
        raise _cannot_write(path, exc) from exc
    os.close(fd)
    tmp = Path(tmp_name)
    os.chmod(tmp, 0o666 & ~_UMASK)  # mkstemp makes 0600; the final file gets normal permissions
    try:
        if copy_existing and path.exists():
            shutil.copyfile(path, tmp)
        else:
            tmp.unlink()
        yield tmp
        if _ABANDONED.is_set():  # the process is being stopped (on another thread)
            raise _cannot_write(path, InterruptedError(errno.EINTR, "the command was stopped"))
        with open(tmp, "rb+") as fh:
            os.fsync(fh.fileno())
        os.replace(tmp, path)
        _fsync_dir(path.parent)
    except Exception as exc:
        # the system or GDAL refused the write (a full disk, a folder where the file
        # goes): said of the file asked for, not of its temporary sibling
        if isinstance(exc, OSError) or type(exc).__module__.startswith(_GDAL_MODULES):
            raise _cannot_write(path, exc) from exc
        raise
    finally:
        for leftover in (Path(str(tmp) + tail) for tail in _TEMP_TAILS):
            leftover.unlink(missing_ok=True)


#: Set when the process is being stopped: writes still in progress are not renamed into place.
_ABANDONED = threading.Event()


def abandon_writes() -> None:
    """Make the writes in progress on any thread end without replacing their files (their
    temporary files are removed): the process is being stopped."""
    _ABANDONED.set()


#: Modules whose exceptions are GDAL refusing a write (``pyogrio.errors``, ``rasterio._err``).
_GDAL_MODULES = ("pyogrio.", "rasterio.")
#: Free bytes below which a failed write is put down to a full disk.
_NEARLY_FULL = 1 << 20


def _cannot_write(path: Path, exc: Exception) -> InputError:
    """The error for a write to ``path`` that the system or GDAL refused with ``exc``."""
    full = getattr(exc, "errno", None) == errno.ENOSPC
    if not isinstance(exc, OSError):  # GDAL says no more than that a write failed
        with contextlib.suppress(OSError):
            full = shutil.disk_usage(path.parent).free < _NEARLY_FULL
    if full:
        why, why_zh = "the disk is full", "磁盘已满"
        fix, fix_zh = ("Free some disk space or write to another disk",
                       "请释放磁盘空间或写到其他磁盘")
    elif any(p.exists() and not p.is_dir() for p in path.parents):
        why, why_zh = "a file is in the way of its folder", "其所在文件夹的路径上有同名文件"
        fix, fix_zh = ("Choose another folder, or move that file",
                       "请换一个文件夹，或移走该文件")
    elif isinstance(exc, IsADirectoryError) or path.is_dir():
        why, why_zh = "a folder of that name is in the way", "该路径是一个文件夹"
        fix, fix_zh = ("Choose another file name, or move the folder",
                       "请换一个文件名，或移走该文件夹")
    else:
        why = why_zh = (exc.strerror or str(exc) if isinstance(exc, OSError)
                        else str(exc).splitlines()[0][:200])
        fix, fix_zh = ("Check the disk space and that you may write to the folder",
                       "请检查磁盘空间及该文件夹的写入权限")
    return InputError(
        f"cannot write {path}: {why}.",
        hint=f"{fix}; nothing was written (a file already there is unchanged).",
        zh=f"无法写入 {path}：{why_zh}。",
        hint_zh=f"{fix_zh}；未写入任何内容（已有的同名文件未改动）。")


def write_text_atomic(path: str | Path, text: str, *, encoding: str = "utf-8") -> Path:
    """Write a text file atomically."""
    return write_bytes_atomic(path, text.encode(encoding))


def write_bytes_atomic(path: str | Path, data: bytes) -> Path:
    """Write a binary file (a PDF, an image) atomically."""
    path = Path(path)
    with _temp_sibling(path) as tmp:
        tmp.write_bytes(data)
    return path


def _driver(path: Path) -> str:
    try:
        return FORMATS[path.suffix.lower()]
    except KeyError:
        raise InputError(
            f"Cannot write {path}: unknown format {path.suffix!r}.",
            hint="Use .geojson, .gpkg, .csv or .parquet.",
            zh=f"无法写入 {path}：不支持的格式 {path.suffix!r}。",
            hint_zh="请使用 .geojson、.gpkg、.csv 或 .parquet。",
        ) from None


# a spreadsheet runs a cell starting with one of these as a formula (CSV injection)
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_PLAIN_NUMBER = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?")


def formula_safe(value: object) -> object:
    """``value`` with a leading ``'`` when it is text a spreadsheet would run as a formula.

    Text starting with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return is
    escaped (Excel and WPS then show it as text, without the quote). Numbers are
    never changed, and neither is text that is a plain number such as ``"-3.5"``
    (a spreadsheet reads it as that number, which runs nothing).

    Examples
    --------
    >>> formula_safe("=SUM(A1:A9)"), formula_safe("-3.5"), formula_safe(-3.5)
    ("'=SUM(A1:A9)", '-3.5', -3.5)
    """
    if (isinstance(value, str) and value.startswith(_FORMULA_START)
            and not _PLAIN_NUMBER.fullmatch(value)):
        return "'" + value
    return value


def csv_line(values: list[object]) -> str:
    """One CSV record (``\n``-terminated), each text value passed through :func:`formula_safe`.

    For append-only logs written a line at a time (the workspace audit table).
    """
    buf = io.StringIO()
    csv.writer(buf, lineterminator="\n").writerow([formula_safe(v) for v in values])
    return buf.getvalue()


def _formula_safe_frame(df: pd.DataFrame) -> pd.DataFrame:
    """``df`` with :func:`formula_safe` applied to every text cell and column name."""
    out = pd.DataFrame(df).copy()
    for col in out.columns:
        s = out[col]
        if not (ptypes.is_numeric_dtype(s) or ptypes.is_bool_dtype(s)
                or ptypes.is_datetime64_any_dtype(s)):
            out[col] = s.astype(object).map(formula_safe)
    out.columns = [formula_safe(c) for c in out.columns]
    return out


def _csv_source(df: pd.DataFrame) -> pd.DataFrame:
    """The cells of a CSV: a plain DataFrame, geometry as WKT in EPSG:4326 (column ``wkt``)."""
    if isinstance(df, gpd.GeoDataFrame) and df.geometry.name in df:
        g = df.to_crs(4326) if df.crs is not None and not df.crs.equals(4326) else df
        out = pd.DataFrame(g.drop(columns=g.geometry.name))
        out["wkt"] = g.geometry.to_wkt(rounding_precision=7)
        return out
    return pd.DataFrame(df)


def _write_csv(df: pd.DataFrame, tmp: Path) -> None:
    """``df`` as UTF-8 CSV with BOM, formulas escaped (:func:`formula_safe`).

    Text, numbers and categoricals stream through Arrow (:mod:`gis._arrow_csv`, batch by
    batch); other column types (dates, mixed objects) go through pandas' writer.
    """
    from gis import _arrow_csv

    src = _csv_source(df)
    if _arrow_csv.renderable(src):
        chunks = _arrow_csv.csv_chunks(src, [str(c) for c in src.columns],
                                       batch_rows=_arrow_csv.BATCH_ROWS)
        fd = open_direct(tmp) if len(src) >= _DIRECT_ROWS else None
        if fd is not None:  # large: around the page cache (gis._direct)
            write_direct(fd, itertools.chain([_BOM], chunks))
            return
        with open(tmp, "wb") as fh:
            fh.write(_BOM)
            _write_flushing(fh, chunks)
    else:
        _formula_safe_frame(src).to_csv(tmp, index=False, encoding="utf-8-sig")


def _write_flushing(fh: io.BufferedWriter, chunks: Iterator[memoryview]) -> None:
    """Write ``chunks`` to ``fh``; every :data:`_FLUSH_EVERY` bytes, start writing what is
    written so far to disk on a second thread (``fdatasync``), so that the ``fsync``
    before the rename finds little left to do (hundreds of MB of CSV otherwise wait for
    it at the end)."""
    from concurrent.futures import Future, ThreadPoolExecutor

    datasync = getattr(os, "fdatasync", os.fsync)  # macOS has no fdatasync
    with ThreadPoolExecutor(max_workers=1) as pool:
        syncing: Future[None] | None = None
        unsynced = 0
        for chunk in chunks:
            fh.write(chunk)
            unsynced += len(chunk)
            if unsynced >= _FLUSH_EVERY and (syncing is None or syncing.done()):
                fh.flush()
                syncing = pool.submit(datasync, fh.fileno())
                unsynced = 0
        if syncing is not None:
            syncing.result()


#: Bytes of a large file written between two background flushes to disk.
_FLUSH_EVERY = 64 << 20
#: Rows from which a CSV is written around the page cache (:mod:`gis._direct`): about
#: 8 MB of long table, one direct write.
_DIRECT_ROWS = 50_000


def _write_parquet(df: pd.DataFrame, tmp: Path) -> None:
    """``df`` as Parquet (zstd): categoricals and text dictionary-encoded, numbers plain
    with min/max statistics; a GeoDataFrame is written as GeoParquet (WKB geometry, its
    CRS in the ``geo`` metadata)."""
    if isinstance(df, gpd.GeoDataFrame):
        df.to_parquet(tmp, index=False, compression="zstd", schema_version="1.0.0")
        return
    import pyarrow as pa
    import pyarrow.parquet as pq

    table = pa.Table.from_pandas(pd.DataFrame(df), preserve_index=False)
    coded = [f.name for f in table.schema if pa.types.is_dictionary(f.type)]
    text = [f.name for f in table.schema
            if pa.types.is_string(f.type) or pa.types.is_large_string(f.type)]
    # numbers are written plain (a dictionary of mostly distinct floats costs time and
    # bytes); min/max statistics of dictionary-encoded text (long messages) cost much
    # time for little use
    pq.write_table(table, tmp, compression="zstd", row_group_size=1_000_000,
                   use_dictionary=coded + text or False,
                   write_statistics=[n for n in table.schema.names if n not in coded] or False)


def write_vector(gdf: gpd.GeoDataFrame, path: str | Path, *, layer: str | None = None) -> Path:
    """Write ``gdf`` to a new file, format from the suffix, atomically.

    ``.geojson``: RFC 7946 (EPSG:4326, 6 decimals, right-hand winding).
    ``.gpkg``: a new GeoPackage holding one layer (``layer`` or the file stem).
    ``.csv``: UTF-8 with BOM (Excel reads the Chinese text), geometry as WKT in EPSG:4326,
    text cells that a spreadsheet would run as formulas escaped (:func:`formula_safe`).
    ``.parquet`` / ``.geoparquet``: GeoParquet in the data's own CRS.
    GeoJSON and GeoPackage go through pyogrio's Arrow path.
    """
    path = Path(path)
    driver = _driver(path)
    with _temp_sibling(path) as tmp:
        if driver == "CSV":
            _write_csv(gdf, tmp)
        elif driver == "Parquet":
            _write_parquet(gdf, tmp)
        elif driver == "GeoJSON":
            if gdf.crs is None:
                raise InputError(f"Cannot write {path}: the data has no CRS.",
                                 hint="Set one with set_crs() first.",
                                 zh=f"无法写入 {path}：数据没有坐标系。",
                                 hint_zh="请先用 set_crs() 设置坐标系。")
            gdf.to_crs(4326).to_file(tmp, driver="GeoJSON", engine="pyogrio", layer=path.stem,
                                     use_arrow=True, RFC7946="YES", COORDINATE_PRECISION=6,
                                     WRITE_BBOX="NO")
        else:
            gdf.to_file(tmp, driver="GPKG", layer=layer or path.stem, engine="pyogrio",
                        use_arrow=True)
    return path


def write_table(df: pd.DataFrame, path: str | Path, *, layer: str | None = None) -> Path:
    """Write a non-spatial table to ``.csv`` (utf-8-sig, formulas escaped as in
    :func:`write_vector`), ``.parquet`` (categoricals dictionary-encoded) or a new
    ``.gpkg`` attribute table."""
    path = Path(path)
    driver = _driver(path)
    if driver in ("CSV", "Parquet"):
        with _temp_sibling(path) as tmp:
            (_write_csv if driver == "CSV" else _write_parquet)(pd.DataFrame(df), tmp)
        return path
    return write_layer_atomic(df, path, layer=layer or path.stem, append=False)


def write_layer_atomic(data: pd.DataFrame, path: str | Path, *, layer: str,
                       append: bool = False) -> Path:
    """Replace (or append to) one layer of a GeoPackage, keeping its other layers.

    The container is copied to a temporary sibling, modified there and renamed
    back, all under :func:`file_lock`, so readers never see a half-written file
    and concurrent writers never lose rows.
    """
    import pyogrio

    path = Path(path)
    if path.suffix.lower() != ".gpkg":
        if append:
            raise InputError(f"Cannot append to {path}: appending needs a GeoPackage layer.",
                             zh=f"无法追加到 {path}：只能追加到 GeoPackage 图层。")
        return (write_vector(data, path) if isinstance(data, gpd.GeoDataFrame)
                else write_table(data, path))
    with file_lock(path), _temp_sibling(path, copy_existing=True) as tmp:
        exists = tmp.exists() and layer in {row[0] for row in pyogrio.list_layers(tmp)}
        kwargs: dict[str, object] = {"driver": "GPKG", "layer": layer}
        if exists and append:
            kwargs["append"] = True
        elif exists:
            kwargs["layer_options"] = {"OVERWRITE": "YES"}
        if isinstance(data, gpd.GeoDataFrame):
            pyogrio.write_dataframe(data, tmp, **kwargs)
        else:
            pyogrio.write_dataframe(pd.DataFrame(data), tmp, **kwargs)
    return path
