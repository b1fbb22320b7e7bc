"""Is imported data where the workspace is? The extent check behind ``--allow-outside``.

The workspace extent is the bounding box of its ``counties`` and ``zones`` layers
(of ``parcels`` when it has neither), grown by :data:`MARGIN_M`. Features lying
wholly outside it are nearly always a CRS mistake (a wrong ``--crs`` shifts data by
hundreds of kilometres) or the wrong file, so the import is refused with where they
landed; data that really lies there goes in with ``allow_outside``.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import geopandas as gpd
import numpy as np
import pyproj
import shapely

from gis.errors import CRSError

__all__ = ["MARGIN_M", "Outside", "check_extent", "find_outside", "workspace_extent"]

MARGIN_M = 20_000.0
_Box = tuple[float, float, float, float]


@dataclass(frozen=True)
class Outside:
    """Features found outside the workspace extent.

    Attributes
    ----------
    count, total : int
        Features outside, and features checked.
    lon, lat : float or None
        Centre of the outside features' bounds in degrees (WGS 84); ``None`` when
        their coordinates cannot be placed at all (infinite after reprojection).
    distance_km : float or None
        Distance from that centre to the nearest point of the workspace extent (not
        grown), on the WGS 84 ellipsoid, in km.
    """

    count: int
    total: int
    lon: float | None
    lat: float | None
    distance_km: float | None

    def where(self) -> str:
        """``"116.40E 39.90N"`` (or ``"an unplaceable position"``)."""
        if self.lon is None or self.lat is None:
            return "an unplaceable position"
        ew = "E" if self.lon >= 0 else "W"
        ns = "N" if self.lat >= 0 else "S"
        return f"{abs(self.lon):.2f}{ew} {abs(self.lat):.2f}{ns}"

    def where_zh(self) -> str:
        """``"东经 116.40°、北纬 39.90°"``."""
        if self.lon is None or self.lat is None:
            return "无法定位的位置"
        ew = "东经" if self.lon >= 0 else "西经"
        ns = "北纬" if self.lat >= 0 else "南纬"
        return f"{ew} {abs(self.lon):.2f}°、{ns} {abs(self.lat):.2f}°"


def workspace_extent(layers: Sequence[gpd.GeoDataFrame | None]) -> _Box | None:
    """Bounding box ``(minx, miny, maxx, maxy)`` of the given reference layers.

    Layers that are ``None`` or empty are skipped; ``None`` when nothing is left.
    All layers must be in one CRS.
    """
    boxes = [np.asarray(g.total_bounds, dtype=float) for g in layers
             if g is not None and len(g) and not g.geometry.is_empty.all()]
    boxes = [b for b in boxes if np.isfinite(b).all()]
    if not boxes:
        return None
    stack = np.vstack(boxes)
    return (float(stack[:, 0].min()), float(stack[:, 1].min()),
            float(stack[:, 2].max()), float(stack[:, 3].max()))


def find_outside(gdf: gpd.GeoDataFrame, extent: _Box, *,
                 margin_m: float = MARGIN_M) -> Outside | None:
    """Features of ``gdf`` whose bounds do not touch ``extent`` grown by ``margin_m``.

    ``gdf`` and ``extent`` are in the same metric CRS (the workspace's analysis CRS).
    Returns ``None`` when every feature reaches into the grown extent.

    Examples
    --------
    >>> import shapely
    >>> far = gpd.GeoDataFrame(geometry=[shapely.box(0, 0, 10, 10),
    ...                                  shapely.box(500_000, 0, 500_010, 10)], crs=3857)
    >>> out = find_outside(far, (0.0, 0.0, 1000.0, 1000.0))
    >>> out.count, round(out.distance_km)
    (1, 499)
    """
    if len(gdf) == 0:
        return None
    minx, miny, maxx, maxy = extent
    bounds = shapely.bounds(np.asarray(gdf.geometry.values, dtype=object))
    finite = np.isfinite(bounds).all(axis=1)
    inside = finite & (
        (bounds[:, 2] >= minx - margin_m) & (bounds[:, 0] <= maxx + margin_m)
        & (bounds[:, 3] >= miny - margin_m) & (bounds[:, 1] <= maxy + margin_m)
    )
    if inside.all():
        return None
    out = bounds[~inside & finite]
    if len(out) == 0:
        return Outside(int((~inside).sum()), len(gdf), None, None, None)
    cx = (out[:, 0].min() + out[:, 2].max()) / 2
    cy = (out[:, 1].min() + out[:, 3].max()) / 2
    # the extent's nearest point, then the distance on the ellipsoid: a metric CRS is
    # badly distorted a continent away from its central meridian
    nx, ny = min(max(cx, minx), maxx), min(max(cy, miny), maxy)
    count = int((~inside).sum())
    if gdf.crs is None:
        return Outside(count, len(gdf), None, None, math.hypot(cx - nx, cy - ny) / 1000.0)
    tr = pyproj.Transformer.from_crs(gdf.crs, 4326, always_xy=True)
    (lon, near_lon), (lat, near_lat) = tr.transform([cx, nx], [cy, ny])
    if not all(math.isfinite(v) for v in (lon, lat, near_lon, near_lat)):
        return Outside(count, len(gdf), None, None, math.hypot(cx - nx, cy - ny) / 1000.0)
    _, _, metres = pyproj.Geod(ellps="WGS84").inv(near_lon, near_lat, lon, lat)
    return Outside(count, len(gdf), float(lon), float(lat), float(metres) / 1000.0)


def check_extent(gdf: gpd.GeoDataFrame, extent: _Box | None, *, display: str,
                 reference: str, reference_zh: str, margin_m: float = MARGIN_M) -> None:
    """Raise :class:`CRSError` when features of ``gdf`` lie outside the grown ``extent``.

    Parameters
    ----------
    gdf
        The features to import, in the workspace's analysis CRS.
    extent
        :func:`workspace_extent` of the workspace (``None``: nothing to compare, no check).
    display
        The file's name for the message.
    reference, reference_zh
        What the extent was taken from ("its counties and zones" / "县区和开发区").
    """
    if extent is None:
        return
    out = find_outside(gdf, extent, margin_m=margin_m)
    if out is None:
        return
    km = margin_m / 1000
    if out.lon is None or out.distance_km is None:
        landed = "at coordinates that cannot be placed on the map"
        landed_zh = "无法在地图上定位的坐标处"
    else:
        landed = f"around {out.where()} — about {out.distance_km:,.0f} km from the workspace"
        landed_zh = f"{out.where_zh()}附近，距工作区约 {out.distance_km:,.0f} 公里"
    raise CRSError(
        f"{display}: {out.count} of {out.total} feature(s) lie outside the workspace extent "
        f"({reference} grown by {km:g} km): they landed {landed}; is the CRS right?",
        hint="Check the file's CRS (its .prj, or the CRS given with --crs); if the data "
        "really lies there, import it with --allow-outside (in the app: tick “Allow data "
        "outside the workspace”).",
        zh=f"{display}：{out.total} 个要素中有 {out.count} 个位于工作区范围（{reference_zh}"
        f"外扩 {km:g} 公里）之外，落在{landed_zh}；坐标系是否正确？",
        hint_zh="请检查文件的坐标系（.prj 文件或 --crs 指定的坐标系）；如果数据确实位于该处，"
        "请使用 --allow-outside（界面中勾选“允许超出工作区范围”）导入。",
    )
