"""Converted copies of vector layers, kept in the workspace cache (``.devzone/cache``).

Reading a layer of 10^5 parcels — parsing GeoJSON or a GeoPackage, repairing geometry,
normalising the columns to the catalogue, reprojecting to the analysis CRS — takes
0.6–0.9 s, and even a layer of a hundred roads 20–40 ms; reading the same frame back
from GeoParquet takes about 0.15 s and 8 ms. So a layer, once read, is stored as
GeoParquet (with the reader's notes on features it left out) when its columns are of
types Parquet gives back exactly (numbers, booleans, text, dates, categories), under a
name keyed by:

- the identity of its files — path, size, modification and change times, inode and
  device of the file, or of each part of a Shapefile. Any write to a file changes its
  change time, a replaced file has a new inode. A file changed less than ``SETTLE_S``
  ago is neither looked up nor stored (its next change could fall in the same clock
  tick), and a GeoPackage with a non-empty ``-wal`` file (open in an editor that has
  not written its changes back) is not either;
- the layer's name in its file, the analysis CRS;
- the reading code: the digest of ``gis/`` and ``layers/`` the results cache uses, and
  the versions of GDAL, pyogrio and geopandas.

Anything else reads the source. A copy that cannot be read back is ignored (and
replaced at the next read); a cache folder that cannot be written only means the
source is read again next time.
"""

from __future__ import annotations

import io
import time
from dataclasses import asdict
from pathlib import Path

import geopandas as gpd
import pandas as pd

from gis import io as gio
from gis.digest import text_digest
from gis.io import Note
from layers.results_cache import code_digest

__all__ = ["KEEP", "SETTLE_S", "entry_name", "from_bytes", "layer_key", "storable",
           "to_bytes"]

KEEP = 2  # copies kept per layer kind (the newest)
SETTLE_S = 2.0  # seconds a file must have been left unchanged before it is keyed
FORMAT = 1  # bump when what is stored changes
_ATTR = "devzone_layer_cache"


def _code_stamp() -> str:
    """The reading code (``gis/`` and ``layers/``) and the reading libraries' versions."""
    import pyogrio

    return text_digest("|".join([str(FORMAT), code_digest(), pyogrio.__version__,
                                 pyogrio.__gdal_version_string__, gpd.__version__]))


def _files(path: Path) -> list[Path] | None:
    """The files whose content makes the layer, or ``None`` when it cannot be keyed."""
    if path.suffix.lower() == ".shp":
        return gio.shapefile_parts(path)
    if path.suffix.lower() == ".gpkg":
        wal = path.with_name(path.name + "-wal")
        try:
            if wal.stat().st_size > 0:
                return None  # changes not yet in the file itself
        except OSError:
            pass
    return [path] if path.is_file() else None


def layer_key(path: Path, layer: str | None, crs: str, *, now: float | None = None
              ) -> str | None:
    """The cache key of layer ``layer`` of ``path`` read into ``crs``, or ``None`` when the
    layer cannot be keyed (a folder, a file changed less than ``SETTLE_S`` ago, a
    GeoPackage with pending changes in its ``-wal`` file, a file gone)."""
    files = _files(path)
    if not files:
        return None
    now_ns = int((time.time() if now is None else now) * 1e9)
    parts = [_code_stamp(), crs, layer or ""]
    try:
        for f in files:
            st = f.stat()
            if now_ns - max(st.st_mtime_ns, st.st_ctime_ns) < SETTLE_S * 1e9:
                return None
            parts.append(f"{f.resolve()}:{st.st_size}:{st.st_mtime_ns}:{st.st_ctime_ns}:"
                         f"{st.st_ino}:{st.st_dev}")
    except OSError:
        return None
    return text_digest("|".join(parts))


def entry_name(kind: str, key: str) -> str:
    """The cache file name of layer ``kind`` under ``key`` (``layer.<kind>-<key>.parquet``)."""
    return f"layer.{kind}-{key}.parquet"


def storable(gdf: gpd.GeoDataFrame) -> bool:
    """Whether every column of ``gdf`` comes back from Parquet exactly as it is: numbers,
    booleans, text, timestamps, categories and GDAL's Date fields (``datetime.date``
    objects) do; other Python objects (mixed values, lists) may not."""
    return all(
        name == gdf.geometry.name or dtype.kind in "biufM"
        or isinstance(dtype, pd.StringDtype | pd.CategoricalDtype | pd.BooleanDtype
                      | pd.DatetimeTZDtype)
        or (dtype.kind == "O" and pd.api.types.infer_dtype(gdf[name], skipna=True) == "date")
        for name, dtype in gdf.dtypes.items())


def to_bytes(gdf: gpd.GeoDataFrame, notes: list[Note]) -> bytes:
    """``gdf`` as GeoParquet (LZ4, a CRC-32 per page), with ``notes`` in its metadata."""
    out = io.BytesIO()
    frame = gdf.copy(deep=False)
    frame.attrs = {_ATTR: {"notes": [asdict(n) for n in notes]}}
    frame.to_parquet(out, compression="lz4", write_page_checksum=True)
    return out.getvalue()


def from_bytes(data: bytes, crs: str) -> tuple[gpd.GeoDataFrame, list[Note]] | None:
    """The layer and notes stored by :func:`to_bytes`, in ``crs``; ``None`` when ``data``
    is not such a copy (truncated, a page failing its checksum, from another tool)."""
    try:
        gdf = gpd.read_parquet(io.BytesIO(data), page_checksum_verification=True)
        meta = gdf.attrs.get(_ATTR)
        notes = [Note(**n) for n in meta["notes"]]
    except Exception:  # any damage: the source is read instead
        return None
    gdf.attrs = {}
    # the CRS exactly as a fresh read gives it, not its PROJJSON round trip
    return gdf.set_crs(crs, allow_override=True), notes
