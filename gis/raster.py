"""Raster access and raster maths: windowed reads, slope, hillshade.

:class:`RasterSource` is the one way to a raster, as rasterstats' ``io.Raster``:
it holds an in-memory ``(array, transform, crs, nodata)`` or a file path, reports
its CRS, cell size and bounds, and reads the window covering some bounds as a
:class:`Raster`. Only this module opens raster files. The maths below works on
plain arrays.
"""

from __future__ import annotations

import os
import threading
from collections import OrderedDict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
from affine import Affine

from gis.errors import InputError

__all__ = [
    "Bounds",
    "Raster",
    "RasterSource",
    "hillshade",
    "read_raster",
    "slope_degrees",
    "window_cells",
]

Bounds = tuple[float, float, float, float]


@dataclass(frozen=True)
class Raster:
    """A single-band raster in memory; masked cells (nodata) are ``nan`` in ``array``."""

    array: np.ndarray  # float64, nan where nodata
    transform: Affine
    crs: str | None
    nodata: float | None = None

    @property
    def shape(self) -> tuple[int, int]:
        return self.array.shape

    @property
    def cell_size(self) -> tuple[float, float]:
        return abs(self.transform.a), abs(self.transform.e)

    @property
    def bounds(self) -> Bounds:
        return _grid_bounds(self.transform, self.shape)

    def window(self, bounds: Bounds, *, pad_cells: int = 0) -> Raster:
        """The cells touching ``bounds`` (plus ``pad_cells`` around), as a raster of its own.

        An empty array means ``bounds`` lie outside the raster.

        Examples
        --------
        >>> r = Raster(np.arange(16.0).reshape(4, 4), Affine(10, 0, 0, 0, -10, 40), "EPSG:4547")
        >>> r.window((0, 0, 20, 20)).array.tolist()
        [[8.0, 9.0], [12.0, 13.0]]
        """
        r0, r1, c0, c1 = window_cells(self.transform, self.shape, bounds, pad=pad_cells)
        if r1 <= r0 or c1 <= c0:
            return self._empty()
        return Raster(self.array[r0:r1, c0:c1], self.transform @ Affine.translation(c0, r0),
                      self.crs, self.nodata)

    def _empty(self) -> Raster:
        return Raster(np.full((0, 0), np.nan), self.transform, self.crs, self.nodata)


def _grid_bounds(transform: Affine, shape: tuple[int, ...]) -> Bounds:
    h, w = shape[:2]
    # `@`, not `*`: affine ≥ 3.1 warns on `*` (pytest turns warnings into errors)
    x0, y0 = transform @ (0, 0)
    x1, y1 = transform @ (w, h)
    return min(x0, x1), min(y0, y1), max(x0, x1), max(y0, y1)


def window_cells(transform: Affine, shape: tuple[int, ...], bounds: Bounds, *, pad: int = 0
                 ) -> tuple[int, int, int, int]:
    """Rows and columns ``(r0, r1, c0, c1)`` of the cells of a grid that touch ``bounds``.

    The window grows by ``pad`` cells on each side (so slopes at its edge see their
    neighbours) and is clipped to the grid; ``r1 <= r0`` or ``c1 <= c0`` means
    ``bounds`` lie outside. Only north-up grids are supported.
    """
    t = transform
    if t.b != 0 or t.d != 0 or t.a <= 0 or t.e >= 0:
        raise InputError("Rotated or south-up rasters are not supported.",
                         hint="Warp the raster to a north-up grid (gdalwarp) first.",
                         zh="不支持旋转或南向朝上的栅格。",
                         hint_zh="请先用 gdalwarp 将栅格重采样为北向朝上的格网。")
    h, w = shape[:2]
    minx, miny, maxx, maxy = bounds
    c0 = max(int(np.floor((minx - t.c) / t.a)) - pad, 0)
    c1 = min(int(np.ceil((maxx - t.c) / t.a)) + pad, w)
    r0 = max(int(np.floor((maxy - t.f) / t.e)) - pad, 0)
    r1 = min(int(np.ceil((miny - t.f) / t.e)) + pad, h)
    return r0, max(r1, r0), c0, max(c1, c0)


