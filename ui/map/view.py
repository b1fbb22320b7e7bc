"""The map's view: the extent and zoom ``st_folium`` reports, and the view the map opens on."""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

__all__ = ["DETAIL_ZOOM", "HOME_PX", "View"]

DETAIL_ZOOM = 13          # below it parcels are drawn only when few; else summarised
HOME_PX = (480, 420)      # the narrowest map the pages show: the first view fits in it


@dataclass(frozen=True)
class View:
    """The map's visible extent (degrees) and zoom, as ``st_folium`` reports them."""

    west: float
    south: float
    east: float
    north: float
    zoom: int

    @classmethod
    def from_st_folium(cls, returned: Mapping[str, Any] | None) -> View | None:
        """Read ``bounds``/``zoom`` from ``st_folium``'s return value; ``None`` if absent."""
        if not returned:
            return None
        b, zoom = returned.get("bounds"), returned.get("zoom")
        try:
            sw, ne = b["_southWest"], b["_northEast"]
            view = cls(float(sw["lng"]), float(sw["lat"]), float(ne["lng"]), float(ne["lat"]),
                       int(zoom))
        except (KeyError, TypeError, ValueError):
            return None
        if not all(map(math.isfinite, (view.west, view.south, view.east, view.north))):
            return None
        return view

    @property
    def center(self) -> tuple[float, float]:
        """(lat, lon) of the middle of the view."""
        return (self.south + self.north) / 2, (self.west + self.east) / 2

    def padded(self, frac: float = 0.2) -> tuple[float, float, float, float]:
        """The extent grown by ``frac`` of its size on every side (west, south, east, north)."""
        dx, dy = (self.east - self.west) * frac, (self.north - self.south) * frac
        return self.west - dx, self.south - dy, self.east + dx, self.north + dy
