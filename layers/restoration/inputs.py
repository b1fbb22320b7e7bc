"""What the restoration tracker evaluates, and how to gather it from a workspace."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import geopandas as gpd
import pandas as pd

from gis.io import Note
from gis.raster import RasterSource

if TYPE_CHECKING:
    from layers.workspace import Workspace

__all__ = ["Note", "RestorationInputs", "inputs_from_workspace"]


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
        NDVI rasters by epoch label (``"2020"``, ``"2025"``), in any order:
        :class:`~gis.raster.RasterSource` s, or what :meth:`RasterSource.of
        <gis.raster.RasterSource.of>` takes (an in-memory :class:`~gis.raster.Raster`,
        a file path).
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
    ndvi: dict[str, Any] = field(default_factory=dict)
    notes: list[Note] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.ndvi = {e: RasterSource.of(r, name=e) for e, r in self.ndvi.items()}


def _optional(ws: Workspace, kind: str) -> gpd.GeoDataFrame | None:
    from layers.catalog import CATALOG

    if kind not in CATALOG or not ws.has(kind):
        return None
    data = ws.read(kind)
    if data is None or len(data) == 0:
        return None
    return data


def inputs_from_workspace(ws: Workspace) -> RestorationInputs:
    """Read the mines, inspections, tourism road, towns/counties and NDVI sources of ``ws``.

    ``mines`` is required; everything else is optional and its absence is noted.
    Towns come from a ``towns`` layer if the workspace has one, else from the
    representative points of the ``counties`` layer (county seats).
    """
    notes: list[Note] = []
    mines = ws.read_required("mines", needed_for="restoration", needed_for_zh="修复跟踪")
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
    ndvi = {epoch: RasterSource.from_file(path) for epoch, path in ws.ndvi_paths().items()}
    if not ndvi:
        notes.append(Note("info", "no_ndvi", "no NDVI rasters: vegetation columns are empty",
                          "无 NDVI 栅格：植被相关各列为空"))
    return RestorationInputs(mines=mines, inspections=inspections, tourism_road=road,
                             towns=towns, counties=counties, ndvi=ndvi, notes=notes)