class _TileCache:
    """Decoded tiles of one raster file, least recently used dropped beyond ``max_bytes``.

    A tile is a block of the file (or a few, for small blocks) as float (nan = masked).
    Chunks of parcels that share a tile then decode it once. The cache empties when the
    file's size or modification time changes; threads may share it; copies start empty.
    """

    def __init__(self, max_bytes: int = 64 * 2**20) -> None:
        self.max_bytes = max_bytes
        self._tiles: OrderedDict[tuple[int, int], np.ndarray] = OrderedDict()
        self._bytes = 0
        self._stamp: tuple[int, int] | None = None
        self._lock = threading.Lock()

    def __getstate__(self) -> dict[str, Any]:
        return {"max_bytes": self.max_bytes}

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__init__(state["max_bytes"])  # type: ignore[misc]

    def check(self, path: Path) -> None:
        """Forget every tile if the file changed since they were read."""
        st = os.stat(path)
        stamp = (st.st_mtime_ns, st.st_size)
        with self._lock:
            if stamp != self._stamp:
                self._tiles.clear()
                self._bytes = 0
                self._stamp = stamp

    def get(self, key: tuple[int, int]) -> np.ndarray | None:
        with self._lock:
            tile = self._tiles.get(key)
            if tile is not None:
                self._tiles.move_to_end(key)
            return tile

    def put(self, key: tuple[int, int], tile: np.ndarray) -> None:
        with self._lock:
            if key in self._tiles:
                return
            self._tiles[key] = tile
            self._bytes += tile.nbytes
            while self._bytes > self.max_bytes and len(self._tiles) > 1:
                _, old = self._tiles.popitem(last=False)
                self._bytes -= old.nbytes


_TILE_SIDE = 256           # cells: small blocks are grouped into tiles about this big
_TILE_MAX_CELLS = 2**20    # files with bigger blocks (e.g. one strip) are read directly
# band types whose every value a float32 holds exactly (tiles of these are kept as float32)
_EXACT_IN_FLOAT32 = ("float32", "int8", "uint8", "int16", "uint16")


