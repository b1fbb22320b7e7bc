"""A small index of the displayed parcels: by id, by place, by name, and the view to open on.

Built once per workspace by :class:`~ui.map.data.MapData`; the map modules and
pages ask it instead of reaching into arrays.
"""

from __future__ import annotations

import math
import unicodedata
from collections.abc import Callable

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from gis.measure import centroids
from gis.webmercator import fit_zoom, merc_to_lonlat, merc_x, merc_y, pixel_m, zoom_for_pixel_m
from layers.palette import READINESS_ORDER
from ui.map.view import View

__all__ = ["CLICK_PX", "COLUMNS", "ParcelIndex"]

CLICK_PX = 24   # a typical parcel is at least this wide (pixels) on the opening view
MAX_OPEN_ZOOM = 17


def _fold(text: object) -> str:
    """Text for matching: NFKC (full-width → half-width), case-folded, spaces removed."""
    return "".join(unicodedata.normalize("NFKC", str(text)).casefold().split())


#: The index's columns as stored with the map data (:meth:`ParcelIndex.columns`).
COLUMNS = ("parcel_id", "mx", "my", "west", "south", "east", "north", "code")


class ParcelIndex:
    """Parcel ids, names, centroids (Web Mercator metres), boxes and readiness codes.

    Parameters
    ----------
    parcels
        WGS84 parcels with ``parcel_id`` (text), optionally ``name`` and ``readiness``.

    :meth:`stored` makes one from :meth:`columns` instead, the parcels themselves read
    only when a question needs their geometries or names (:meth:`at`, :meth:`search`).
    """

    ids: np.ndarray
    mx: np.ndarray
    my: np.ndarray
    codes: np.ndarray
    boxes: np.ndarray

    def __init__(self, parcels: gpd.GeoDataFrame | None) -> None:
        self._frame: Callable[[], gpd.GeoDataFrame | None] = lambda: parcels
        self._pos: dict[str, int] | None = None
        self._folded: tuple[list[str], list[str]] | None = None
        n = 0 if parcels is None else len(parcels)
        self.ids = np.empty(0, dtype=object)
        self.mx = self.my = np.empty(0)
        self.codes = np.empty(0, dtype="int8")
        self.boxes = np.empty((0, 4))
        if parcels is None or not n:
            return
        geoms = np.asarray(parcels.geometry.values)
        xy = centroids(geoms)
        self.mx, self.my = merc_x(xy[:, 0]), merc_y(xy[:, 1])
        self.boxes = shapely.bounds(geoms)
        self.ids = parcels["parcel_id"].astype(str).to_numpy(dtype=object)
        if "readiness" in parcels.columns:
            code = {k: i for i, k in enumerate(READINESS_ORDER)}
            self.codes = (parcels["readiness"].map(code).fillna(len(READINESS_ORDER) - 1)
                          .to_numpy(dtype="int8"))
        else:
            self.codes = np.full(n, len(READINESS_ORDER) - 1, dtype="int8")

    @classmethod
    def stored(cls, columns: pd.DataFrame, parcels: Callable[[], gpd.GeoDataFrame | None]
               ) -> ParcelIndex:
        """The index of :meth:`columns`; ``parcels()`` gives the parcels when first needed
        (the same rows in the same order)."""
        missing = [c for c in COLUMNS if c not in columns.columns]
        if missing:
            raise ValueError(f"parcel index without columns {missing}")
        index = cls(None)
        index._frame = parcels
        index.ids = columns["parcel_id"].to_numpy(dtype=object)
        index.mx = columns["mx"].to_numpy(dtype=float)
        index.my = columns["my"].to_numpy(dtype=float)
        index.boxes = columns[["west", "south", "east", "north"]].to_numpy(dtype=float)
        index.codes = columns["code"].to_numpy(dtype="int8")
        return index

    def columns(self) -> pd.DataFrame:
        """The index as a frame of :data:`COLUMNS` (for :meth:`stored`)."""
        w, s, e, n = self.boxes.T
        return pd.DataFrame({"parcel_id": self.ids, "mx": self.mx, "my": self.my, "west": w,
                             "south": s, "east": e, "north": n, "code": self.codes},
                            columns=list(COLUMNS))

    @property
    def parcels(self) -> gpd.GeoDataFrame | None:
        """The parcels indexed (read on first use when the index was :meth:`stored`)."""
        return self._frame()

    def __len__(self) -> int:
        return len(self.ids)

    def __contains__(self, parcel_id: object) -> bool:
        return str(parcel_id) in self._positions()

    def position(self, parcel_id: object) -> int | None:
        """Row of ``parcel_id`` in the parcels (``None`` if unknown)."""
        return self._positions().get(str(parcel_id))

    def _positions(self) -> dict[str, int]:
        """Id → row (built on the first look-up)."""
        if self._pos is None:
            self._pos = {p: i for i, p in enumerate(self.ids)}
        return self._pos

    def in_box(self, west: float, south: float, east: float, north: float) -> np.ndarray:
        """Which parcels have their centroid in the box (degrees): a boolean mask."""
        return ((self.mx >= merc_x(west)) & (self.mx <= merc_x(east))
                & (self.my >= merc_y(south)) & (self.my <= merc_y(north)))

    def at(self, lon: float, lat: float) -> str | None:
        """The id of the parcel containing the point (WGS84), the first one if several."""
        parcels = self.parcels
        if parcels is None or not len(self):
            return None
        hits = parcels.sindex.query(shapely.Point(lon, lat), predicate="intersects")
        return str(self.ids[int(np.min(hits))]) if len(hits) else None

    def bounds(self, parcel_id: object) -> tuple[float, float, float, float] | None:
        """(west, south, east, north) of one parcel in degrees; ``None`` if unknown."""
        pos = self.position(parcel_id)
        if pos is None:
            return None
        w, s, e, n = self.boxes[pos]
        return float(w), float(s), float(e), float(n)

    def search(self, query: str, *, limit: int = 20) -> list[str]:
        """Parcel ids matching ``query`` (an id or part of a name), best first.

        Order: the exact id, ids starting with the query, the exact name, then
        ids and names containing it. Case, full-width characters and spaces are
        ignored, so ``gx-0106-1`` finds ``GX-0106-1`` and ``A6-1号`` finds
        ``高新区A6-1号地块``.
        """
        q = _fold(query)
        if not q or not len(self):
            return []
        ids, names = self._folded_text()
        ranked: list[tuple[int, int]] = []
        for i, (pid, name) in enumerate(zip(ids, names, strict=True)):
            if pid == q:
                rank = 0
            elif pid.startswith(q):
                rank = 1
            elif name and name == q:
                rank = 2
            elif q in pid or (name and q in name):
                rank = 3
            else:
                continue
            ranked.append((rank, i))
        ranked.sort()
        return [str(self.ids[i]) for _, i in ranked[:limit]]

    def _folded_text(self) -> tuple[list[str], list[str]]:
        """Ids and names folded for matching (built on the first search)."""
        if self._folded is None:
            parcels = self.parcels
            names = (parcels["name"] if parcels is not None and "name" in parcels.columns
                     else [None] * len(self))
            self._folded = ([_fold(p) for p in self.ids],
                            ["" if v is None or pd.isna(v) else _fold(v) for v in names])
        return self._folded

    def typical_size_m(self) -> float:
        """The median parcel width or height, whichever larger, in Web Mercator metres."""
        w = merc_x(self.boxes[:, 2]) - merc_x(self.boxes[:, 0])
        h = merc_y(self.boxes[:, 3]) - merc_y(self.boxes[:, 1])
        return float(np.median(np.maximum(w, h)))

    def opening_view(self, home: tuple[float, float, float, float], px: tuple[int, int]
                     ) -> View:
        """The view a map of ``px`` pixels opens on: ``home`` when its parcels are big enough
        to click there, else the busiest window at a zoom where they are ``CLICK_PX`` wide."""
        z_fit = fit_zoom(home, px)
        if not len(self):
            return _window(home, z_fit)
        size = self.typical_size_m()
        z_click = min(MAX_OPEN_ZOOM, math.ceil(zoom_for_pixel_m(max(size, 1e-3) / CLICK_PX)))
        if z_fit >= z_click:
            return _window(home, z_fit)
        win_w, win_h = px[0] * pixel_m(z_click), px[1] * pixel_m(z_click)
        i = np.floor((self.mx - self.mx.min()) / win_w).astype("int64")
        j = np.floor((self.my - self.my.min()) / win_h).astype("int64")
        cell = i * (int(j.max()) + 1) + j
        cells, counts = np.unique(cell, return_counts=True)
        busiest = cell == cells[int(np.argmax(counts))]
        cx, cy = float(self.mx[busiest].mean()), float(self.my[busiest].mean())
        lon, lat = merc_to_lonlat(np.array([cx - win_w / 2, cx + win_w / 2]),
                                  np.array([cy - win_h / 2, cy + win_h / 2]))
        return View(float(lon[0]), float(lat[0]), float(lon[1]), float(lat[1]), z_click)


def _window(bounds: tuple[float, float, float, float], zoom: int) -> View:
    west, south, east, north = bounds
    return View(west, south, east, north, zoom)
