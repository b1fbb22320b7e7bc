"""``devzone check --engine dask``: the readiness check on partitions, over dask.distributed.

Imported only on that path (Dask is heavy). The parcels are spatially sorted and
split into partitions: a GeoParquet dataset's part files as written (each part a
compact area, as ``devzone demo --format parquet`` writes them) or, when its parts
overlap, re-partitioned by dask-geopandas along a Z-order curve; parcels in any
other format are read whole, sorted along a Z-order curve and cut into partitions.
Each partition runs :func:`layers.readiness.partitioned.evaluate_partition` on a worker — the same
evaluators as the single-process engine, with the same results — and the worker
writes its part of the output dataset itself (shared storage), so no process ever
holds every parcel's results:

    OUT/long/part-00000.parquet …     the long table (LONG_COLUMNS), per partition
    OUT/overall/part-00000.parquet …  the overall table, per partition
    OUT/summary.json                  totals, per status, per rule, per zone

The other layers, the assessments and the rasters' file paths travel to each
worker once; each worker opens the rasters itself and reads them window by window.
"""

from __future__ import annotations

import contextlib
import glob
import json
import logging
import math
import os
import shutil
import tempfile
import time
import warnings
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from gis import io as gio
from gis.errors import InputError
from gis.measure import zorder
from gis.raster import RasterSource
from layers.readiness.evaluate import _parcel_table, check_unique_ids
from layers.readiness.inputs import ReadinessInputs
from layers.readiness.partitioned import evaluate_partition, merge_summaries
from layers.readiness.rulebook import Rulebook
from layers.readiness.summary import ReadinessSummary
from layers.schema import normalize

__all__ = ["MARKER", "ClusterRun", "check_on_cluster", "read_output", "sweep_leftovers"]

#: File that marks a folder as this engine's output (a later run may replace it).
MARKER = "_devzone_check"
#: Lock file a running check holds in its temporary folder (another run's sweep skips it).
LOCK = ".running"
#: Seconds after which a temporary folder beside ``--out`` that no run holds is a leftover.
STALE_S = 60.0
_PER_PARTITION = 100_000  # parcels per partition when --partitions is not given
_OVERLAP = 1.5  # parts whose envelopes add up to more than this × the whole: re-partition


@dataclass
class _Shared:
    """What every partition task needs besides its parcels (sent to each worker once)."""

    layers: dict[str, gpd.GeoDataFrame]
    assessments: pd.DataFrame | None
    rasters: dict[str, str]
    crs: str
    rulebook: Rulebook
    as_of: date
    out: str
    token: str
    zones: gpd.GeoDataFrame | None = None


@dataclass
class ClusterRun:
    """What :func:`check_on_cluster` did: the summary and how the work was spread."""

    summary: ReadinessSummary
    parcels: int
    partitions: int
    workers: int
    remeasured: int  # parcel × distance-rule pairs measured again against the whole layer
    worker_peak_bytes: dict[str, int] = field(default_factory=dict)


_WORKER_INPUTS: dict[str, ReadinessInputs] = {}  # per worker process: indexes kept across tasks


def _whole(shared: _Shared) -> ReadinessInputs:
    """The whole-layer inputs on this worker, built on the first task (rasters opened here)."""
    hit = _WORKER_INPUTS.get(shared.token)
    if hit is None:
        empty = gpd.GeoDataFrame({"parcel_id": pd.Series([], dtype="str")},
                                 geometry=gpd.GeoSeries([], crs=shared.crs))
        hit = ReadinessInputs(parcels=empty, layers=shared.layers,
                              assessments=shared.assessments,
                              rasters={k: RasterSource.from_file(p)
                                       for k, p in shared.rasters.items()},
                              crs=shared.crs)
        _WORKER_INPUTS.clear()  # one check at a time per worker
        _WORKER_INPUTS[shared.token] = hit
    return hit


def _load(part: Any, crs: str, checked: bool) -> gpd.GeoDataFrame:
    """A partition's parcels: read and checked as the workspace reads them, in ``crs``."""
    if checked:  # read through the workspace on the driver already
        return part
    if isinstance(part, str):
        gdf = gio.clean_read(gio.read_geoparquet(part), Path(part).name, expect="polygon").gdf
    else:  # a re-partitioned piece, indexed by its Z-order key
        gdf = gio.clean_read(part.reset_index(drop=True), "parcels", expect="polygon").gdf
    gdf = normalize("parcels", gdf).data
    return gdf if gdf.crs is not None and gdf.crs.equals(crs) else gdf.to_crs(crs)


