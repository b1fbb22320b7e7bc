"""The in-memory inputs of a readiness check: parcels, layers, assessments, raster sources."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

import geopandas as gpd
import pandas as pd
import pyproj

from gis.crs import same_crs
from gis.errors import CRSError, InputError
from gis.raster import RasterSource

__all__ = ["ReadinessInputs", "inputs_from_workspace"]


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
        Rasters by name (``dem``, ``coverage_5g``): :class:`gis.raster.RasterSource` s,
        or anything :meth:`RasterSource.of <gis.raster.RasterSource.of>` takes (an
        in-memory :class:`gis.raster.Raster`, a file path).
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
        self.rasters = {k: RasterSource.of(v, name=k) for k, v in self.rasters.items()
                        if v is not None}

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
        return same_crs(crs, self.crs)


def inputs_from_workspace(ws: Any, *, rulebook: Any = None) -> ReadinessInputs:
    """Read a workspace's layers, tables and rasters into :class:`ReadinessInputs`.

    With ``rulebook`` only the layers its rules use are read. Rasters stay on disk
    and are read window by window during the check.
    """
    from layers.catalog import LAYER_KINDS

    kinds = rulebook.layers_needed() if rulebook is not None else set(LAYER_KINDS) | {
        "assessments"}
    others = sorted(k for k in kinds if k not in ("parcels", "assessments"))

    def read_others() -> dict[str, Any]:
        return {k: ws.read(k) for k in others}

    # the other layers are read on a second thread while the parcels are (GDAL, GEOS
    # and Arrow release the GIL); a failure of the parcels is still reported first
    with ThreadPoolExecutor(max_workers=1) as pool:
        pending = pool.submit(read_others)
        try:
            parcels = ws.read_required("parcels", needed_for="the readiness check",
                                       needed_for_zh="出让条件核查")
        except BaseException:
            pending.cancel()
            raise
        layers = pending.result()
    assessments = ws.read("assessments") if "assessments" in kinds else None
    names = rulebook.rasters_needed() if rulebook is not None else {"dem", "coverage_5g"}
    rasters = {n: RasterSource.from_file(p) for n in names
               if (p := ws.raster_path(n)) is not None}
    return ReadinessInputs(parcels=parcels, layers={k: v for k, v in layers.items()
                                                    if v is not None},
                           assessments=assessments, rasters=rasters, crs=ws.analysis_crs)
