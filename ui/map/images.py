"""Rasters as image overlays in Web Mercator: DEM hillshade (JPEG), 5G coverage classes (PNG)."""

from __future__ import annotations

import base64
import io
import math
from dataclasses import dataclass

import numpy as np

from gis.raster import Raster, hillshade
from gis.webmercator import merc_to_lonlat
from ui.map.styles import COVERAGE_CLASSES

__all__ = ["NODATA_GREY", "ImageLayer", "coverage_image", "hillshade_image"]

NODATA_GREY = 0xDD  # Leaflet's background: cells without elevation blend into it


@dataclass(frozen=True)
class ImageLayer:
    """A raster drawn as an image overlay: PNG data URL and its (south, west, north, east)."""

    key: str
    url: str
    bounds: tuple[float, float, float, float]
    opacity: float = 1.0

    @property
    def nbytes(self) -> int:
        return len(self.url)


def _to_web_mercator(r: Raster, *, max_px: int, resampling: str) -> tuple[np.ndarray, tuple]:
    """Reproject a raster to EPSG:3857 at most ``max_px`` wide/high; nan outside the data."""
    from affine import Affine
    from rasterio.warp import Resampling, calculate_default_transform, reproject

    if r.crs is None:
        raise ValueError("raster has no CRS")
    arr, transform = r.array, r.transform
    h, w = arr.shape
    step = max(1, math.ceil(max(h, w) / (2 * max_px)))  # decimate huge rasters first
    if step > 1:
        arr = arr[::step, ::step]
        transform = transform @ Affine.scale(step)
        h, w = arr.shape
    left, top = transform @ (0, 0)
    right, bottom = transform @ (w, h)
    _, dw, dh = calculate_default_transform(r.crs, "EPSG:3857", w, h, min(left, right),
                                            min(top, bottom), max(left, right), max(top, bottom))
    scale = max(dw, dh) / max_px
    if scale > 1:
        dw, dh = max(1, round(dw / scale)), max(1, round(dh / scale))
    dst_transform, dw, dh = calculate_default_transform(
        r.crs, "EPSG:3857", w, h, min(left, right), min(top, bottom), max(left, right),
        max(top, bottom), dst_width=dw, dst_height=dh)
    out = np.full((dh, dw), np.nan, dtype="float64")
    reproject(np.ascontiguousarray(arr, dtype="float64"), out, src_transform=transform,
              src_crs=r.crs, dst_transform=dst_transform, dst_crs="EPSG:3857",
              resampling=getattr(Resampling, resampling), src_nodata=np.nan, dst_nodata=np.nan)
    x0, y0 = dst_transform @ (0, 0)
    x1, y1 = dst_transform @ (dw, dh)
    lon, lat = merc_to_lonlat(np.array([x0, x1]), np.array([y0, y1]))
    bounds = (float(min(lat)), float(min(lon)), float(max(lat)), float(max(lon)))
    return out, bounds


def _png_data_url(rgba: np.ndarray) -> str:
    from PIL import Image

    mode = {2: "LA", 4: "RGBA"}[rgba.shape[2]]
    buf = io.BytesIO()
    Image.fromarray(np.ascontiguousarray(rgba, dtype="uint8"), mode=mode).save(
        buf, format="PNG", optimize=True)
    return "data:image/png;base64," + base64.b64encode(buf.getvalue()).decode("ascii")


def hillshade_image(dem: Raster, *, max_px: int = 1024, quality: int = 75) -> ImageLayer:
    """The DEM's hillshade (as ``gdaldem hillshade``), light grey, as a JPEG in Web Mercator.

    JPEG keeps a noisy relief ~6× smaller than PNG (≈120 KB for 1024 px), which
    matters because the image is sent with every render; cells without elevation
    take Leaflet's background grey instead of transparency.
    """
    from PIL import Image

    shade = hillshade(dem).astype("float64")
    shade[np.isnan(dem.array)] = np.nan
    merc, bounds = _to_web_mercator(Raster(shade, dem.transform, dem.crs, None),
                                    max_px=max_px, resampling="bilinear")
    grey = np.where(np.isfinite(merc), 90.0 + np.nan_to_num(merc) * (165.0 / 255.0),
                    NODATA_GREY).astype("uint8")
    buf = io.BytesIO()
    Image.fromarray(grey, mode="L").save(buf, format="JPEG", quality=quality)
    url = "data:image/jpeg;base64," + base64.b64encode(buf.getvalue()).decode("ascii")
    return ImageLayer("hillshade", url, bounds, opacity=1.0)


def coverage_image(coverage: Raster, *, max_px: int = 1024) -> ImageLayer:
    """5G signal strength (RSRP, dBm) in four classes, as a semi-transparent PNG overlay."""
    merc, bounds = _to_web_mercator(coverage, max_px=max_px, resampling="nearest")
    rgba = np.zeros((*merc.shape, 4), dtype="uint8")
    valid = np.isfinite(merc)
    assigned = np.zeros(merc.shape, dtype=bool)
    for lower, colour, _ in COVERAGE_CLASSES:
        sel = valid & ~assigned & (np.nan_to_num(merc, nan=-math.inf) >= lower)
        rgba[sel, :3] = [int(colour[i:i + 2], 16) for i in (1, 3, 5)]
        rgba[sel, 3] = 255
        assigned |= sel
    return ImageLayer("coverage_5g", _png_data_url(rgba), bounds, opacity=0.45)