def _run_partition(part: Any, number: int, shared: _Shared, checked: bool
                   ) -> tuple[int, ReadinessSummary, int, int]:
    """Evaluate one partition and write its parts; returns number, summary, parcels, re-measures."""
    parcels = _load(part, shared.crs, checked)
    res = evaluate_partition(_whole(shared), parcels, shared.rulebook, as_of=shared.as_of,
                             zones=shared.zones)
    out = Path(shared.out)
    name = f"part-{number:05d}.parquet"
    res.long.to_parquet(out / "long" / name, index=False)
    res.overall.to_parquet(out / "overall" / name, index=False)
    return number, res.summary, len(parcels), sum(res.remeasured.values())


# --------------------------------------------------------------------------- partitions

def _compact(boxes: np.ndarray) -> bool:
    """Whether part envelopes ``(n, 4)`` barely overlap (a spatially partitioned dataset)."""
    if len(boxes) < 2:
        return True
    area = (boxes[:, 2] - boxes[:, 0]) * (boxes[:, 3] - boxes[:, 1])
    whole = ((boxes[:, 2].max() - boxes[:, 0].min()) * (boxes[:, 3].max() - boxes[:, 1].min()))
    return bool(area.sum() <= _OVERLAP * max(whole, 1e-9))


def _dataset_partitions(path: Path, partitions: int | None) -> list[Any]:
    """Part files as partitions, or a Hilbert re-partitioning when the parts overlap."""
    import dask_geopandas

    files = gio.dataset_parts(path)
    ddf = dask_geopandas.read_parquet([str(f) for f in files])
    boxes = (np.asarray(ddf.spatial_partitions.bounds) if ddf.spatial_partitions is not None
             else None)
    _quiet()
    if partitions is None and boxes is not None and len(boxes) == len(files) and _compact(boxes):
        return [str(f) for f in files]
    n = partitions or max(2, len(files))
    # re-partition along a Z-order curve (dask-geopandas' hilbert spatial_shuffle refuses
    # missing geometries, which the workers' reader drops with a note as every reader does)
    bounds = tuple(float(v) for v in ddf.geometry.total_bounds.compute())
    keyed = ddf.assign(_zkey=ddf.geometry.map_partitions(_zkeys, bounds, meta=("_zkey", "u8")))
    return list(keyed.set_index("_zkey", npartitions=n).to_delayed())


def _zkeys(geoms: gpd.GeoSeries, bounds: tuple[float, float, float, float]) -> pd.Series:
    """Z-order keys of the envelope centres within ``bounds`` (no geometry: the last key)."""
    b = geoms.bounds.to_numpy()
    key = zorder((b[:, 0] + b[:, 2]) / 2, (b[:, 1] + b[:, 3]) / 2, bounds)
    key[~np.isfinite(b).all(axis=1)] = np.iinfo(np.uint64).max
    return pd.Series(key, index=geoms.index, name="_zkey")


def _spatial_order(geoms: np.ndarray, ok: np.ndarray) -> np.ndarray:
    """Positions sorted along a Z-order curve of the bounding-box centres."""
    b = shapely.bounds(geoms)
    cx = np.where(ok, (b[:, 0] + b[:, 2]) / 2, np.nan)
    cy = np.where(ok, (b[:, 1] + b[:, 3]) / 2, np.nan)
    return np.argsort(zorder(cx, cy), kind="stable")


def _memory_partitions(parcels: gpd.GeoDataFrame, partitions: int) -> list[Any]:
    """Parcels already read: sorted along a Z-order curve and cut into ``partitions``."""
    import dask_geopandas

    geoms = np.asarray(parcels.geometry.array, dtype=object)
    order = _spatial_order(geoms, ~(shapely.is_missing(geoms) | shapely.is_empty(geoms)))
    ordered = parcels.iloc[order].reset_index(drop=True)
    ddf = dask_geopandas.from_geopandas(ordered, npartitions=partitions, sort=False)
    return list(ddf.to_delayed())


# --------------------------------------------------------------------------- output