@dataclass(frozen=True, eq=False)
class RasterSource:
    """Band 1 of a raster, in memory or in a file, read window by window.

    As rasterstats' ``io.Raster``: build it from an in-memory ``(array, transform,
    crs, nodata)`` with :meth:`from_array` or from a GeoTIFF with :meth:`from_file`
    (nothing is read until asked); :meth:`of` takes either. Windows are read by
    bounds in the raster's own CRS (:meth:`read`); :attr:`crs`, :attr:`cell_size`
    and :attr:`bounds` describe the grid. A file is opened per read, so one source
    may be shared by threads; the tiles it decodes are kept (up to 64 MB, until the file
    changes), so windows that overlap decode them once.

    Examples
    --------
    >>> src = RasterSource.from_array(np.arange(9.0).reshape(3, 3),
    ...                               Affine(10, 0, 0, 0, -10, 30), "EPSG:4547", nodata=4.0)
    >>> src.read((0, 0, 10, 10)).array.tolist()
    [[6.0]]
    >>> src.read((0, 0, 10, 10), pad_cells=1).array.tolist()
    [[3.0, nan], [6.0, 7.0]]
    >>> src.bounds, src.cell_size
    ((0.0, 0.0, 30.0, 30.0), (10.0, 10.0))
    """

    path: Path | None = None
    raster: Raster | None = field(default=None, repr=False)
    label: str = ""
    _meta: dict[str, Any] = field(default_factory=dict, repr=False)
    _tiles: _TileCache = field(default_factory=_TileCache, repr=False)

    def __post_init__(self) -> None:
        if (self.path is None) == (self.raster is None):
            raise ValueError("RasterSource needs exactly one of path= and raster=.")

    @classmethod
    def from_array(cls, array: np.ndarray | Raster, transform: Affine | None = None,
                   crs: Any = None, nodata: float | None = None, *,
                   label: str = "array") -> RasterSource:
        """A raster held in memory; cells equal to ``nodata`` (and nan) are masked.

        ``array`` may be a :class:`Raster` already (then the other arguments are unused).
        """
        if isinstance(array, Raster):
            return cls(raster=array, label=label)
        if transform is None:
            raise ValueError("from_array needs the array's transform.")
        arr = np.array(array, dtype="float64")
        if nodata is not None and not np.isnan(nodata):
            arr[arr == nodata] = np.nan
        return cls(raster=Raster(arr, transform, _crs_text(crs), nodata), label=label)

    @classmethod
    def from_file(cls, path: str | Path, *, label: str | None = None) -> RasterSource:
        """A raster file (GeoTIFF), read window by window; nothing is read here."""
        path = Path(path)
        return cls(path=path, label=path.name if label is None else label)

    @classmethod
    def of(cls, obj: Any, *, name: str = "raster") -> RasterSource:
        """``obj`` as a source: a :class:`RasterSource`, a :class:`Raster` or a file path."""
        if isinstance(obj, RasterSource):
            return obj
        if isinstance(obj, Raster):
            return cls.from_array(obj, label=name)
        if isinstance(obj, str | Path):
            return cls.from_file(obj)
        raise InputError(f"Raster {name!r} must be a RasterSource, a Raster or a file path, "
                         f"not {type(obj).__name__}.",
                         zh=f"栅格 {name!r} 应为 RasterSource、Raster 或文件路径，"
                         f"而不是 {type(obj).__name__}。")

    # ---------------------------------------------------------------- the grid
    def _info(self) -> dict[str, Any]:
        if self.raster is not None:
            r = self.raster
            return {"crs": r.crs, "transform": r.transform, "shape": r.shape,
                    "nodata": r.nodata}
        if not self._meta:
            with _open(self.path) as src:  # type: ignore[arg-type]
                self._meta.update(crs=_crs(src), transform=src.transform,
                                  shape=(src.height, src.width), nodata=src.nodata)
        return self._meta

    @property
    def crs(self) -> str | None:
        """The raster's CRS as text (``None``: not declared)."""
        return self._info()["crs"]

    @property
    def transform(self) -> Affine:
        return self._info()["transform"]

    @property
    def shape(self) -> tuple[int, int]:
        """``(rows, columns)`` of the whole raster."""
        return self._info()["shape"]

    @property
    def nodata(self) -> float | None:
        return self._info()["nodata"]

    @property
    def cell_size(self) -> tuple[float, float]:
        """Cell width and height in CRS units."""
        t = self.transform
        return abs(t.a), abs(t.e)

    @property
    def bounds(self) -> Bounds:
        return _grid_bounds(self.transform, self.shape)

    # ---------------------------------------------------------------- reading
    def read(self, bounds: Bounds | None = None, *, pad_cells: int = 0) -> Raster:
        """The cells touching ``bounds`` (raster CRS) plus ``pad_cells`` around; all without.

        An empty array means ``bounds`` lie outside the raster.
        """
        if self.raster is not None:
            return self.raster if bounds is None else self.raster.window(
                bounds, pad_cells=pad_cells)
        from rasterio.windows import Window

        with _open(self.path) as src:  # type: ignore[arg-type]
            crs = _crs(src)
            if bounds is None:
                return Raster(_filled(src.read(1, masked=True)), src.transform, crs,
                              src.nodata)
            r0, r1, c0, c1 = window_cells(src.transform, (src.height, src.width), bounds,
                                          pad=pad_cells)
            if r1 <= r0 or c1 <= c0:
                return Raster(np.full((0, 0), np.nan), src.transform, crs, src.nodata)
            bh, bw = src.block_shapes[0]
            if bh * bw > _TILE_MAX_CELLS:
                data = _filled(src.read(1, window=Window(c0, r0, c1 - c0, r1 - r0),
                                        masked=True))
            else:
                data = self._from_tiles(src, (r0, r1, c0, c1), (bh, bw))
            # not src.window_transform(): rasterio 1.4 uses affine's deprecated `*` there
            return Raster(data, src.transform @ Affine.translation(c0, r0), crs, src.nodata)

    def _from_tiles(self, src: Any, cells: tuple[int, int, int, int],
                    block: tuple[int, int]) -> np.ndarray:
        """The cells ``(r0, r1, c0, c1)`` of band 1, assembled from cached tiles."""
        from rasterio.windows import Window

        self._tiles.check(self.path)  # type: ignore[arg-type]
        r0, r1, c0, c1 = cells
        th = block[0] * max(1, _TILE_SIDE // block[0])
        tw = block[1] * max(1, _TILE_SIDE // block[1])
        small = src.dtypes[0] in _EXACT_IN_FLOAT32
        out = np.empty((r1 - r0, c1 - c0), dtype="float64")
        for i in range(r0 // th, (r1 - 1) // th + 1):
            for j in range(c0 // tw, (c1 - 1) // tw + 1):
                tile = self._tiles.get((i, j))
                if tile is None:
                    win = Window(j * tw, i * th, min(tw, src.width - j * tw),
                                 min(th, src.height - i * th))
                    tile = _filled(src.read(1, window=win, masked=True))
                    if small:
                        tile = tile.astype("float32")
                    self._tiles.put((i, j), tile)
                y0, x0 = max(r0, i * th), max(c0, j * tw)
                y1, x1 = min(r1, (i + 1) * th), min(c1, (j + 1) * tw)
                out[y0 - r0:y1 - r0, x0 - c0:x1 - c0] = tile[y0 - i * th:y1 - i * th,
                                                             x0 - j * tw:x1 - j * tw]
        return out

    def values(self, *, max_cells: int | None = None) -> np.ndarray:
        """The valid (non-nan) cell values, flattened.

        With ``max_cells``, a raster with more cells is decimated (about every
        n-th cell each way), so a city-wide file is never loaded whole.
        """
        h, w = self.shape
        step = 1
        if max_cells is not None and h * w > max_cells:
            step = int(np.ceil(np.sqrt(h * w / max_cells)))
        if self.raster is not None:  # the same cell count as the file's decimated read
            arr = self.raster.array[::step, ::step][:max(h // step, 1), :max(w // step, 1)]
        elif step == 1:
            arr = self.read().array
        else:
            with _open(self.path) as src:  # type: ignore[arg-type]
                arr = _filled(src.read(1, out_shape=(max(h // step, 1), max(w // step, 1)),
                                       masked=True))
        values = np.asarray(arr, dtype="float64").ravel()
        return values[~np.isnan(values)]

    def read_resampled(self, bounds: Bounds, *, crs: Any = None, max_px: int = 500) -> Raster:
        """The cells over ``bounds`` (in ``crs``, default the raster's), for drawing.

        At most ``max_px`` cells a side (coarser windows are resampled bilinearly);
        a raster in another CRS is warped to ``crs``. An empty array means
        ``bounds`` lie outside the raster.
        """
        from rasterio.warp import transform_bounds

        target = _crs_text(crs) if crs is not None else self.crs
        same = target is None or self.crs is None or _same_crs(self.crs, target)
        own = bounds if same else tuple(transform_bounds(target, self.crs, *bounds,
                                                         densify_pts=11))
        win = self._coarse(own, max_px)
        if same or win.array.size == 0:
            return win
        minx, miny, maxx, maxy = bounds
        cell = max(maxx - minx, maxy - miny) / max_px
        w = max(int(np.ceil((maxx - minx) / cell)), 1)
        h = max(int(np.ceil((maxy - miny) / cell)), 1)
        return _warp(win, np.full((h, w), np.nan), Affine(cell, 0, minx, 0, -cell, maxy),
                     target)

    def _coarse(self, bounds: Bounds, max_px: int) -> Raster:
        """The window over ``bounds`` (own CRS) with at most ``max_px`` cells a side."""
        r0, r1, c0, c1 = window_cells(self.transform, self.shape, bounds)
        if r1 <= r0 or c1 <= c0:
            return Raster(np.full((0, 0), np.nan), self.transform, self.crs, self.nodata)
        wh, ww = r1 - r0, c1 - c0
        step = max(1.0, max(ww, wh) / max_px)
        shape = (max(int(wh / step), 1), max(int(ww / step), 1))
        wt = (self.transform @ Affine.translation(c0, r0)
              @ Affine.scale(ww / shape[1], wh / shape[0]))
        if self.raster is not None:
            win = self.raster.window(bounds)
            if step == 1:
                return win
            return _warp(win, np.full(shape, np.nan), wt, self.crs)
        from rasterio.enums import Resampling
        from rasterio.windows import Window

        with _open(self.path) as src:  # type: ignore[arg-type]
            data = src.read(1, window=Window(c0, r0, ww, wh), out_shape=shape, masked=True,
                            resampling=Resampling.bilinear if step > 1 else Resampling.nearest)
            return Raster(_filled(data), wt, self.crs, self.nodata)

    def __str__(self) -> str:
        return str(self.path) if self.path is not None else self.label


def read_raster(path: str | Path, *, bounds: Bounds | None = None, pad_cells: int = 1
                ) -> Raster:
    """Band 1 of the file ``path``, or only the cells touching ``bounds`` plus ``pad_cells``.

    Shorthand for ``RasterSource.from_file(path).read(bounds, pad_cells=pad_cells)``.
    """
    return RasterSource.from_file(path).read(bounds, pad_cells=pad_cells)


def _warp(src: Raster, dst: np.ndarray, dst_transform: Affine, dst_crs: str | None) -> Raster:
    """``src`` resampled (bilinear) onto the grid ``dst`` / ``dst_transform`` in ``dst_crs``."""
    from rasterio.enums import Resampling
    from rasterio.warp import reproject

    src_crs = src.crs or dst_crs or "EPSG:3857"  # no CRS: a plain resampling on one grid
    reproject(np.asarray(src.array, dtype="float64"), dst, src_transform=src.transform,
              src_crs=src_crs, dst_transform=dst_transform, dst_crs=dst_crs or src_crs,
              src_nodata=np.nan, dst_nodata=np.nan, resampling=Resampling.bilinear)
    return Raster(dst, dst_transform, dst_crs or src.crs, src.nodata)


def _open_error(path: Path, exc: Exception) -> InputError:
    return InputError(f"Cannot open raster {path}: {exc}.",
                      hint="Check that the file exists and is a GeoTIFF.",
                      zh=f"无法打开栅格 {path}：{exc}。",
                      hint_zh="请检查文件是否存在、是否为 GeoTIFF 格式。")


def _open(path: Path) -> Any:
    import rasterio

    try:
        return rasterio.open(path)
    except rasterio.errors.RasterioIOError as exc:
        raise _open_error(path, exc) from exc


def _filled(data: np.ma.MaskedArray) -> np.ndarray:
    """A masked band as float64 with nan for masked cells."""
    if data.dtype.kind != "f":
        # numpy's stubs type MaskedArray.astype as a plain ndarray; it stays masked
        data = data.astype("float64")  # type: ignore[assignment]
    return np.asarray(data.filled(np.nan), dtype="float64")


def _crs(src: object) -> str | None:
    crs = getattr(src, "crs", None)
    return crs.to_string() if crs else None


def _crs_text(crs: Any) -> str | None:
    if crs is None or isinstance(crs, str):
        return crs
    to_string = getattr(crs, "to_string", None)
    return to_string() if to_string is not None else str(crs)


def _same_crs(a: Any, b: Any) -> bool:
    from pyproj import CRS

    return CRS.from_user_input(a).equals(CRS.from_user_input(b))


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
