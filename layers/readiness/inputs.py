"""The in-memory inputs of a readiness check: parcels, layers, assessments, raster sources."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

import geopandas as gpd
import numpy as np
import pandas as pd
import pyproj
from affine import Affine
from rasterio.windows import from_bounds

from gis.errors import CRSError, InputError, WorkspaceError
from gis.raster import Raster, read_raster

__all__ = [
    "ArrayRaster",
    "FileRaster",
    "RasterSource",
    "ReadinessInputs",
    "inputs_from_workspace",
]

Bounds = tuple[float, float, float, float]


class RasterSource(Protocol):
    """Anything that reads the window of a raster covering ``bounds`` (analysis CRS).

    The window should reach one cell beyond ``bounds`` (as :func:`gis.raster.read_raster`
    does) so slopes at its edge see their neighbours.
    """

    def read(self, bounds: Bounds) -> Raster: ...


@dataclass(frozen=True)
class ArrayRaster:
    """An in-memory raster; ``read`` returns the window covering ``bounds`` plus one cell."""

    raster: Raster

    def read(self, bounds: Bounds) -> Raster:
        r = self.raster
        h, w = r.shape
        win = from_bounds(*bounds, transform=r.transform)
        c0 = max(int(np.floor(win.col_off)) - 1, 0)
        r0 = max(int(np.floor(win.row_off)) - 1, 0)
        c1 = min(int(np.ceil(win.col_off + win.width)) + 1, w)
        r1 = min(int(np.ceil(win.row_off + win.height)) + 1, h)
        if c1 <= c0 or r1 <= r0:
            return Raster(np.full((0, 0), np.nan), r.transform, r.crs, r.nodata)
        a, b, c, d, e, f = tuple(r.transform)[:6]
        t = Affine(a, b, c + c0 * a + r0 * b, d, e, f + c0 * d + r0 * e)
        return Raster(r.array[r0:r1, c0:c1], t, r.crs, r.nodata)


@dataclass(frozen=True)
class FileRaster:
    """A raster file read window by window (:func:`gis.raster.read_raster`)."""

    path: Path

    def read(self, bounds: Bounds) -> Raster:
        return read_raster(self.path, bounds=bounds)

    def __str__(self) -> str:
        return str(self.path)


@dataclass(frozen=True)
class _CallableRaster:
    func: Callable[[Bounds], Raster]

    def read(self, bounds: Bounds) -> Raster:
        return self.func(bounds)


def _as_source(obj: Any, name: str) -> RasterSource:
    if isinstance(obj, Raster):
        return ArrayRaster(obj)
    if isinstance(obj, str | Path):
        return FileRaster(Path(obj))
    if hasattr(obj, "read"):
        return obj
    if callable(obj):
        return _CallableRaster(obj)
    raise InputError(f"Raster {name!r} must be a Raster, a path or an object with read(bounds), "
                     f"not {type(obj).__name__}.",
                     zh=f"栅格 {name!r} 应为 Raster、文件路径或带 read(bounds) 方法的对象，"
                     f"而不是 {type(obj).__name__}。")


@dataclass
class ReadinessInputs:
    """Everything a readiness check reads, in memory and in one metric CRS.

    Parameters
    ----------
    parcels : GeoDataFrame
        Standard-land parcels with a ``parcel_id`` column, in a metric CRS.
    layers : dict of GeoDataFrame
        Other layers by kind (``roads``, ``water``, ``zones`` …); absent kinds are absent.
        Layers in another CRS are reprojected to the parcels' CRS.
    assessments : DataFrame, optional
        The regional-assessments table, or ``None`` when the workspace has none.
    rasters : dict
        Raster sources by name (``dem``, ``coverage_5g``): a :class:`gis.raster.Raster`,
        a file path, a callable ``read(bounds) -> Raster`` or an object with ``read``.
    crs : str, optional
        The analysis CRS; defaults to the parcels' CRS.
    """

    parcels: gpd.GeoDataFrame
    layers: dict[str, gpd.GeoDataFrame] = field(default_factory=dict)
    assessments: pd.DataFrame | None = None
    rasters: dict[str, Any] = field(default_factory=dict)
    crs: Any = None
    cache: dict[Any, Any] = field(default_factory=dict, repr=False)

    def __post_init__(self) -> None:
        if not isinstance(self.parcels, gpd.GeoDataFrame):
            raise InputError("The parcels must be a GeoDataFrame.",
                             zh="标准地（parcels）必须是 GeoDataFrame。")
        crs = self.crs if self.crs is not None else self.parcels.crs
        if crs is None:
            raise CRSError("The parcels have no CRS.",
                           hint="Set one with set_crs(), e.g. EPSG:4547 (CGCS2000 GK CM 114°E).",
                           zh="标准地（parcels）没有坐标系。",
                           hint_zh="请用 set_crs() 设置，如 EPSG:4547"
                           "（CGCS2000 3 度带高斯–克吕格，中央经线 114°E）。")
        pcrs = pyproj.CRS.from_user_input(crs)
        if not pcrs.is_projected:
            raise CRSError(f"The analysis CRS {pcrs.to_string()} is not metric.",
                           hint="Reproject to a metric CRS such as EPSG:4547 first.",
                           zh=f"分析坐标系 {pcrs.to_string()} 不是以米为单位的投影坐标系。",
                           hint_zh="请先投影到以米为单位的坐标系，如 EPSG:4547。")
        self.crs = pcrs
        if self.parcels.crs is None:
            self.parcels = self.parcels.set_crs(pcrs)
        elif not pyproj.CRS(self.parcels.crs).equals(pcrs):
            self.parcels = self.parcels.to_crs(pcrs)
        layers: dict[str, gpd.GeoDataFrame] = {}
        for kind, gdf in self.layers.items():
            if gdf is None:
                continue
            if gdf.crs is None:
                gdf = gdf.set_crs(pcrs)
            elif not pyproj.CRS(gdf.crs).equals(pcrs):
                gdf = gdf.to_crs(pcrs)
            layers[kind] = gdf
        self.layers = layers
        self.rasters = {k: _as_source(v, k) for k, v in self.rasters.items() if v is not None}

    def layer(self, kind: str) -> gpd.GeoDataFrame | None:
        """A layer by kind (``parcels`` included), or ``None``."""
        if kind == "parcels":
            return self.parcels
        return self.layers.get(kind)

    def raster(self, name: str) -> RasterSource | None:
        return self.rasters.get(name)

    def with_parcels(self, parcels: gpd.GeoDataFrame) -> ReadinessInputs:
        """The same inputs (and prepared indexes) with other parcels."""
        out = ReadinessInputs.__new__(ReadinessInputs)
        out.parcels = parcels if parcels.crs is not None else parcels.set_crs(self.crs)
        if not pyproj.CRS(out.parcels.crs).equals(self.crs):
            out.parcels = out.parcels.to_crs(self.crs)
        out.layers, out.assessments, out.rasters = self.layers, self.assessments, self.rasters
        out.crs, out.cache = self.crs, self.cache
        return out

    def same_crs(self, crs: Any) -> bool:
        """Whether ``crs`` (a raster's) is the analysis CRS; ``None`` is taken as yes."""
        if crs is None:
            return True
        try:
            return pyproj.CRS.from_user_input(crs).equals(self.crs)
        except pyproj.exceptions.CRSError:
            return False


def inputs_from_workspace(ws: Any, *, rulebook: Any = None) -> ReadinessInputs:
    """Read a workspace's layers, tables and rasters into :class:`ReadinessInputs`.

    With ``rulebook`` only the layers its rules use are read. Rasters stay on disk
    and are read window by window during the check.
    """
    from layers.catalog import LAYER_KINDS

    parcels = ws.read("parcels")
    if parcels is None:
        raise WorkspaceError(f"{ws.manifest_path} names no parcels layer.",
                             hint="Add parcels = \"file.gpkg:layer\" under [layers].",
                             zh=f"{ws.manifest_path} 中没有标准地（parcels）图层。",
                             hint_zh='请在 [layers] 下添加 parcels = "file.gpkg:layer"。')
    kinds = rulebook.layers_needed() if rulebook is not None else set(LAYER_KINDS) | {
        "assessments"}
    layers = {k: ws.read(k) for k in kinds if k not in ("parcels", "assessments")}
    assessments = ws.read("assessments") if "assessments" in kinds else None
    names = rulebook.rasters_needed() if rulebook is not None else {"dem", "coverage_5g"}
    rasters = {n: FileRaster(p) for n in names if (p := ws.raster_path(n)) is not None}
    return ReadinessInputs(parcels=parcels, layers={k: v for k, v in layers.items()
                                                    if v is not None},
                           assessments=assessments, rasters=rasters, crs=ws.analysis_crs)