def _prepare_out(out: Path) -> Path:
    """A fresh temporary folder beside ``out``; refuses to replace anything but our output."""
    if out.suffix.lower() in {".csv", ".geojson", ".json", ".gpkg", ".parquet"}:
        raise InputError(f"--out {out}: the dask engine writes a folder, not one file.",
                         hint="Give a folder name without a suffix, e.g. --out results/.",
                         zh=f"--out {out}：dask 引擎输出的是文件夹，而不是单个文件。",
                         hint_zh="请给出不带扩展名的文件夹名，如 --out results/。")
    if out.exists() and not (out.is_dir() and ((out / MARKER).exists()
                                               or not any(out.iterdir()))):
        raise InputError(f"--out {out} exists and is not the output of an earlier check.",
                         hint="Choose a new folder name (an earlier dask check's folder "
                         "is replaced).",
                         zh=f"--out {out} 已存在，且不是此前核查的输出文件夹。",
                         hint_zh="请换一个新的文件夹名（此前 dask 核查的输出文件夹会被替换）。")
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{out.name}.", dir=out.parent))
    for sub in ("long", "overall"):
        (tmp / sub).mkdir()
    return tmp


def sweep_leftovers(out: Path) -> list[Path]:
    """Remove what killed runs (``SIGKILL``, a power cut) left beside ``out``: temporary
    folders older than :data:`STALE_S` that no running check holds (:data:`LOCK`), and
    old folders a replacement did not get to remove. Returns what was removed."""
    removed = []
    now = time.time()
    for cand in out.parent.glob(f".{glob.escape(out.name)}.*"):
        try:
            if not cand.is_dir() or now - cand.stat().st_mtime < STALE_S:
                continue
        except OSError:
            continue
        if cand.name.startswith(f".{out.name}.old-"):  # what replace_folder set aside
            shutil.rmtree(cand, ignore_errors=True)
        elif (cand / "long").is_dir() and (cand / "overall").is_dir():  # a run's folder
            try:
                with gio.exclusive_lock(cand / LOCK, timeout=0):
                    shutil.rmtree(cand, ignore_errors=True)
            except (TimeoutError, OSError):  # a check is running into it
                continue
        else:
            continue  # not ours
        removed.append(cand)
    return removed


def _summary_json(summary: ReadinessSummary, rulebook: Rulebook, as_of: date) -> str:
    doc = {"rulebook": rulebook.name, "version": rulebook.version,
           "as_of": as_of.isoformat(), "parcels": summary.parcels,
           "total_ha": summary.total_ha, "readiness": summary.readiness,
           "hectares": summary.hectares,
           "top_failing": [list(t) for t in summary.top_failing],
           "rules": json.loads(summary.rules.to_json(orient="records", force_ascii=False)),
           "zones": json.loads(summary.zones.to_json(orient="records", force_ascii=False))}
    return json.dumps(doc, ensure_ascii=False, indent=1)


def _finish(tmp: Path, out: Path, text: str) -> None:
    gio.write_text_atomic(tmp / "summary.json", text)
    (tmp / LOCK).unlink()  # still held (by its open file) until the run returns
    (tmp / MARKER).write_text("devzone check --engine dask\n", encoding="utf-8")
    tmp.chmod(0o755)
    gio.replace_folder(tmp, out)


def read_output(out: str | os.PathLike[str], table: str = "long",
                columns: list[str] | None = None) -> pd.DataFrame:
    """One table (``long`` or ``overall``) of a dask check's output folder, all parts."""
    parts = gio.dataset_parts(Path(out) / table)
    return pd.concat([pd.read_parquet(p, columns=columns) for p in parts], ignore_index=True)


# --------------------------------------------------------------------------- driver

def _quiet() -> None:
    """Silence, in this process, a deprecation dask's parquet reader triggers in pandas."""
    warnings.filterwarnings("ignore", message="The inplace keyword in GeoDataFrame",
                            category=DeprecationWarning)


@contextlib.contextmanager
def _client(scheduler: str | None, workers: int, memory_limit: str) -> Iterator[Any]:
    """A client of ``scheduler``, or of a local cluster closed (workers first) afterwards."""
    from distributed import Client, LocalCluster

    if scheduler:
        try:
            client = Client(scheduler)
        except (OSError, ValueError) as exc:  # unreachable, timed out, not an address
            raise InputError(
                f"Cannot reach the Dask scheduler at {scheduler}: {exc}",
                hint="Start it with `dask scheduler` and its workers with `dask worker "
                "ADDRESS`, check the address it printed, and that this machine can reach "
                "its port.",
                zh=f"无法连接 Dask 调度器 {scheduler}：{exc}",
                hint_zh="请用 `dask scheduler` 启动调度器、用 `dask worker 地址` 启动工作进程，"
                "核对其显示的地址，并确认本机能访问该端口。") from exc
        with client:
            yield client
        return
    with LocalCluster(n_workers=workers, threads_per_worker=1, processes=True,
                      memory_limit=memory_limit, dashboard_address=None,
                      silence_logs=logging.ERROR) as cluster, Client(cluster) as client:
        yield client


