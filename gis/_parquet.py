"""GeoParquet: one file or a folder of part files (a partitioned dataset), read and written.

A dataset folder is named like a file (``parcels.parquet/``) and holds
``part-00000.parquet`` … written in order; readers take the parts in name order.
Writing streams frame after frame into a temporary folder renamed at the end, so
a reader never sees half a dataset and no more than one frame is in memory.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterable
from pathlib import Path

import geopandas as gpd

from gis._folders import replace_folder
from gis.errors import InputError

__all__ = ["dataset_parts", "read_geoparquet", "write_geoparquet_dataset"]


def dataset_parts(path: str | os.PathLike[str]) -> list[Path]:
    """The part files of a GeoParquet file or dataset folder, in order."""
    p = Path(path)
    if p.is_file():
        return [p]
    parts = sorted(q for q in p.glob("*.parquet") if q.is_file()) if p.is_dir() else []
    if not parts:
        raise InputError(f"{p} holds no .parquet part files.",
                         hint="Point to a GeoParquet file or a folder of GeoParquet parts "
                         "(as `devzone demo --format parquet` writes).",
                         zh=f"{p} 中没有 .parquet 分片文件。",
                         hint_zh="请指向 GeoParquet 文件，或由 GeoParquet 分片组成的文件夹"
                         "（如 `devzone demo --format parquet` 所写）。")
    return parts


def read_geoparquet(path: str | os.PathLike[str]) -> gpd.GeoDataFrame:
    """A GeoParquet file, or every part of a dataset folder, as one GeoDataFrame."""
    parts = dataset_parts(path)
    try:
        frames = [gpd.read_parquet(q) for q in parts]
    except (ValueError, OSError, TypeError) as exc:  # pyarrow errors derive from these
        raise InputError(f"{path} cannot be read as GeoParquet: {exc}.",
                         hint="Write it again with geopandas to_parquet (GeoParquet) or "
                         "export it to GeoPackage.",
                         zh=f"无法按 GeoParquet 读取 {path}：{exc}。",
                         hint_zh="请用 geopandas 的 to_parquet（GeoParquet）重新写出，"
                         "或导出为 GeoPackage。") from exc
    if len(frames) == 1:
        return frames[0]
    import pandas as pd

    return gpd.GeoDataFrame(pd.concat(frames, ignore_index=True), crs=frames[0].crs)


def write_geoparquet_dataset(frames: Iterable[gpd.GeoDataFrame],
                             folder: str | os.PathLike[str]) -> int:
    """Write each frame as one part of a GeoParquet dataset folder; returns the rows written.

    The folder is built beside its final place and renamed into it at the end; an
    existing dataset folder is replaced.
    """
    out = Path(folder)
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{out.name}.", dir=out.parent))
    rows = 0
    try:
        for i, gdf in enumerate(frames):
            gdf.to_parquet(tmp / f"part-{i:05d}.parquet", index=False,
                           write_covering_bbox=False)
            rows += len(gdf)
        tmp.chmod(0o755)
        replace_folder(tmp, out)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return rows
