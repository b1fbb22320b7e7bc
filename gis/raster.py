"""Raster access and raster maths: windowed reads, slope, hillshade, zonal statistics.

Readers return :class:`Raster` (array, transform, crs, nodata) so the maths below
works on plain arrays, as rasterstats does; only :func:`read_raster` touches disk.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
from affine import Affine

from gis.errors import InputError

__all__ = ["Raster", "hillshade", "raster_info", "read_raster", "slope_degrees"]


@dataclass(frozen=True)
class Raster:
    """A single-band raster in memory; masked cells (nodata) are ``nan`` in ``array``."""

    array: np.ndarray  # float64, nan where nodata
    transform: Affine
    crs: str | None
    nodata: float | None = None

    @property
    def shape(self) -> tuple[int, int]:
        return self.array.shape  # type: ignore[return-value]

    @property
    def cell_size(self) -> tuple[float, float]:
        return abs(self.transform.a), abs(self.transform.e)

    @property
    def bounds(self) -> tuple[float, float, float, float]:
        h, w = self.shape
        # `@`, not `*`: affine ≥ 3.1 warns on `*` (pytest turns warnings into errors)
        x0, y0 = self.transform @ (0, 0)
        x1, y1 = self.transform @ (w, h)
        return min(x0, x1), min(y0, y1), max(x0, x1), max(y0, y1)


def _open_error(path: Path, exc: Exception) -> InputError:
    return InputError(f"Cannot open raster {path}: {exc}.",
                      hint="Check that the file exists and is a GeoTIFF.",
                      zh=f"无法打开栅格 {path}：{exc}。",
                      hint_zh="请检查文件是否存在、是否为 GeoTIFF 格式。")


def raster_info(path: str | Path) -> dict[str, object]:
    """Size, CRS, bounds and nodata of a raster file without reading its cells."""
    import rasterio

    path = Path(path)
    try:
        with rasterio.open(path) as src:
            return {
                "width": src.width, "height": src.height, "crs": src.crs.to_string()
                if src.crs else None, "bounds": tuple(src.bounds), "nodata": src.nodata,
                "res": src.res, "dtype": src.dtypes[0],
            }
    except rasterio.errors.RasterioIOError as exc:
        raise _open_error(path, exc) from exc


def read_raster(path: str | Path, *, bounds: tuple[float, float, float, float] | None = None,
                pad_cells: int = 1) -> Raster:
    """Read band 1 of ``path``, optionally only the window covering ``bounds``.

    ``bounds`` are in the raster's own CRS; the window is padded by ``pad_cells``
    so neighbourhood operations (slope) are correct at the edges of the window.
    """
    import rasterio
    from rasterio.windows import Window, from_bounds

    path = Path(path)
    try:
        src = rasterio.open(path)
    except rasterio.errors.RasterioIOError as exc:
        raise _open_error(path, exc) from exc
    with src:
        window = None
        if bounds is not None:
            w = from_bounds(*bounds, transform=src.transform)
            col0 = max(int(np.floor(w.col_off)) - pad_cells, 0)
            row0 = max(int(np.floor(w.row_off)) - pad_cells, 0)
            col1 = min(int(np.ceil(w.col_off + w.width)) + pad_cells, src.width)
            row1 = min(int(np.ceil(w.row_off + w.height)) + pad_cells, src.height)
            if col1 <= col0 or row1 <= row0:
                empty = np.full((0, 0), np.nan)
                return Raster(empty, src.transform, _crs(src), src.nodata)
            window = Window(col0, row0, col1 - col0, row1 - row0)
        data = src.read(1, window=window, masked=True)
        # not src.window_transform(): rasterio 1.4 uses affine's deprecated `*` there
        transform = (src.transform @ Affine.translation(window.col_off, window.row_off)
                     if window is not None else src.transform)
        arr = np.asarray(data.filled(np.nan) if data.dtype.kind == "f"
                         else data.astype("float64").filled(np.nan), dtype="float64")
        return Raster(arr, transform, _crs(src), src.nodata)


def _crs(src: object) -> str | None:
    crs = getattr(src, "crs", None)
    return crs.to_string() if crs else None


def _horn_gradients(z: np.ndarray, dx: float, dy: float) -> tuple[np.ndarray, np.ndarray]:
    """dz/dx and dz/dy by Horn's 3×3 kernel; rows run north to south."""
    p = np.pad(z, 1, mode="edge")
    a, b, c = p[:-2, :-2], p[:-2, 1:-1], p[:-2, 2:]
    d, f = p[1:-1, :-2], p[1:-1, 2:]
    g, h, i = p[2:, :-2], p[2:, 1:-1], p[2:, 2:]
    dzdx = ((c + 2 * f + i) - (a + 2 * d + g)) / (8 * dx)
    dzdy = ((g + 2 * h + i) - (a + 2 * b + c)) / (8 * dy)
    return dzdx, dzdy


def slope_degrees(dem: Raster) -> Raster:
    """Slope in degrees by Horn's method, as ``gdaldem slope`` (edges use nearest values).

    Cells next to nodata get nan, as gdaldem does without ``-compute_edges``.
    """
    z = dem.array
    if z.size == 0:
        return dem
    dzdx, dzdy = _horn_gradients(z, *dem.cell_size)
    slope = np.degrees(np.arctan(np.hypot(dzdx, dzdy)))
    return Raster(slope, dem.transform, dem.crs, None)


def hillshade(dem: Raster, *, azimuth: float = 315.0, altitude: float = 45.0,
              z_factor: float = 1.0) -> np.ndarray:
    """Hillshade (0–255, uint8) as ``gdaldem hillshade``; nodata cells are 0."""
    z = dem.array * z_factor
    dzdx, dzdy = _horn_gradients(z, *dem.cell_size)
    slope = np.arctan(np.hypot(dzdx, dzdy))
    aspect = np.arctan2(dzdy, -dzdx)
    zen = np.radians(90.0 - altitude)
    az = np.radians(360.0 - azimuth + 90.0)
    shade = np.cos(zen) * np.cos(slope) + np.sin(zen) * np.sin(slope) * np.cos(az - aspect)
    out = np.clip(shade * 255.0, 0, 255)
    return np.where(np.isnan(out), 0, out).astype("uint8")