def _parts(ws: Any, partitions: int | None) -> tuple[list[Any], bool]:
    """The partitions, and whether their parcels were read and checked here already."""
    src = ws.source("parcels")
    if src is not None and src[0].suffix.lower() == ".parquet":
        return _dataset_partitions(src[0], partitions), False
    parcels = _parcel_table(ws.read_required("parcels", needed_for="the readiness check",
                                             needed_for_zh="出让条件核查"), None)
    n = partitions or max(2, math.ceil(len(parcels) / _PER_PARTITION))
    return _memory_partitions(parcels, min(n, max(1, len(parcels)))), True


def check_on_cluster(ws: Any, rulebook: Rulebook, *, as_of: date, out: Path,
                     scheduler: str | None = None, partitions: int | None = None,
                     workers: int = 2, memory_limit: str = "4GB",
                     progress: Callable[[int, int], None] | None = None) -> ClusterRun:
    """Check every parcel of workspace ``ws`` on a Dask cluster and write the ``out`` folder.

    Parameters
    ----------
    ws : Workspace
    scheduler : str, optional
        A running scheduler (``tcp://host:8786``); its workers must see the workspace
        and ``out`` at the same paths. Default: a ``LocalCluster`` of ``workers``
        processes with ``memory_limit`` each.
    partitions : int, optional
        Number of partitions (default: the dataset's parts, else one per 100 000 parcels).
    progress : callable, optional
        ``progress(partitions_done, partitions_total)``.
    """
    import dask
    from distributed import as_completed

    out = Path(out).absolute()
    tmp = _prepare_out(out)
    sweep_leftovers(out)
    try:
        with gio.exclusive_lock(tmp / LOCK, timeout=0):  # another run's sweep skips it
            layers = {k: g for k in rulebook.layers_needed() - {"parcels", "assessments"}
                      if (g := ws.read(k)) is not None}
            zones = layers.get("zones") if "zones" in layers else ws.read("zones")
            shared = _Shared(layers=layers,
                             assessments=(ws.read("assessments") if "assessments"
                                          in rulebook.layers_needed() else None),
                             rasters={n: str(Path(p).absolute()) for n in rulebook.rasters_needed()
                                      if (p := ws.raster_path(n)) is not None},
                             crs=ws.analysis_crs, rulebook=rulebook, as_of=as_of, out=str(tmp),
                             token=os.urandom(8).hex(), zones=zones)
            parts, checked = _parts(ws, partitions)
            n = len(parts)
            with _client(scheduler, workers, memory_limit) as client:
                client.run(_quiet)
                shared_f = client.scatter(shared, broadcast=True)
                tasks = [dask.delayed(_run_partition)(p, i, shared_f, checked)
                         for i, p in enumerate(parts)]
                summaries: dict[int, ReadinessSummary] = {}
                total = remeasured = 0
                for fut in as_completed(client.compute(tasks)):
                    i, s, k, r = fut.result()
                    summaries[i] = s
                    total, remeasured = total + k, remeasured + r
                    if progress:
                        progress(len(summaries), n)
                peaks = _worker_peaks(client)
                nworkers = len(client.scheduler_info().get("workers", {}))
            if not checked:
                check_unique_ids(read_output(tmp, "overall", ["parcel_id"])["parcel_id"])
            summary = merge_summaries([summaries[i] for i in sorted(summaries)])
            _finish(tmp, out, _summary_json(summary, rulebook, as_of))
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return ClusterRun(summary=summary, parcels=total, partitions=n, workers=nworkers,
                      remeasured=remeasured, worker_peak_bytes=peaks)


def _worker_peaks(client: Any) -> dict[str, int]:
    """Peak resident memory of each worker process so far (read on the worker)."""
    def peak() -> int:
        import resource

        return int(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss) * 1024

    try:
        return {str(k): int(v) for k, v in client.run(peak).items()}
    except (OSError, RuntimeError, ValueError):
        return {}
