"""What the restoration tracker evaluates, and how to gather it from a workspace."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import geopandas as gpd
import numpy as np
import pandas as pd

from gis.errors import InputError
from gis.io import Note
from layers.restoration.ndvi import Bounds, RasterSource

if TYPE_CHECKING:
    from gis.raster import Raster
    from layers.workspace import Workspace

__all__ = ["Note", "RestorationInputs", "file_source", "inputs_from_workspace"]

# Endmember percentiles are taken from at most this many cells of a scene (a decimated read).
SCENE_SAMPLE_CELLS = 1_000_000


@dataclass
class RestorationInputs:
    """Everything :func:`~layers.restoration.progress.progress` needs, already in memory.

    Parameters
    ----------
    mines
        Restoration sites (``site_id``, ``stage`` and the catalogue's optional
        columns) in a metric analysis CRS.
    inspections
        The inspection history (``site_id``, ``date``, ``stage``, …) or ``None``.
    tourism_road
        The Taihang tourism road (lines) or ``None``.
    towns
        Town points (e.g. county seats) or ``None``; polygons are reduced to
        their representative points. Needs a ``name`` column to name the nearest.
    counties
        County polygons with a ``county`` column, used to fill a site's missing county.
    ndvi
        NDVI raster sources by epoch label (``"2020"``, ``"2025"``), in any order.
    notes
        What was missing when gathering the inputs (shown with the results), as
        bilingual :class:`~gis.io.Note` s (``code``, ``message_en``, ``message_zh``;
        ``note.message(lang)`` picks the language).
    """

    mines: gpd.GeoDataFrame
    inspections: pd.DataFrame | None = None
    tourism_road: gpd.GeoDataFrame | None = None
    towns: gpd.GeoDataFrame | None = None
    counties: gpd.GeoDataFrame | None = None
    ndvi: dict[str, RasterSource] = field(default_factory=dict)
    notes: list[Note] = field(default_factory=list)


def file_source(path: str | Path, *, max_sample_cells: int = SCENE_SAMPLE_CELLS
                ) -> RasterSource:
    """A :class:`RasterSource` reading windows of a GeoTIFF through :func:`gis.raster.read_raster`.

    The scene sample for the endmember percentiles is a decimated read of at most
    ``max_sample_cells`` cells, so a city-wide raster is never loaded whole.
    """
    from gis.raster import raster_info, read_raster

    path = Path(path)
    info = raster_info(path)

    def read(bounds: Bounds | None) -> Raster:
        return read_raster(path, bounds=bounds, pad_cells=0)

    def sample() -> np.ndarray:
        width, height = int(info["width"]), int(info["height"])  # type: ignore[call-overload]
        if width * height <= max_sample_cells:
            return read_raster(path).array
        import rasterio  # decimated read; gis.raster has no overview reader (yet)

        step = int(np.ceil(np.sqrt(width * height / max_sample_cells)))
        with rasterio.open(path) as src:
            data = src.read(1, out_shape=(max(height // step, 1), max(width // step, 1)),
                            masked=True)
        return np.asarray(data.astype("float64").filled(np.nan))

    return RasterSource(read=read, crs=info["crs"], sample=sample,  # type: ignore[arg-type]
                        label=path.name)


def _optional(ws: Workspace, kind: str) -> gpd.GeoDataFrame | None:
    from layers.catalog import CATALOG

    if kind not in CATALOG or not ws.has(kind):
        return None
    data = ws.read(kind)
    if data is None or len(data) == 0:
        return None
    return data  # type: ignore[return-value]


def inputs_from_workspace(ws: Workspace) -> RestorationInputs:
    """Read the mines, inspections, tourism road, towns/counties and NDVI sources of ``ws``.

    ``mines`` is required; everything else is optional and its absence is noted.
    Towns come from a ``towns`` layer if the workspace has one, else from the
    representative points of the ``counties`` layer (county seats).
    """
    notes: list[Note] = []
    mines = ws.read("mines") if ws.has("mines") else None
    if mines is None:
        raise InputError(f"Workspace {ws.root} has no mines layer, which restoration needs.",
                         hint="Add mines = \"file.gpkg:layer\" under [layers] in workspace.toml.",
                         zh=f"工作区 {ws.root} 没有矿山修复图斑（mines）图层，修复跟踪需要该图层。",
                         hint_zh="请在 workspace.toml 的 [layers] 下添加 "
                         'mines = "file.gpkg:layer"。')
    inspections = ws.read("inspections") if ws.has("inspections") else None
    if inspections is None:
        notes.append(Note(
            "info", "no_inspections",
            "no inspections table: stages and restored areas come from the mines layer",
            "无巡查记录表：阶段与修复面积取自矿山图斑属性"))
    road = _optional(ws, "tourism_road")  # priorities() notes a missing one
    counties = _optional(ws, "counties")
    from layers.catalog import CATALOG

    towns = None
    if "towns" in CATALOG and ws.has("towns"):
        towns = ws.read("towns")
    elif counties is not None:
        towns = counties.copy()
        towns["geometry"] = counties.representative_point()
        if "name" not in towns.columns and "county" in towns.columns:
            towns["name"] = towns["county"]
        notes.append(Note(
            "info", "towns_approximated",
            "towns: county seats approximated by a point inside each county",
            "城镇：县城位置以各县域内的一个代表点近似"))
    ndvi = {epoch: file_source(path) for epoch, path in ws.ndvi_paths().items()}
    if not ndvi:
        notes.append(Note("info", "no_ndvi", "no NDVI rasters: vegetation columns are empty",
                          "无 NDVI 栅格：植被相关各列为空"))
    return RestorationInputs(mines=mines, inspections=inspections, tourism_road=road,  # type: ignore[arg-type]
                             towns=towns, counties=counties, ndvi=ndvi, notes=notes)
